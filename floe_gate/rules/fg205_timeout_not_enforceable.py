"""FG205 — a transform's own timeout on an engine that cannot limit single models.

``timeout_seconds`` on a transform overrides ``compute.timeout_seconds`` for that
transform's statements only. That needs a per-model mechanism in the engine's dbt
profile (DuckDB has one: floe-gate's statement guard). Engines without one limit
every statement by the manifest's default at most, so an override there would be
silently ignored; the gate reports it instead. Remove the override, or run the
transform on an engine that can enforce it.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.context import Context, options
from floe_gate.problems import Problem, located
from floe_gate.resolve.engines import ResolvedProduct
from floe_gate.resolve.hierarchy import Origin

ID = "FG205"
TITLE = "per-transform timeout the engine cannot enforce"


def check(context: Context) -> Iterator[Problem]:
    for product in context.products:
        for resolved in product.transforms:
            transform = resolved.transform
            if transform is None or transform.timeout_seconds is None or resolved.index is None:
                continue
            if context.unusable(resolved.engine) or context.times_out_models(resolved.engine):
                continue
            yield located(
                Origin.of(
                    product.node.product.document, ("transforms", resolved.index, "timeout_seconds")
                ),
                ID,
                f"timeout_seconds {transform.timeout_seconds} cannot be enforced for this "
                f"transform: engine {resolved.engine} cannot limit single dbt models (its "
                f"statements get compute.timeout_seconds = {context.timeout_seconds}); remove "
                f"the override or choose an engine that can "
                f"(allowed: {options(_enforcing(context, product))})",
                subject=f"{product.name}:{resolved.name}",
                related=[level.file for level in product.chain],
            )


def _enforcing(context: Context, product: ResolvedProduct) -> list[str]:
    return [engine for engine in product.level.approved if context.times_out_models(engine)]
