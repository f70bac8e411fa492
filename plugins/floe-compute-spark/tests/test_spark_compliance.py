"""The Spark plugin against the compliance suite every plugin passes."""

import socket
from typing import Any

import pytest

from floe_compute_spark import SparkComputePlugin
from floe_gate.testing import ComputePluginCompliance

REST_CATALOG = {
    "catalog_type": "rest",
    "catalog_uri": "http://127.0.0.1:9/api/catalog",
    "catalog_name": "lake",
    "warehouse": "floe_wh",
    "credentials": {
        "client_id": {"env": "LAKE_CLIENT_ID"},
        "client_secret": {"env": "LAKE_SECRET"},
    },
}


def free_port() -> int:
    """A loopback port nothing listens on (an unreachable target that answers at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TestSparkCompliance(ComputePluginCompliance):
    @pytest.fixture
    def plugin(self) -> SparkComputePlugin:
        return SparkComputePlugin()

    @pytest.fixture
    def target_settings(self) -> list[dict[str, Any]]:
        return [
            {"host": "localhost", "port": free_port()},
            {
                "host": "localhost",
                "port": free_port(),
                "auth": "LDAP",
                "user": "dbt_runner",
                "password": {"env": "SPARK_PASSWORD"},
                "connect_retries": 3,
                "connect_timeout": 5,
                "timeout_seconds": 900,
                "catalog": REST_CATALOG,
                "catalog_properties": {"io-impl": "org.apache.iceberg.aws.s3.S3FileIO"},
                "spark_conf": {
                    "spark.sql.shuffle.partitions": 8,
                    "spark.hadoop.fs.s3a.secret.key": {"env": "S3_SECRET_KEY"},
                },
            },
            {"method": "session", "catalog": REST_CATALOG},
        ]

    @pytest.fixture
    def unreachable_settings(self) -> dict[str, Any]:
        return {"host": "127.0.0.1", "port": free_port()}
