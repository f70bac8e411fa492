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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from floe_gate.parity.fg601_drift import drift
from floe_gate.parity.fg602_pending_promotion import pending_promotion
from floe_gate.parity.fg603_downstream_ahead import ahead_of_base, downstream_ahead
from floe_gate.parity.fg606_strict_difference import strict_difference
from floe_gate.parity.snapshot import Environment, Key, Snapshot
from floe_gate.problems import Problem
from floe_gate.resolve.hierarchy import Origin

HERE = "this change"


@dataclass(frozen=True)
class Points:
    """The environment branches in promotion order, each with its snapshot."""

    environments: list[Environment]
    snapshots: list[Snapshot]
    """One per environment; a missing branch holds its upstream's snapshot."""

    def engines(self, key: Key, head: Snapshot | None = None) -> str:
        """``dev: duckdb, staging: absent, main: spark[, this change: …]``."""
        parts = [
            f"{env.branch}: {_shown(snap.engine(key))}"
            for env, snap in zip(self.environments, self.snapshots, strict=True)
        ]
        if head is not None:
            parts.append(f"{HERE}: {_shown(head.engine(key))}")
        return ", ".join(parts)


def _shown(engine: str | None) -> str:
    return engine if engine is not None else "absent"


def _keys(snapshots: Iterable[Snapshot]) -> list[Key]:
    return sorted({key for snap in snapshots for key in snap.placements})


def subject(key: Key) -> str:
    return f"{key[0]}:{key[1]}"


def judge_change(
    head: Snapshot, points: Points, base_index: int, allow_drift: frozenset[str]
) -> list[Problem]:
    """FG601/FG602 for the change into environment ``base_index``, and FG603 below it."""
    base = points.snapshots[base_index]
    upstream = points.snapshots[base_index - 1] if base_index > 0 else None
    problems: list[Problem] = []
    for key in _keys([head, base, *([upstream] if upstream else [])]):
        h, b = head.engine(key), base.engine(key)
        u = upstream.engine(key) if upstream is not None else None
        if h == b:
            if upstream is not None and u != b:
                problems.append(_pending(key, head, upstream, points, base_index))
        elif upstream is not None and h != u:
            problem = _drift(key, head, base, points, base_index, allow_drift)
            problems.append(problem)
            if subject(key) in allow_drift:
                problems += _back_ports(problem, key, points, base_index)
    return problems


def _pending(key: Key, head: Snapshot, upstream: Snapshot, points: Points, index: int) -> Problem:
    origin = head.anchor(key) or upstream.anchor(key) or points.environments[index].origin
    return pending_promotion(
        subject(key), origin, points.engines(key, head),
        base=points.environments[index].branch, upstream=points.environments[index - 1].branch,
    )  # fmt: skip


def _drift(  # noqa: PLR0917 - the three points and where they are
    key: Key, head: Snapshot, base: Snapshot, points: Points, index: int, allow: frozenset[str]
) -> Problem:
    return drift(
        subject(key), drift_origin(key, head, base, points.environments[index].origin),
        points.engines(key, head), base=points.environments[index].branch,
        upstream=points.environments[index - 1].branch, allowed=subject(key) in allow,
    )  # fmt: skip


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


def _back_ports(problem: Problem, key: Key, points: Points, base_index: int) -> list[Problem]:
    """FG603 for each branch above the base, after an allowed drift: the base is ahead."""
    origin = Origin(problem.file, problem.line, problem.column)
    return [
        downstream_ahead(subject(key), origin, points.engines(key), upstream=env.branch,
                         downstream=points.environments[base_index].branch)
        for env in points.environments[:base_index]
    ]  # fmt: skip


def judge_downstream(
    head: Snapshot, base: Snapshot, merge_base: Snapshot, downstream: Snapshot, fallback: Origin
) -> list[Problem]:
    """FG603 for every transform a downstream branch changed since it diverged from the base.

    ``merge_base`` is the snapshot of ``git merge-base B D``. Where D and B differ, D
    is ahead (a hotfix) when B still has the merge base's engine and D does not; when
    B changed it instead, it is a pending promotion into D and nothing is said. No
    note when the change already gives the transform D's engine (it is the back-port).
    """
    problems: list[Problem] = []
    for key in _keys([base, downstream]):
        d, b = downstream.engine(key), base.engine(key)
        if d == b or merge_base.engine(key) != b or head.engine(key) == d:
            continue
        origin = head.anchor(key) or base.anchor(key) or fallback
        problems.append(ahead_of_base(
            subject(key), origin, downstream=downstream.label, base=base.label,
            on_downstream=_shown(d), on_base=_shown(b),
        ))  # fmt: skip
    return problems


def judge_strict(points: Points, head: Snapshot | None) -> list[Problem]:
    """FG606 for every transform that is not identical on every environment branch."""
    problems: list[Problem] = []
    for key in _keys(points.snapshots):
        if len({snap.engine(key) for snap in points.snapshots}) == 1:
            continue
        origin = (head.anchor(key) if head is not None else None) or _first_anchor(key, points)
        problems.append(strict_difference(subject(key), origin, points.engines(key)))
    return problems


def _first_anchor(key: Key, points: Points) -> Origin:
    for snap in points.snapshots:
        anchor = snap.anchor(key)
        if anchor is not None:
            return anchor
    return points.environments[0].origin
