"""FG302 — a model is listed twice in ``transforms:``.

Two entries for one model could choose two engines; the gate will not guess.
Reported at the second entry, naming the line of the first.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.context import Context
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Origin

ID = "FG302"
TITLE = "model listed twice"


def check(context: Context) -> Iterator[Problem]:
    for node in context.repository.products:
        product = node.product
        first: dict[str, Origin] = {}
        for index, transform in enumerate(product.model.transforms):
            origin = Origin.of(product.document, ("transforms", index, "name"))
            if transform.name in first:
                yield located(
                    origin,
                    ID,
                    f"model {transform.name!r} is listed twice in data product "
                    f"{product.model.name} (first at line {first[transform.name].line})",
                    subject=f"{product.model.name}:{transform.name}",
                )
            else:
                first[transform.name] = origin
