"""Data crossing engines through Parquet files in shared storage, Spark's side.

A model another engine reads is written with ``INSERT OVERWRITE DIRECTORY … USING
parquet``; a model built elsewhere becomes an external table over the directory,
so ``ref()`` on Spark resolves to it. ``floe-gate run`` executes the statements
through dbt on the Spark target, one at a time (the Thrift server takes one).
"""

from __future__ import annotations

from floe_gate.compute import Relation


def quote_identifier(name: str) -> str:
    """```name```, with embedded backticks doubled."""
    _refuse_nul(name)
    return "`" + name.replace("`", "``") + "`"


def quote_literal(value: str) -> str:
    """``'value'`` for Spark SQL, where a backslash escapes inside string literals."""
    _refuse_nul(value)
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _refuse_nul(text: str) -> None:
    if "\x00" in text:
        raise ValueError("SQL text must not contain a NUL character")


def qualified(relation: Relation) -> str:
    # Spark's session catalog has schemas only: the dbt database is not part of the name.
    return f"{quote_identifier(relation.schema_name)}.{quote_identifier(relation.identifier)}"


def export_statements(relation: Relation, location: str) -> list[str]:
    target = quote_literal(location)
    source = qualified(relation)
    return [f"INSERT OVERWRITE DIRECTORY {target} USING parquet SELECT * FROM {source}"]  # noqa: S608


def import_statements(relation: Relation, location: str) -> list[str]:
    table = qualified(relation)
    return [
        f"CREATE SCHEMA IF NOT EXISTS {quote_identifier(relation.schema_name)}",
        f"DROP TABLE IF EXISTS {table}",
        f"CREATE TABLE {table} USING parquet LOCATION {quote_literal(location)}",
    ]
