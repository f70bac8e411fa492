"""The part of a dbt project's graph a run needs, independent of dbt's own classes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from graphlib import TopologicalSorter

from floe_gate.load.dbt_scan import selector

BUILT = ("model", "seed", "snapshot")
"""Resource types a stage builds; tests run with the nodes they test."""


@dataclass(frozen=True)
class Node:
    unique_id: str
    name: str
    resource_type: str
    parents: tuple[str, ...]
    fqn: tuple[str, ...] = ()
    """dbt's fully qualified name (project, folders, name)."""
    database: str | None = None
    schema: str | None = None
    alias: str | None = None
    """Where the node's relation is, on the target the project was parsed for."""
    path: str | None = None
    """The node's file in its project (``models/dim_orders_v2.sql``)."""
    version: str | None = None
    """A versioned model's version (``2``)."""

    @property
    def selector(self) -> str:
        """The name floe.yaml gives the node: ``dim_orders``, or ``dim_orders.v2`` for one
        version of a versioned model (as ``dbt build --select`` takes it)."""
        return selector(self.name, self.version)


@dataclass
class DbtGraph:
    nodes: dict[str, Node] = field(default_factory=dict)

    @classmethod
    def of(cls, nodes: Iterable[Node]) -> DbtGraph:
        return cls({node.unique_id: node for node in nodes})

    def built(self) -> set[str]:
        """Unique ids of the models, seeds and snapshots."""
        return {uid for uid, node in self.nodes.items() if node.resource_type in BUILT}

    def topological_order(self) -> Iterator[str]:
        sorter = TopologicalSorter(
            {uid: [p for p in node.parents if p in self.nodes] for uid, node in self.nodes.items()}
        )
        yield from sorter.static_order()

    def ancestors(self, unique_id: str) -> set[str]:
        """Every node ``unique_id`` depends on, directly or not."""
        found: set[str] = set()
        pending = list(self.nodes[unique_id].parents)
        while pending:
            parent = pending.pop()
            if parent in found or parent not in self.nodes:
                continue
            found.add(parent)
            pending.extend(self.nodes[parent].parents)
        return found

    def ancestors_in(self, unique_id: str, among: set[str]) -> set[str]:
        """The nearest ancestors of ``unique_id`` that are in ``among``.

        Nodes outside ``among`` (sources, ephemeral models, nodes not selected) are
        looked through, so ordering across them is kept.
        """
        found: set[str] = set()
        pending = list(self.nodes[unique_id].parents)
        seen: set[str] = set()
        while pending:
            parent = pending.pop()
            if parent in seen or parent not in self.nodes:
                continue
            seen.add(parent)
            if parent in among:
                found.add(parent)
            else:
                pending.extend(self.nodes[parent].parents)
        return found
