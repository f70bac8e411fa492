"""The compliance suite again, for a DuckDB target that attaches an Iceberg catalog.

It proves the catalog's profile blocks pass dbt-duckdb's own credentials
validation, hold no secret value, and are generated without a socket or a driver.
"""

from typing import Any

import pytest

from floe_compute_duckdb import DuckDBComputePlugin
from floe_gate.testing import ComputePluginCompliance

CATALOG = {
    "catalog_uri": "http://127.0.0.1:9/api/catalog",
    "catalog_name": "lake",
    "warehouse": "floe_wh",
}


class TestDuckDBIcebergCompliance(ComputePluginCompliance):
    @pytest.fixture
    def plugin(self) -> DuckDBComputePlugin:
        return DuckDBComputePlugin()

    @pytest.fixture
    def target_settings(self, tmp_path: Any) -> list[dict[str, Any]]:
        oauth = {
            **CATALOG,
            "credentials": {
                "client_id": {"env": "POLARIS_CLIENT_ID"},
                "client_secret": {"env": "POLARIS_CLIENT_SECRET"},
            },
        }
        bearer = {**CATALOG, "credentials": {"token": {"env": "POLARIS_TOKEN"}}}
        return [
            {"path": str(tmp_path / "w.duckdb"), "catalog": oauth},
            {"catalog": bearer, "extension_directory": str(tmp_path / "ext")},
            {"catalog": {**CATALOG, "access_delegation": "none"}},
        ]
