"""FG306 — a transform names a model dbt will not run: it is disabled.

A model is disabled by ``{{ config(enabled=false) }}`` in its file, by
``config: {enabled: false}`` in its properties (or one version's), or by
``+enabled: false`` on its folder in ``dbt_project.yml``'s ``models:`` tree. dbt
neither builds it nor lists it, so the engine, workload and timeout the transform
chooses would be compiled and then silently never used. Reported at the
transform, naming where the model is disabled; remove the transform, or enable the
model. An ``enabled`` that Jinja computes (``enabled=target.name == 'prod'``) is
dbt's to decide at run time and not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.context import Context
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Origin

ID = "FG306"
TITLE = "transform names a disabled model"


def check(context: Context) -> Iterator[Problem]:
    for product, transform, index in context.listed_models():
        if any(model.is_enabled for model in transform.models):
            continue
        model = transform.models[0]
        file, line, column = model.enabled.where if model.enabled else (model.path, 1, 1)
        yield located(
            Origin.of(product.node.product.document, ("transforms", index, "name")),
            ID,
            f"transform {transform.name!r} names a disabled {model.kind} "
            f"(enabled: false at {file}:{line}:{column}): dbt will not run it; remove "
            "the transform or enable the model",
            subject=f"{product.name}:{transform.name}",
            related=[file],
        )
