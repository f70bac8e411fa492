"""Judging the gate before a command that acts on the repository (compile, run)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from floe_gate.exit_codes import ExitCode
from floe_gate.gate import Verdict, judge
from floe_gate.load.repository import ManifestUnusable
from floe_gate.load.sources import CannotJudge, WorkingTree
from floe_gate.problems import Problem, Severity
from floe_gate.report import text
from floe_gate.report.errors import echo_error
from floe_gate.telemetry import SpanLike, record_problems


def judged(repo: Path, manifest: str, *, refusal: str, span: SpanLike) -> Verdict | int:
    """The verdict when no error stands in the way; else the exit code, after saying why.

    Errors are reported as ``check`` reports them, followed by ``refusal``;
    warnings go to stderr and do not stop the command.
    """
    try:
        verdict = judge(WorkingTree(repo), manifest)
    except ManifestUnusable as unusable:
        report_problems(unusable.problems, err=False)
        return ExitCode.PROBLEMS
    except CannotJudge as error:
        echo_error(str(error))
        return ExitCode.CANNOT_JUDGE
    record_problems(span, verdict.problems)
    if any(problem.severity is Severity.ERROR for problem in verdict.problems):
        report_problems(verdict.problems, err=False)
        click.echo(f"{refusal}: fix the errors above first", err=True)
        return ExitCode.PROBLEMS
    if verdict.problems:
        report_problems(verdict.problems, err=True)
    return verdict


def report_problems(problems: list[Problem], *, err: bool) -> None:
    stream = sys.stderr if err else sys.stdout
    colour = stream.isatty() and "NO_COLOR" not in os.environ
    click.echo(text.render(problems, colour=colour), err=err)
