"""Where each environment branch is: a local branch, a remote-tracking one, or nowhere.

A branch is read from ``refs/heads/B``, else from ``refs/remotes/origin/B`` (how CI
checkouts and shallow clones hold them). A branch found in neither is *missing*
(not created yet) — unless the remote has it: then the run cannot be judged, and
the exception carries the exact fetch command. The remote is asked with
``git ls-remote`` only when it is a local path (no network); with a network remote
the remote-tracking refs are trusted when there are any, and the run cannot be
judged when there are none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from floe_gate.load.git_objects import git
from floe_gate.load.sources import CannotJudge

REMOTE = "origin"
_COMMIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_NETWORK_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^[^/:]+@[^/:]+:|^[^/:]{2,}:")


class Unfetched(CannotJudge):
    """Environment branches that exist on the remote but are not fetched (exit 2)."""

    def __init__(self, branches: list[str], command: str) -> None:
        super().__init__(
            f"environment branch(es) {', '.join(branches)} exist on {REMOTE} but are not "
            f"fetched; fetch them and run again:\n  {command}"
        )
        self.command = command


@dataclass(frozen=True)
class Tip:
    branch: str
    ref: str | None
    """The ref to read; None when the branch does not exist (yet)."""


def short_branch(ref: str) -> str:
    """``refs/heads/B``, ``refs/remotes/origin/B`` and ``origin/B`` are branch ``B``."""
    for prefix in ("refs/heads/", f"refs/remotes/{REMOTE}/", f"{REMOTE}/"):
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return ref


def shown_ref(ref: str) -> str:
    """How a location names the ref it was read from: ``prod`` for ``refs/heads/prod``,
    ``origin/prod`` for ``refs/remotes/origin/prod``, 12 digits of a commit id."""
    if _COMMIT_ID.fullmatch(ref):
        return ref[:12]
    return ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")


def locate(directory: Path, branches: list[str]) -> dict[str, Tip]:
    """Each branch's tip; ``Unfetched`` naming every branch that needs a fetch."""
    refs = set(_lines(git(directory, "for-each-ref", "--format=%(refname)",
                          "refs/heads", f"refs/remotes/{REMOTE}")))  # fmt: skip
    tips: dict[str, Tip] = {}
    for branch in branches:
        local, tracking = f"refs/heads/{branch}", f"refs/remotes/{REMOTE}/{branch}"
        ref = local if local in refs else tracking if tracking in refs else None
        tips[branch] = Tip(branch, ref)
    missing = [branch for branch, tip in tips.items() if tip.ref is None]
    if missing:
        unfetched = _on_remote(directory, missing, refs)
        if unfetched:
            raise Unfetched(unfetched, fetch_command(directory, unfetched))
    return tips


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


def _on_remote(directory: Path, missing: list[str], refs: set[str]) -> list[str]:
    """The missing branches the remote has (all of them when that cannot be told offline)."""
    url = git(directory, "config", "--get", f"remote.{REMOTE}.url", check=False).strip()
    if not url:
        return []  # no remote: a missing branch is simply not created yet
    if _NETWORK_URL.match(url) and not url.startswith("file://"):
        tracking = any(ref.startswith(f"refs/remotes/{REMOTE}/") for ref in refs)
        return [] if tracking else missing
    listed = git(directory, "ls-remote", "--heads", REMOTE, check=False)
    heads = {line.split("\t", 1)[1] for line in _lines(listed) if "\t" in line}
    return [branch for branch in missing if f"refs/heads/{branch}" in heads]


def fetch_command(directory: Path, branches: list[str]) -> str:
    """The ``git fetch`` that makes ``branches`` readable (``--depth=1`` in a shallow clone)."""
    shallow = git(directory, "rev-parse", "--is-shallow-repository", check=False).strip()
    depth = " --depth=1" if shallow == "true" else ""
    specs = " ".join(f"+refs/heads/{b}:refs/remotes/{REMOTE}/{b}" for b in branches)
    return f"git fetch{depth} {REMOTE} {specs}"
