"""``compile --dbt-parse`` and ``ci --dbt-parse``: dbt parses each product's project itself.

As ``run`` does before it builds: each product's profiles for one environment are
written to a scratch directory (removed afterwards), ``dbt parse`` runs in process
for the product's default engine, with ``floe_env`` and ``target.name`` set to the
environment, and the ``manifest.json`` it writes is the authority on the project's
models, as if given with ``--dbt-manifest``. dbt is imported only here, so only
with the option; it must be installed with the adapters of the default engines.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from floe_gate.emit.plan import CompileError, plan_environments
from floe_gate.gate import Verdict
from floe_gate.load.dbt_manifest import read_manifest
from floe_gate.load.sources import CannotJudge, WorkingTree
from floe_gate.run.dbt import DbtFailed, invocation, manifest_json, parse
from floe_gate.run.selection import run_vars


class CannotParse(Exception):
    """dbt could not parse a product's project; the message names it and says why."""


def dbt_parsed(verdict: Verdict, environment: str) -> dict[str, dict[str, Any]]:
    """Product → dbt's manifest of its project, parsed for ``environment``."""
    repository = verdict.repository
    top = repository.source.root if isinstance(repository.source, WorkingTree) else None
    if top is None:
        raise CannotParse("--dbt-parse needs a working tree")
    try:
        (plan,) = plan_environments(verdict.context, [environment])
    except CompileError as error:
        raise CannotParse("; ".join(error.messages)) from None
    with_dbt = {node.product.model.name for node in repository.products if node.dbt is not None}
    manifests: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="floe-gate-dbt-parse-") as scratch:
        for product in plan.products:
            if product.name not in with_dbt:
                continue
            project = invocation(top, Path(scratch), plan, product, run_vars(plan.name, None))
            try:
                parse(project, product.target)
                manifests[product.name] = read_manifest(
                    manifest_json(project, product.target), "dbt parse wrote"
                )
            except (DbtFailed, CannotJudge) as error:
                raise CannotParse(f"--dbt-parse: product {product.name}: {error}") from None
    return manifests
