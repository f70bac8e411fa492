"""Cutting a dbt graph into stages: consecutive nodes on one engine, in graph order.

A node's stage is the latest among its parents', one later where the parent runs
on another engine. A duckdb → spark → duckdb chain is three stages; independent
work on one engine shares a stage. Stages run one after another, each as one
``dbt build`` on its engine's target, so dbt still orders and parallelises the
nodes inside a stage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from floe_gate.run.graph import DbtGraph


@dataclass(frozen=True)
class Stage:
    index: int
    engine: str
    nodes: tuple[str, ...]
    """Unique ids of the models, seeds and snapshots the stage builds, sorted."""


def plan_stages(graph: DbtGraph, engines: Mapping[str, str], selected: set[str]) -> list[Stage]:
    """The stages building ``selected`` nodes; ``engines`` maps each node to its engine."""
    depth: dict[str, int] = {}
    for node in graph.topological_order():
        if node not in selected:
            continue
        parents = graph.ancestors_in(node, selected)
        depth[node] = max(
            (depth[p] + (engines[p] != engines[node]) for p in parents if p in depth), default=0
        )
    grouped: dict[tuple[int, str], list[str]] = {}
    for node, level in depth.items():
        grouped.setdefault((level, engines[node]), []).append(node)
    return [
        Stage(position, engine, tuple(sorted(nodes)))
        for position, ((_, engine), nodes) in enumerate(sorted(grouped.items()))
    ]
