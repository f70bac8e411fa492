"""FG606 — ``--strict``: environment branches resolve a transform differently.

The release gate: every environment branch must resolve every transform to the same
engine, and have the same transforms. Any difference is an error, naming the engine
(or *absent*) on every branch. Not waivable with ``--allow-drift``.
"""

from __future__ import annotations

from floe_gate.problems import Problem, Severity
from floe_gate.resolve.hierarchy import Origin

RULE = "FG606"
TITLE = "environments differ (strict)"


def strict_difference(subject: str, origin: Origin, engines: str) -> Problem:
    """The error: ``subject`` does not resolve identically on every environment branch."""
    message = f"environments differ for {subject} ({engines}); --strict requires them identical"
    return Problem(origin.file, origin.line, origin.column, RULE, Severity.ERROR, message, subject)
