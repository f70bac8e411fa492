"""Shared fixtures: a small platform repository in ``tmp_path``, judged in-process or by the CLI.

``platform`` writes a valid platform (manifest, a policy tree, one data product with
its dbt project and models) into a fresh git repository; a test rewrites or removes
the files it is about, then runs the gate:

* ``platform.problems()`` — in-process, through ``floe_gate.gate.judge``;
* ``platform.cli("check", ...)`` — the ``floe-gate`` console script as a subprocess.

Files are found through git (``git add -A`` runs before every judgement), exactly as
the hook finds them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import pytest

from floe_gate.compute import (
    CatalogConfig,
    ComputeConfig,
    ComputePlugin,
    ConnectionResult,
    ConnectionStatus,
    ResourceSpec,
)
from floe_gate.gate import Verdict, judge
from floe_gate.load.repository import ManifestUnusable
from floe_gate.load.sources import WorkingTree
from floe_gate.problems import Problem, Severity
from floe_gate.registry import PluginRegistry, Registration

TODAY = date(2026, 6, 1)
"""The date every in-process judgement runs on, so that waiver tests do not age."""

FLOE_GATE = Path(sys.executable).with_name("floe-gate")

MANIFEST = """\
apiVersion: floe/v1
kind: Manifest
environments:
  dev: {branch: dev}
  staging: {branch: staging}
  prod: {branch: main}
compute:
  approved: [duckdb]
  default: duckdb
  targets:
    duckdb: {path: warehouse/dev.duckdb, memory_limit: 1GB, threads: 1}
"""

# A manifest approving a second engine, for rules that need two; tests pair it
# with registry_with("spark").
MANIFEST_DUCKDB_SPARK = """\
apiVersion: floe/v1
kind: Manifest
environments:
  dev: {branch: dev}
compute:
  approved: [duckdb, spark]
  default: duckdb
  targets:
    duckdb: {memory_limit: 1GB, threads: 1}
"""

FINANCE_POLICY = """\
apiVersion: floe/v1
kind: Policy
compute:
  approved: [duckdb]
  default: duckdb
"""

PRODUCT = """\
apiVersion: floe/v1
kind: DataProduct
name: revenue
domain: finance
dbt_project: .
transforms:
  - name: stg_orders
  - name: fct_revenue
    compute: duckdb
    workload: medium
"""

DBT_PROJECT = """\
name: revenue
version: "1.0.0"
config-version: 2
profile: revenue
model-paths: ["models"]
"""

DEFAULT_FILES: dict[str, str] = {
    "manifest.yaml": MANIFEST,
    "policies/finance/policy.yaml": FINANCE_POLICY,
    "products/revenue/floe.yaml": PRODUCT,
    "products/revenue/dbt_project.yml": DBT_PROJECT,
    "products/revenue/models/stg_orders.sql": "select 1 as order_id\n",
    "products/revenue/models/fct_revenue.sql": "select * from {{ ref('stg_orders') }}\n",
}


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


class Platform:
    """A platform repository on disk, under git."""

    def __init__(self, root: Path, files: Mapping[str, str | bytes] = DEFAULT_FILES) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        _git(root, "init", "--quiet", "--initial-branch=main")
        for name, content in files.items():
            self.write(name, content)

    def write(self, name: str, content: str | bytes) -> Path:
        """Write ``content`` (text is dedented) to ``name``, relative to the repository root."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(textwrap.dedent(content), encoding="utf-8")
        else:
            path.write_bytes(content)
        return path

    def remove(self, *names: str) -> None:
        for name in names:
            (self.root / name).unlink()

    def read(self, name: str) -> str:
        return (self.root / name).read_text(encoding="utf-8")

    def add(self) -> None:
        _git(self.root, "add", "-A")

    def judge(
        self,
        *,
        manifest: str = "manifest.yaml",
        registry: PluginRegistry | None = None,
        today: date = TODAY,
    ) -> Verdict:
        self.add()
        return judge(
            WorkingTree(self.root), manifest, registry=registry or registry_with(), today=today
        )

    def problems(
        self,
        *,
        manifest: str = "manifest.yaml",
        registry: PluginRegistry | None = None,
        today: date = TODAY,
    ) -> list[Problem]:
        """The problems of a judgement, or those that make the manifest unusable."""
        try:
            return self.judge(manifest=manifest, registry=registry, today=today).problems
        except ManifestUnusable as unusable:
            return sorted(unusable.problems)

    def cli(self, *args: str, cwd: Path | None = None) -> CliResult:
        """``floe-gate ARGS…`` in a subprocess, run from the repository root."""
        self.add()
        done = subprocess.run(
            [str(FLOE_GATE), *args],
            cwd=cwd or self.root,
            capture_output=True,
            encoding="utf-8",
            timeout=60,
            env={**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"},
        )
        return CliResult(done.returncode, done.stdout, done.stderr)


CORRELATION_SUFFIX = re.compile(r" \[correlation id [^\]\s]+\]")


def without_correlation_ids(stderr: str) -> str:
    """``stderr`` once every ``error:`` in it is shown to carry a correlation id, without them."""
    errors = sum(line.startswith("error: ") for line in stderr.splitlines())
    assert len(CORRELATION_SUFFIX.findall(stderr)) == errors, stderr
    return CORRELATION_SUFFIX.sub("", stderr)


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def platform(tmp_path: Path) -> Platform:
    """A valid platform: manifest, ``policies/finance``, data product ``revenue``."""
    return Platform(tmp_path / "repo")


# --- assertions ---------------------------------------------------------------------------------


def where(problem: Problem) -> str:
    return f"{problem.file}:{problem.line}:{problem.column}"


def of_rule(problems: Iterable[Problem], rule: str) -> list[Problem]:
    return [problem for problem in problems if problem.rule == rule]


def only(problems: Iterable[Problem], rule: str | None = None) -> Problem:
    """The one problem (of ``rule``); fails showing all of them otherwise."""
    problems = list(problems)
    chosen = problems if rule is None else of_rule(problems, rule)
    assert len(chosen) == 1, "\n".join(p.as_text() for p in problems)
    return chosen[0]


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.severity is Severity.ERROR]


def assert_clean(problems: Iterable[Problem]) -> None:
    problems = list(problems)
    assert problems == [], "\n".join(p.as_text() for p in problems)


# --- fake compute plugins, for engines that have no first-party plugin yet ----------------------


class FakeWarehouseConfig(ComputeConfig):
    account: str = "acme-xy123"


class _FakePlugin(ComputePlugin[FakeWarehouseConfig]):
    version = "0.0.1"
    floe_api_version = "1.0"
    config_model: ClassVar[type[ComputeConfig]] = FakeWarehouseConfig

    def generate_dbt_profile(self, config: FakeWarehouseConfig) -> dict[str, Any]:
        return {"type": self.name, "account": config.account}

    def get_required_dbt_packages(self) -> list[str]:
        return [f"dbt-{self.name}"]

    def validate_connection(self, config: FakeWarehouseConfig) -> ConnectionResult:
        return ConnectionResult(status=ConnectionStatus.HEALTHY, latency_ms=0.0)

    def get_resource_requirements(self, workload_size: str) -> ResourceSpec:
        return self.preset(workload_size)

    def get_catalog_attachment_sql(self, catalog_config: CatalogConfig) -> list[str] | None:
        return None


class FakeSnowflakePlugin(_FakePlugin):
    """A warehouse engine: its pods only run the dbt client, in one size."""

    name = "snowflake"
    resource_presets: ClassVar[Mapping[str, ResourceSpec]] = {"client": ResourceSpec()}
    default_workload: ClassVar[str] = "client"


class FakeSparkPlugin(_FakePlugin):
    name = "spark"


FAKE_PLUGINS: dict[str, type[ComputePlugin[Any]]] = {
    "snowflake": FakeSnowflakePlugin,
    "spark": FakeSparkPlugin,
}


def registry_with(*engines: str, broken: Iterable[str] = ()) -> PluginRegistry:
    """The DuckDB reference plugin, fake plugins for ``engines`` and ``broken`` ones that fail.

    Rule tests judge against this, not against whatever engines happen to be installed:
    "spark has no plugin" must stay true while the real Spark plugin sits in .venv.
    """
    registrations = [
        Registration(name, f"{plugin.__module__}:{plugin.__qualname__}", "fake-" + name, "0.0.1")
        for name, plugin in FAKE_PLUGINS.items()
        if name in engines
    ]
    registrations += [
        Registration(name, "floe_gate_no_such_module:Plugin", "broken-" + name, "0.0.1")
        for name in broken
    ]
    return PluginRegistry([*PluginRegistry().record("duckdb").registrations, *registrations])
