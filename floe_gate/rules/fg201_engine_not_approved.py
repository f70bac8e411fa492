"""FG201 — a transform runs on an engine that is not approved where it is used.

A transform's ``compute:`` must be approved by its data product's effective
approved list (its own, or the nearest domain's, or the manifest's)::

    # policies/finance/policy.yaml: approved: [duckdb, snowflake]
    transforms:
      - name: fct_revenue
        compute: spark        # FG201: not approved for domain finance

The message names the allowed engines and the chain of files that decided them.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.context import Context, options
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import chain_text

ID = "FG201"
TITLE = "engine not approved where it is used"


def check(context: Context) -> Iterator[Problem]:
    for product in context.products:
        level = product.level
        # The highest level with this approved list wrote it; those below inherit it.
        decided_by = next(
            (lv for lv in product.chain if lv.approved_origin == level.approved_origin), level
        )
        for transform in product.transforms:
            if transform.transform is None or transform.transform.compute is None:
                continue
            if transform.engine not in level.approved:
                chain = product.chain[: product.chain.index(decided_by) + 1]
                yield located(
                    transform.origin,
                    ID,
                    f"compute {transform.engine!r} is not approved for {decided_by.label} "
                    f"(approved: {options(level.approved)}; chain: {chain_text(chain)})",
                    subject=f"{product.name}:{transform.name}",
                    related=[lv.file for lv in product.chain],
                )
