"""One parity run: find the base, read every environment branch, then run the rules.

Environments come from the base's manifest. H is the working tree, or ``head`` read
from git objects; every branch is read through one shared ``git cat-file --batch``.
For a change, each existing branch after the base that has commits the base lacks is
also compared with its merge base with the base (FG603: a hotfix needing a back-port).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from weakref import WeakKeyDictionary

from floe_gate.load.git_objects import GitObjects, GitRef, git, valid_ref_name
from floe_gate.load.sources import CannotJudge, FileSource, WorkingTree
from floe_gate.parity.branches import REMOTE, Tip, locate, short_branch, shown_ref
from floe_gate.parity.compare import Points
from floe_gate.parity.context import Change, Downstream, HistoryGap, ParityContext
from floe_gate.parity.snapshot import EnvironmentBranch, Snapshot, snapshot
from floe_gate.problems import Problem
from floe_gate.rules import run_parity_rules


@dataclass(frozen=True)
class ParityRequest:
    directory: Path
    manifest_file: str = "manifest.yaml"
    base_ref: str | None = None
    head_ref: str | None = None
    strict: bool = False
    allow_drift: frozenset[str] = frozenset()


def base_from(explicit: str | None, environ: Mapping[str, str]) -> str | None:
    """``--base-ref``, else ``GITHUB_BASE_REF``, else pre-commit's ``PRE_COMMIT_REMOTE_BRANCH``."""
    for value in (
        explicit,
        environ.get("GITHUB_BASE_REF"),
        environ.get("PRE_COMMIT_REMOTE_BRANCH"),
    ):
        if value:
            return value
    return None


@dataclass(frozen=True)
class Refs:
    """What to read: the base (name, then refs tried first) and the head (None: working tree)."""

    base: str | None
    head: str | None
    base_first: tuple[str, ...] = ()


def refs_for(request: ParityRequest, environ: Mapping[str, str]) -> Refs:
    """The refs of a run, from the options, CI's environment, or pre-commit's on pre-push.

    On pre-push (only ``PRE_COMMIT_REMOTE_BRANCH`` names the base) the local branch
    is what is being pushed, so B is the remote's tip — ``PRE_COMMIT_FROM_REF``, else
    ``refs/remotes/origin/B`` — and H is the pushed commit ``PRE_COMMIT_TO_REF``.
    """
    base = base_from(request.base_ref, environ)
    pre_push = not request.base_ref and not environ.get("GITHUB_BASE_REF") and base is not None
    if not pre_push or base is None:
        return Refs(base, request.head_ref)
    pushed = _commit_id(environ.get("PRE_COMMIT_TO_REF"))
    remote_tip = _commit_id(environ.get("PRE_COMMIT_FROM_REF"))
    first = (*([remote_tip] if remote_tip else []), f"refs/remotes/{REMOTE}/{short_branch(base)}")
    return Refs(base, request.head_ref or pushed, first)


def _commit_id(value: str | None) -> str | None:
    """A full, non-zero object id (pre-commit passes zeros for a branch the remote lacks)."""
    if value and len(value) in {40, 64} and value.strip("0") and valid_ref_name(value):
        return value
    return None


def run_parity(request: ParityRequest, environ: Mapping[str, str] | None = None) -> list[Problem]:
    """Every parity problem of the request; ``CannotJudge`` (exit 2) when it cannot be judged."""
    refs = refs_for(request, os.environ if environ is None else environ)
    if refs.base is None and not request.strict:
        raise CannotJudge("no base branch: pass --base-ref (or set GITHUB_BASE_REF)")
    tree = WorkingTree(request.directory)
    with GitObjects(tree.root) as objects:
        head_source: FileSource = objects.ref(refs.head) if refs.head else tree
        # H is the change under review, read from a ref or not: its problems are located in
        # the pull request's own files, unprefixed; only the other points name their branch.
        head = snapshot(
            head_source, request.manifest_file, refs.head or "working tree", objects.parse_cache
        )
        context = _context(objects, head, refs, request)
    return head.problems + run_parity_rules(context)


def _context(
    objects: GitObjects, head: Snapshot, refs: Refs, request: ParityRequest
) -> ParityContext:
    """What the rules judge: the base, and every environment branch the run compares."""
    if refs.base is None:
        return _strict(objects, head, None, request)
    base, base_ref = _base(objects, refs, request.manifest_file)
    if request.strict:
        return _strict(objects, base, head, request)
    return _change(objects, head, (base, base_ref), request)


def _base(objects: GitObjects, refs: Refs, manifest_file: str) -> tuple[Snapshot, str]:
    """The base and the ref it was read from: the first of ``refs.base_first`` that
    exists, ``refs.base`` if it names a commit, else its branch's tip."""
    assert refs.base is not None
    branch = short_branch(refs.base)
    for ref in (*refs.base_first, refs.base):
        if objects.commit(ref) is not None:
            return _snapshot(objects, ref, manifest_file, branch), ref
    tip = locate(objects.directory, [branch])[branch]
    if tip.ref is None:
        raise CannotJudge(f"base branch {branch} does not exist")
    return _snapshot(objects, tip.ref, manifest_file, branch), tip.ref


_SEEN: WeakKeyDictionary[GitObjects, dict[tuple[str, str], Snapshot]] = WeakKeyDictionary()


def _snapshot(objects: GitObjects, ref: str | GitRef, manifest_file: str, label: str) -> Snapshot:
    """``ref``'s snapshot, its origins naming ``ref``; branches with identical trees are
    loaded and resolved once."""
    source = objects.ref(ref) if isinstance(ref, str) else ref
    shown = shown_ref(source.name)
    seen = _SEEN.setdefault(objects, {})
    key = (source.fingerprint(), manifest_file)
    if key not in seen:
        seen[key] = snapshot(source, manifest_file, label, objects.parse_cache, ref=shown)
    found = seen[key] if seen[key].ref == shown else seen[key].on(shown)
    return replace(found, label=label)


def _points(
    objects: GitObjects,
    environments: list[EnvironmentBranch],
    known: Snapshot | None,
    manifest: str,
) -> tuple[Points, tuple[int, ...], dict[str, Tip]]:
    """Every environment branch's snapshot (``known`` stands for its own branch), and the
    places of the environments whose branch is missing."""
    tips = locate(objects.directory, [env.branch for env in environments])
    found: list[Snapshot | None] = [
        known if known is not None and known.label == env.branch
        else _read(objects, tips[env.branch], manifest)
        for env in environments
    ]  # fmt: skip
    missing = tuple(i for i, snap in enumerate(found) if snap is None)
    return Points(environments, _fill(found)), missing, tips


def _read(objects: GitObjects, tip: Tip, manifest: str) -> Snapshot | None:
    return _snapshot(objects, tip.ref, manifest, tip.branch) if tip.ref else None


def _fill(found: list[Snapshot | None]) -> list[Snapshot]:
    """A missing branch is its upstream; a missing first one, the next that exists."""
    filled: list[Snapshot | None] = list(found)
    for i in range(1, len(filled)):
        filled[i] = filled[i] or filled[i - 1]
    for i in range(len(filled) - 2, -1, -1):
        filled[i] = filled[i] or filled[i + 1]
    if any(snap is None for snap in filled):
        raise CannotJudge("no environment branch exists")
    return [snap for snap in filled if snap is not None]


def _strict(
    objects: GitObjects, base: Snapshot, head: Snapshot | None, request: ParityRequest
) -> ParityContext:
    """``--strict``: the branches (the base's replaced by H) must resolve identically.

    Without a base (``head`` None), ``base`` is H itself and only names the environments."""
    points, missing, _ = _points(objects, base.environments, base, request.manifest_file)
    if head is None:
        return ParityContext(base, None, strict=True, points=points, missing=missing)
    snapshots = [head if snap is base else snap for snap in points.snapshots]
    points = Points(points.environments, snapshots)
    return ParityContext(head, base, strict=True, points=points, missing=missing)


def _change(
    objects: GitObjects, head: Snapshot, based: tuple[Snapshot, str], request: ParityRequest
) -> ParityContext:
    base, base_ref = based
    branches = [env.branch for env in base.environments]
    if base.label not in branches:  # FG607: no environment branch to compare with
        return ParityContext(head, base)
    points, missing, tips = _points(objects, base.environments, base, request.manifest_file)
    index = branches.index(base.label)
    below = [(j, tips[env.branch].ref) for j, env in enumerate(points.environments) if j > index]
    downstream, gap = _ahead(objects, points, index, below, base_ref, request.manifest_file)
    change = Change(head, points, index, request.allow_drift, downstream, gap)
    return ParityContext(head, base, points=points, missing=missing, change=change)


def _ahead(  # noqa: PLR0917 - the run, the points, and where the branches are
    objects: GitObjects,
    points: Points,
    index: int,
    below: list[tuple[int, str | None]],
    base_ref: str,
    manifest: str,
) -> tuple[tuple[Downstream, ...], HistoryGap | None]:
    """The existing branches after the base that have commits it lacks, each with its merge
    base with the base (FG603 looks there for hotfixes), and those whose merge base cannot be
    computed (shallow history).

    One ``git rev-parse`` for the commits, then one ``git merge-base`` per downstream
    branch; a branch that is an ancestor of the base (merely behind) is skipped.
    """
    existing = [(j, ref) for j, ref in below if ref is not None]
    if not existing:
        return (), None
    names = [f"{ref}^{{commit}}" for ref in (base_ref, *(ref for _, ref in existing))]
    listed = git(objects.directory, "rev-parse", "--end-of-options", *names).split()
    commits = listed[-len(names) :]  # older git echoes "--end-of-options" first
    downstream: list[Downstream] = []
    unknown: list[int] = []
    for (j, _), commit in zip(existing, commits[1:], strict=True):
        found = git(objects.directory, "merge-base", commits[0], commit, check=False).strip()
        if not found:
            unknown.append(j)
        elif found != commit:  # the branch has commits the base lacks
            merge_base = _snapshot(
                objects, GitRef(objects, found, found), manifest, f"merge base {found[:12]}"
            )
            origin = points.environments[j].origin
            downstream.append(Downstream(points.snapshots[j], merge_base, origin))
    gap = _history_gap(objects, points, unknown) if unknown else None
    return tuple(downstream), gap


def _history_gap(objects: GitObjects, points: Points, unknown: list[int]) -> HistoryGap:
    shallow = git(objects.directory, "rev-parse", "--is-shallow-repository", check=False)
    hint = (
        f"fetch the history: git fetch --unshallow {REMOTE}"
        if shallow.strip() == "true"
        else "the branches share no history"
    )
    environments = points.environments
    branches = [environments[j].branch for j in unknown]
    return HistoryGap(branches, environments[unknown[0]].origin, hint)
