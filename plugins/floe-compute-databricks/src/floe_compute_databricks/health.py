"""Databricks health with the native driver (databricks-sql-connector), bounded in time.

In order, each failure with what to do about it:

1. the driver is installed;
2. the credentials' environment variables are set (dbt would stop rendering the profile);
3. the workspace host resolves and accepts a TCP connection on 443;
4. a session opens (with the profile's session properties and catalog) and answers
   ``SELECT 1``, the driver retrying once at most: a rejected token, an unknown
   warehouse or a stopped cluster are reported as the workspace words them.

A stopped SQL warehouse starts when a session opens and takes longer than the check
may wait: it is reported as no answer in time, which is what a dbt run would meet too.
"""

from __future__ import annotations

import os
import socket
import time
from typing import Any

from floe_compute_databricks.config import DatabricksConfig
from floe_compute_databricks.profile import session_properties
from floe_gate.compute import ConnectionResult, ConnectionStatus, EnvRef
from floe_gate.compute.health import elapsed_ms, unhealthy

DRIVER_MISSING = (
    "the Databricks driver is not installed: pip install 'floe-compute-databricks[driver]' "
    "(or 'floe-gate[databricks]')"
)
HTTPS_PORT = 443
SOCKET_TIMEOUT_SECONDS = 4.0


class MissingVariable(LookupError):
    pass


def check_databricks(config: DatabricksConfig, port: int = HTTPS_PORT) -> ConnectionResult:
    started = time.perf_counter()
    try:
        from databricks import sql
    except ImportError:
        return unhealthy(started, DRIVER_MISSING)
    try:
        authentication = _authentication(config)
    except MissingVariable as missing:
        return unhealthy(
            started,
            f"environment variable {missing} is not set: dbt cannot render the Databricks profile",
        )
    except ImportError:
        return unhealthy(
            started, "OAuth M2M needs databricks-sdk: pip install 'floe-compute-databricks[dbt]'"
        )
    where = f"Databricks workspace {config.host}"
    problem = _unreachable(config.host, port)
    if problem is not None:
        return unhealthy(started, f"cannot reach the {where}: {problem}")
    try:
        connection = connect(sql, config, authentication, port)
    except Exception as error:
        return unhealthy(
            started, f"the {where} refused a session on {config.http_path}: {_reason(error)}"
        )
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchall()
    except Exception as error:
        failure = _first_line(error)
        return unhealthy(started, f"the {where} opened a session but SELECT 1 failed: {failure}")
    finally:
        connection.close()
    return ConnectionResult(
        status=ConnectionStatus.HEALTHY,
        latency_ms=elapsed_ms(started),
        message=f"the {where} answered on {config.http_path}",
    )


def connect(sql: Any, config: DatabricksConfig, authentication: dict[str, Any], port: int) -> Any:
    """A driver connection that fails fast: one attempt, short socket timeout, no telemetry."""
    return sql.connect(
        server_hostname=config.host,
        http_path=config.http_path,
        catalog=config.catalog,
        session_configuration={k: str(v) for k, v in session_properties(config).items()},
        _port=port,
        _socket_timeout=SOCKET_TIMEOUT_SECONDS,
        _retry_stop_after_attempts_count=1,
        _retry_stop_after_attempts_duration=SOCKET_TIMEOUT_SECONDS,
        enable_telemetry=False,
        **authentication,
    )


def _value(reference: EnvRef) -> str:
    if reference.env not in os.environ:
        raise MissingVariable(reference.env)
    return os.environ[reference.env]


def _authentication(config: DatabricksConfig) -> dict[str, Any]:
    if config.token is not None:
        return {"access_token": _value(config.token)}
    if config.client_id is None or config.client_secret is None:  # the config forbids it
        raise ValueError("neither a token nor OAuth M2M credentials")
    client_id, client_secret = _value(config.client_id), _value(config.client_secret)
    from databricks.sdk.core import Config, oauth_service_principal

    def provider() -> Any:
        workspace = Config(
            host=f"https://{config.host}", client_id=client_id, client_secret=client_secret
        )
        return oauth_service_principal(workspace)

    return {"credentials_provider": provider}


def _unreachable(host: str, port: int) -> str | None:
    try:
        with socket.create_connection((host, port), timeout=SOCKET_TIMEOUT_SECONDS):
            return None
    except socket.gaierror as error:
        return f"host {host!r} does not resolve ({error.strerror}): check the workspace host"
    except ConnectionRefusedError:
        return f"connection refused on port {port}"
    except TimeoutError:
        return f"no answer on port {port} within {SOCKET_TIMEOUT_SECONDS:g} s (firewall, proxy?)"
    except OSError as error:
        return error.strerror or type(error).__name__


def _reason(error: BaseException) -> str:
    text = _first_line(error)
    if "SSLError" in text or "SSL:" in text:
        return (
            "the TLS handshake failed (is host a Databricks workspace, serving HTTPS "
            f"on 443?): {text}"
        )
    return text


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
