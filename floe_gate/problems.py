"""A problem found in the configuration: a rule broken at a ``file:line:col``.

A problem found on another branch than the one under review (parity reads the base
and the environment branches from git objects) names it: ``origin/prod:FILE:LINE:COL``.
Its ``file`` is then that branch's file, not the checked-out one, and reports never
point a reviewer's tools at the working tree's file for it.
"""

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
    ref: str | None = field(default=None, compare=False)
    """The branch (or commit) whose ``file`` this is; None for the tree under review."""

    def concerns(self, files: frozenset[str]) -> bool:
        return self.file in files or not self.related.isdisjoint(files)

    def location(self) -> str:
        """``FILE:LINE:COL``, or ``BRANCH:FILE:LINE:COL`` for a problem on another branch."""
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{self.ref}:{where}" if self.ref is not None else where

    def as_text(self) -> str:
        where = printable(self.location())
        return f"{where}: {self.severity.value} {printable(self.rule)} {printable(self.message)}"

    def as_json(self) -> dict[str, str | int]:
        """The report's entry; ``ref`` only for a problem on another branch."""
        entry: dict[str, str | int] = {
            "rule": self.rule,
            "severity": self.severity.value,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }
        if self.ref is not None:
            entry["ref"] = self.ref
        return entry


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
    builds one. ``related`` files other than ``origin``'s own are kept; an origin read
    from another branch (an ``Origin`` with a ``ref``) gives the problem that ``ref``."""
    return Problem(
        origin.file, origin.line, origin.column, rule, severity, message, subject,
        frozenset(related) - {origin.file}, ref=getattr(origin, "ref", None),
    )  # fmt: skip


class ProblemsFound(Exception):
    """Raised by a loader when a file cannot be read into a value at all."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(problem.as_text() for problem in problems))
        self.problems = problems
