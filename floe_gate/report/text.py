"""``file:line:col: severity RULE message``, coloured only on a terminal."""

from __future__ import annotations

from collections.abc import Sequence

import click

from floe_gate.problems import Problem, Severity
from floe_gate.report import counts_sentence, summary

COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}


def render(problems: Sequence[Problem], *, colour: bool, elsewhere: Sequence[Problem] = ()) -> str:
    lines = [_line(problem, colour) for problem in problems]
    return "\n".join(lines + closing_lines(problems, elsewhere))


def closing_lines(problems: Sequence[Problem], elsewhere: Sequence[Problem] = ()) -> list[str]:
    """The counts, and the summary of problems in other files when there are any."""
    lines = [counts_sentence(problems)]
    if elsewhere:
        other = summary(elsewhere)
        lines.append(
            f"{len(elsewhere)} more problem(s) in other files ({other['errors']} error(s)); "
            "run `floe-gate check` without files to see them"
        )
    return lines


def _line(problem: Problem, colour: bool) -> str:
    severity = problem.severity.value
    if colour:
        severity = click.style(severity, fg=COLOURS[problem.severity], bold=True)
    where = f"{problem.file}:{problem.line}:{problem.column}"
    return f"{where}: {severity} {problem.rule} {problem.message}"
