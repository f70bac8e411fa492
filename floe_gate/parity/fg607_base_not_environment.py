"""FG607 — the base branch is no environment's branch: parity does not apply.

A change into a feature branch is judged when that branch goes into an environment
branch. A note at the base manifest's ``environments:``.
"""

from __future__ import annotations

from floe_gate.problems import Problem, Severity
from floe_gate.resolve.hierarchy import Origin

RULE = "FG607"
TITLE = "base is not an environment branch"


def base_not_environment(origin: Origin, base: str, branches: list[str]) -> Problem:
    """The note: ``base`` is not one of ``branches``."""
    message = (
        f"base branch {base} is not an environment branch ({', '.join(branches)}); "
        f"parity is judged when the change goes into one"
    )
    return Problem(origin.file, origin.line, origin.column, RULE, Severity.NOTE, message)
