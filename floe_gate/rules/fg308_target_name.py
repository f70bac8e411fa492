"""FG308 — the dbt project compares ``target.name`` with a name that is no environment.

Real projects write ``{% if target.name == 'prod' %}``, most often in a
``generate_schema_name`` override, to behave differently per environment. In the
profiles ``floe-gate compile`` and ``run`` generate, dbt's own convention holds:
``target.name`` is the environment (each engine's profile has one output, named by
the environment) and ``target.type`` the engine. So ``target.name == 'prod'`` is
true in the ``prod`` environment, as the project means it.

A comparison with a name the manifest does not list as an environment can never be
true (``'production'`` where the environments are ``dev``, ``staging`` and ``prod``),
and one with an engine's name (``target.name == 'duckdb'``) means ``target.type``.
Reported (a warning) at the compared name, in the project's own models, macros and
snapshots: ``==`` / ``!=`` either way round and ``in [...]`` / ``in (...)`` lists of
quoted names. Other uses of ``target.name`` (in a schema name, say) are fine. Lines of
installed packages are not reported: they are not the project's to change.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.context import Context
from floe_gate.problems import Problem, Severity, located
from floe_gate.resolve.hierarchy import Origin

ID = "FG308"
TITLE = "target.name compared with no environment"


def check(context: Context) -> Iterator[Problem]:
    environments = list(context.repository.manifest.model.environments)  # promotion order
    for node, dbt in context.dbt_projects():
        for (file, line, column), name in dbt.scan.target_name_comparisons:
            if name in environments:
                continue
            yield located(
                Origin(file, line, column),
                ID,
                _message(name, environments, context.installed_engines),
                severity=Severity.WARNING,
                subject=node.product.model.name,
                related=[node.product.file],
            )


SHOWN = 64
"""Characters of a compared name a message shows (a hostile project may write more)."""


def _message(name: str, environments: list[str], engines: frozenset[str]) -> str:
    shown = name if len(name) <= SHOWN else name[:SHOWN] + "…"
    message = (
        f"target.name is the environment ({', '.join(environments)}), and '{shown}' is "
        "none of them, so this comparison is never true"
    )
    if name in engines:
        message += ": the engine is target.type"
    return message
