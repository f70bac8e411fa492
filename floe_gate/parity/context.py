"""What every parity rule sees: the change (H), the base (B) and the environment branches.

``parity.run`` reads them (git objects, the loader, the resolver); the rules
(``fg6xx_*``) only judge them, as ``check``'s rules judge a ``Context``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from floe_gate.parity.compare import Points, drift_origin, keys
from floe_gate.parity.snapshot import Key, Snapshot
from floe_gate.resolve.hierarchy import Origin


@dataclass(frozen=True)
class Downstream:
    """A branch after the base with commits the base lacks (D), and their merge base (M)."""

    snapshot: Snapshot
    merge_base: Snapshot
    origin: Origin
    """Its environment's ``branch:`` in the base manifest."""


@dataclass(frozen=True)
class HistoryGap:
    """Branches after the base whose merge base with it this clone does not have."""

    branches: list[str]
    origin: Origin
    hint: str
    """How to get the history (or why there is none)."""


@dataclass(frozen=True)
class Drift:
    """A transform the change makes differ from both B and U, and the line that did it."""

    key: Key
    origin: Origin


@dataclass(frozen=True)
class Change:
    """The change H into environment branch B, ``points.environments[index]`` (FG601-FG603)."""

    head: Snapshot
    points: Points
    index: int
    allow_drift: frozenset[str] = frozenset()
    downstream: tuple[Downstream, ...] = ()
    history_gap: HistoryGap | None = None

    @property
    def base(self) -> Snapshot:
        return self.points.snapshots[self.index]

    @property
    def upstream(self) -> Snapshot | None:
        """U, the branch promoted into B; None when B is the first environment."""
        return self.points.snapshots[self.index - 1] if self.index > 0 else None

    def branch(self, offset: int = 0) -> str:
        """B's branch name, or that of the environment ``offset`` places from it."""
        return self.points.environments[self.index + offset].branch

    def engines(self, key: Key) -> str:
        """Every branch's engine for ``key``, and this change's."""
        return self.points.engines(key, self.head)

    @cached_property
    def drifts(self) -> list[Drift]:
        """H ≠ B and H ≠ U: the errors of FG601, and FG603's back-ports when allowed."""
        upstream = self.upstream
        if upstream is None:
            return []
        fallback = self.points.environments[self.index].origin
        return [
            Drift(key, drift_origin(key, self.head, self.base, fallback))
            for key in keys([self.head, self.base, upstream])
            if self.head.engine(key) not in {self.base.engine(key), upstream.engine(key)}
        ]


@dataclass(frozen=True)
class ParityContext:
    head: Snapshot
    """H: the working tree, or the ref ``--head-ref`` names."""
    base: Snapshot | None
    """B; None for ``--strict`` without a base: the branches alone are judged."""
    strict: bool = False
    points: Points | None = None
    """Every environment branch (with ``--strict``, B's replaced by H); None when B is no
    environment's branch."""
    missing: tuple[int, ...] = ()
    """Environments (their places in ``points``) whose branch does not exist yet."""
    change: Change | None = None
    """The change into B, when B is an environment branch and the run is not strict."""
