"""The output formats: one registry that the reporters and every command's ``--format`` read.

A format is a module of ``floe_gate.report`` plus its entry in :data:`FORMATS`. A module
that renders problems (``check``, ``parity``) has ``emit_problems(shown, elsewhere)``;
one that renders a command's own document (``explain``, ``health``, ``plugins``,
``run``) has ``emit_document(document, *, sort_keys, compact)``. Modules are imported
when a run uses them, so the hook path pays only for the format it writes.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import click

    from floe_gate.problems import Problem

PROBLEMS, DOCUMENTS = "problems", "documents"


@dataclass(frozen=True)
class OutputFormat:
    name: str
    module: str
    """The module that renders it (imported on use)."""
    kinds: frozenset[str]
    """What it renders: ``problems`` (a problem report), ``documents`` (a command's own)."""


class Document(Protocol):
    """What a command reports besides problems, in each document format."""

    def as_text(self) -> str | None:
        """The text form; None to write nothing on stdout."""

    def as_json(self) -> Any:
        """The JSON value."""


FORMATS: dict[str, OutputFormat] = {}


def register(output_format: OutputFormat) -> None:
    FORMATS[output_format.name] = output_format


register(OutputFormat("text", "floe_gate.report.text", frozenset({PROBLEMS, DOCUMENTS})))
register(OutputFormat("json", "floe_gate.report.json_report", frozenset({PROBLEMS, DOCUMENTS})))
register(OutputFormat("github", "floe_gate.report.github", frozenset({PROBLEMS})))
register(OutputFormat("sarif", "floe_gate.report.sarif", frozenset({PROBLEMS})))


def names(kind: str) -> list[str]:
    """The formats that render ``kind``, in registration order (text, the default, first)."""
    return [name for name, output_format in FORMATS.items() if kind in output_format.kinds]


def choice(kind: str) -> click.Choice[str]:
    """The ``--format`` choice of a command that reports ``kind``."""
    import click

    return click.Choice(names(kind))


def _module(output_format: str) -> Any:
    return importlib.import_module(FORMATS[output_format].module)


def emit(shown: list[Problem], elsewhere: list[Problem], output_format: str) -> None:
    """Write the problems in ``output_format`` (``elsewhere``: only counted)."""
    _module(output_format).emit_problems(shown, elsewhere)


def emit_document(
    document: Document, output_format: str, *, sort_keys: bool = False, compact: bool = False
) -> None:
    """Write a command's document in ``output_format`` (``compact``: one line, as a stream)."""
    _module(output_format).emit_document(document, sort_keys=sort_keys, compact=compact)
