"""The gate: load → resolve → rules → waivers, as one call the commands share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from floe_gate.context import Context
from floe_gate.load.repository import Repository, load_repository
from floe_gate.load.sources import FileSource
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
) -> Verdict:
    repository = load_repository(source, manifest_file)
    context = Context(repository, registry or PluginRegistry(), today or date.today())
    judged = {product.name for product in context.products}
    unjudged = frozenset(
        node.product.model.name
        for node in repository.products
        if node.product.model.name not in judged
    )
    problems = apply_waivers(run_rules(context), repository.waivers, context.today, unjudged)
    return Verdict(context, sorted(set(problems)))
