"""Models that read a model on another engine, found without dbt: ``compile`` and ``ci``.

``floe-gate run`` moves such data through ``compute.shared_storage`` with each
engine's plugin (floe_gate.run.handoff) and finds the edges in dbt's own graph.
Before any run, compile scans the models' SQL for ``ref()`` calls — the static
approximation dbt's own parser also makes — so that a repository whose data would
have to cross engines with nowhere to cross is refused where its artifacts are made.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from floe_gate.compute import Relation
from floe_gate.emit.plan import ProductPlan
from floe_gate.load.dbt_project import MODEL_SUFFIXES
from floe_gate.load.repository import ProductNode
from floe_gate.load.sources import FileSource
from floe_gate.registry import PluginRegistry

# ref('model'), ref("model"), ref('package', 'model'), ref('model', v=2); not a name
# that Jinja builds (ref('stg' ~ '_orders')): dbt's graph catches those at run time.
REF = re.compile(r"""\bref\(\s*(['"])([^'"]+)\1\s*(?:,\s*(['"])([^'"]+)\3\s*)?(?:\)|,\s*\w+\s*=)""")


@dataclass(frozen=True)
class StaticCrossing:
    model: str
    engine: str
    reads: str
    reads_engine: str

    def describe(self) -> str:
        return f"{self.model} ({self.engine}) reads {self.reads} ({self.reads_engine})"


def referenced_models(sql: str) -> set[str]:
    """Names ``ref()`` calls in a model's text name (``ref('pkg', 'name')`` → ``name``)."""
    return {match.group(4) or match.group(2) for match in REF.finditer(sql)}


def static_crossings(
    source: FileSource, node: ProductNode, product: ProductPlan
) -> Iterator[StaticCrossing]:
    """Each model of ``product`` reading a model or seed that runs on another engine."""
    engines = {transform.name: transform.engine for transform in product.transforms}
    models = _model_files(source, node)
    known = set(models) | _seeds(source, node)
    for name, path in sorted(models.items()):
        try:
            text = source.read(path).decode("utf-8", errors="replace")
        except OSError:
            continue
        engine = engines.get(name, product.target)
        for parent in sorted(referenced_models(text) & known):
            parent_engine = engines.get(parent, product.target)
            if parent_engine != engine:
                yield StaticCrossing(name, engine, parent, parent_engine)


def _seeds(source: FileSource, node: ProductNode) -> set[str]:
    dbt = node.dbt
    if dbt is None or dbt.document is None or not isinstance(dbt.document.data, dict):
        return set()
    paths = dbt.document.data.get("seed-paths", ["seeds"])
    if not isinstance(paths, list):
        return set()
    roots = tuple(
        posixpath.normpath(posixpath.join(dbt.directory, p)) + "/"
        for p in paths
        if isinstance(p, str)
    )
    return {
        posixpath.splitext(posixpath.basename(path))[0]
        for path in source.files()
        if path.startswith(roots) and path.endswith(".csv")
    }


def _model_files(source: FileSource, node: ProductNode) -> dict[str, str]:
    dbt = node.dbt
    if dbt is None:
        return {}
    roots = tuple(
        posixpath.normpath(posixpath.join(dbt.directory, path)) + "/" for path in dbt.model_paths
    )
    return {
        posixpath.splitext(posixpath.basename(path))[0]: path
        for path in source.files()
        if path.startswith(roots) and path.endswith(MODEL_SUFFIXES)
    }


def crossing_errors(
    source: FileSource,
    nodes: dict[str, ProductNode],
    products: list[ProductPlan],
    shared_storage: str | None,
    registry: PluginRegistry,
) -> Iterator[str]:
    """Why data that must cross engines could not: no shared storage, or an engine
    whose plugin cannot write or read Parquet there."""
    for product in products:
        if len(product.engines) < 2 or product.name not in nodes:
            continue
        found = list(static_crossings(source, nodes[product.name], product))
        if not found:
            continue
        shown = "; ".join(crossing.describe() for crossing in found[:5])
        if shared_storage is None:
            yield (
                f"data product {product.name}: data must cross engines but the manifest sets "
                f"no compute.shared_storage: {shown}. Set compute.shared_storage to a "
                "directory (or URL) every engine can read and write"
            )
            continue
        yield from _unable(product, found, registry)


def _unable(
    product: ProductPlan, found: list[StaticCrossing], registry: PluginRegistry
) -> Iterator[str]:
    probe = Relation(schema_name=product.schema, identifier="probe")
    for engine, method in sorted(
        {(c.reads_engine, "export_sql") for c in found} | {(c.engine, "import_sql") for c in found}
    ):
        plugin = registry.get(engine)
        config = product.configs.get(engine)
        produce = plugin.export_sql if method == "export_sql" else plugin.import_sql
        if config is None or produce(config, probe, "shared/probe") is None:
            yield (
                f"data product {product.name}: engine {engine} cannot move data "
                f"{'out of' if method == 'export_sql' else 'into'} itself through shared "
                f"storage (its plugin has no {method}), but "
                + "; ".join(c.describe() for c in found[:5])
            )
