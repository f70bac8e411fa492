"""How ``floe-gate run`` reports: progress lines while dbt works, then a summary table."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TextIO

import click

from floe_gate.run.graph import BUILT
from floe_gate.run.results import FAILED, NodeResult, RunReport

MARKS = {"success": ("✓", "green"), "pass": ("✓", "green"), "warn": ("!", "yellow")}


class Progress:
    """One line per node as it finishes (and as it starts, on a terminal)."""

    def __init__(self, stream: TextIO, *, tty: bool, label: Callable[[str], str]) -> None:
        self.stream = stream
        self.tty = tty
        self.label = label
        self.started: dict[str, float] = {}
        self.lock = threading.Lock()

    def __call__(self, event: str, unique_id: str, status: str) -> None:
        resource_type = unique_id.split(".", 1)[0]
        with self.lock:
            if event == "start":
                self.started[unique_id] = time.perf_counter()
                if self.tty and resource_type in BUILT:
                    self._echo(f"  … {self.label(unique_id)}", dim=True)
                return
            if resource_type not in BUILT and status not in FAILED:
                return  # passing tests show in the summary
            seconds = time.perf_counter() - self.started.pop(unique_id, time.perf_counter())
            mark, colour = MARKS.get(status, ("✗", "red"))
            text = f"  {mark} {self.label(unique_id)} {status} in {seconds:.2f}s"
            self._echo(text, colour=colour)

    def _echo(self, text: str, *, colour: str | None = None, dim: bool = False) -> None:
        styled = click.style(text, fg=colour, dim=dim) if self.tty else text
        click.echo(styled, file=self.stream)


def summary(report: RunReport) -> str:
    rows: list[tuple[str, ...]] = [
        ("product", "node", "engine", "stage", "status", "time", "tests")
    ]
    for product in report.products:
        built = [r for r in product.results if r.resource_type in BUILT]
        tests = [r for r in product.results if r.resource_type not in BUILT]
        for result in built:
            rows.append(_row(result, tests, product.name))
    lines = _table(rows) if len(rows) > 1 else []
    lines += _problems(report)
    lines.append(_totals(report))
    return "\n".join(lines)


def _row(result: NodeResult, tests: list[NodeResult], product: str) -> tuple[str, ...]:
    own = [test for test in tests if result.unique_id in test.tests]
    tested = ", ".join(f"{count} {status}" for status, count in _count(own).items())
    name = (
        result.name
        if result.resource_type == "model"
        else f"{result.name} ({result.resource_type})"
    )
    return (
        product, name, result.engine, str(result.stage), result.status,
        f"{result.duration_seconds:.2f}s", tested,
    )  # fmt: skip


def _count(results: list[NodeResult]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for result in results:
        counted[result.status] = counted.get(result.status, 0) + 1
    return counted


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _problems(report: RunReport) -> list[str]:
    """Each failure's (and each test not run's) message once, naming every node concerned."""
    lines = []
    for product in report.products:
        if product.error:
            lines.append(f"{product.name}: {product.error}")
        nodes_by_message: dict[str, list[str]] = {}
        for result in product.results:
            if (result.failed or result.status in ("not run", "disabled")) and result.message:
                nodes_by_message.setdefault(result.message, []).append(result.name)
        for message, nodes in nodes_by_message.items():
            lines.append(f"{product.name}: {', '.join(nodes)}: {message}")
    return ["", *lines] if lines else []


def _totals(report: RunReport) -> str:
    counts = ", ".join(f"{count} {status}" for status, count in report.counts().items())
    verdict = "run failed" if report.failed else "run succeeded"
    return (
        f"{verdict}: {counts or 'nothing ran'} "
        f"[environment {report.environment}, correlation id {report.correlation_id}]"
    )
