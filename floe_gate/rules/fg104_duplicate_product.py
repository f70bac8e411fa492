"""FG104 — two data products share a name.

A product's ``name`` identifies it everywhere: in waivers (``PRODUCT:TRANSFORM``),
in ``explain``, in parity across branches and in compiled artifacts
(``<out>/<env>/<product>/``). Two ``floe.yaml`` files with one name would
overwrite each other's artifacts, so the second is an error naming the first.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.context import Context
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Origin

ID = "FG104"
TITLE = "duplicate data product name"


def check(context: Context) -> Iterator[Problem]:
    first: dict[str, str] = {}
    for node in context.repository.products:
        product = node.product
        name = product.model.name
        if name in first:
            yield located(
                Origin.of(product.document, ("name",)),
                ID,
                f"data product name {name!r} is already used by {first[name]}; "
                "product names must be unique in the repository",
                subject=name,
                related=[first[name]],
            )
        else:
            first[name] = product.file
