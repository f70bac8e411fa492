"""``run --product P``: judged on what it runs.

Problems of the chosen products and of the levels they inherit from (manifest,
policies) refuse the run; problems of other products are only counted, as
``check FILES`` counts problems in other files, and the other products are not
planned at all.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from floe_gate.context import Context
from floe_gate.gate import Verdict
from floe_gate.problems import Problem


def unknown_products(verdict: Verdict, names: tuple[str, ...]) -> str | None:
    """The error naming products the repository does not have, or None."""
    known = [node.product.model.name for node in verdict.repository.products]
    unknown = [name for name in dict.fromkeys(names) if name not in known]
    if not unknown:
        return None
    return (
        f"unknown data product {', '.join(map(repr, unknown))} "
        f"(products: {', '.join(sorted(known)) or 'none'})"
    )


def problems_of(verdict: Verdict, names: tuple[str, ...]) -> Callable[[Problem], bool]:
    """Whether a problem concerns the products ``names`` or a level they inherit from.

    A problem about a product (its ``subject``) concerns that product; one about
    no product concerns them when it is in a file of their chain (manifest,
    policies, floe.yaml) or under their dbt project's directory.
    """
    chosen = set(names)
    nodes = [node for node in verdict.repository.products if node.product.model.name in chosen]
    files = {node.product.file for node in nodes}
    files |= {level.file for p in verdict.context.products if p.name in chosen for level in p.chain}
    directories = tuple(
        f"{node.dbt.directory}/" for node in nodes if node.dbt is not None and node.dbt.directory
    )

    def concerned(problem: Problem) -> bool:
        if problem.subject is not None:
            return problem.subject.partition(":")[0] in chosen
        return problem.file in files or problem.file.startswith(directories)

    return concerned


def only_products(context: Context, names: tuple[str, ...]) -> Context:
    """``context`` seeing only the products ``names`` (all of them when none are named)."""
    if not names:
        return context
    repository = context.repository
    kept = [node for node in repository.products if node.product.model.name in set(names)]
    return Context(dataclasses.replace(repository, products=kept), context.registry, context.today)
