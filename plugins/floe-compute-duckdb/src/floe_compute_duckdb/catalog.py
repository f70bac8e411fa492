"""SQL that attaches DuckDB to an Iceberg catalog (REST catalogs such as Polaris).

The statements are dbt SQL templates: credentials appear as
``{{ env_var('NAME') }}`` inside string literals and are filled in by dbt at run
time, so neither the plugin nor any artifact ever holds a secret value.
"""

from __future__ import annotations

from floe_compute_duckdb.sql import env_literal, quote_identifier, quote_literal
from floe_gate.compute import CatalogConfig, ComputeConfigurationError

SUPPORTED_CATALOG_TYPES = ("rest",)
OAUTH_CREDENTIALS = ("client_id", "client_secret")


def attachment_sql(catalog: CatalogConfig) -> list[str]:
    if catalog.catalog_type.lower() not in SUPPORTED_CATALOG_TYPES:
        raise ComputeConfigurationError(
            f"catalog type {catalog.catalog_type!r} cannot be attached by DuckDB "
            f"(supported: {', '.join(SUPPORTED_CATALOG_TYPES)})",
            plugin_name="duckdb",
        )
    secret_name = f"{catalog.catalog_name}_secret"
    statements = ["LOAD httpfs", "LOAD iceberg"]
    secret = _secret_statement(catalog, secret_name)
    if secret is not None:
        statements.append(secret)
    options = ["TYPE ICEBERG", f"ENDPOINT {quote_literal(catalog.catalog_uri)}"]
    if secret is not None:
        options.append(f"SECRET {quote_identifier(secret_name)}")
    else:
        options.append("AUTHORIZATION_TYPE 'none'")
    target = catalog.warehouse or catalog.catalog_name
    statements.append(
        f"ATTACH {quote_literal(target)} AS {quote_identifier(catalog.catalog_name)} "
        f"({', '.join(options)})"
    )
    return statements


def _secret_statement(catalog: CatalogConfig, secret_name: str) -> str | None:
    credentials = catalog.credentials
    unknown = sorted(set(credentials) - {*OAUTH_CREDENTIALS, "token"})
    if unknown:
        raise ComputeConfigurationError(
            f"catalog credentials {', '.join(unknown)} are not understood "
            "(use client_id + client_secret, or token)",
            plugin_name="duckdb",
        )
    parameters = ["TYPE ICEBERG"]
    if "token" in credentials:
        parameters.append(f"TOKEN {env_literal(credentials['token'].env)}")
    elif all(key in credentials for key in OAUTH_CREDENTIALS):
        parameters += [
            f"CLIENT_ID {env_literal(credentials['client_id'].env)}",
            f"CLIENT_SECRET {env_literal(credentials['client_secret'].env)}",
            f"OAUTH2_SERVER_URI {quote_literal(_oauth_server_uri(catalog.catalog_uri))}",
        ]
    elif credentials:
        raise ComputeConfigurationError(
            "catalog OAuth2 credentials need both client_id and client_secret",
            plugin_name="duckdb",
        )
    else:
        return None
    return f"CREATE OR REPLACE SECRET {quote_identifier(secret_name)} ({', '.join(parameters)})"


def _oauth_server_uri(catalog_uri: str) -> str:
    # Polaris serves its token endpoint under the catalog API root.
    return catalog_uri.rstrip("/") + "/v1/oauth/tokens"
