"""FG300 — a data product's dbt project is missing.

``dbt_project:`` (default ``.``) is the directory of the product's
``dbt_project.yml``, relative to its ``floe.yaml``. Without it the gate cannot know
the product's models, nor the profile name its artifacts must use. A
``dbt_project.yml`` without ``profile:`` is reported too. One that exists but is
not valid YAML is FG001's.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from floe_gate.context import Context
from floe_gate.load.repository import DBT_PROJECT_FILE
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Origin

ID = "FG300"
TITLE = "dbt project missing"


def check(context: Context) -> Iterator[Problem]:
    for node in context.repository.products:
        if node.dbt is not None:
            if node.dbt.profile is None and node.dbt.document is not None:
                yield located(
                    Origin.of(node.dbt.document, ()),
                    ID,
                    f"{node.dbt.file} names no 'profile:'; floe-gate names the generated "
                    "profile after it",
                    subject=node.product.model.name,
                )
            continue
        product = node.product
        expected = posixpath.normpath(
            posixpath.join(posixpath.dirname(product.file), product.model.dbt_project)
        )
        if posixpath.join(expected, DBT_PROJECT_FILE) in context.repository.broken_dbt_projects:
            continue  # it exists, but is not valid YAML: FG001 reports it there
        yield located(
            Origin.of(product.document, ("dbt_project",)),
            ID,
            f"no dbt_project.yml in {expected}/ for data product {product.model.name}",
            subject=product.model.name,
        )
