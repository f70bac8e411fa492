"""Snowflake target settings → the dbt-snowflake profile, and dbt-snowflake's reading of it."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from pydantic import ValidationError

from floe_compute_snowflake import SnowflakeComputePlugin
from floe_compute_snowflake.health import statement_timeout_warnings
from floe_gate.compute import CatalogConfig, ComputeConfigurationError
from floe_gate.testing.dbt_profiles import validate_with_adapter

PLUGIN = SnowflakeComputePlugin()
MINIMAL = {
    "account": "acme-xy123",
    "user": {"env": "SNOWFLAKE_USER"},
    "password": {"env": "SNOWFLAKE_PASSWORD"},
    "database": "ANALYTICS",
}
ENV = {"SNOWFLAKE_USER": "dbt_runner", "SNOWFLAKE_PASSWORD": "s3cret", "SNOWFLAKE_KEY": "pem"}


def profile(**settings: Any) -> dict[str, Any]:
    return PLUGIN.generate_dbt_profile(PLUGIN.parse_config({**MINIMAL, **settings}))


def test_minimal_profile() -> None:
    assert profile() == {
        "type": "snowflake",
        "account": "acme-xy123",
        "user": "{{ env_var('SNOWFLAKE_USER') }}",
        "database": "ANALYTICS",
        "schema": "PUBLIC",
        "threads": 4,
        "password": "{{ env_var('SNOWFLAKE_PASSWORD') }}",
        "connect_retries": 1,
        "retry_on_database_errors": False,
        "reuse_connections": True,
        "client_session_keep_alive": False,
    }


def test_connection_and_retry_settings_reach_dbt_snowflake() -> None:
    output = profile(
        warehouse="TRANSFORMING",
        role="TRANSFORMER",
        query_tag="floe revenue",
        connect_retries=3,
        connect_retry_wait_seconds=7,
        retry_on_database_errors=True,
        reuse_connections=False,
        host="127.0.0.1",
        port=8443,
        protocol="http",
        threads=6,
    )
    credentials = validate_with_adapter({**output, "schema": "REVENUE"}, ENV)
    assert type(credentials).__name__ == "SnowflakeCredentials"
    assert (credentials.account, credentials.user, credentials.password) == (
        "acme-xy123",
        "dbt_runner",
        "s3cret",
    )
    assert (credentials.database, credentials.schema) == ("ANALYTICS", "REVENUE")
    assert (credentials.warehouse, credentials.role) == ("TRANSFORMING", "TRANSFORMER")
    assert credentials.query_tag == "floe revenue"
    assert (credentials.connect_retries, credentials.connect_timeout) == (3, 7)
    assert credentials.retry_on_database_errors is True
    assert credentials.reuse_connections is False
    assert (credentials.host, credentials.port, credentials.protocol) == ("127.0.0.1", 8443, "http")


def test_key_pair_authentication() -> None:
    output = profile(
        password=None,
        user="DBT_RUNNER",
        private_key={"env": "SNOWFLAKE_KEY"},
        private_key_passphrase={"env": "SNOWFLAKE_PASSWORD"},
    )
    assert "password" not in output
    assert output["user"] == "DBT_RUNNER"
    assert output["private_key"] == "{{ env_var('SNOWFLAKE_KEY') }}"
    credentials = validate_with_adapter(output, ENV)
    assert (credentials.private_key, credentials.private_key_passphrase) == ("pem", "s3cret")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"password": "hunter2"}, "never a literal value"),
        ({"private_key": {"env": "K"}}, "either password or private_key"),
        ({"password": None}, "set password: {env: NAME} or private_key"),
        ({"private_key_passphrase": {"env": "P"}}, "private_key_passphrase needs private_key"),
        ({"credentials": {"token": {"env": "T"}}}, "credentials: Snowflake takes its secrets"),
        ({"connect_retries": 0, "connect_retry_wait_seconds": 3}, "needs connect_retries"),
        ({"database": "analytics; drop"}, "database"),
        ({"protocol": "ftp"}, "protocol"),
        ({"statement_timeout": 60}, "statement_timeout"),
    ],
)
def test_invalid_settings_are_refused(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message) as raised:
        PLUGIN.parse_config({**MINIMAL, **settings})
    assert "hunter2" not in str(raised.value)


@pytest.mark.parametrize(
    ("session_value", "warned"),
    [("3600", False), ("600", False), ("7200", True), ("0", True), (None, False)],
)
def test_a_session_statement_timeout_above_timeout_seconds_is_a_warning(
    session_value: str | None, warned: bool
) -> None:
    config = PLUGIN.parse_config({**MINIMAL, "user": "DBT_RUNNER", "timeout_seconds": 3600})
    parameters = {} if session_value is None else {"STATEMENT_TIMEOUT_IN_SECONDS": session_value}
    warnings = statement_timeout_warnings(config, parameters)
    assert bool(warnings) is warned
    if warned:
        assert warnings[0].endswith(
            "ALTER USER DBT_RUNNER SET STATEMENT_TIMEOUT_IN_SECONDS = 3600 (or on the warehouse)"
        )


def test_per_model_timeouts_are_refused_not_dropped() -> None:
    assert PLUGIN.per_model_timeouts is False
    output = profile()
    assert PLUGIN.apply_model_timeouts(output, {}) is output
    with pytest.raises(ComputeConfigurationError, match="cannot limit single dbt models"):
        PLUGIN.apply_model_timeouts(output, {"fct_revenue": 60})


def test_a_client_pod_is_small() -> None:
    large = PLUGIN.get_resource_requirements("large")
    assert (large.cpu_limit, large.memory_limit) == ("2000m", "2Gi")
    assert list(PLUGIN.resource_presets) == ["small", "medium", "large"]


def test_no_catalog_attachment_sql() -> None:
    catalog = CatalogConfig(catalog_type="rest", catalog_uri="http://x", catalog_name="c")
    assert PLUGIN.get_catalog_attachment_sql(catalog) is None


def test_importing_the_plugin_imports_no_driver_or_dbt() -> None:
    # Namespace packages a .pth file imports at start-up (google, google.cloud) don't count.
    code = (
        "import sys; before = set(sys.modules); import floe_compute_snowflake;"
        "new = set(sys.modules) - before;"
        "print(sorted(m for m in new if m.split('.')[0] in ('snowflake', 'dbt')))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_registered_in_the_floe_computes_group() -> None:
    from importlib.metadata import entry_points

    [entry] = [e for e in entry_points(group="floe.computes") if e.name == "snowflake"]
    assert entry.value == "floe_compute_snowflake:SnowflakeComputePlugin"
    assert entry.dist is not None
    assert entry.dist.name == "floe-compute-snowflake"
