"""Snowflake health with the native driver (``snowflake-connector-python``).

Checks in order, each failing with an actionable message and never an exception:

1. the driver is installed;
2. every ``{env: NAME}`` the target references is set in this process;
3. the endpoint accepts TCP connections (so a dead host answers "cannot reach"
   within a second instead of the driver's retry loop);
4. login, with short login and network timeouts and no retries;
5. ``SELECT CURRENT_VERSION(), CURRENT_DATABASE()``: the database must be usable;
6. the session's ``STATEMENT_TIMEOUT_IN_SECONDS``: dbt-snowflake cannot set it from
   the profile, so a value above ``timeout_seconds`` (or 0, unlimited) degrades the
   target, naming the statement that fixes it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from floe_compute_snowflake.config import SnowflakeConfig
from floe_gate.compute import ConnectionResult, ConnectionStatus
from floe_gate.compute.health import elapsed_ms, tcp_unreachable, unhealthy
from floe_gate.compute.references import UnsetVariables, resolve_references

DRIVER_MISSING = (
    "the Snowflake driver is not installed: pip install 'floe-compute-snowflake[driver]' "
    "(snowflake-connector-python)"
)
LOGIN_TIMEOUT_SECONDS = 3


def check_snowflake(config: SnowflakeConfig) -> ConnectionResult:
    started = time.perf_counter()
    try:
        import snowflake.connector
    except ImportError:
        return unhealthy(started, DRIVER_MISSING)
    try:
        values = resolve_references(config.secrets())
    except UnsetVariables as unset:
        return unhealthy(started, str(unset))
    host, port = config.endpoint
    unreachable = tcp_unreachable(host, port)
    if unreachable:
        return unhealthy(
            started,
            f"cannot reach Snowflake at {host}:{port} ({unreachable}): check account, host "
            "and port, and that this network may reach it",
        )
    try:
        arguments = _connect_arguments(config, values)
    except (ValueError, TypeError) as error:
        ref = config.secrets()["private_key"]
        return unhealthy(
            started,
            f"private_key (from {ref.env}) is not a PEM private key that its passphrase "
            f"opens: {_first(error)}",
        )
    try:
        connection = snowflake.connector.connect(**arguments)
    except snowflake.connector.errors.DatabaseError as error:
        return unhealthy(started, f"login to account {config.account} refused: {_first(error)}")
    except Exception as error:
        return unhealthy(started, f"cannot connect to {host}:{port}: {_first(error)}")
    try:
        cursor = connection.cursor()
        cursor.execute(
            "SELECT CURRENT_VERSION(), CURRENT_DATABASE()", timeout=LOGIN_TIMEOUT_SECONDS
        )
        version, database = cursor.fetchone() or (None, None)
        if database is None:
            return unhealthy(
                started,
                f"database {config.database} does not exist or role "
                f"{config.role or '(default)'} cannot use it: create it or grant USAGE",
            )
        cursor.execute(
            "SHOW PARAMETERS LIKE 'STATEMENT_TIMEOUT_IN_SECONDS' IN SESSION",
            timeout=LOGIN_TIMEOUT_SECONDS,
        )
        rows = cursor.fetchall()
        columns = [column[0].lower() for column in cursor.description or ()]
    except snowflake.connector.errors.Error as error:
        return unhealthy(started, f"query failed: {_first(error)}")
    finally:
        connection.close()
    warnings = statement_timeout_warnings(config, _parameter_values(rows, columns))
    message = f"Snowflake {version} answered; database {database}"
    if warnings:
        message += "; statement timeout above timeout_seconds"
    return ConnectionResult(
        status=ConnectionStatus.DEGRADED if warnings else ConnectionStatus.HEALTHY,
        latency_ms=elapsed_ms(started),
        message=message,
        warnings=tuple(warnings),
    )


def statement_timeout_warnings(config: SnowflakeConfig, parameters: dict[str, str]) -> list[str]:
    """A warning when the session lets statements run longer than ``timeout_seconds``."""
    value = parameters.get("STATEMENT_TIMEOUT_IN_SECONDS")
    if value is None or not value.strip().isdigit():
        return []  # not reported (emulators): nothing to compare
    seconds = int(value)
    if 0 < seconds <= config.timeout_seconds:
        return []
    current = "unlimited (0)" if seconds == 0 else f"{seconds} s"
    user = config.user if isinstance(config.user, str) else "<dbt user>"
    return [
        f"STATEMENT_TIMEOUT_IN_SECONDS of dbt's session is {current}, above timeout_seconds "
        f"({config.timeout_seconds} s), and dbt-snowflake cannot set it from the profile: "
        f"ALTER USER {user} SET STATEMENT_TIMEOUT_IN_SECONDS = {config.timeout_seconds} "
        "(or on the warehouse)"
    ]


def _parameter_values(rows: Iterable[Sequence[Any]], columns: list[str]) -> dict[str, str]:
    if "key" not in columns or "value" not in columns:
        return {}
    key, value = columns.index("key"), columns.index("value")
    return {str(row[key]).upper(): str(row[value]) for row in rows}


def _connect_arguments(config: SnowflakeConfig, secrets: dict[str, str]) -> dict[str, Any]:
    host, port = config.endpoint
    arguments: dict[str, Any] = {
        "account": config.account,
        "user": secrets.get("user", config.user),
        "database": config.database,
        "host": host,
        "port": port,
        "protocol": config.protocol,
        "login_timeout": LOGIN_TIMEOUT_SECONDS,
        "network_timeout": LOGIN_TIMEOUT_SECONDS,
        "socket_timeout": LOGIN_TIMEOUT_SECONDS,
        "application": "floe-gate",
        "session_parameters": {"QUERY_TAG": "floe-gate health"},
    }
    if config.warehouse is not None:
        arguments["warehouse"] = config.warehouse
    if config.role is not None:
        arguments["role"] = config.role
    if "password" in secrets:
        arguments["password"] = secrets["password"]
    if "private_key" in secrets:
        arguments["private_key"] = _private_key(
            secrets["private_key"], secrets.get("private_key_passphrase")
        )
    return arguments


def _private_key(pem: str, passphrase: str | None) -> bytes:
    """The PEM key as the DER bytes the driver takes (as dbt-snowflake converts it)."""
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(
        pem.encode(), password=passphrase.encode() if passphrase else None
    )
    return key.private_bytes(
        encoding=serialization.Encoding.DER,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )


def _first(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
