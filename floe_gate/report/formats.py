"""Writing problems in the format a user asked for, for every command that reports them."""

from __future__ import annotations

import os
import sys

import click

from floe_gate.observability import correlation_id
from floe_gate.problems import Problem
from floe_gate.report import text

FORMATS = ("text", "json", "github", "sarif")


def emit(shown: list[Problem], elsewhere: list[Problem], output_format: str) -> None:
    if output_format == "json":
        from floe_gate.report import json_report

        click.echo(json_report.render(shown, elsewhere=elsewhere))
    elif output_format == "github":
        _emit_github(shown, elsewhere)
    elif output_format == "sarif":
        _emit_sarif(shown, elsewhere)
    else:
        colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        click.echo(text.render(shown, colour=colour, elsewhere=elsewhere))


def _emit_github(shown: list[Problem], elsewhere: list[Problem]) -> None:
    """Workflow commands on stdout; counts on stderr; every problem in the job summary."""
    from floe_gate.report import github, markdown, rule_catalogue

    titles = {rule.id: rule.title for rule in rule_catalogue()}
    if shown:
        click.echo(github.render(shown, titles))
    _emit_counts(shown, elsewhere)
    summary = markdown.render(shown, elsewhere=elsewhere, correlation_id=correlation_id())
    failure = github.append_step_summary(summary)
    if failure:
        click.echo(f"warning: {failure}", err=True)


def _emit_sarif(shown: list[Problem], elsewhere: list[Problem]) -> None:
    """The SARIF log on stdout, alone; counts on stderr."""
    from floe_gate.report import rule_catalogue, sarif

    log = sarif.render(
        shown, rule_catalogue(), correlation_id=correlation_id(), elsewhere=elsewhere
    )
    click.echo(log)
    _emit_counts(shown, elsewhere)


def _emit_counts(shown: list[Problem], elsewhere: list[Problem]) -> None:
    """The text format's closing lines, on stderr, where they leave machine output alone."""
    click.echo("\n".join(text.closing_lines(shown, elsewhere)), err=True)
