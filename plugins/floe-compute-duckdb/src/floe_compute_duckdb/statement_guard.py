"""A dbt-duckdb plugin that enforces statement timeouts and explains memory errors.

DuckDB has no statement timeout and dbt-duckdb ignores unknown profile keys, so a
``timeout_seconds`` in a profile limits nothing. The profiles floe-gate generates
load this module as a dbt-duckdb plugin instead::

    plugins:
      - module: floe_compute_duckdb.statement_guard
        config:
          statement_timeout_seconds: 3600      # every statement
          model_timeouts: {slow_model: 7200}   # transforms with their own timeout
          memory_limit: 1GB                    # to explain memory errors
          temp_directory: /spill               # (and max_temp_directory_size)

so a plain ``dbt build`` with that profile (in a Kubernetes job, without floe-gate)
is limited too. Each statement dbt runs gets a deadline; at the deadline the
statement's cursor is interrupted (DuckDB stops within milliseconds) and the model
fails with the transform, the query id, the duration, the limit and the
correlation id. dbt then skips what depends on it and runs the rest.

dbt-duckdb has no per-statement hook and does not say which model runs, so the
plugin wraps dbt-duckdb's cursor ``execute`` and reads the node from dbt's query
comment (``/* {"app": "dbt", ..., "node_id": "model.shop.orders"} */``). Tests are
limited like the model they test (from ``manifest.json`` in dbt's target path).
The wrapped class is dbt-duckdb internals: ``SUPPORTED_DBT_DUCKDB`` lists the
versions this is known to work with, and any other version refuses to run.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt_common.exceptions import DbtRuntimeError

SUPPORTED_DBT_DUCKDB = ((1, 11, 1), (1, 12, 0))
"""dbt-duckdb versions whose cursor wrapper this plugin wraps: [first, last)."""

QUERY_COMMENT = re.compile(r"/\*(.*?)\*/", re.DOTALL)


class UnsupportedDbtDuckDB(DbtRuntimeError):
    """The installed dbt-duckdb is outside ``SUPPORTED_DBT_DUCKDB``."""


def check_dbt_duckdb_version(version: str) -> None:
    """Refuse a dbt-duckdb whose internals this plugin has not been verified against."""
    numbers = tuple(int(part) for part in re.findall(r"\d+", version)[:3])
    low, high = SUPPORTED_DBT_DUCKDB
    if not low <= numbers < high:
        raise UnsupportedDbtDuckDB(
            f"floe_compute_duckdb.statement_guard supports dbt-duckdb "
            f">={'.'.join(map(str, low))},<{'.'.join(map(str, high))}, not {version}: "
            "statement timeouts would not be enforced. Install a supported dbt-duckdb "
            "(requirements-dbt.txt from `floe-gate compile` pins one)."
        )


def node_id_of(sql: str) -> str | None:
    """The dbt node named by the statement's query comment (at its start or end)."""
    for comment in _edge_comments(sql):
        try:
            header = json.loads(comment)
        except ValueError:
            continue
        node = header.get("node_id") if isinstance(header, dict) else None
        if isinstance(node, str) and node:
            return node
    return None


def _edge_comments(sql: str) -> list[str]:
    stripped = sql.strip()
    comments = []
    if stripped.startswith("/*"):
        match = QUERY_COMMENT.match(stripped)
        if match:
            comments.append(match.group(1))
    if stripped.endswith("*/"):
        start = stripped.rfind("/*")
        if start >= 0:
            comments.append(stripped[start + 2 : -2])
    return comments


def model_name(node_id: str) -> str | None:
    """``model.shop.orders`` (or the versioned ``model.shop.orders.v2``) → ``orders``."""
    parts = node_id.split(".")
    return parts[2] if len(parts) >= 3 and parts[0] == "model" else None


@dataclass
class Limits:
    """Seconds per statement: a default, and per model for transforms with their own."""

    default_seconds: float
    by_model: dict[str, float] = field(default_factory=dict)
    tested_models: Callable[[str], list[str]] = lambda node_id: []

    def for_node(self, node_id: str | None) -> tuple[float, str | None]:
        """The limit of a statement of ``node_id`` and the transform it belongs to."""
        if node_id is None:
            return self.default_seconds, None
        name = model_name(node_id)
        if name is not None:
            return self.by_model.get(name, self.default_seconds), name
        if node_id.startswith("test."):
            models = self.tested_models(node_id)
            seconds = [self.by_model.get(model, self.default_seconds) for model in models]
            return max(seconds, default=self.default_seconds), ", ".join(models) or None
        return self.default_seconds, None


@dataclass
class Statement:
    """One statement under watch; ``interrupted`` is set only while it runs."""

    query_id: str
    node_id: str | None
    transform: str | None
    limit_seconds: float
    started: float = field(default_factory=time.perf_counter)
    running: bool = True
    interrupted_at: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def interrupt(self, cursor: Any) -> None:
        with self.lock:
            if self.running:
                self.interrupted_at = time.perf_counter()
                cursor.interrupt()

    def finish(self) -> None:
        with self.lock:
            self.running = False

    @property
    def duration(self) -> float:
        return time.perf_counter() - self.started


@dataclass(frozen=True)
class MemorySettings:
    """The DuckDB settings a memory error is explained with (from the profile)."""

    memory_limit: str | None = None
    temp_directory: str | None = None
    max_temp_directory_size: str | None = None

    @classmethod
    def of(cls, settings: dict[str, Any]) -> MemorySettings:
        def text(key: str) -> str | None:
            value = settings.get(key)
            return str(value) if value not in (None, "") else None

        return cls(text("memory_limit"), text("temp_directory"), text("max_temp_directory_size"))


class Guard:
    """What the plugin enforces in this process: limits and the run's correlation id."""

    def __init__(self, limits: Limits, memory: MemorySettings, correlation_id: str) -> None:
        self.limits = limits
        self.memory = memory
        self.correlation_id = correlation_id

    def execute(self, wrapper: Any, run: Callable[[], Any], sql: str) -> Any:
        node_id = node_id_of(sql)
        seconds, transform = self.limits.for_node(node_id)
        statement = Statement(uuid.uuid4().hex[:12], node_id, transform, seconds)
        timer = threading.Timer(seconds, statement.interrupt, args=(wrapper._cursor,))
        timer.daemon = True
        timer.start()
        try:
            return run()
        except Exception as error:
            explained = self._explained(statement, error)
            if explained is None:
                raise
            raise explained from error
        finally:
            statement.finish()
            timer.cancel()
            _record_statement(statement)

    def _explained(self, statement: Statement, error: Exception) -> Exception | None:
        if statement.interrupted_at is not None:
            _record("timeouts", statement)
            return DbtRuntimeError(self._timeout_message(statement))
        if type(error).__name__ == "OutOfMemoryException":
            _record("ooms", statement)
            return DbtRuntimeError(self._memory_message(statement, error))
        return None

    def _timeout_message(self, statement: Statement) -> str:
        return (
            f"statement timeout: {_subject(statement)} query {statement.query_id} ran "
            f"{statement.duration:.2f} s and was cancelled at its limit of "
            f"{statement.limit_seconds:g} s (timeout_seconds) [correlation id "
            f"{self.correlation_id}]. Raise the transform's timeout_seconds in its "
            "floe.yaml, or make the model faster."
        )

    def _memory_message(self, statement: Statement, error: Exception) -> str:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        if "max_temp_directory_size" in str(error):
            return self._spill_message(statement, first_line)
        limit = self.memory.memory_limit or "DuckDB's default (80% of RAM)"
        return (
            f"out of memory: {_subject(statement)} query {statement.query_id} needed more "
            f"than memory_limit {limit} ({first_line}) [correlation id "
            f"{self.correlation_id}]. Raise memory_limit in the manifest's DuckDB target "
            "settings (it must stay within ~75% of the pod's memory limit: choose a larger "
            "workload), set temp_directory so DuckDB can spill, or lower threads."
        )

    def _spill_message(self, statement: Statement, first_line: str) -> str:
        bound = self.memory.max_temp_directory_size or "the disk's free space"
        where = self.memory.temp_directory or "DuckDB's default temp directory"
        return (
            f"out of spill space: {_subject(statement)} query {statement.query_id} spilled "
            f"more than max_temp_directory_size {bound} to {where} ({first_line}) "
            f"[correlation id {self.correlation_id}]. Raise max_temp_directory_size (within "
            "the pod's ephemeral-storage limit: choose a larger workload) or memory_limit."
        )


def _subject(statement: Statement) -> str:
    if statement.transform is None:
        return f"dbt node {statement.node_id}" if statement.node_id else "a statement"
    return f"transform {statement.transform} ({statement.node_id})"


def _record_statement(statement: Statement) -> None:
    try:
        from floe_gate.telemetry import record_statement

        record_statement("duckdb", statement.transform, statement.duration * 1000)
    except Exception:  # telemetry never fails a statement
        return


def _record(kind: str, statement: Statement) -> None:
    try:
        from floe_gate.telemetry import record_statement_failure

        record_statement_failure("duckdb", kind, statement.transform)
    except Exception:  # telemetry never fails a statement
        return


class _Installation:
    """The guard this process enforces; dbt-duckdb's ``execute`` is wrapped once."""

    def __init__(self) -> None:
        self.guard: Guard | None = None
        self.lock = threading.Lock()


_installation = _Installation()


def install(guard: Guard) -> None:
    """Wrap dbt-duckdb's cursor ``execute`` (once per process) with ``guard``."""
    from dbt.adapters.duckdb.__version__ import version
    from dbt.adapters.duckdb.environments import local

    check_dbt_duckdb_version(version)
    with _installation.lock:
        first = _installation.guard is None
        _installation.guard = guard
        if not first:
            return
        original: Callable[..., Any] = local.DuckDBCursorWrapper.execute

        def execute(self: Any, sql: str, bindings: Any = None) -> Any:
            active = _installation.guard
            if active is None:
                return original(self, sql, bindings)
            return active.execute(self, lambda: original(self, sql, bindings), sql)

        setattr(local.DuckDBCursorWrapper, "execute", execute)  # noqa: B010


class Plugin(BasePlugin):
    """Loaded by dbt-duckdb from the profile's ``plugins:`` list."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        limits = Limits(
            default_seconds=float(plugin_config.get("statement_timeout_seconds", 3600)),
            by_model={
                str(name): float(seconds)
                for name, seconds in (plugin_config.get("model_timeouts") or {}).items()
            },
            tested_models=_tested_models_from_manifest(),
        )
        install(Guard(limits, MemorySettings.of(plugin_config), _correlation_id()))


def _correlation_id() -> str:
    from floe_gate.observability import correlation_id

    return correlation_id()


def _tested_models_from_manifest() -> Callable[[str], list[str]]:
    """Test node id → the models it tests, from the manifest dbt wrote before running."""
    cache: dict[str, list[str]] = {}
    loaded = False
    lock = threading.Lock()

    def tested_models(node_id: str) -> list[str]:
        nonlocal loaded
        with lock:
            if not loaded:
                cache.update(_read_test_models(_manifest_path()))
                loaded = True
        return cache.get(node_id, [])

    return tested_models


def _manifest_path() -> Path | None:
    try:
        from dbt.flags import get_flags

        flags = get_flags()  # type: ignore[no-untyped-call]
        project_dir = getattr(flags, "PROJECT_DIR", None) or os.getcwd()
        target_path = getattr(flags, "TARGET_PATH", None) or "target"
    except Exception:  # outside a dbt invocation
        return None
    return Path(project_dir, target_path, "manifest.json")


def _read_test_models(path: Path | None) -> dict[str, list[str]]:
    if path is None or not path.is_file():
        return {}
    try:
        nodes = json.loads(path.read_text(encoding="utf-8")).get("nodes", {})
    except (OSError, ValueError):
        return {}
    tested = {}
    for node_id, node in nodes.items():
        if not node_id.startswith("test."):
            continue
        parents = node.get("depends_on", {}).get("nodes", [])
        models = [name for parent in parents if (name := model_name(parent))]
        tested[node_id] = sorted(set(models))
    return tested
