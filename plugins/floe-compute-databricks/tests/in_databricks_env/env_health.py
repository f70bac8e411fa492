"""validate_connection with the real databricks-sql-connector, against loopback only.

No Databricks workspace is reachable from here: these checks cover what can be
proven offline: the driver takes the connection arguments, and every failure before
a session is reported as what it is, in time. Runs in .engines/databricks.
"""

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from floe_compute_databricks import DatabricksComputePlugin
from floe_compute_databricks.health import check_databricks, connect
from floe_gate.compute import ConnectionStatus

plugin = DatabricksComputePlugin()
SETTINGS = {
    "host": "127.0.0.1",
    "http_path": "/sql/1.0/warehouses/abc123def456",
    "token": {"env": "FLOE_TEST_DATABRICKS_TOKEN"},
}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOE_TEST_DATABRICKS_TOKEN", "dapi-test")


@pytest.fixture
def not_databricks() -> Iterator[int]:
    """A loopback port that accepts TCP and hangs up: something, but not a workspace."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = server.accept()
            except TimeoutError:
                continue
            client.close()

    worker = threading.Thread(target=serve, daemon=True)
    worker.start()
    yield int(server.getsockname()[1])
    stop.set()
    worker.join(2)
    server.close()


def test_a_missing_token_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLOE_TEST_DATABRICKS_TOKEN", raising=False)
    result = plugin.validate_connection(plugin.parse_config(SETTINGS))
    assert result.status is ConnectionStatus.UNHEALTHY
    assert result.message == (
        "environment variable FLOE_TEST_DATABRICKS_TOKEN is not set: dbt cannot render "
        "the Databricks profile"
    )


def test_a_closed_port_is_unhealthy_at_once(token: None) -> None:
    port = closed_port()
    started = time.perf_counter()
    result = check_databricks(plugin.parse_config(SETTINGS), port=port)
    assert time.perf_counter() - started < 1
    assert result.status is ConnectionStatus.UNHEALTHY
    assert result.message == (
        f"cannot reach the Databricks workspace 127.0.0.1: connection refused on port {port}"
    )


def test_the_workspace_port_here_is_closed_too(token: None) -> None:
    """The plugin's own path (port 443): unhealthy within the 5 s the contract allows."""
    started = time.perf_counter()
    result = plugin.validate_connection(plugin.parse_config(SETTINGS))
    assert time.perf_counter() - started < 5
    assert result.status is ConnectionStatus.UNHEALTHY
    assert "cannot reach the Databricks workspace 127.0.0.1" in result.message


def test_the_driver_takes_the_arguments_and_fails_in_time(not_databricks: int) -> None:
    from databricks import sql

    config = plugin.parse_config({**SETTINGS, "catalog": "main"})
    started = time.perf_counter()
    with pytest.raises(Exception, match="SSL") as raised:  # urllib3's MaxRetryError
        connect(sql, config, {"access_token": "dapi-test"}, not_databricks)
    assert not isinstance(raised.value, TypeError)  # every argument was understood
    assert time.perf_counter() - started < 10


def test_something_that_is_not_databricks_refuses_the_session(
    token: None, not_databricks: int
) -> None:
    outcome: list[Any] = []
    started = time.perf_counter()
    worker = threading.Thread(
        target=lambda: outcome.append(
            check_databricks(plugin.parse_config(SETTINGS), port=not_databricks)
        ),
        daemon=True,
    )
    worker.start()
    worker.join(10)
    assert outcome, "the check did not answer within 10 s"
    [result] = outcome
    assert result.status is ConnectionStatus.UNHEALTHY, result
    assert result.message.startswith(
        "the Databricks workspace 127.0.0.1 refused a session on "
        "/sql/1.0/warehouses/abc123def456: the TLS handshake failed (is host a Databricks "
        "workspace, serving HTTPS on 443?): "
    )
    assert time.perf_counter() - started < 10
