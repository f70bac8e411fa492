"""The Snowflake plugin against the compliance suite every plugin passes."""

from typing import Any

import pytest

from floe_compute_snowflake import SnowflakeComputePlugin
from floe_gate.testing import ComputePluginCompliance


class TestSnowflakeCompliance(ComputePluginCompliance):
    @pytest.fixture
    def plugin(self) -> SnowflakeComputePlugin:
        return SnowflakeComputePlugin()

    @pytest.fixture
    def target_settings(self) -> list[dict[str, Any]]:
        return [
            {
                "account": "acme-xy123",
                "user": {"env": "SNOWFLAKE_USER"},
                "password": {"env": "SNOWFLAKE_PASSWORD"},
                "database": "ANALYTICS",
            },
            {
                "account": "acme-xy123",
                "user": "DBT_RUNNER",
                "private_key": {"env": "SNOWFLAKE_PRIVATE_KEY"},
                "private_key_passphrase": {"env": "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"},
                "database": "ANALYTICS",
                "warehouse": "TRANSFORMING",
                "role": "TRANSFORMER",
                "query_tag": "floe",
                "connect_retries": 3,
                "connect_retry_wait_seconds": 5,
                "retry_on_database_errors": True,
                "reuse_connections": False,
                "client_session_keep_alive": True,
                "host": "acme-xy123.privatelink.snowflakecomputing.com",
                "port": 443,
                "timeout_seconds": 1800,
                "threads": 8,
            },
        ]

    @pytest.fixture
    def unreachable_settings(self) -> dict[str, Any]:
        return {
            "account": "acme-xy123",
            "user": {"env": "SNOWFLAKE_USER"},
            "password": {"env": "SNOWFLAKE_PASSWORD"},
            "database": "ANALYTICS",
            "host": "127.0.0.1",
            "port": 9,
            "protocol": "http",
        }
