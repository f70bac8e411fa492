"""FG604 — an environment's branch does not exist yet.

Reported as a note at the environment's ``branch:`` in the base manifest; the
branch is compared as if it were equal to its upstream (or, for the first
environment, to the next one that exists).
"""

from __future__ import annotations

from floe_gate.problems import Problem, Severity
from floe_gate.resolve.hierarchy import Origin

RULE = "FG604"
TITLE = "environment branch missing"


def missing_branch(environment: str, branch: str, origin: Origin, upstream: str | None) -> Problem:
    """The note: ``branch`` of ``environment`` is missing; how to create it."""
    create = (
        f"create it from {upstream}: git branch {branch} {upstream}" if upstream else "create it"
    )
    message = (
        f"environment {environment}: branch {branch} does not exist yet; {create} "
        f"(compared as equal to its upstream meanwhile)"
    )
    return Problem(origin.file, origin.line, origin.column, RULE, Severity.NOTE, message)
