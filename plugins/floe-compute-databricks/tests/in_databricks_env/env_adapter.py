"""dbt-databricks reads the generated profiles: credentials class and validate_creds.

Runs in .engines/databricks (see ../test_databricks_in_its_environment.py).
"""

from importlib.metadata import version
from typing import Any

import pytest
from packaging.requirements import Requirement

from floe_compute_databricks import DatabricksComputePlugin
from floe_gate.testing.dbt_profiles import AdapterRejectedProfile, validate_with_adapter

plugin = DatabricksComputePlugin()
HOST = "dbc-a1b2c3d4-e5f6.cloud.databricks.com"
WAREHOUSE = "/sql/1.0/warehouses/abc123def456"
CLUSTER = "sql/protocolv1/o/1234567890123456/0123-456789-abcdefgh"


def credentials(env: dict[str, str], **settings: Any) -> Any:
    output = plugin.generate_dbt_profile(plugin.parse_config(settings))
    return validate_with_adapter(output, env)


def test_warehouse_profile_with_a_token() -> None:
    creds = credentials(
        {"DATABRICKS_TOKEN": "dapi-token"},
        host=HOST,
        http_path=WAREHOUSE,
        token={"env": "DATABRICKS_TOKEN"},
        catalog="main",
        timeout_seconds=1200,
        connect_retries=4,
        connect_timeout=15,
        socket_timeout=90,
    )
    creds.validate_creds()
    assert (creds.host, creds.http_path, creds.token) == (HOST, WAREHOUSE, "dapi-token")
    assert (creds.database, creds.schema) == ("main", "default")
    assert creds.session_properties == {"STATEMENT_TIMEOUT": 1200}
    assert (creds.connect_retries, creds.connect_timeout) == (4, 15)
    assert creds.connection_parameters["_socket_timeout"] == 90


def test_cluster_profile_with_oauth_m2m() -> None:
    creds = credentials(
        {"DATABRICKS_CLIENT_ID": "id", "DATABRICKS_CLIENT_SECRET": "secret"},
        host=HOST,
        http_path=CLUSTER,
        client_id={"env": "DATABRICKS_CLIENT_ID"},
        client_secret={"env": "DATABRICKS_CLIENT_SECRET"},
    )
    creds.validate_creds()
    assert (creds.auth_type, creds.client_id, creds.client_secret) == ("oauth", "id", "secret")
    assert creds.database == "hive_metastore"  # no catalog: the workspace's legacy metastore
    assert creds.cluster_id == "0123-456789-abcdefgh"
    assert creds.session_properties == {}


def test_validate_creds_refuses_a_profile_without_authentication() -> None:
    """validate_creds is what dbt-databricks runs before connecting; the config is stricter."""
    output = plugin.generate_dbt_profile(
        plugin.parse_config({"host": HOST, "http_path": WAREHOUSE, "token": {"env": "T"}})
    )
    del output["token"]
    creds = validate_with_adapter(output, {})
    with pytest.raises(Exception, match="auth_type"):
        creds.validate_creds()


def test_dbt_databricks_rejects_what_the_config_keeps_out() -> None:
    output = plugin.generate_dbt_profile(
        plugin.parse_config({"host": HOST, "http_path": WAREHOUSE, "token": {"env": "T"}})
    )
    output["connection_parameters"]["catalog"] = "x"
    with pytest.raises(AdapterRejectedProfile, match="reserved"):
        validate_with_adapter(output, {"T": "t"})


def test_required_packages_are_what_this_environment_holds() -> None:
    for requirement in map(Requirement, plugin.get_required_dbt_packages()):
        installed = version(requirement.name)
        assert requirement.specifier.contains(installed), f"{requirement} vs {installed}"
