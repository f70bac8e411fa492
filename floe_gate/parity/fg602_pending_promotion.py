"""FG602 — pending promotion: the upstream branch differs, and this change leaves it alone.

When the candidate (H) equals the base branch (B) for a transform but B's upstream
(U) differs, a change is waiting to be promoted into B. A note, never a failure: an
unrelated change into B must not be blocked by work in progress upstream.
"""

from __future__ import annotations

from floe_gate.problems import Problem, Severity
from floe_gate.resolve.hierarchy import Origin

RULE = "FG602"
TITLE = "pending promotion"


def pending_promotion(
    subject: str, origin: Origin, engines: str, *, base: str, upstream: str
) -> Problem:
    """The note: ``upstream`` has a change for ``subject`` not yet promoted into ``base``."""
    message = (
        f"pending promotion for {subject}: {upstream} differs from {base} ({engines}); "
        f"promote {upstream} into {base} when it is ready"
    )
    return Problem(origin.file, origin.line, origin.column, RULE, Severity.NOTE, message, subject)
