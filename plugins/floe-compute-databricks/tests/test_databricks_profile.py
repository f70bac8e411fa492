"""The dbt-databricks profile the plugin generates and what its config refuses.

dbt-databricks itself lives in .engines/databricks (engines/databricks/setup.sh):
test_databricks_in_its_environment.py runs the adapter's own checks there.
"""

import sys
from typing import Any

import pytest
from pydantic import ValidationError

from floe_compute_databricks import DatabricksComputePlugin
from floe_gate.compute import ComputeConfigurationError, ConnectionStatus

plugin = DatabricksComputePlugin()
WAREHOUSE = {
    "host": "dbc-a1b2c3d4-e5f6.cloud.databricks.com",
    "http_path": "/sql/1.0/warehouses/abc123def456",
    "token": {"env": "DATABRICKS_TOKEN"},
}
CLUSTER_PATH = "sql/protocolv1/o/1234567890123456/0123-456789-abcdefgh"


def profile(**settings: Any) -> dict[str, Any]:
    return plugin.generate_dbt_profile(plugin.parse_config(settings))


def test_sql_warehouse_with_a_token_and_the_statement_timeout() -> None:
    assert profile(**WAREHOUSE, timeout_seconds=1800, catalog="main") == {
        "type": "databricks",
        "schema": "default",
        "host": "dbc-a1b2c3d4-e5f6.cloud.databricks.com",
        "http_path": "/sql/1.0/warehouses/abc123def456",
        "threads": 4,
        "catalog": "main",
        "token": "{{ env_var('DATABRICKS_TOKEN') }}",
        "connect_retries": 1,
        "retry_all": False,
        "session_properties": {"STATEMENT_TIMEOUT": 1800},
        "connection_parameters": {"_socket_timeout": 600},
    }


def test_cluster_with_oauth_m2m_and_retries() -> None:
    output = profile(
        host=WAREHOUSE["host"],
        http_path=CLUSTER_PATH,
        client_id={"env": "DATABRICKS_CLIENT_ID"},
        client_secret={"env": "DATABRICKS_CLIENT_SECRET"},
        connect_retries=5,
        connect_timeout=20,
        retry_all=True,
        socket_timeout=120,
        session_properties={"spark.sql.shuffle.partitions": 64, "ansi_mode": True},
    )
    assert output["auth_type"] == "oauth"
    assert output["client_id"] == "{{ env_var('DATABRICKS_CLIENT_ID') }}"
    assert output["client_secret"] == "{{ env_var('DATABRICKS_CLIENT_SECRET') }}"
    assert "token" not in output
    assert (output["connect_retries"], output["connect_timeout"], output["retry_all"]) == (
        5,
        20,
        True,
    )
    assert output["connection_parameters"] == {"_socket_timeout": 120}
    # A cluster has no STATEMENT_TIMEOUT: only the user's properties are sent.
    assert output["session_properties"] == {"spark.sql.shuffle.partitions": 64, "ansi_mode": True}


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({**WAREHOUSE, "hots": "x"}, "hots"),
        ({**WAREHOUSE, "host": "https://dbc.cloud.databricks.com"}, "should match pattern"),
        ({**WAREHOUSE, "http_path": "/sql/2.0/x"}, "neither a SQL warehouse"),
        ({**WAREHOUSE, "token": "dapi-hunter2"}, "environment reference"),
        ({**WAREHOUSE, "client_id": {"env": "A"}}, "both client_id and client_secret"),
        (
            {**WAREHOUSE, "client_id": {"env": "A"}, "client_secret": {"env": "B"}},
            "exactly one of them",
        ),
        ({"host": "h", "http_path": WAREHOUSE["http_path"]}, "exactly one of them"),
        ({**WAREHOUSE, "session_properties": {"statement_timeout": 5}}, "set timeout_seconds"),
        ({**WAREHOUSE, "session_properties": {"databricks.catalog": "x"}}, "set catalog"),
        ({**WAREHOUSE, "session_properties": {"a.secret": "hunter2"}}, "looks like a credential"),
        ({**WAREHOUSE, "catalog": "main; drop"}, "should match pattern"),
        ({**WAREHOUSE, "credentials": {"x": {"env": "X"}}}, "credentials: Databricks takes"),
        ({**WAREHOUSE, "connect_retries": -1}, "greater than or equal to 0"),
    ],
)
def test_invalid_settings_fail_here_not_in_dbt(settings: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError) as raised:
        plugin.parse_config(settings)
    assert expected in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_presets_are_a_thin_client_pod() -> None:
    large = plugin.get_resource_requirements("large")
    assert (large.cpu_limit, large.memory_limit) == ("2", "2Gi")
    with pytest.raises(ComputeConfigurationError, match="small, medium, large"):
        plugin.get_resource_requirements("xl")


def test_no_catalog_sql_and_no_per_model_timeouts() -> None:
    from floe_gate.compute import CatalogConfig

    catalog = CatalogConfig(catalog_uri="http://c/api/catalog", catalog_name="c")
    assert plugin.get_catalog_attachment_sql(catalog) is None
    assert plugin.per_model_timeouts is False
    with pytest.raises(ComputeConfigurationError, match="cannot limit single dbt models"):
        plugin.apply_model_timeouts(profile(**WAREHOUSE), {"fct_revenue": 60})


def test_health_without_the_driver_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "databricks", None)  # import databricks: ImportError
    result = plugin.validate_connection(plugin.parse_config(WAREHOUSE))
    assert result.status is ConnectionStatus.UNHEALTHY
    assert "pip install 'floe-compute-databricks[driver]'" in result.message
