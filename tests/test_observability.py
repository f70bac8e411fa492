"""Logs, spans and metrics: one correlation id per run, and no SDK unless configured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Platform
from opentelemetry.sdk.metrics import export as sdk_metrics_export
from opentelemetry.sdk.trace.export import in_memory_span_exporter as sdk_trace_export

from floe_gate import telemetry
from floe_gate.commands.check import run_check
from floe_gate.commands.compile import run_compile
from floe_gate.commands.health import HealthOptions, run_health
from floe_gate.commands.parity import run_parity_command
from floe_gate.observability import set_correlation_id

OTEL_VARIABLES = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
)


class Collected:
    def __init__(self) -> None:
        self.spans = sdk_trace_export.InMemorySpanExporter()
        self.reader = sdk_metrics_export.InMemoryMetricReader()

    def points(self, name: str) -> list[Any]:
        data = self.reader.get_metrics_data()
        return [
            point
            for resource in (data.resource_metrics if data else [])
            for scope in resource.scope_metrics
            for metric in scope.metrics
            if metric.name == name
            for point in metric.data.data_points
        ]

    def span(self, name: str) -> Any:
        [span] = [s for s in self.spans.get_finished_spans() if s.name == name]
        return span


@pytest.fixture
def collected() -> Iterator[Collected]:
    found = Collected()
    telemetry.configure(span_exporters=[found.spans], metric_readers=[found.reader])
    set_correlation_id("run-obs")
    yield found
    telemetry.shutdown()


def trino_transform(platform: Platform) -> None:
    """FG201 and FG202 (no trino plugin) at products/revenue/floe.yaml."""
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace("compute: duckdb", "compute: trino"),
    )
    platform.add()


def test_check_span_and_problem_counter(
    platform: Platform, collected: Collected, capsys: pytest.CaptureFixture[str]
) -> None:
    trino_transform(platform)
    assert run_check(platform.root, "manifest.yaml", (), "json", False) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["correlation_id"] == "run-obs"
    span = collected.span("floe-gate check")
    assert span.attributes["floe.correlation_id"] == "run-obs"
    reported_errors = [p for p in report["problems"] if p["severity"] == "error"]
    assert span.attributes["floe.problems.error"] == len(reported_errors) >= 2
    assert span.attributes["floe.exit_code"] == 1
    counted = {
        (p.attributes["rule"], p.attributes["severity"]): p.value
        for p in collected.points("floe.gate.problems")
    }
    assert counted[("FG201", "error")] == 1
    assert counted[("FG202", "error")] == 1


def test_compile_span_and_profile_generation_histogram(
    platform: Platform, collected: Collected, tmp_path: Path
) -> None:
    assert run_compile(platform.root, "manifest.yaml", ("dev",), tmp_path / "out", False) == 0
    span = collected.span("floe-gate compile")
    assert span.attributes["floe.exit_code"] == 0
    assert span.attributes["floe.problems.error"] == 0
    [point] = collected.points("floe.compute.profile.generation_ms")
    assert dict(point.attributes) == {"plugin": "duckdb"}
    assert point.count >= 1


def test_health_span_and_validation_metrics(
    platform: Platform, collected: Collected, capsys: pytest.CaptureFixture[str]
) -> None:
    # duckdb's database directory warehouse/ does not exist: unhealthy, retried once.
    options = HealthOptions(platform.root, output_format="json", timeout_seconds=10)
    assert run_health(options) == 1
    capsys.readouterr()
    span = collected.span("floe-gate health")
    assert span.attributes["floe.engines"] == ("duckdb",)
    assert span.attributes["floe.environment"] == "dev"
    assert span.attributes["floe.targets.unhealthy"] == 1
    [duration] = collected.points("floe.compute.validation.duration_ms")
    assert dict(duration.attributes) == {"plugin": "duckdb", "status": "unhealthy"}
    assert duration.count == 2  # one retry
    errors = collected.points("floe.compute.validation.errors")
    assert sum(p.value for p in errors) == 2
    assert {p.attributes["plugin"] for p in errors} == {"duckdb"}


def test_parity_span_has_problems_by_severity(
    platform: Platform, collected: Collected, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_parity_command(platform.root, "manifest.yaml", "nope", None, False, (), "text")
    capsys.readouterr()
    span = collected.span("floe-gate parity")
    assert span.attributes["floe.exit_code"] == code == 2
    assert span.attributes["floe.command"] == "parity"


def test_every_log_line_and_report_carries_the_correlation_id(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOE_CORRELATION_ID", "test-123")
    trino_transform(platform)
    args = ("--log-format", "json", "--log-level", "info", "check")
    run = platform.cli(*args, "--format", "json")
    assert run.returncode == 1, run.stderr
    lines = [json.loads(line) for line in run.stderr.splitlines()]
    assert lines
    assert {line["correlation_id"] for line in lines} == {"test-123"}
    assert json.loads(run.stdout)["correlation_id"] == "test-123"

    sarif_run = platform.cli(*args, "--format", "sarif").json()["runs"][0]
    assert sarif_run["properties"]["correlationId"] == "test-123"
    assert sarif_run["results"]
    assert {r["properties"]["correlationId"] for r in sarif_run["results"]} == {"test-123"}


def test_default_log_level_keeps_stderr_clean(platform: Platform) -> None:
    run = platform.cli("check")
    assert (run.returncode, run.stderr) == (0, "")


def test_otel_console_writes_spans_to_stderr(platform: Platform) -> None:
    run = platform.cli("--otel", "console", "check")
    assert run.returncode == 0, run.stderr
    assert '"name": "floe-gate check"' in run.stderr
    assert "floe.gate.problems" not in run.stdout  # telemetry never pollutes the report


WRAPPER = """
import sys
from floe_gate.cli import main
code = main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m.split(".")[:2] == ["opentelemetry", "sdk"])
print("SDK:" + ",".join(loaded), file=sys.stderr)
sys.exit(code)
"""


def sdk_modules(platform: Platform, *args: str, env: dict[str, str]) -> str:
    platform.add()
    run = subprocess.run(
        [sys.executable, "-c", WRAPPER, *args, "--repo", str(platform.root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    return run.stderr.rsplit("SDK:", 1)[1].strip()


def test_no_sdk_import_without_configuration(platform: Platform) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    assert sdk_modules(platform, "check", env=env) == ""
    assert sdk_modules(platform, "--otel", "console", "check", env=env) != ""


def test_otlp_endpoint_without_exporter_warns_and_continues(platform: Platform) -> None:
    import os

    env = {**os.environ, "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"}
    import importlib.util

    # The dev environment deliberately has no OTLP exporter: this is the path users
    # without it take.
    assert importlib.util.find_spec("opentelemetry.exporter") is None
    platform.add()
    run = subprocess.run(
        [sys.executable, "-c", WRAPPER, "check", "--repo", str(platform.root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "opentelemetry-exporter-otlp is not installed" in run.stderr


def test_run_span_transform_and_statement_metrics(
    platform: Platform,
    collected: Collected,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from floe_gate.commands.run import RunOptions, run_transforms
    from floe_gate.run.selection import Selection

    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml") + "    timeout_seconds: 1\n",
    )
    platform.write(
        "products/revenue/models/fct_revenue.sql",
        "{{ config(materialized='table') }}\n"
        "select sum(a * a % 7) as n from range(1000000000000) t(a)\n",
    )
    platform.add()
    (platform.root / "warehouse").mkdir()
    monkeypatch.chdir(platform.root)
    options = RunOptions(
        platform.root, "manifest.yaml", "dev", (), Selection(), Path("work"), "json"
    )

    assert run_transforms(options) == 1

    report = json.loads(capsys.readouterr().out)
    assert report["correlation_id"] == "run-obs"
    span = collected.span("floe-gate run")
    assert span.attributes["floe.correlation_id"] == "run-obs"
    assert span.attributes["floe.exit_code"] == 1
    [timeout] = collected.points("floe.run.statement.timeouts")
    assert timeout.value == 1
    assert timeout.attributes == {"engine": "duckdb", "transform": "fct_revenue"}
    transforms = {
        (p.attributes["transform"], p.attributes["status"])
        for p in collected.points("floe.run.transform.duration_ms")
    }
    assert transforms == {("stg_orders", "success"), ("fct_revenue", "error")}
    statements = collected.points("floe.run.statement.duration_ms")
    assert sum(point.count for point in statements) > 5


def test_plain_error_lines_carry_the_correlation_id(platform: Platform) -> None:
    platform.remove("manifest.yaml")
    done = subprocess.run(
        [str(Path(sys.executable).with_name("floe-gate")), "check"],
        cwd=platform.root, capture_output=True, text=True, check=False,
        env={**os.environ, "FLOE_CORRELATION_ID": "ci-7f3a"},
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: no manifest: manifest.yaml is not in the repository [correlation id ci-7f3a]"
    )
