"""FG303 — a transform asks for a workload size its engine does not offer.

``workload:`` picks a resource preset of the transform's engine (DuckDB: ``small``,
``medium``, ``large``); the plugin sizes the dbt job's pod from it.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.context import Context, options
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Origin

ID = "FG303"
TITLE = "unknown workload preset"


def check(context: Context) -> Iterator[Problem]:
    for product in context.products:
        for resolved in product.transforms:
            transform = resolved.transform
            if transform is None or transform.workload is None or resolved.index is None:
                continue
            if context.unusable(resolved.engine):
                continue
            presets = context.registry.get(resolved.engine).resource_presets
            if transform.workload not in presets:
                yield located(
                    Origin.of(
                        product.node.product.document, ("transforms", resolved.index, "workload")
                    ),
                    ID,
                    f"workload {transform.workload!r} is not a preset of engine "
                    f"{resolved.engine} (allowed: {options(presets)})",
                    subject=f"{product.name}:{resolved.name}",
                    related=[level.file for level in product.chain],  # may choose the engine
                )
