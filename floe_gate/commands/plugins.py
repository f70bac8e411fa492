"""``floe-gate plugins``: what is installed and whether each plugin can be used."""

from __future__ import annotations

import json

import click

from floe_gate.exit_codes import ExitCode
from floe_gate.registry import PluginRecord, PluginRegistry, PluginStatus


def list_plugins(output_format: str) -> int:
    records = PluginRegistry().records()
    if output_format == "json":
        click.echo(json.dumps({"plugins": [r.as_json() for r in records]}, indent=2))
    else:
        click.echo(_table(records))
    usable = all(r.status is PluginStatus.OK for r in records)
    return ExitCode.OK if usable else ExitCode.PROBLEMS


def _table(records: list[PluginRecord]) -> str:
    if not records:
        return "No compute plugins installed (entry-point group floe.computes)."
    header = ("NAME", "VERSION", "API", "DISTRIBUTION", "STATUS")
    rows = [
        (
            r.name,
            r.version or "-",
            r.api_version or "-",
            ", ".join(f"{g.distribution} {g.distribution_version}" for g in r.registrations),
            r.status.value,
        )
        for r in records
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in (header, *rows)]  # fmt: skip
    lines += [f"{r.name}: {r.reason}" for r in records if r.reason]
    return "\n".join(lines)
