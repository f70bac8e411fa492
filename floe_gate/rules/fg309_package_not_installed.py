"""FG309 — a dbt package is declared but not installed.

Models of installed packages (``dbt_packages/``, or the project's
``packages-install-path``) are models of the product: ``compile`` lists them in
``compiled.json`` and ``resources.yaml`` on the product's default engine, and a
transform may name them. A package declared in ``packages.yml`` or
``dependencies.yml`` whose project is not under the install path (``dbt deps``
has not run, or git ignores the directory) cannot be read, so its models are
missing from the artifacts. A note at the declaration: run ``dbt deps`` before
``compile`` where the artifacts must list every model, or commit the package.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.context import Context
from floe_gate.problems import Problem, Severity, located
from floe_gate.resolve.hierarchy import Origin

ID = "FG309"
TITLE = "dbt package not installed"


def check(context: Context) -> Iterator[Problem]:
    for node, dbt in context.dbt_projects():
        for package in dbt.scan.missing_packages:
            yield located(
                Origin(*package.where),
                ID,
                f"dbt package {package.name} is not installed (not under "
                f"{dbt.scan.install_path}/, or ignored by git): its models are not in "
                "compiled.json or resources.yaml; run dbt deps first",
                severity=Severity.NOTE,
                subject=node.product.model.name,
                related=[node.product.file],
            )
