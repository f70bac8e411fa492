"""Whether a DuckDB target's Iceberg catalog can be attached, as dbt will attach it.

Runs in a throw-away in-memory database (the target's own database is never
touched), loads the extensions from the target's extension directory with
automatic installation off, creates the catalog's secret from the environment and
attaches. The answer names what failed: an extension, an unset environment
variable, a catalog that cannot be reached, one that refuses the credentials, or
an unknown warehouse. Secret values never appear in it.
"""

from __future__ import annotations

import os
from typing import Any

from floe_compute_duckdb.catalog import attachment_sql
from floe_compute_duckdb.extensions import ICEBERG_EXTENSIONS, OFFLINE
from floe_compute_duckdb.sql import env_literal, quote_literal
from floe_gate.compute import CatalogConfig

UNREACHABLE = ("could not connect", "could not resolve", "connection refused", "timeout")
REFUSED = ("unauthorized", "forbidden", "oauth2 token request failed")


def catalog_problem(catalog: CatalogConfig, extension_directory: str) -> str | None:
    """What keeps dbt from attaching ``catalog``, or None when it attaches."""
    import duckdb

    missing = sorted(
        f"{ref.env} ({key})"
        for key, ref in catalog.credentials.items()
        if os.environ.get(ref.env) is None
    )
    if missing:
        return (
            f"catalog {catalog.catalog_name}: environment variable(s) {', '.join(missing)} "
            "not set; dbt reads the catalog credentials from them"
        )
    config: dict[str, str | bool | int | float | list[str]] = {
        **OFFLINE,
        "extension_directory": extension_directory,
    }
    try:
        connection = duckdb.connect(":memory:", config=config)
    except duckdb.Error as error:
        return f"catalog {catalog.catalog_name}: cannot start DuckDB: {_first_line(error)}"
    with connection:
        for name in ICEBERG_EXTENSIONS:
            try:
                connection.execute(f"LOAD {name}")
            except duckdb.Error as error:
                return (
                    f"catalog {catalog.catalog_name}: extension {name} cannot load from "
                    f"{extension_directory} ({_first_line(error)}): install it offline with "
                    f"python -m floe_compute_duckdb.extensions {extension_directory}"
                )
        return _attach(connection, catalog)


def _attach(connection: Any, catalog: CatalogConfig) -> str | None:
    secrets = [os.environ[ref.env] for ref in catalog.credentials.values()]
    where = f"catalog {catalog.catalog_name} at {catalog.catalog_uri}"
    for statement in attachment_sql(catalog):
        if statement.startswith("LOAD "):
            continue
        try:
            connection.execute(_filled(statement, catalog))
        except Exception as error:
            detail = _scrubbed(_first_line(error), secrets)
            lowered = detail.lower()
            if any(marker in lowered for marker in UNREACHABLE):
                return f"{where} cannot be reached: {detail}"
            if any(marker in lowered for marker in REFUSED):
                return f"{where} refused the credentials ({_variables(catalog)}): {detail}"
            if "notfound_404" in lowered and "/v1/config" in lowered:
                return (
                    f"{where} does not know warehouse "
                    f"{catalog.warehouse or catalog.catalog_name!r}: {detail}"
                )
            return f"{where} cannot be attached: {detail}"
    return None


def _filled(statement: str, catalog: CatalogConfig) -> str:
    """The statement with each env_var template replaced by its quoted value."""
    for ref in catalog.credentials.values():
        statement = statement.replace(env_literal(ref.env), quote_literal(os.environ[ref.env]))
    return statement


def _variables(catalog: CatalogConfig) -> str:
    return ", ".join(f"{key} from {ref.env}" for key, ref in sorted(catalog.credentials.items()))


def _scrubbed(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        for form in {secret, secret.replace("'", "''")} - {""}:
            text = text.replace(form, "***")
    return text


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
