"""Data crossing engines: Parquet files in ``compute.shared_storage``.

A model on one engine that reads (``ref``) a model built on another cannot see its
table: each engine has its own storage. Before such a model's stage, the upstream
relation is written as Parquet into ``SHARED/ENV/PRODUCT/MODEL/`` by its own engine
and made readable under the same name on the downstream engine. Both sides are SQL
from the engines' plugins (``export_sql``, ``import_sql``), run through dbt on each
engine's target.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from floe_gate.compute import ComputeConfig, ComputePlugin, Relation
from floe_gate.emit.crossings import (
    Crossing,
    HandoffMethod,
    described,
    handoff_sql,
    no_storage_message,
    unable_message,
)
from floe_gate.run.graph import DbtGraph, Node

__all__ = [  # Crossing too: the run's crossings are compile's
    "Crossing",
    "HandoffFailed",
    "Handoffs",
    "crossings",
    "location",
    "missing_storage_message",
    "relation",
]


def crossings(
    graph: DbtGraph, engines: Mapping[str, str], selected: set[str]
) -> Iterator[Crossing]:
    """Every edge from a built node to a selected node on another engine."""
    built = graph.built()
    for child in sorted(selected):
        for parent in sorted(graph.ancestors_in(child, built)):
            if engines[parent] != engines[child]:
                yield Crossing(parent, child, engines[parent], engines[child])


def location(shared_storage: str, environment: str, product: str, model: str) -> str:
    """The directory of a model's Parquet files; relative paths become absolute here."""
    if "://" in shared_storage:
        return posixpath.join(shared_storage.rstrip("/"), environment, product, model)
    return str(Path(shared_storage).resolve() / environment / product / model)


def relation(node: Node) -> Relation:
    return Relation(
        schema_name=node.schema or "main",
        identifier=node.alias or node.name,
        database=node.database,
    )


def missing_storage_message(found: list[Crossing], graph: DbtGraph) -> str:
    """Why ``found`` cannot cross: the manifest sets no shared storage."""
    return no_storage_message(described(found, lambda uid: graph.nodes[uid].name))


class HandoffFailed(Exception):
    """Data could not cross to the engine of a model that reads it."""


@dataclass
class Handoffs:
    """Exports and imports of one product's run, each done once."""

    shared_storage: str
    environment: str
    product: str
    plugins: Mapping[str, ComputePlugin[Any]]
    configs: Mapping[str, ComputeConfig]
    graph_for: Callable[[str], DbtGraph]
    """The graph as parsed for an engine: relation names as that engine sees them."""
    run_sql: Callable[[str, str], None]
    """(engine, statement): runs one statement through dbt on the engine's target."""
    exported: set[str] = field(default_factory=set)
    imported: set[tuple[str, str]] = field(default_factory=set)

    def cannot(self, found: list[Crossing]) -> str | None:
        """Why these crossings cannot happen (an engine offers no Parquet hand-off), or None."""
        for crossing in found:
            for engine, method in crossing.sides:
                if self._statements(engine, method, crossing.parent) is None:
                    nodes = self.graph_for(engine).nodes
                    shown = described([crossing], lambda uid: nodes[uid].name)  # noqa: B023
                    return unable_message(engine, method, shown)
        return None

    def prepare(self, crossing: Crossing) -> None:
        """Make ``crossing.parent`` readable on ``crossing.to_engine``; HandoffFailed if not."""
        if crossing.parent not in self.exported:
            self._make_local_directory(crossing.parent)
            self._run(crossing.from_engine, "export_sql", crossing.parent)
            self.exported.add(crossing.parent)
        if (crossing.parent, crossing.to_engine) not in self.imported:
            self._run(crossing.to_engine, "import_sql", crossing.parent)
            self.imported.add((crossing.parent, crossing.to_engine))

    def _make_local_directory(self, unique_id: str) -> None:
        # Engines write a directory of files but create at most its last level.
        if "://" not in self.shared_storage:
            name = self.graph_for(next(iter(self.configs))).nodes[unique_id].name
            target = location(self.shared_storage, self.environment, self.product, name)
            Path(target).parent.mkdir(parents=True, exist_ok=True)

    def _run(self, engine: str, method: HandoffMethod, unique_id: str) -> None:
        for statement in self._statements(engine, method, unique_id) or []:
            try:
                self.run_sql(engine, statement)
            except Exception as error:  # dbt or plugin: reported on the model, never raised
                raise HandoffFailed(
                    f"hand-off of {unique_id} {'from' if method == 'export_sql' else 'to'} "
                    f"{engine} failed: {error}"
                ) from error

    def _statements(self, engine: str, method: HandoffMethod, unique_id: str) -> list[str] | None:
        node = self.graph_for(engine).nodes[unique_id]
        where = location(self.shared_storage, self.environment, self.product, node.name)
        return handoff_sql(
            self.plugins[engine], method, self.configs[engine], relation(node), where
        )
