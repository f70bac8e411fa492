"""FG301 — a transform names no model of its dbt project.

Each entry of ``transforms:`` names a dbt model of the product's project or of one
of its installed packages (``dbt_packages/``), as dbt names it: the stem of a
``.sql`` or ``.py`` file under its ``model-paths``. A model declared with
``versions:`` in its properties is named without the version (``dim_orders``, every
version) or with dbt's selector for one version (``dim_orders.v2``), not by its
file (``dim_orders_v2``). A seed or a snapshot is not a model: it runs with
``dbt seed`` / ``dbt snapshot`` on the product's default engine. A misspelt name
would otherwise leave the real model on the default engine without anyone noticing.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.context import Context
from floe_gate.load.dbt_project import DbtProject
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Origin

ID = "FG301"
TITLE = "transform names no dbt model"
SHOWN = 12


def check(context: Context) -> Iterator[Problem]:
    for node in context.repository.products:
        dbt = node.dbt
        if dbt is None:
            continue
        product = node.product
        for index, transform in enumerate(product.model.transforms):
            if dbt.matching(transform.name):
                continue
            yield located(
                Origin.of(product.document, ("transforms", index, "name")),
                ID,
                _message(dbt, transform.name),
                subject=f"{product.model.name}:{transform.name}",
                related=[dbt.file],
            )


def _message(dbt: DbtProject, name: str) -> str:
    scan = dbt.scan
    if name in scan.snapshots or name in scan.seeds:
        kind, command = ("snapshot", "snapshot") if name in scan.snapshots else ("seed", "seed")
        file = scan.snapshots.get(name) or scan.seeds[name]
        return (
            f"transform {name!r} is a {kind} ({file}), not a model: dbt {command} runs it "
            "on the product's default engine; remove it from transforms:"
        )
    import difflib  # only for a problem

    selectors = sorted({model.selector for model in scan.models} | dbt.models)
    versioned = {f"{m.name}_v{m.version}": m.selector for m in scan.models if m.version}
    close = (
        [versioned[name]] if name in versioned else difflib.get_close_matches(name, selectors, n=1)
    )
    hint = f"; did you mean {close[0]!r}?" if close else ""
    shown = ", ".join(selectors[:SHOWN]) + (", …" if len(selectors) > SHOWN else "")
    return (
        f"transform {name!r} is not a model of dbt project {dbt.file}{hint} "
        f"(models: {shown or 'none'})"
    )
