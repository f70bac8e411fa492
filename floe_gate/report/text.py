"""``file:line:col: severity RULE message``, coloured only on a terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from floe_gate.printable import printable
from floe_gate.problems import Problem, Severity
from floe_gate.report import counts_sentence, summary

if TYPE_CHECKING:
    from floe_gate.report.formats import Document

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
    where = printable(problem.location())
    return f"{where}: {severity} {printable(problem.rule)} {printable(problem.message)}"


def emit_problems(shown: list[Problem], elsewhere: list[Problem]) -> None:
    colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    click.echo(render(shown, colour=colour, elsewhere=elsewhere))


def emit_document(document: Document, *, sort_keys: bool = False, compact: bool = False) -> None:
    text = document.as_text()
    if text is not None:
        click.echo(text)


def echo_counts(shown: list[Problem], elsewhere: list[Problem]) -> None:
    """The closing lines on stderr, where they leave machine output on stdout alone."""
    click.echo("\n".join(closing_lines(shown, elsewhere)), err=True)
