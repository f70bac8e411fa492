"""FG606 — ``--strict``: environment branches resolve a transform differently.

The release gate: every environment branch must resolve every transform to the same
engine, and have the same transforms. Any difference is an error, naming the engine
(or *absent*) on every branch. Not waivable with ``--allow-drift``.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.parity.compare import first_anchor, keys, subject
from floe_gate.parity.context import ParityContext
from floe_gate.problems import Problem, located

ID = "FG606"
TITLE = "environments differ (strict)"


def check(context: ParityContext) -> Iterator[Problem]:
    points = context.points
    if not context.strict or points is None:
        return
    # H stands for B among the branches; without a base there is no change to point at.
    head = context.head if context.base is not None else None
    for key in keys(points.snapshots):
        if len({snap.engine(key) for snap in points.snapshots}) == 1:
            continue
        origin = (head.anchor(key) if head is not None else None) or first_anchor(key, points)
        message = (
            f"environments differ for {subject(key)} ({points.engines(key)}); --strict requires "
            "them identical"
        )
        yield located(origin, ID, message, subject=subject(key))
