"""FG308 — the dbt project branches on ``target.name``.

Real projects write ``{% if target.name == 'prod' %}``, most often in a
``generate_schema_name`` override, to behave differently per environment. In the
profiles ``floe-gate compile`` generates, outputs are named by *engine*
(``duckdb``, ``spark``) and the target is the product's default engine: the
environment reaches dbt as the var ``floe_env``. ``target.name == 'prod'`` is
therefore never true, and the project would build production with its
development behaviour. Reported (a warning) at each line of the project's own
models, macros and snapshots that uses ``target.name``; compare
``var('floe_env')`` instead (``{% if var('floe_env') == 'prod' %}``). Lines of
installed packages are not reported: they are not the project's to change.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.context import Context
from floe_gate.problems import Problem, Severity, located
from floe_gate.resolve.hierarchy import Origin

ID = "FG308"
TITLE = "project branches on target.name"


def check(context: Context) -> Iterator[Problem]:
    for node, dbt in context.dbt_projects():
        for file, line, column in dbt.scan.target_name_uses:
            yield located(
                Origin(file, line, column),
                ID,
                "target.name is the engine's output (e.g. duckdb) in floe-gate's profiles, "
                "never the environment: compare var('floe_env') instead "
                "(e.g. var('floe_env') == 'prod')",
                severity=Severity.WARNING,
                subject=node.product.model.name,
                related=[node.product.file],
            )
