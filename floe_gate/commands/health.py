"""``floe-gate health``: check every approved engine's target with its plugin's native driver.

For one environment (default: the first in promotion order), each engine the
manifest approves (or each ``--target``) gets the manifest-level effective target
settings for that environment, and its plugin's ``validate_connection`` runs in a
thread pool, all targets at once, each attempt bounded by ``--timeout``. An
unhealthy answer is retried once, on a fresh connection, before it is reported
(a target that recovers is reported with ``attempts: 2``). An engine without a
usable plugin, or with invalid settings, is unhealthy with the reason.

Relative database paths (e.g. DuckDB's ``path``) are the plugin's to interpret;
DuckDB reads them relative to the current directory, as dbt run from there would.

Exit 0: every target healthy, or degraded without ``--fail-on degraded``.
1: a target is unhealthy (or degraded with ``--fail-on degraded``).
2: the repository cannot be judged, or an unknown ``--env`` / ``--target``.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from floe_gate.compute import ConnectionResult, ConnectionStatus
from floe_gate.compute.health import bounded_check
from floe_gate.context import Context
from floe_gate.exit_codes import ExitCode
from floe_gate.gate import judge_working_tree
from floe_gate.printable import printable_lines
from floe_gate.registry import PluginLoadError, PluginRegistry
from floe_gate.report.errors import echo_error
from floe_gate.report.formats import emit_document
from floe_gate.telemetry import (
    SpanLike,
    command_span,
    record_validation,
    record_validation_error,
)

MAX_ATTEMPTS = 2  # a failed check is retried once on a fresh connection (US6.2)


@dataclass(frozen=True)
class HealthOptions:
    repo: Path
    manifest: str = "manifest.yaml"
    environment: str | None = None
    targets: Sequence[str] = ()
    output_format: str = "text"
    fail_on: str = "unhealthy"
    timeout_seconds: float = 5.0
    watch: bool = False
    interval_seconds: float = 30.0
    rounds: int = 0
    """With ``watch``: stop after this many checks (0: until interrupted)."""


@dataclass
class TargetHealth:
    target: str
    env: str
    status: ConnectionStatus
    latency_ms: float
    message: str
    warnings: list[str] = field(default_factory=list)
    attempts: int = 1

    def as_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "env": self.env,
            "status": self.status.value,
            "latency_ms": round(self.latency_ms, 1),
            "message": self.message,
            "warnings": list(self.warnings),
            "attempts": self.attempts,
        }


def run_health(options: HealthOptions, registry: PluginRegistry | None = None) -> int:
    attributes: dict[str, str | int | float | bool] = {
        "floe.format": options.output_format,
        "floe.watch": options.watch,
    }
    with command_span("health", attributes) as span:
        code = _run_health(options, registry, span)
        span.set_attribute("floe.exit_code", code)
        return code


def _run_health(options: HealthOptions, registry: PluginRegistry | None, span: SpanLike) -> int:
    judgement = judge_working_tree(options.repo, options.manifest, registry=registry, rules=False)
    if judgement.verdict is None:
        for problem in judgement.problems:
            click.echo(problem.as_text(), err=True)
        echo_error(judgement.cannot_judge or str(judgement.unusable))
        return ExitCode.CANNOT_JUDGE
    context = judgement.verdict.context
    repository = context.repository
    model = repository.manifest.model
    environments = list(model.environments)
    environment = options.environment or (environments[0] if environments else None)
    if environment is None or environment not in environments:
        known = ", ".join(environments) or "none"
        echo_error(f"unknown environment {options.environment!r} (the manifest defines: {known})")
        return ExitCode.CANNOT_JUDGE
    approved = list(model.compute.approved)
    unknown = [name for name in options.targets if name not in approved]
    if unknown:
        echo_error(
            f"{', '.join(map(repr, unknown))} not approved by the manifest "
            f"(approved: {', '.join(approved) or 'none'})"
        )
        return ExitCode.CANNOT_JUDGE
    engines = list(dict.fromkeys(options.targets)) if options.targets else approved
    span.set_attribute("floe.environment", environment)
    span.set_attribute("floe.engines", engines)
    results = check_targets(context, engines, environment, options.timeout_seconds)
    _record_statuses(span, results)
    _report(results, options.output_format)
    if options.watch:
        results = _watch(context, engines, environment, options, results)
    return _exit_code(results, options.fail_on)


def _record_statuses(span: SpanLike, results: Sequence[TargetHealth]) -> None:
    for status in ConnectionStatus:
        count = sum(result.status is status for result in results)
        span.set_attribute(f"floe.targets.{status.value}", count)


@dataclass(frozen=True)
class _Targets:
    results: Sequence[TargetHealth]

    def as_text(self) -> str:
        return _table(self.results)

    def as_json(self) -> dict[str, Any]:
        return {"targets": [r.as_json() for r in self.results]}


@dataclass(frozen=True)
class _Change:
    before: TargetHealth
    now: TargetHealth

    def as_text(self) -> str:
        now = self.now
        return (
            f"{time.strftime('%H:%M:%S')} {now.target} ({now.env}): "
            f"{self.before.status.value} → {now.status.value}: {now.message}"
        )

    def as_json(self) -> dict[str, Any]:
        return {**self.now.as_json(), "previous_status": self.before.status.value}


def _report(results: Sequence[TargetHealth], output_format: str) -> None:
    emit_document(_Targets(results), output_format)


def _watch(
    context: Context,
    engines: Sequence[str],
    environment: str,
    options: HealthOptions,
    previous: list[TargetHealth],
) -> list[TargetHealth]:
    """Poll every ``interval_seconds`` (SC-007: 30 s) and report each change of status.

    Text: one line per change; json: one JSON object per change. Returns the last
    round's results, whose status decides the exit code.
    """
    done = 1
    try:
        while not options.rounds or done < options.rounds:
            time.sleep(options.interval_seconds)
            current = check_targets(context, engines, environment, options.timeout_seconds)
            for before, now in zip(previous, current, strict=True):
                if before.status is not now.status:
                    _report_change(before, now, options.output_format)
            previous, done = current, done + 1
    except KeyboardInterrupt:
        pass
    return previous


def _report_change(before: TargetHealth, now: TargetHealth, output_format: str) -> None:
    emit_document(_Change(before, now), output_format, sort_keys=True, compact=True)


def check_targets(
    context: Context, engines: Sequence[str], environment: str, timeout_seconds: float
) -> list[TargetHealth]:
    """Every engine's health, checked concurrently; in the order of ``engines``."""
    if not engines:
        return []
    with ThreadPoolExecutor(max_workers=len(engines), thread_name_prefix="floe-health") as pool:
        futures = [  # each in a copy of this context: the run's correlation id and span
            pool.submit(
                contextvars.copy_context().run,
                check_target,
                context,
                engine,
                environment,
                timeout_seconds,
            )
            for engine in engines
        ]
        return [future.result() for future in futures]


def check_target(
    context: Context, engine: str, environment: str, timeout_seconds: float
) -> TargetHealth:
    def failed(message: str, error_type: str) -> TargetHealth:
        record_validation_error(engine, error_type)
        return TargetHealth(engine, environment, ConnectionStatus.UNHEALTHY, 0.0, message)

    if engine not in context.installed_engines:
        return failed(
            f"no compute plugin for engine {engine!r} is installed: "
            f"pip install floe-compute-{engine}",
            "no_plugin",
        )
    try:
        plugin = context.registry.get(engine)
    except PluginLoadError as error:
        return failed(str(error), "plugin_load_error")
    config = context.engine_config((context.hierarchy.root,), engine, environment)
    if config is None:
        return failed(
            f"the {engine} target settings for {environment} are invalid: "
            "floe-gate check reports why",
            "invalid_settings",
        )
    result: ConnectionResult | None = None
    attempts = 0
    while attempts < MAX_ATTEMPTS:
        attempts += 1
        result = bounded_check(lambda: plugin.validate_connection(config), timeout_seconds)
        record_validation(engine, result.status.value, result.latency_ms)
        if result.status is ConnectionStatus.UNHEALTHY:
            record_validation_error(engine, _error_type(result.message))
        if result.status is not ConnectionStatus.UNHEALTHY:
            break
    assert result is not None
    message = result.message
    if attempts > 1:
        outcome = "still failing" if result.status is ConnectionStatus.UNHEALTHY else "recovered"
        message = f"{message} (retried once on a fresh connection: {outcome})"
    return TargetHealth(
        engine,
        environment,
        result.status,
        result.latency_ms,
        message,
        list(result.warnings),
        attempts,
    )


def _error_type(message: str) -> str:
    """How an unhealthy attempt failed, for the ``error_type`` metric attribute."""
    if message.startswith("no answer within"):
        return "timeout"
    if message.startswith("check failed:"):
        return "exception"
    return "unhealthy"


def _exit_code(results: Sequence[TargetHealth], fail_on: str) -> int:
    failing = {ConnectionStatus.UNHEALTHY}
    if fail_on == "degraded":
        failing.add(ConnectionStatus.DEGRADED)
    return ExitCode.PROBLEMS if any(r.status in failing for r in results) else ExitCode.OK


def _table(results: Sequence[TargetHealth]) -> str:
    if not results:
        return "No approved compute engines to check."
    header = ("TARGET", "ENV", "STATUS", "LATENCY", "MESSAGE")
    rows = [(r.target, r.env, r.status.value, f"{r.latency_ms:.1f} ms", r.message) for r in results]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header) - 1)]
    lines = [
        "  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]])
        for row in (header, *rows)
    ]
    lines += [f"{r.target}: warning: {w}" for r in results for w in r.warnings]
    return printable_lines([line.rstrip() for line in lines])
