"""FG602 — pending promotion: the upstream branch differs, and this change leaves it alone.

When the candidate (H) equals the base branch (B) for a transform but B's upstream
(U) differs, a change is waiting to be promoted into B. A note, never a failure: an
unrelated change into B must not be blocked by work in progress upstream.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.parity.compare import keys, subject
from floe_gate.parity.context import ParityContext
from floe_gate.problems import Problem, Severity, located

ID = "FG602"
TITLE = "pending promotion"


def check(context: ParityContext) -> Iterator[Problem]:
    change = context.change
    upstream = change.upstream if change is not None else None
    if change is None or upstream is None:
        return
    base = change.base
    for key in keys([change.head, base, upstream]):
        if change.head.engine(key) != base.engine(key) or upstream.engine(key) == base.engine(key):
            continue
        origin = (
            change.head.anchor(key)
            or upstream.anchor(key)
            or change.points.environments[change.index].origin
        )
        message = (
            f"pending promotion for {subject(key)}: {change.branch(-1)} differs from "
            f"{change.branch()} ({change.engines(key)}); promote {change.branch(-1)} into "
            f"{change.branch()} when it is ready"
        )
        yield located(origin, ID, message, severity=Severity.NOTE, subject=subject(key))
