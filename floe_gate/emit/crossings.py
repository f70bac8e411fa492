"""Models that read a model on another engine: what compile and run both know of them.

``floe-gate run`` moves such data through ``compute.shared_storage`` with each
engine's plugin (floe_gate.run.handoff) and finds the edges in dbt's own graph.
Before any run, compile scans the models' SQL for ``ref()`` calls — the static
approximation dbt's own parser also makes — so that a repository whose data would
have to cross engines with nowhere to cross is refused where its artifacts are made.
Both say why data cannot cross with the sentences here.
"""

from __future__ import annotations

import bisect
import posixpath
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from floe_gate.compute import ComputeConfig, ComputePlugin, Relation
from floe_gate.emit.plan import ProductPlan
from floe_gate.load.dbt_project import MODEL_SUFFIXES
from floe_gate.load.repository import ProductNode
from floe_gate.load.sources import FileSource
from floe_gate.registry import PluginRegistry

# ref('model'), ref("model"), ref('package', 'model'), ref('model', v=2); not a name
# that Jinja builds (ref('stg' ~ '_orders')): dbt's graph catches those at run time.
REF = re.compile(r"""\bref\(\s*(['"])([^'"]+)\1\s*(?:,\s*(['"])([^'"]+)\3\s*)?(?:\)|,\s*\w+\s*=)""")
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


def referenced_models(sql: str) -> set[str]:
    """Names ``ref()`` calls in a model's text name (``ref('pkg', 'name')`` → ``name``)."""
    return {match.group(4) or match.group(2) for match in REF.finditer(sql)}


class ModelIndex:
    """The repository's model and seed files, listed once, and their ``ref()`` calls, read once.

    Compile asks for every product in every environment: each lookup searches the
    sorted file list, so the cost grows with the files found, not the repository.
    """

    def __init__(self, source: FileSource, files: list[str]) -> None:
        self.source = source
        self.files = sorted(files)
        self._refs: dict[str, set[str]] = {}

    def crossings(self, node: ProductNode, product: ProductPlan) -> list[Crossing]:
        """Each model of ``product`` reading a model or seed that runs on another engine."""
        engines = {transform.name: transform.engine for transform in product.transforms}
        models = self._models(node)
        known = set(models) | self._seeds(node)
        found = []
        for name, path in sorted(models.items()):
            engine = engines.get(name, product.target)
            for parent in sorted(self._references(path) & known):
                parent_engine = engines.get(parent, product.target)
                if parent_engine != engine:
                    found.append(Crossing(parent, name, parent_engine, engine))
        return found

    def _references(self, path: str) -> set[str]:
        if path not in self._refs:
            try:
                text = self.source.read(path).decode("utf-8", errors="replace")
            except OSError:
                text = ""
            self._refs[path] = referenced_models(text)
        return self._refs[path]

    def _under(self, roots: Sequence[str], suffixes: tuple[str, ...]) -> dict[str, str]:
        """Stem → path of the files below ``roots`` (each ending in ``/``) with a suffix."""
        found = {}
        for root in roots:
            # Every path starting with "a/b/" sorts before "a/b0": '0' follows '/'.
            start = bisect.bisect_left(self.files, root)
            end = bisect.bisect_left(self.files, root[:-1] + "0")
            for path in self.files[start:end]:
                if path.endswith(suffixes):
                    found[posixpath.splitext(posixpath.basename(path))[0]] = path
        return found

    def _seeds(self, node: ProductNode) -> set[str]:
        dbt = node.dbt
        if dbt is None or dbt.document is None or not isinstance(dbt.document.data, dict):
            return set()
        paths = dbt.document.data.get("seed-paths", ["seeds"])
        if not isinstance(paths, list):
            return set()
        return set(self._under(_roots(dbt.directory, paths), (".csv",)))

    def _models(self, node: ProductNode) -> dict[str, str]:
        dbt = node.dbt
        if dbt is None:
            return {}
        return self._under(_roots(dbt.directory, dbt.model_paths), MODEL_SUFFIXES)


def _roots(directory: str, paths: Sequence[object]) -> list[str]:
    return [
        posixpath.normpath(posixpath.join(directory, path)) + "/"
        for path in paths
        if isinstance(path, str)
    ]


def crossing_errors(
    index: ModelIndex,
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
        found = index.crossings(nodes[product.name], product)
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
