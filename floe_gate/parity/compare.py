"""The parity semantics: H (the change), B (the base branch), U (B's upstream branch).

For every (product, transform) the engine, or *absent*, is taken at each point:

* H = B: untouched by the change; a note when U differs (FG602, pending promotion);
* H ≠ B at the first environment: changes enter there, fine;
* H ≠ B and H = U: a promotion, fine;
* H ≠ B and H ≠ U: drift (FG601), an error, or a warning with ``--allow-drift``.

An allowed drift gives every branch above the base a back-port note (FG603); later
changes into those branches get one too while the downstream branch stays ahead
(``judge_downstream``, told apart from a pending promotion by the merge base).
``--strict`` instead requires every environment branch to resolve identically (FG606).

This module holds what those rules (``fg6xx_*``) share: the points compared, the
transforms they hold, and where a difference is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from floe_gate.parity.snapshot import EnvironmentBranch, Key, Snapshot
from floe_gate.resolve.hierarchy import Origin

HERE = "this change"


@dataclass(frozen=True)
class Points:
    """The environment branches in promotion order, each with its snapshot."""

    environments: list[EnvironmentBranch]
    snapshots: list[Snapshot]
    """One per environment; a missing branch holds its upstream's snapshot."""

    def engines(self, key: Key, head: Snapshot | None = None) -> str:
        """``dev: duckdb, staging: absent, main: spark[, this change: …]``."""
        parts = [
            f"{env.branch}: {shown(snap.engine(key))}"
            for env, snap in zip(self.environments, self.snapshots, strict=True)
        ]
        if head is not None:
            parts.append(f"{HERE}: {shown(head.engine(key))}")
        return ", ".join(parts)


def shown(engine: str | None) -> str:
    return engine if engine is not None else "absent"


def keys(snapshots: Iterable[Snapshot]) -> list[Key]:
    return sorted({key for snap in snapshots for key in snap.placements})


def subject(key: Key) -> str:
    return f"{key[0]}:{key[1]}"


def drift_origin(key: Key, head: Snapshot, base: Snapshot, fallback: Origin) -> Origin:
    """The line that caused the difference between B and H.

    H's ``compute:`` when the transform names its engine; the ``default:`` now
    choosing it when it followed a default in B too (a default moved it); its entry
    in ``transforms:`` when it is new or lost its ``compute:``; for a removed
    transform, its product's ``transforms:`` in H, else where it was in B.
    """
    h, b = head.placements.get(key), base.placements.get(key)
    if h is None:
        return head.products.get(key[0]) or (b.item if b is not None else fallback)
    if h.explicit or (b is not None and not b.explicit):
        return h.origin
    return h.item


def first_anchor(key: Key, points: Points) -> Origin:
    """Where ``key`` is written on the first branch that has it (else the first ``branch:``)."""
    for snap in points.snapshots:
        anchor = snap.anchor(key)
        if anchor is not None:
            return anchor
    return points.environments[0].origin
