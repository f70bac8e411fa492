"""The dbt-databricks profile output for a Databricks target."""

from __future__ import annotations

from typing import Any

from floe_compute_databricks.config import STATEMENT_TIMEOUT, DatabricksConfig

# The schema every profile starts with; `floe-gate compile` replaces it by the product's.
DEFAULT_SCHEMA = "default"


def build_profile(config: DatabricksConfig) -> dict[str, Any]:
    """One ``outputs:`` entry; secrets appear only as ``{{ env_var('NAME') }}``."""
    profile: dict[str, Any] = {
        "type": "databricks",
        "schema": DEFAULT_SCHEMA,
        "host": config.host,
        "http_path": config.http_path,
        "threads": config.threads,
    }
    if config.catalog is not None:
        profile["catalog"] = config.catalog
    if config.token is not None:
        profile["token"] = config.token.as_dbt_template()
    if config.client_id is not None and config.client_secret is not None:
        profile["auth_type"] = "oauth"
        profile["client_id"] = config.client_id.as_dbt_template()
        profile["client_secret"] = config.client_secret.as_dbt_template()
    profile["connect_retries"] = config.connect_retries
    if config.connect_timeout is not None:
        profile["connect_timeout"] = config.connect_timeout
    profile["retry_all"] = config.retry_all
    properties = session_properties(config)
    if properties:
        profile["session_properties"] = properties
    profile["connection_parameters"] = {"_socket_timeout": config.socket_timeout}
    return profile


def session_properties(config: DatabricksConfig) -> dict[str, str | int | bool]:
    properties: dict[str, str | int | bool] = dict(config.session_properties)
    if config.on_sql_warehouse:
        # A SQL warehouse cancels a statement running longer than STATEMENT_TIMEOUT
        # seconds. All-purpose clusters have no such setting: there dbt's statements
        # run unbounded, and docs/engines.md says so.
        properties[STATEMENT_TIMEOUT] = config.timeout_seconds
    return properties
