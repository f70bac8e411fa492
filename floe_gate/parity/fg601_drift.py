"""FG601 — engine drift: the change moves a transform's engine away from its upstream.

When the candidate (H) differs from the base branch (B) and also from B's upstream
environment branch (U), the change is neither entering at the first environment nor
a promotion: a hotfix on a downstream branch, a skipped stage, or a transform added
(or removed) downstream. Reported as an error at the line that caused it — the
transform's ``compute:``, the policy ``default:`` that moved it, or the transform's
entry when it was added or lost its ``compute:`` — naming the engine on every
environment branch. ``--allow-drift PRODUCT:TRANSFORM`` makes it a warning for a
deliberate hotfix or rollback; the upstream branches then need a back-port (FG603).
"""

from __future__ import annotations

from floe_gate.problems import Problem, Severity
from floe_gate.resolve.hierarchy import Origin

RULE = "FG601"
TITLE = "engine drift"


def drift(
    subject: str, origin: Origin, engines: str, *, base: str, upstream: str, allowed: bool
) -> Problem:
    """The drift problem; a warning naming the back-port when ``allowed``."""
    if allowed:
        advice = (
            f"allowed by --allow-drift; back-port it: make the change on {upstream} and promote it"
        )
    else:
        advice = (
            f"make the change on the first environment and promote it, or pass "
            f"--allow-drift {subject} for a deliberate hotfix or rollback"
        )
    message = (
        f"engine drift for {subject}: this change into {base} makes it differ from both "
        f"{base} and its upstream {upstream} ({engines}); {advice}"
    )
    severity = Severity.WARNING if allowed else Severity.ERROR
    return Problem(origin.file, origin.line, origin.column, RULE, severity, message, subject)
