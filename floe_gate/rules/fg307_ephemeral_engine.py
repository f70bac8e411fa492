"""FG307 — an ephemeral model is given an engine other than its consumers'.

dbt never builds an ephemeral model (``materialized: ephemeral``): it inlines its
SQL, as a CTE, into every model that ``ref()``s it, which then runs it on *its*
engine. A transform that gives an ephemeral model its own ``compute:`` cannot
hold; reported at its ``compute:``, naming the consumers and their engine. Give
the transform its consumers' engine, drop its ``compute:``, or materialize the
model (``view`` or ``table``) so that it is built where the transform says.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.context import Context
from floe_gate.problems import Problem, located
from floe_gate.resolve.engines import ResolvedProduct, ResolvedTransform
from floe_gate.resolve.hierarchy import Origin

ID = "FG307"
TITLE = "ephemeral model on its own engine"
SHOWN = 5


def check(context: Context) -> Iterator[Problem]:
    for product, transform, index in context.listed_models():
        if any(model.materialization != "ephemeral" for model in transform.models):
            continue
        others = _consumers(product, transform)
        if not others:
            continue
        key = "compute" if transform.transform and transform.transform.compute else "name"
        consumers = ", ".join(f"{name} ({engine})" for name, engine in others[:SHOWN])
        yield located(
            Origin.of(product.node.product.document, ("transforms", index, key)),
            ID,
            f"transform {transform.name!r} is an ephemeral model on engine "
            f"{transform.engine}, but dbt inlines it into {consumers}, which run it on "
            "their engine: give it their engine, or materialize it as a view or table",
            subject=f"{product.name}:{transform.name}",
            related=[transform.models[0].path],
        )


def _consumers(product: ResolvedProduct, ephemeral: ResolvedTransform) -> list[tuple[str, str]]:
    """Models reading ``ephemeral`` on another engine, with that engine, by name."""
    names = {model.name for model in ephemeral.models if model.latest}
    names |= {model.selector for model in ephemeral.models}
    found = []
    for transform in product.transforms:
        if transform is ephemeral or transform.engine == ephemeral.engine:
            continue
        if any(names & model.refs for model in transform.models):
            found.append((transform.name, transform.engine))
    return sorted(found)
