"""The JSON report: a contract other tools read (``problems`` and ``summary`` at least)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from floe_gate.observability import correlation_id
from floe_gate.problems import Problem
from floe_gate.report import summary

if TYPE_CHECKING:
    from floe_gate.report.formats import Document


def render(problems: Sequence[Problem], *, elsewhere: Sequence[Problem] = ()) -> str:
    document = {
        "problems": [problem.as_json() for problem in problems],
        "summary": summary(problems),
        "elsewhere": summary(elsewhere),
        "correlation_id": correlation_id(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def emit_problems(shown: list[Problem], elsewhere: list[Problem]) -> None:
    click.echo(render(shown, elsewhere=elsewhere))


def emit_document(document: Document, *, sort_keys: bool = False, compact: bool = False) -> None:
    indent = None if compact else 2
    click.echo(
        json.dumps(document.as_json(), indent=indent, sort_keys=sort_keys, ensure_ascii=False)
    )
