"""FG101 — a level approves an engine its parent does not.

Each level of the hierarchy (manifest → domain policy → sub-domain policy → data
product) may only **narrow** the engines its parent approves::

    # manifest.yaml: approved: [duckdb, spark]
    # policies/finance/policy.yaml
    compute:
      approved: [duckdb, bigquery]   # FG101 at 'bigquery': the manifest does not approve it

Fix: remove the engine, or have the platform team approve it higher up.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.context import Context, options
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Level, chain_text

ID = "FG101"
TITLE = "approves an engine its parent does not"


def check(context: Context) -> Iterator[Problem]:
    seen: set[str] = set()
    chains = [context.hierarchy.domain_chain(d) for d in context.hierarchy.known_domains()]
    chains += [product.chain for product in context.products]
    for chain in chains:
        for parent, level in zip(chain or (), (chain or ())[1:], strict=False):
            if level.approved_declared and level.file not in seen:
                seen.add(level.file)
                yield from _beyond(parent, level, chain or ())


def _beyond(parent: Level, level: Level, chain: tuple[Level, ...]) -> Iterator[Problem]:
    for index, engine in enumerate(level.approved):
        if engine not in parent.approved:
            yield located(
                level.origin("approved", index),
                ID,
                f"{level.label} approves {engine!r}, which {parent.label} does not approve "
                f"(allowed: {options(parent.approved)}; chain: "
                f"{chain_text(chain[: chain.index(level) + 1])})",
                related=[lv.file for lv in chain],
                subject=level.product,
            )
