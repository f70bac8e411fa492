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

from collections.abc import Iterator

from floe_gate.parity.compare import subject
from floe_gate.parity.context import ParityContext
from floe_gate.problems import Problem, Severity, located

ID = "FG601"
TITLE = "engine drift"


def check(context: ParityContext) -> Iterator[Problem]:
    change = context.change
    if change is None:
        return
    for drift in change.drifts:
        name = subject(drift.key)
        allowed = name in change.allow_drift
        upstream = change.branch(-1)
        if allowed:
            advice = (
                f"allowed by --allow-drift; back-port it: make the change on {upstream} and "
                "promote it"
            )
        else:
            advice = (
                f"make the change on the first environment and promote it, or pass "
                f"--allow-drift {name} for a deliberate hotfix or rollback"
            )
        message = (
            f"engine drift for {name}: this change into {change.branch()} makes it differ from "
            f"both {change.branch()} and its upstream {upstream} ({change.engines(drift.key)}); "
            f"{advice}"
        )
        severity = Severity.WARNING if allowed else Severity.ERROR
        yield located(drift.origin, ID, message, severity=severity, subject=name)
