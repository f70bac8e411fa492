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


def ahead_of_base(
    subject: str, origin: Origin, *, downstream: str, base: str, on_downstream: str, on_base: str
) -> Problem:
    """The note for a change into ``base``: ``downstream`` has a hotfix for ``subject``."""
    message = (
        f"{downstream} is ahead of {base} for {subject} (engine on {downstream}: "
        f"{on_downstream}, on {base}: {on_base}): back-port the hotfix into {base} "
        f"(and upstream) and promote it"
    )
    return Problem(origin.file, origin.line, origin.column, RULE, Severity.NOTE, message, subject)


def history_unavailable(origin: Origin, base: str, downstream: list[str], hint: str) -> Problem:
    """The one note when no merge base of ``base`` and the ``downstream`` branches is known."""
    message = (
        f"cannot tell whether {', '.join(downstream)} carry hotfixes that {base} lacks: "
        f"no merge base with {base} in this clone's history; back-port notes skipped ({hint})"
    )
    return Problem(origin.file, origin.line, origin.column, RULE, Severity.NOTE, message)
