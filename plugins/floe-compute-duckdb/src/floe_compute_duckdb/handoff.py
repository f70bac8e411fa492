"""Data crossing engines through Parquet files in shared storage, DuckDB's side.

A model another engine reads is copied into a directory of Parquet files after it
is built; a model built elsewhere that a DuckDB model reads becomes a view over
such a directory, so ``ref()`` resolves to it. The statements go through dbt (the
run's profile, its statement guard, its credentials), one at a time.
"""

from __future__ import annotations

from floe_compute_duckdb.sql import quote_identifier, quote_literal
from floe_gate.compute import Relation


def qualified(relation: Relation) -> str:
    parts = [relation.database, relation.schema_name, relation.identifier]
    return ".".join(quote_identifier(part) for part in parts if part)


# Every name goes through quote_identifier and every path through quote_literal.


def export_statements(relation: Relation, location: str) -> list[str]:
    source = qualified(relation)
    target = quote_literal(location)
    options = "(FORMAT parquet, PER_THREAD_OUTPUT true, OVERWRITE true)"
    return [f"COPY (SELECT * FROM {source}) TO {target} {options}"]  # noqa: S608


def import_statements(relation: Relation, location: str) -> list[str]:
    parts = [relation.database, relation.schema_name]
    in_database = ".".join(quote_identifier(part) for part in parts if part)
    files = location.rstrip("/") + "/*.parquet"
    return [
        f"CREATE SCHEMA IF NOT EXISTS {in_database}",
        f"CREATE OR REPLACE VIEW {qualified(relation)} AS "  # noqa: S608
        f"SELECT * FROM read_parquet({quote_literal(files)})",
    ]
