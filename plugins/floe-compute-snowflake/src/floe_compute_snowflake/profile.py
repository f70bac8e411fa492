"""The dbt-snowflake profile output for a Snowflake target.

What dbt-snowflake 1.11 maps (``SnowflakeCredentials``): connection retries
(``connect_retries``, ``connect_timeout`` — the wait between retries, not a login
timeout — and ``retry_on_database_errors``), ``reuse_connections``, ``query_tag``
and the endpoint. It passes no other session parameter to the driver, so Snowflake's
``STATEMENT_TIMEOUT_IN_SECONDS`` cannot be set from a profile: it is set on the
user or warehouse dbt runs with, and ``validate_connection`` reports a session
whose timeout exceeds ``timeout_seconds`` (docs/engines.md).
"""

from __future__ import annotations

from typing import Any

from floe_compute_snowflake.config import SnowflakeConfig
from floe_gate.compute import EnvRef

PLACEHOLDER_SCHEMA = "PUBLIC"
"""dbt needs a schema; ``floe-gate compile`` replaces it with the product's schema."""


def build_profile(config: SnowflakeConfig) -> dict[str, Any]:
    """One ``outputs:`` entry; secrets appear only as ``{{ env_var('NAME') }}``."""
    profile: dict[str, Any] = {
        "type": "snowflake",
        "account": config.account,
        "user": _rendered(config.user),
        "database": config.database,
        "schema": PLACEHOLDER_SCHEMA,
        "threads": config.threads,
    }
    if config.password is not None:
        profile["password"] = config.password.as_dbt_template()
    if config.private_key is not None:
        profile["private_key"] = config.private_key.as_dbt_template()
    if config.private_key_passphrase is not None:
        profile["private_key_passphrase"] = config.private_key_passphrase.as_dbt_template()
    for key in ("warehouse", "role", "query_tag"):
        value = getattr(config, key)
        if value is not None:
            profile[key] = value
    profile["connect_retries"] = config.connect_retries
    if config.connect_retry_wait_seconds is not None:
        profile["connect_timeout"] = config.connect_retry_wait_seconds
    profile["retry_on_database_errors"] = config.retry_on_database_errors
    profile["reuse_connections"] = config.reuse_connections
    profile["client_session_keep_alive"] = config.client_session_keep_alive
    if config.host is not None:
        profile["host"] = config.host
    if config.port is not None:
        profile["port"] = config.port
    if config.protocol != "https":
        profile["protocol"] = config.protocol
    return profile


def _rendered(value: EnvRef | str) -> str:
    return value.as_dbt_template() if isinstance(value, EnvRef) else value
