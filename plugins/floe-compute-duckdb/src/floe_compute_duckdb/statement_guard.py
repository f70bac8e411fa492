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
plugin wraps dbt-duckdb's cursor ``execute`` and takes the node from dbt itself: the
unique id of the node dbt runs in the statement's thread (its logging context), and
where dbt gives none, dbt's query comment, wherever the project puts it (first, or
appended before or after a trailing ``;``, as JSON with ``node_id`` at any depth or
as text naming a unique id). A model comment cannot claim to be another model.
``model_timeouts`` is keyed by dbt unique id or by transform name (``orders``, or
``orders.v2`` for version 2 of ``orders`` alone; ``orders`` limits every version
that has no limit of its own), matched through ``manifest.json`` in dbt's target
path; tests are limited like the models they test.
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
from dbt_common.events.contextvars import get_node_info
from dbt_common.exceptions import DbtRuntimeError

SUPPORTED_DBT_DUCKDB = ((1, 11, 1), (1, 12, 0))
"""dbt-duckdb versions whose cursor wrapper this plugin wraps: [first, last)."""


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


NODE_ID = re.compile(
    r"\b(?:model|test|seed|snapshot|unit_test)\.[A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)+"
)
NODE_KEYS = ("node_id", "unique_id")


def node_id_of(sql: str) -> str | None:
    """The dbt node named by the statement's query comment.

    dbt puts its comment first (``/* {...} */ create ...``) or, with ``query-comment:
    {append: true}``, last, before a trailing ``;`` (``... /* {...} */;``). A JSON
    comment names the node under ``node_id`` or ``unique_id`` at any depth (packages'
    comment macros nest it); any other comment names it as a dbt unique id in its text.
    """
    for comment in _edge_comments(sql):
        found = _node_in_json(comment) or _node_in_text(comment)
        if found:
            return found
    return None


def _edge_comments(sql: str) -> list[str]:
    """The block comments before the statement's text and after it (around a final ``;``)."""
    comments = []
    head = sql.lstrip()
    while head.startswith("/*"):
        end = head.find("*/", 2)
        if end < 0:
            break
        comments.append(head[2:end])
        head = head[end + 2 :].lstrip()
    tail = sql.rstrip().rstrip(";").rstrip()
    while tail.endswith("*/"):
        start = tail.rfind("/*", 0, len(tail) - 2)
        if start < 0:
            break
        comments.append(tail[start + 2 : -2])
        tail = tail[:start].rstrip().rstrip(";").rstrip()
    return comments


def _node_in_json(comment: str) -> str | None:
    try:
        header = json.loads(comment)
    except ValueError:
        return None
    pending: list[Any] = [header]
    while pending:
        value = pending.pop(0)
        if isinstance(value, dict):
            for key in NODE_KEYS:
                found = value.get(key)
                if isinstance(found, str) and NODE_ID.fullmatch(found):
                    return found
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return None


def _node_in_text(comment: str) -> str | None:
    match = NODE_ID.search(comment)
    return match.group(0).rstrip(".") if match else None


def running_node() -> str | None:
    """The unique id of the node dbt runs in this thread (dbt's own logging context).

    dbt sets it around each node it executes, whatever the project's query comment
    says; statements outside a node (metadata queries, ``on-run-start``) have none.
    Imported at the top, not here: without it the guard must not load at all, rather
    than fall back to the comment unnoticed.
    """
    unique_id = get_node_info().get("unique_id")
    return unique_id if isinstance(unique_id, str) and NODE_ID.fullmatch(unique_id) else None


def model_name(node_id: str) -> str | None:
    """``model.shop.orders`` → ``orders``; the versioned ``model.shop.orders.v2`` → ``orders``."""
    parts = node_id.split(".")
    return parts[2] if len(parts) >= 3 and parts[0] == "model" else None


def transform_names(node_id: str) -> list[str]:
    """The names a transform may give a model, without the manifest at hand: one
    version's (``orders.v2``) first, then the whole model's (``orders``)."""
    parts = node_id.split(".")
    if len(parts) < 3 or parts[0] != "model":
        return []
    if len(parts) == 4 and re.fullmatch(r"v\w+", parts[3]):
        return [f"{parts[2]}.{parts[3]}", parts[2]]
    return [parts[2]]


@dataclass(frozen=True)
class ModelIndex:
    """What the guard needs of dbt's ``manifest.json``: names and the parents of tests."""

    names: dict[str, list[str]] = field(default_factory=dict)
    """Unique id of a model → the names a transform may use for it, most specific first."""
    tested: dict[str, list[str]] = field(default_factory=dict)
    """Unique id of a test → the models it tests."""

    def names_of(self, node_id: str) -> list[str]:
        return self.names.get(node_id) or transform_names(node_id)


@dataclass
class Limits:
    """Seconds per statement: a default, and per model for transforms with their own.

    ``by_model`` is keyed by dbt unique id (``model.shop.orders.v2``) or by the
    transform's name as floe.yaml lists it (``orders.v2``, or ``orders`` for every version).
    """

    default_seconds: float
    by_model: dict[str, float] = field(default_factory=dict)
    index: Callable[[], ModelIndex] = ModelIndex

    def for_node(self, node_id: str | None) -> tuple[float, str | None]:
        """The limit of a statement of ``node_id`` and the transform it belongs to."""
        if node_id is None:
            return self.default_seconds, None
        if node_id.startswith("model."):
            return self._model(node_id)
        if node_id.startswith("test."):
            limited = [self._model(model) for model in self.index().tested.get(node_id, [])]
            names = ", ".join(name for _, name in limited if name)
            return max((s for s, _ in limited), default=self.default_seconds), names or None
        return self.default_seconds, None

    def _model(self, node_id: str) -> tuple[float, str | None]:
        names = self.index().names_of(node_id)
        for key in (node_id, *names):
            if key in self.by_model:
                return self.by_model[key], names[0] if names else key
        return self.default_seconds, names[0] if names else model_name(node_id)


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
        node_id = running_node() or node_id_of(sql)
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
            index=_index_from_manifest(),
        )
        install(Guard(limits, MemorySettings.of(plugin_config), _correlation_id()))


def _correlation_id() -> str:
    from floe_gate.observability import correlation_id

    return correlation_id()


def _index_from_manifest() -> Callable[[], ModelIndex]:
    """The index of the manifest dbt wrote before running, read at the first statement."""
    loaded: list[ModelIndex] = []
    lock = threading.Lock()

    def index() -> ModelIndex:
        with lock:
            if not loaded:
                loaded.append(read_index(_manifest_path()))
        return loaded[0]

    return index


def _manifest_path() -> Path | None:
    try:
        from dbt.flags import get_flags

        flags = get_flags()  # type: ignore[no-untyped-call]
        project_dir = getattr(flags, "PROJECT_DIR", None) or os.getcwd()
        target_path = getattr(flags, "TARGET_PATH", None) or "target"
    except Exception:  # outside a dbt invocation
        return None
    return Path(project_dir, target_path, "manifest.json")


def read_index(path: Path | None) -> ModelIndex:
    """Model names and tested models from ``manifest.json``; empty if it cannot be read."""
    if path is None or not path.is_file():
        return ModelIndex()
    try:
        nodes = json.loads(path.read_text(encoding="utf-8")).get("nodes", {})
    except (OSError, ValueError, AttributeError):
        return ModelIndex()
    if not isinstance(nodes, dict):
        return ModelIndex()
    names: dict[str, list[str]] = {}
    tested: dict[str, list[str]] = {}
    for node_id, node in nodes.items():
        if not isinstance(node, dict):
            continue
        if node_id.startswith("model."):
            names[node_id] = _names_in_manifest(node_id, node)
        elif node_id.startswith("test."):
            parents = (node.get("depends_on") or {}).get("nodes") or []
            tested[node_id] = sorted({p for p in parents if str(p).startswith("model.")})
    return ModelIndex(names, tested)


def _names_in_manifest(node_id: str, node: dict[str, Any]) -> list[str]:
    """``orders.v2`` then ``orders`` for a version of a versioned model; ``orders`` else."""
    name, version = node.get("name"), node.get("version")
    if not isinstance(name, str):
        return transform_names(node_id)
    if version is None:
        return [name]
    if isinstance(version, float) and version.is_integer():
        version = int(version)
    return [f"{name}.v{version}", name]
