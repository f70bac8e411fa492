"""Judging the gate before a command that acts on the repository (compile, run)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from floe_gate.exit_codes import ExitCode
from floe_gate.gate import Verdict, judge_working_tree
from floe_gate.problems import Problem, Severity
from floe_gate.report import text
from floe_gate.report.errors import echo_error
from floe_gate.telemetry import SpanLike, record_problems

Concerns = Callable[[Verdict], Callable[[Problem], bool]]
"""Given the verdict, which problems concern what the command acts on."""


def judged(
    repo: Path,
    manifest: str,
    *,
    refusal: str,
    span: SpanLike,
    concerns: Concerns | None = None,
    dbt_manifests: Sequence[Path] = (),
    final: bool = True,
) -> Verdict | int:
    """The verdict when no error stands in the way; else the exit code, after saying why.

    Errors are reported as ``check`` reports them, followed by ``refusal``;
    warnings go to stderr and do not stop the command. With ``concerns``, only the
    problems it picks count; the others are summarised in one line on stderr.
    Not ``final``: a first judgement that another will follow (``run``, once dbt has
    parsed): its errors refuse, its warnings wait for the final one.
    """
    judgement = judge_working_tree(repo, manifest, dbt_manifests=dbt_manifests)
    if judgement.cannot_judge is not None:
        echo_error(judgement.cannot_judge)
        return ExitCode.CANNOT_JUDGE
    verdict = judgement.verdict
    if verdict is None:
        report_problems(judgement.problems, err=False)
        return ExitCode.PROBLEMS
    return decided(verdict, refusal=refusal, span=span, concerns=concerns, final=final)


def decided(
    verdict: Verdict,
    *,
    refusal: str,
    span: SpanLike,
    concerns: Concerns | None = None,
    final: bool = True,
) -> Verdict | int:
    """``verdict``, or the exit code once its errors are reported (as ``judged``)."""
    concerned = concerns(verdict) if concerns else lambda problem: True
    problems = [problem for problem in verdict.problems if concerned(problem)]
    elsewhere = [problem for problem in verdict.problems if not concerned(problem)]
    refused = any(problem.severity is Severity.ERROR for problem in problems)
    if not (refused or final):
        return verdict
    record_problems(span, problems)
    if elsewhere:
        errors = sum(problem.severity is Severity.ERROR for problem in elsewhere)
        click.echo(
            f"{len(elsewhere)} problem(s) elsewhere ({errors} error(s)) do not concern what "
            "runs; run `floe-gate check` to see them",
            err=True,
        )
    if refused:
        report_problems(problems, err=False)
        click.echo(f"{refusal}: fix the errors above first", err=True)
        return ExitCode.PROBLEMS
    if problems:
        report_problems(problems, err=True)
    return verdict


def report_problems(problems: list[Problem], *, err: bool) -> None:
    stream = sys.stderr if err else sys.stdout
    colour = stream.isatty() and "NO_COLOR" not in os.environ
    click.echo(text.render(problems, colour=colour), err=err)
