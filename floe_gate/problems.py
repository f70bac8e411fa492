"""A problem found in the configuration: a rule broken at a ``file:line:col``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from floe_gate.printable import printable


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    rule: str
    severity: Severity
    message: str
    subject: str | None = field(default=None, compare=False)
    """``PRODUCT`` or ``PRODUCT:TRANSFORM`` the problem is about, for waivers and reports."""
    related: frozenset[str] = field(default=frozenset(), compare=False)
    """Other files whose content led to the problem (its resolution chain)."""
    waived: str | None = field(default=None, compare=False)
    """The reason of the waiver that turned this error into a warning, if one did."""

    def concerns(self, files: frozenset[str]) -> bool:
        return self.file in files or not self.related.isdisjoint(files)

    def as_text(self) -> str:
        where = f"{printable(self.file)}:{self.line}:{self.column}"
        return f"{where}: {self.severity.value} {printable(self.rule)} {printable(self.message)}"

    def as_json(self) -> dict[str, str | int]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class Location(Protocol):
    """Where something is written (an ``Origin``): a file, a line and a column, from 1."""

    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...


def located(
    origin: Location,
    rule: str,
    message: str,
    *,
    severity: Severity = Severity.ERROR,
    subject: str | None = None,
    related: Iterable[str] = (),
) -> Problem:
    """The problem of ``rule`` at ``origin``: how every rule, ``check``'s and ``parity``'s,
    builds one. ``related`` files other than ``origin``'s own are kept."""
    return Problem(
        origin.file, origin.line, origin.column, rule, severity, message, subject,
        frozenset(related) - {origin.file},
    )  # fmt: skip


class ProblemsFound(Exception):
    """Raised by a loader when a file cannot be read into a value at all."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(problem.as_text() for problem in problems))
        self.problems = problems
