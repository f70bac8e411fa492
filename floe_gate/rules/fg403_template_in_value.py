"""FG403 — a Jinja template in a configuration value.

floe-gate writes configuration values into ``profiles.yml``, and dbt renders that
file as Jinja: ``schema: "s_{{ env_var('MY_SECRET') }}"`` would put a secret in
``dbt.log``, and ``{{ log(...) }}`` or ``{% ... %}`` would run at dbt's start. Only an
environment reference produces a template (``{env: NAME}`` becomes
``{{ env_var('NAME') }}``), so any ``{{``, ``{%`` or ``{#`` in a value or a key of the
manifest, a policy or a data product is an error at its location, whatever the
setting (schema, DuckDB path, Snowflake query_tag, Spark conf, ...)::

    schema: "s_{{ env_var('MY_SECRET') }}"   # FG403
    compute:
      targets:
        snowflake:
          query_tag: "{% do run_query('drop table x') %}"   # FG403
          password: {env: SNOWFLAKE_PASSWORD}                # fine

The value is never printed, and the problem cannot be waived (FG501).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from floe_gate.context import Context
from floe_gate.load.yaml_document import KeyPath, YamlDocument
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Origin

ID = "FG403"
TITLE = "template in a value"
TEMPLATE_MARKS = ("{{", "{%", "{#")


def check(context: Context) -> Iterator[Problem]:
    repository = context.repository
    documents = [
        repository.manifest.document,
        *(node.policy.document for node in repository.policies.values()),
        *(node.product.document for node in repository.products),
    ]
    for document in documents:
        yield from _walk(document, (), document.data)


def has_template(text: str) -> bool:
    """Whether dbt's Jinja would see a template in ``text``."""
    return "{" in text and any(mark in text for mark in TEMPLATE_MARKS)


def _walk(document: YamlDocument, path: KeyPath, value: Any) -> Iterator[Problem]:
    if isinstance(value, str):
        if has_template(value):
            yield _problem(document, path, "value")
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and has_template(key):
                yield _problem(document, (*path, key), "key")
            elif _may_hold_template(item):
                yield from _walk(document, (*path, key), item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if _may_hold_template(item):
                yield from _walk(document, (*path, index), item)


def _may_hold_template(value: Any) -> bool:
    """Whether ``_walk`` can find anything in ``value``: most values are plain strings
    and numbers, and a check walks every value of every file."""
    return isinstance(value, (dict, list)) or (isinstance(value, str) and "{" in value)


def _problem(document: YamlDocument, path: KeyPath, what: str) -> Problem:
    where = ".".join(str(part) for part in path if not has_template(str(part))) or "the file"
    return located(
        Origin.of(document, path),
        ID,
        f"{where}: a {what} holding a Jinja template ({{{{, {{% or {{#}}), which dbt would "
        "render; write the value literally, or {env: NAME} for an environment variable",
    )
