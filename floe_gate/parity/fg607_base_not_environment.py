"""FG607 — the base branch is no environment's branch: parity does not apply.

A change into a feature branch is judged when that branch goes into an environment
branch. A note at the base manifest's ``environments:``.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.parity.context import ParityContext
from floe_gate.problems import Problem, Severity, located

ID = "FG607"
TITLE = "base is not an environment branch"


def check(context: ParityContext) -> Iterator[Problem]:
    base = context.base
    if context.strict or base is None or base.environments_origin is None:
        return
    branches = [env.branch for env in base.environments]
    if base.label not in branches:
        message = (
            f"base branch {base.label} is not an environment branch ({', '.join(branches)}); "
            f"parity is judged when the change goes into one"
        )
        yield located(base.environments_origin, ID, message, severity=Severity.NOTE)
