"""FG603 — after an allowed drift, the downstream branch is ahead and needs a back-port.

When ``--allow-drift`` lets a hotfix or rollback into a downstream branch, every
environment branch above it gets a note: the downstream branch will be ahead for
that transform, and the same change has to be made upstream and promoted, or the
next promotion undoes the hotfix.
"""

from __future__ import annotations

from floe_gate.problems import Problem, Severity
from floe_gate.resolve.hierarchy import Origin

RULE = "FG603"
TITLE = "downstream branch ahead: back-port needed"


def downstream_ahead(
    subject: str, origin: Origin, engines: str, *, upstream: str, downstream: str
) -> Problem:
    """The note for ``upstream``: ``downstream`` is ahead for ``subject``."""
    message = (
        f"{upstream}: {downstream} is ahead for {subject} after this hotfix ({engines}); "
        f"back-port it to {upstream}, or the next promotion into {downstream} undoes it"
    )
    return Problem(origin.file, origin.line, origin.column, RULE, Severity.NOTE, message, subject)
