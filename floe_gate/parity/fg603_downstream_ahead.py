"""FG603 — a downstream branch is ahead (a hotfix) and needs a back-port.

When ``--allow-drift`` lets a hotfix or rollback into a downstream branch, every
environment branch above it gets a note: the downstream branch will be ahead for
that transform, and the same change has to be made upstream and promoted, or the
next promotion undoes the hotfix.

Later runs keep saying so, exactly, from git history. When judging a change into
base B, for each environment D after B in the base manifest's promotion order whose
branch exists and has commits B lacks (D is not an ancestor of B), take M, the merge
base of B and D (``git merge-base B D``). For every transform whose engine differs
between D and B:

* B still has M's engine and D does not: D changed it since they diverged — a
  hotfix on D. A note at the transform in the change (else in B): D is ahead of B,
  back-port the hotfix into B (and upstream) and promote it. Not when the change
  itself already gives the transform D's engine (it is the back-port).
* otherwise B changed it since they diverged: a pending promotion into D, nothing
  new to say.

From branch tips alone the two cases look the same; the merge base tells them apart.
When the merge base cannot be computed (a shallow clone without the shared history),
these notes are skipped and one note says so, with the command that fetches the
history; the run does not fail.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.parity.compare import keys, shown, subject
from floe_gate.parity.context import Change, Downstream, HistoryGap, ParityContext
from floe_gate.problems import Problem, Severity, located

ID = "FG603"
TITLE = "downstream branch ahead: back-port needed"


def check(context: ParityContext) -> Iterator[Problem]:
    change = context.change
    if change is None:
        return
    yield from _back_ports(change)
    for downstream in change.downstream:
        yield from _ahead_of_base(change, downstream)
    if change.history_gap is not None:
        yield _history_unavailable(change.branch(), change.history_gap)


def _back_ports(change: Change) -> Iterator[Problem]:
    """After an allowed drift, a note for each branch above the base: the base is ahead."""
    for drift in change.drifts:
        name = subject(drift.key)
        if name not in change.allow_drift:
            continue
        for environment in change.points.environments[: change.index]:
            message = (
                f"{environment.branch}: {change.branch()} is ahead for {name} after this "
                f"hotfix ({change.points.engines(drift.key)}); back-port it to "
                f"{environment.branch}, or the next promotion into {change.branch()} undoes it"
            )
            yield located(drift.origin, ID, message, severity=Severity.NOTE, subject=name)


def _ahead_of_base(change: Change, downstream: Downstream) -> Iterator[Problem]:
    """A note for every transform ``downstream`` changed since it diverged from the base.

    Where D and B differ, D is ahead (a hotfix) when B still has the merge base's
    engine and D does not; when B changed it instead, it is a pending promotion into D
    and nothing is said. No note when the change already gives the transform D's engine
    (it is the back-port).
    """
    head, base, ahead = change.head, change.base, downstream.snapshot
    for key in keys([base, ahead]):
        d, b = ahead.engine(key), base.engine(key)
        if d == b or downstream.merge_base.engine(key) != b or head.engine(key) == d:
            continue
        origin = head.anchor(key) or base.anchor(key) or downstream.origin
        message = (
            f"{ahead.label} is ahead of {base.label} for {subject(key)} (engine on "
            f"{ahead.label}: {shown(d)}, on {base.label}: {shown(b)}): back-port the hotfix "
            f"into {base.label} (and upstream) and promote it"
        )
        yield located(origin, ID, message, severity=Severity.NOTE, subject=subject(key))


def _history_unavailable(base: str, gap: HistoryGap) -> Problem:
    """The one note when no merge base of ``base`` and the branches after it is known."""
    message = (
        f"cannot tell whether {', '.join(gap.branches)} carry hotfixes that {base} lacks: "
        f"no merge base with {base} in this clone's history; back-port notes skipped "
        f"({gap.hint})"
    )
    return located(gap.origin, ID, message, severity=Severity.NOTE)
