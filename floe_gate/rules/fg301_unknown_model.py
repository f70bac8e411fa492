"""FG301 — a transform names no model of its dbt project.

Each entry of ``transforms:`` is a dbt model of the product's project: the stem of a
``.sql`` or ``.py`` file under its ``model-paths``. A misspelt name would otherwise
leave the real model on the default engine without anyone noticing.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.context import Context
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Origin

ID = "FG301"
TITLE = "transform names no dbt model"
SHOWN = 12


def check(context: Context) -> Iterator[Problem]:
    for node in context.repository.products:
        if node.dbt is None:
            continue
        models = sorted(node.dbt.models)
        product = node.product
        for index, transform in enumerate(product.model.transforms):
            if transform.name in node.dbt.models:
                continue
            import difflib  # only for a problem

            close = difflib.get_close_matches(transform.name, models, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            shown = ", ".join(models[:SHOWN]) + (", …" if len(models) > SHOWN else "")
            yield located(
                Origin.of(product.document, ("transforms", index, "name")),
                ID,
                f"transform {transform.name!r} is not a model of dbt project "
                f"{node.dbt.file}{hint} (models: {shown or 'none'})",
                subject=f"{product.model.name}:{transform.name}",
                related=[node.dbt.file],
            )
