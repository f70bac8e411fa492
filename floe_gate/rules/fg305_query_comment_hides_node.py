"""FG305 — the dbt project's ``query-comment`` hides which model a statement belongs to.

DuckDB has no statement timeout of its own. floe-gate's statement guard (a dbt-duckdb
plugin in the generated profile) limits each statement and names the transform it
cancels. It takes the node from dbt itself first — the node dbt runs in the
statement's thread (dbt's logging context, set around every node and its hooks) —
so per-transform timeouts hold whatever the project's ``query-comment`` says. Only
where dbt gives no node does it read dbt's query comment,
``/* {"app": "dbt", ..., "node_id": "model.shop.orders"} */``.

A project that turns the comment off (``query-comment: null`` or ``''``) or replaces
it with one that carries no ``node_id`` therefore loses only that fallback (timeouts
are still enforced and named), and its statements no longer say which model they
belong to, so what sees only the SQL (the engine's query log, profiling output)
cannot attribute them. That is a note, not an error. To keep the node in the SQL,
keep dbt's default comment: remove ``query-comment``, or set only ``append`` /
``job-label`` (the guard reads a comment at the start or the end of a statement); a
custom comment renders JSON with a ``node_id`` key
(``"node_id": "{{ node.unique_id }}"``).

The rule decides from what the guard would read, not from words in the setting: a
comment that is off, fixed text, or Jinja that never mentions the node is reported;
JSON whose ``node_id`` is ``{{ node.unique_id }}`` passes; anything else (a macro call
such as ``{{ my_comment(node) }}``, ``{% ... %}`` logic) cannot be judged without dbt
and is not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from floe_gate.context import Context
from floe_gate.problems import Problem, Severity, located
from floe_gate.resolve.engines import ResolvedProduct
from floe_gate.resolve.hierarchy import Origin

ID = "FG305"
TITLE = "query-comment hides the dbt node"
KEY = "query-comment"
NODE_ID_FIELD = re.compile(r'"node_id"\s*:\s*"\{\{-?\s*node\.unique_id\s*-?\}\}"')


def check(context: Context) -> Iterator[Problem]:
    for product in context.products:
        dbt = product.node.dbt
        if dbt is None or dbt.document is None or not isinstance(dbt.document.data, dict):
            continue
        if KEY not in dbt.document.data:
            continue
        engines = _guarded_engines(context, product)
        reason = _hides_node(dbt.document.data[KEY])
        if engines and reason:
            path: tuple[str, ...] = (KEY, "comment") if reason.startswith("comment") else (KEY,)
            yield located(
                Origin.of(dbt.document, path),
                ID,
                f"query-comment {reason}: the statement guard of {', '.join(engines)} still "
                "limits each model (dbt tells it which node a thread runs), but the SQL no "
                "longer names its model, so what sees only the SQL (the engine's query log) "
                "cannot attribute it; to keep the node in it, remove query-comment (or keep "
                'only append / job-label), or render JSON with "node_id": '
                '"{{ node.unique_id }}"',
                severity=Severity.NOTE,
                subject=product.name,
                related=[product.node.product.file],
            )


def _guarded_engines(context: Context, product: ResolvedProduct) -> list[str]:
    engines = {product.level.default, *(t.engine for t in product.transforms)}
    return sorted(engine for engine in engines if context.times_out_models(engine))


def _hides_node(setting: object) -> str | None:
    """Why this ``query-comment`` setting hides the node, or None if it keeps it."""
    if isinstance(setting, dict):
        if "comment" not in setting:
            return None
        return _comment_hides_node(setting["comment"], prefix="comment ")
    return _comment_hides_node(setting, prefix="")


def _comment_hides_node(comment: object, *, prefix: str) -> str | None:
    if comment is None or comment == "":
        return f"{prefix}turns dbt's query comment off"
    if not isinstance(comment, str):
        return None  # a wrong type is dbt's own error to report
    if NODE_ID_FIELD.search(comment):
        return None
    if "{{" not in comment and "{%" not in comment:
        return f"{prefix}replaces dbt's query comment with fixed text that carries no node_id"
    if "{%" not in comment and not re.search(r"\bnode\b|\(", comment):
        return f"{prefix}replaces dbt's query comment with one that carries no node_id"
    return None  # a macro or {% %} logic: only dbt knows what it renders
