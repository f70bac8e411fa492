"""The Databricks plugin against the compliance suite, with dbt-databricks installed.

Runs in .engines/databricks (see ../test_databricks_in_its_environment.py). Every host
is a loopback address: nothing here may reach out to a real workspace.
"""

from typing import Any

import pytest

from floe_compute_databricks import DatabricksComputePlugin
from floe_gate.testing import ComputePluginCompliance


class TestDatabricksCompliance(ComputePluginCompliance):
    @pytest.fixture
    def plugin(self) -> DatabricksComputePlugin:
        return DatabricksComputePlugin()

    @pytest.fixture
    def target_settings(self) -> list[dict[str, Any]]:
        return [
            {
                "host": "127.0.0.1",
                "http_path": "/sql/1.0/warehouses/abc123def456",
                "token": {"env": "DATABRICKS_TOKEN"},
                "catalog": "main",
            },
            {
                "host": "localhost",
                "http_path": "sql/protocolv1/o/1234567890123456/0123-456789-abcdefgh",
                "client_id": {"env": "DATABRICKS_CLIENT_ID"},
                "client_secret": {"env": "DATABRICKS_CLIENT_SECRET"},
                "connect_retries": 3,
                "connect_timeout": 10,
                "session_properties": {"spark.sql.shuffle.partitions": 64},
            },
        ]
