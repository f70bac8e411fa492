"""FG605 — the change edits ``environments:``.

A change cannot alter the rule it is judged by: parity uses the base's environments
and branches. An edit to them (added, removed, renamed or reordered environments, or
another branch) is a warning at the candidate's ``environments:``, naming both.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.parity.context import ParityContext
from floe_gate.parity.snapshot import Snapshot
from floe_gate.problems import Problem, Severity, located

ID = "FG605"
TITLE = "environments edited"


def check(context: ParityContext) -> Iterator[Problem]:
    head, base = context.head, context.base
    if base is None or head.environments_origin is None:
        return
    before, after = _order(base), _order(head)
    if before != after:
        message = (
            f"this change edits environments: ({before} → {after}); parity is judged by the "
            f"base's environments until it is merged"
        )
        yield located(head.environments_origin, ID, message, severity=Severity.WARNING)


def _order(snapshot: Snapshot) -> str:
    return ", ".join(f"{env.name}: {env.branch}" for env in snapshot.environments) or "none"
