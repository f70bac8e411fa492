"""GitHub Actions workflow commands: one ``::error file=…,line=…,col=…,title=…::message`` a problem.

GitHub shows only a few annotations per step, so :func:`append_step_summary` also
writes every problem, as Markdown, to the job summary (``$GITHUB_STEP_SUMMARY``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from floe_gate.problems import Problem, Severity

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}
STEP_SUMMARY = "GITHUB_STEP_SUMMARY"


def render(problems: Sequence[Problem], titles: Mapping[str, str]) -> str:
    """One workflow command a problem; ``titles`` maps rule ids to rule titles."""
    return "\n".join(command(problem, titles.get(problem.rule)) for problem in problems)


def command(problem: Problem, rule_title: str | None = None) -> str:
    """The workflow command of one problem.

    A problem on another branch (``problem.ref``, from parity) annotates no file: GitHub
    would put it on the pull request's file of that name, which says something else.
    Its branch-prefixed location leads the message instead.
    """
    title = f"{problem.rule} {rule_title}" if rule_title else problem.rule
    properties = [] if problem.ref is not None else _position(problem)
    properties.append(("title", title))
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    message = problem.message if problem.ref is None else f"{problem.location()}: {problem.message}"
    return f"::{COMMANDS[problem.severity]} {joined}::{escape_data(message)}"


def _position(problem: Problem) -> list[tuple[str, str]]:
    properties = [("file", problem.file)]
    if problem.line >= 1:
        properties.append(("line", str(problem.line)))
        if problem.column >= 1:
            properties.append(("col", str(problem.column)))
    return properties


def escape_data(value: str) -> str:
    """A command's message: ``%``, CR and LF percent-encoded (``%`` first)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A property value: as a message, and ``:`` and ``,`` too (they delimit properties)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def append_step_summary(markdown: str, environ: Mapping[str, str] = os.environ) -> str | None:
    """Append ``markdown`` to the job summary when ``$GITHUB_STEP_SUMMARY`` names a file.

    Returns an error to show (the summary is a courtesy: it never fails the run), else None.
    """
    target = environ.get(STEP_SUMMARY, "").strip()
    if not target:
        return None
    try:
        with Path(target).open("a", encoding="utf-8") as summary_file:
            summary_file.write(markdown if markdown.endswith("\n") else markdown + "\n")
    except OSError as error:
        return f"cannot append to ${STEP_SUMMARY} ({target}): {error.strerror or error}"
    return None


def emit_problems(shown: list[Problem], elsewhere: list[Problem]) -> None:
    """Workflow commands on stdout; counts on stderr; every problem in the job summary."""
    import click

    from floe_gate.observability import correlation_id
    from floe_gate.report import markdown, rule_catalogue, text

    titles = {rule.id: rule.title for rule in rule_catalogue()}
    if shown:
        click.echo(render(shown, titles))
    text.echo_counts(shown, elsewhere)
    summary = markdown.render(shown, elsewhere=elsewhere, correlation_id=correlation_id())
    failure = append_step_summary(summary)
    if failure:
        click.echo(f"warning: {failure}", err=True)
