"""FG102 — a default engine outside its level's approved list.

A level's ``default`` must be one of the engines approved at that level. This also
applies to an **inherited** default: a domain that narrows ``approved`` so that the
default it inherits is no longer in it must set its own default::

    # manifest.yaml: approved: [duckdb, spark], default: duckdb
    # policies/ml/policy.yaml
    compute:
      approved: [spark]       # FG102: inherited default 'duckdb' is not approved here

Fix: set ``default:`` to one of the level's approved engines.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.context import Context, options
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Level, chain_text

ID = "FG102"
TITLE = "default engine outside the approved list"


def check(context: Context) -> Iterator[Problem]:
    seen: set[str] = set()
    chains: list[tuple[Level, ...]] = [(context.hierarchy.root,)]
    chains += [context.hierarchy.domain_chain(d) or () for d in context.hierarchy.known_domains()]
    chains += [product.chain for product in context.products]
    for chain in chains:
        for position, level in enumerate(chain):
            # A level that sets neither list nor default inherits its parent's problem.
            declares = level.approved_declared or level.default_declared
            if declares and level.file not in seen and level.default not in level.approved:
                seen.add(level.file)
                yield _problem(level, chain[: position + 1])


def _problem(level: Level, chain: tuple[Level, ...]) -> Problem:
    allowed = options(level.approved)
    if level.default_declared:
        return located(
            level.default_origin,
            ID,
            f"default {level.default!r} of {level.label} is not in its approved list "
            f"(allowed: {allowed}; chain: {chain_text(chain)})",
            related=[lv.file for lv in chain],
            subject=level.product,
        )
    return located(
        level.approved_origin,
        ID,
        f"{level.label} approves only {allowed}, which excludes the default "
        f"{level.default!r} it inherits from {level.default_origin.file}; set a default "
        f"(allowed: {allowed}; chain: {chain_text(chain)})",
        related=[lv.file for lv in chain],
        subject=level.product,
    )
