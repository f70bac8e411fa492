"""A Markdown summary of a check, for GitHub's job summary (``$GITHUB_STEP_SUMMARY``).

Counts first, then one table row a problem (``file:line``, severity, rule, message).
Cell text is escaped so that no message can break the table or inject markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from floe_gate.problems import Problem
from floe_gate.report import counts_sentence, summary

MAX_ROWS = 1000
"""GitHub caps a step's summary at 1 MiB; beyond this many rows, the rest are counted."""

HEADING = "### floe-gate check"
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|&~#!])")
_NEWLINE = re.compile(r"\r\n|\r|\n")


def render(
    problems: Sequence[Problem],
    *,
    elsewhere: Sequence[Problem] = (),
    correlation_id: str | None = None,
) -> str:
    lines = [HEADING, "", _counts(problems), ""]
    if problems:
        lines += _table(problems)
        lines.append("")
    if elsewhere:
        lines += [_elsewhere(elsewhere), ""]
    if correlation_id:
        lines += [f"Correlation id: `{correlation_id.replace('`', '')}`", ""]
    return "\n".join(lines)


def escape_cell(text: str) -> str:
    """Text safe in a table cell: Markdown punctuation backslash-escaped, newlines as ``<br>``."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    return _NEWLINE.sub("<br>", escaped)


def _counts(problems: Sequence[Problem]) -> str:
    if not problems:
        return "No problems found."
    return counts_sentence(problems, strong=lambda errors: f"**{errors}**")


def _table(problems: Sequence[Problem]) -> list[str]:
    rows = ["| Location | Severity | Rule | Message |", "| --- | --- | --- | --- |"]
    rows += [_row(problem) for problem in problems[:MAX_ROWS]]
    if len(problems) > MAX_ROWS:
        rows += ["", f"… and {len(problems) - MAX_ROWS} more problem(s), not shown here."]
    return rows


def _row(problem: Problem) -> str:
    cells = (
        _where(problem),
        problem.severity.value,
        problem.rule,
        problem.message,
    )
    return "| " + " | ".join(escape_cell(cell) for cell in cells) + " |"


def _where(problem: Problem) -> str:
    """``FILE:LINE``, prefixed by the branch for a problem found on another one."""
    where = f"{problem.file}:{problem.line}"
    return f"{problem.ref}:{where}" if problem.ref is not None else where


def _elsewhere(elsewhere: Sequence[Problem]) -> str:
    other = summary(elsewhere)
    return (
        f"{len(elsewhere)} more problem(s) in other files ({other['errors']} error(s)); "
        "run `floe-gate check` without files to see them."
    )
