"""``floe-gate plugins``: what is installed and whether each plugin can be used."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from floe_gate.exit_codes import ExitCode
from floe_gate.registry import PluginRecord, PluginRegistry, PluginStatus
from floe_gate.report.formats import emit_document


def list_plugins(output_format: str) -> int:
    records = PluginRegistry().records()
    emit_document(_Plugins(records), output_format)
    usable = all(r.status is PluginStatus.OK for r in records)
    return ExitCode.OK if usable else ExitCode.PROBLEMS


@dataclass(frozen=True)
class _Plugins:
    records: list[PluginRecord]

    def as_text(self) -> str:
        return _table(self.records)

    def as_json(self) -> dict[str, Any]:
        return {"plugins": [r.as_json() for r in self.records]}


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
