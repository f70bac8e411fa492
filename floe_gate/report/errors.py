"""Plain ``error:`` lines on stderr, each carrying the run's correlation id (FR-022/023)."""

from __future__ import annotations

import click

from floe_gate.observability import correlation_id
from floe_gate.printable import printable


def echo_error(message: str) -> None:
    """``error: MESSAGE [correlation id ID]`` on stderr."""
    click.echo(f"error: {printable(message)} [correlation id {correlation_id()}]", err=True)
