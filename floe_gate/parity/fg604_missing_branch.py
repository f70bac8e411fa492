"""FG604 — an environment's branch does not exist yet.

Reported as a note at the environment's ``branch:`` in the base manifest; the
branch is compared as if it were equal to its upstream (or, for the first
environment, to the next one that exists).
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.parity.context import ParityContext
from floe_gate.problems import Problem, Severity, located

ID = "FG604"
TITLE = "environment branch missing"


def check(context: ParityContext) -> Iterator[Problem]:
    if context.points is None:
        return
    environments = context.points.environments
    for index in context.missing:
        environment = environments[index]
        branch = environment.branch
        upstream = environments[index - 1].branch if index else None
        create = (
            f"create it from {upstream}: git branch {branch} {upstream}"
            if upstream
            else "create it"
        )
        message = (
            f"environment {environment.name}: branch {branch} does not exist yet; {create} "
            f"(compared as equal to its upstream meanwhile)"
        )
        yield located(environment.origin, ID, message, severity=Severity.NOTE)
