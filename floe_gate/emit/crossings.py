"""Models that read a model on another engine: what compile and run both know of them.

``floe-gate run`` moves such data through ``compute.shared_storage`` with each
engine's plugin (floe_gate.run.handoff) and finds the edges in dbt's own graph.
Before any run, compile reads the models' ``ref()`` calls from the dbt scan — the
static approximation dbt's own parser also makes — so that a repository whose data would
have to cross engines with nowhere to cross is refused where its artifacts are made.
Both say why data cannot cross with the sentences here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from floe_gate.compute import ComputeConfig, ComputePlugin, Relation
from floe_gate.emit.plan import ProductPlan
from floe_gate.load.dbt_scan import DbtModel
from floe_gate.load.repository import ProductNode
from floe_gate.registry import PluginRegistry

SHOWN = 5
"""Crossings a message names; the rest are left out."""

HandoffMethod = Literal["export_sql", "import_sql"]


@dataclass(frozen=True)
class Crossing:
    """``child`` on ``to_engine`` reads ``parent`` built on ``from_engine``.

    Compile names models; a run names dbt's unique ids.
    """

    parent: str
    child: str
    from_engine: str
    to_engine: str

    @property
    def sides(self) -> tuple[tuple[str, HandoffMethod], tuple[str, HandoffMethod]]:
        """(engine, plugin method) of each side: the parent's exports, the child's imports."""
        return (self.from_engine, "export_sql"), (self.to_engine, "import_sql")


def described(found: Sequence[Crossing], name: Callable[[str], str] = str) -> str:
    """The first crossings as ``child (engine) reads parent (engine)``, ``; ``-separated."""
    return "; ".join(
        f"{name(c.child)} ({c.to_engine}) reads {name(c.parent)} ({c.from_engine})"
        for c in found[:SHOWN]
    )


def no_storage_message(shown: str) -> str:
    return (
        f"data must cross engines but the manifest sets no compute.shared_storage: {shown}. "
        "Set compute.shared_storage to a directory (or URL) every engine can read and write"
    )


def unable_message(engine: str, method: HandoffMethod, shown: str) -> str:
    direction = "out of" if method == "export_sql" else "into"
    return (
        f"engine {engine} cannot move data {direction} itself through shared storage "
        f"(its plugin has no {method}), but {shown}"
    )


def handoff_sql(
    plugin: ComputePlugin[Any],
    method: HandoffMethod,
    config: ComputeConfig,
    relation: Relation,
    location: str,
) -> list[str] | None:
    """The plugin's statements for one side of a crossing; None when it has none."""
    produce = plugin.export_sql if method == "export_sql" else plugin.import_sql
    return produce(config, relation, location)


def product_crossings(node: ProductNode, product: ProductPlan) -> list[Crossing]:
    """Each model of ``product`` reading a model or seed that runs on another engine.

    Models are the dbt scan's (floe_gate.load.dbt_scan: refs read once, at load), named
    as transforms name them: a version runs on its own transform's engine
    (``dim_orders.v2``), else its whole model's (``dim_orders``); ``ref('dim_orders')``
    without ``v=`` reads the latest version. Disabled models are not built.
    """
    dbt = node.dbt
    if dbt is None:
        return []
    engines = {transform.name: transform.engine for transform in product.transforms}
    models = [model for model in dbt.scan.models if model.is_enabled]
    by_reference = {model.selector: model for model in models if model.version is not None}
    by_reference |= {model.name: model for model in models if model.latest}

    def engine_of(model: DbtModel) -> str:
        return engines.get(model.selector) or engines.get(model.name) or product.target

    seeds = set(dbt.scan.seeds)
    found = []
    for model in sorted(models, key=lambda m: (m.selector, m.package)):
        engine = engine_of(model)
        parents: dict[str, str] = {}
        for reference in model.refs:
            parent = by_reference.get(reference)
            if parent is not None and parent is not model:
                parents[parent.selector] = engine_of(parent)
            elif reference in seeds:
                parents[reference] = product.target
        for name, parent_engine in sorted(parents.items()):
            if parent_engine != engine:
                found.append(Crossing(name, model.selector, parent_engine, engine))
    return found


def crossing_errors(
    nodes: dict[str, ProductNode],
    products: Sequence[ProductPlan],
    shared_storage: str | None,
    registry: PluginRegistry,
) -> Iterator[str]:
    """Why data that must cross engines could not: no shared storage, or an engine
    whose plugin cannot write or read Parquet there."""
    for product in products:
        if len(product.engines) < 2 or product.name not in nodes:
            continue
        found = product_crossings(nodes[product.name], product)
        if not found:
            continue
        if shared_storage is None:
            yield f"data product {product.name}: {no_storage_message(described(found))}"
            continue
        yield from _unable(product, found, registry)


def _unable(product: ProductPlan, found: list[Crossing], registry: PluginRegistry) -> Iterator[str]:
    probe = Relation(schema_name=product.schema, identifier="probe")
    for engine, method in sorted({side for crossing in found for side in crossing.sides}):
        config = product.configs.get(engine)
        if (
            config is None
            or handoff_sql(registry.get(engine), method, config, probe, "shared/probe") is None
        ):
            yield f"data product {product.name}: {unable_message(engine, method, described(found))}"
