"""FG605 — the change edits ``environments:``.

A change cannot alter the rule it is judged by: parity uses the base's environments
and branches. An edit to them (added, removed, renamed or reordered environments, or
another branch) is a warning at the candidate's ``environments:``, naming both.
"""

from __future__ import annotations

from floe_gate.problems import Problem, Severity
from floe_gate.resolve.hierarchy import Origin

RULE = "FG605"
TITLE = "environments edited"


def environments_edited(origin: Origin, base: str, head: str) -> Problem:
    """The warning: environments were ``base`` and this change makes them ``head``."""
    message = (
        f"this change edits environments: ({base} → {head}); parity is judged by the "
        f"base's environments until it is merged"
    )
    return Problem(origin.file, origin.line, origin.column, RULE, Severity.WARNING, message)
