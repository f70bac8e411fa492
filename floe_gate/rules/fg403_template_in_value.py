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
        found: list[tuple[KeyPath, str]] = []
        _collect(document.data, (), found)
        for path, what in found:
            yield _problem(document, path, what)


def has_template(text: str) -> bool:
    """Whether dbt's Jinja would see a template in ``text``."""
    return "{" in text and any(mark in text for mark in TEMPLATE_MARKS)


def _collect(value: Any, path: KeyPath, found: list[tuple[KeyPath, str]]) -> None:
    """Append ``(path, "value" | "key")`` for each template under ``value``, in order.

    A plain recursion over containers only, strings and numbers checked in place: a
    check visits every value of every file, tens of thousands in a large platform.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and "{" in key and has_template(key):
                found.append(((*path, key), "key"))
            elif isinstance(item, str):
                if "{" in item and has_template(item):
                    found.append(((*path, key), "value"))
            elif isinstance(item, (dict, list)):
                _collect(item, (*path, key), found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                if "{" in item and has_template(item):
                    found.append(((*path, index), "value"))
            elif isinstance(item, (dict, list)):
                _collect(item, (*path, index), found)
    elif isinstance(value, str) and has_template(value):
        found.append((path, "value"))


def _problem(document: YamlDocument, path: KeyPath, what: str) -> Problem:
    where = ".".join(str(part) for part in path if not has_template(str(part))) or "the file"
    return located(
        Origin.of(document, path),
        ID,
        f"{where}: a {what} holding a Jinja template ({{{{, {{% or {{#}}), which dbt would "
        "render; write the value literally, or {env: NAME} for an environment variable",
    )
