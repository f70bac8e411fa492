"""Attaching DuckDB to an Iceberg REST catalog (Apache Polaris and its kin).

Two renderings of one attachment, both free of secret values:

* :func:`add_catalog` — the dbt-duckdb profile: the extensions loaded offline from a
  local extension directory, a ``secrets`` entry dbt-duckdb creates at connect time
  from ``{{ env_var('NAME') }}`` templates, and an ``attach`` entry naming it;
* :func:`attachment_sql` — the same as SQL statements (``get_catalog_attachment_sql``)
  with every identifier and literal quoted and credentials as ``env_var`` templates
  inside string literals, filled in by dbt at run time.

A secret created with OAuth2 client credentials fetches its token at once, so a
catalog that is down or refuses the credentials fails the connection, not a model.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator

from floe_compute_duckdb.extensions import ICEBERG_EXTENSIONS
from floe_compute_duckdb.sql import env_literal, quote_identifier, quote_literal
from floe_gate.compute import CatalogConfig, ComputeConfigurationError

SUPPORTED_CATALOG_TYPES = ("rest",)
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def attachable_problem(catalog: CatalogConfig) -> str | None:
    """Why DuckDB cannot attach ``catalog`` through a dbt profile, or None."""
    if catalog.catalog_type.lower() not in SUPPORTED_CATALOG_TYPES:
        return (
            "catalog_type: DuckDB cannot attach a catalog of this type "
            f"(supported: {', '.join(SUPPORTED_CATALOG_TYPES)})"
        )
    return None


def _attachable(catalog: CatalogConfig) -> CatalogConfig:
    problem = attachable_problem(catalog)
    if problem is None and not IDENTIFIER.fullmatch(catalog.catalog_name):
        problem = (
            "catalog_name must be a plain identifier (letters, "
            "digits and _): dbt models name it as their database"
        )
    if problem is not None:
        raise ValueError(problem)
    return catalog


DuckDBCatalog = Annotated[CatalogConfig, AfterValidator(_attachable)]
"""A catalog as a DuckDB target configures it (``compute.targets.duckdb.catalog``)."""


def secret_name(catalog: CatalogConfig) -> str:
    return f"{catalog.catalog_name}_secret"


def add_catalog(profile: dict[str, Any], catalog: CatalogConfig, extension_directory: str) -> None:
    """Extend a dbt-duckdb profile output so that every connection attaches ``catalog``.

    Only keys dbt-duckdb reads: ``config_options`` (passed to ``duckdb.connect``,
    the only place the extension directory takes effect before extensions load),
    ``extensions``, ``secrets`` and ``attach``.
    """
    profile["config_options"] = {
        **profile.get("config_options", {}),
        "extension_directory": extension_directory,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    extensions = list(profile.get("extensions", []))
    profile["extensions"] = [*ICEBERG_EXTENSIONS] + [
        name for name in extensions if name not in ICEBERG_EXTENSIONS
    ]
    options: dict[str, Any] = {"endpoint": catalog.catalog_uri}
    if catalog.access_delegation != "vended_credentials":
        options["access_delegation_mode"] = catalog.access_delegation
    attachment: dict[str, Any] = {
        "path": catalog.warehouse or catalog.catalog_name,
        "alias": catalog.catalog_name,
        "type": "iceberg",
    }
    secret = _secret_parameters(catalog)
    if secret is None:
        options["authorization_type"] = "none"
    else:
        block = {"type": "iceberg", "name": secret_name(catalog)}
        block.update({key.lower(): value for key, value in secret.items()})
        profile["secrets"] = [*profile.get("secrets", []), block]
        attachment["secret"] = secret_name(catalog)
    attachment["options"] = options
    profile["attach"] = [*profile.get("attach", []), attachment]


def _secret_parameters(catalog: CatalogConfig, *, sql: bool = False) -> dict[str, str] | None:
    """Parameters of the catalog's ICEBERG secret, credentials as dbt templates."""

    def credential(key: str) -> str:
        variable = catalog.credentials[key].env
        return env_literal(variable) if sql else catalog.credentials[key].as_dbt_template()

    def literal(value: str) -> str:
        return quote_literal(value) if sql else value

    if catalog.auth == "oauth2":
        return {
            "CLIENT_ID": credential("client_id"),
            "CLIENT_SECRET": credential("client_secret"),
            "OAUTH2_SERVER_URI": literal(catalog.token_endpoint),
            "OAUTH2_SCOPE": literal(catalog.oauth2_scope),
        }
    if catalog.auth == "bearer":
        return {"TOKEN": credential("token")}
    return None


def attachment_sql(catalog: CatalogConfig) -> list[str]:
    """The statements attaching ``catalog``, as dbt SQL templates; no secret values."""
    problem = attachable_problem(catalog)
    if problem is not None:
        raise ComputeConfigurationError(problem, plugin_name="duckdb")
    statements = [f"LOAD {name}" for name in ICEBERG_EXTENSIONS]
    options = ["TYPE ICEBERG", f"ENDPOINT {quote_literal(catalog.catalog_uri)}"]
    secret = _secret_parameters(catalog, sql=True)
    if secret is None:
        options.append("AUTHORIZATION_TYPE 'none'")
    else:
        name = quote_identifier(secret_name(catalog))
        parameters = ", ".join(f"{key} {value}" for key, value in secret.items())
        statements.append(f"CREATE OR REPLACE SECRET {name} (TYPE ICEBERG, {parameters})")
        options.append(f"SECRET {name}")
    if catalog.access_delegation != "vended_credentials":
        options.append(f"ACCESS_DELEGATION_MODE {quote_literal(catalog.access_delegation)}")
    target = catalog.warehouse or catalog.catalog_name
    statements.append(
        f"ATTACH IF NOT EXISTS {quote_literal(target)} AS "
        f"{quote_identifier(catalog.catalog_name)} ({', '.join(options)})"
    )
    return statements
