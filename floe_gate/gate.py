"""The gate: load → resolve → rules → waivers, as one call the commands share."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from floe_gate.context import Context
from floe_gate.load.repository import ManifestUnusable, Repository, load_repository
from floe_gate.load.sources import CannotJudge, FileSource, WorkingTree
from floe_gate.problems import Problem
from floe_gate.registry import PluginRegistry
from floe_gate.rules import run_rules
from floe_gate.waivers import apply_waivers


@dataclass
class Verdict:
    context: Context
    problems: list[Problem]

    @property
    def repository(self) -> Repository:
        return self.context.repository


def judge(
    source: FileSource,
    manifest_file: str = "manifest.yaml",
    *,
    registry: PluginRegistry | None = None,
    today: date | None = None,
    dbt_manifests: Sequence[Path] = (),
) -> Verdict:
    """``dbt_manifests``: dbt's ``manifest.json`` files, authoritative on the models of the
    projects they describe (floe_gate.load.dbt_manifest)."""
    repository = load_repository(source, manifest_file)
    if dbt_manifests:
        from floe_gate.load.dbt_manifest import apply_dbt_manifests

        apply_dbt_manifests(repository, dbt_manifests)
    return _judged(Context(repository, registry or PluginRegistry(), today or date.today()))


def rejudge(verdict: Verdict, dbt_manifests: Mapping[str, dict[str, Any]]) -> Verdict:
    """``verdict``'s files judged again, the models of the products named (product →
    dbt's ``manifest.json`` of its project, as read) taken from dbt: ``run`` judges what
    dbt parsed, on the same files (nothing is read again)."""
    from floe_gate.load.dbt_manifest import with_manifest

    repository = verdict.repository
    products = [
        dataclasses.replace(node, dbt=with_manifest(node.dbt, manifests))
        if node.dbt is not None
        and (manifests := dbt_manifests.get(node.product.model.name)) is not None
        else node
        for node in repository.products
    ]
    context = verdict.context
    replaced = dataclasses.replace(repository, products=products)
    return _judged(Context(replaced, context.registry, context.today))


def _judged(context: Context) -> Verdict:
    repository = context.repository
    problems = apply_waivers(
        run_rules(context), repository.waivers, context.today, _unjudged(context)
    )
    return Verdict(context, sorted(set(problems)))


def _unjudged(context: Context) -> frozenset[str]:
    """Data products whose rules could not run: their domain does not resolve, or their
    ``floe.yaml`` is invalid. When an invalid one does not even say its name, every
    product a waiver names that the repository does not have may be it."""
    repository = context.repository
    judged = {product.name for product in context.products}
    names = {node.product.model.name for node in repository.products}
    unjudged = (names - judged) | {n for n in repository.broken_products.values() if n}
    if None in repository.broken_products.values() and repository.waivers is not None:
        waived = {w.subject.split(":", 1)[0] for w in repository.waivers.model.waivers}
        unjudged |= {name for name in waived - names if not _is_file(name)}
    return frozenset(unjudged)


def _is_file(subject: str) -> bool:
    return "/" in subject or subject.endswith((".yaml", ".yml"))


@dataclass(frozen=True)
class Judgement:
    """What the gate made of a working tree: a verdict, or why there is none.

    Exactly one of ``verdict``, ``unusable`` and ``cannot_judge`` is set.
    """

    verdict: Verdict | None = None
    unusable: ManifestUnusable | None = None
    """The manifest cannot be used: its problems say why (the gate judged, and refused)."""
    cannot_judge: str | None = None
    """Why the repository cannot be judged at all (no git repository, no manifest, …)."""

    @property
    def problems(self) -> list[Problem]:
        """The verdict's problems, or those that make the manifest unusable."""
        if self.verdict is not None:
            return self.verdict.problems
        return list(self.unusable.problems) if self.unusable is not None else []


def judge_working_tree(
    repo: Path | WorkingTree,
    manifest_file: str = "manifest.yaml",
    *,
    registry: PluginRegistry | None = None,
    rules: bool = True,
    dbt_manifests: Sequence[Path] = (),
) -> Judgement:
    """The gate workflow every command shares: judge ``repo``'s working tree, or say why not.

    Without ``rules`` the repository is only loaded (a verdict without problems), for
    commands that act on the configuration without judging it (``health``).
    """
    try:
        tree = repo if isinstance(repo, WorkingTree) else WorkingTree(repo)
        if rules:
            return Judgement(
                judge(tree, manifest_file, registry=registry, dbt_manifests=dbt_manifests)
            )
        repository = load_repository(tree, manifest_file)
    except ManifestUnusable as unusable:
        return Judgement(unusable=unusable)
    except CannotJudge as error:
        return Judgement(cannot_judge=str(error))
    context = Context(repository, registry or PluginRegistry(), date.today())
    return Judgement(Verdict(context, []))
