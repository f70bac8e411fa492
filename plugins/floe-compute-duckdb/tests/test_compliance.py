"""The DuckDB plugin against the compliance suite every plugin passes."""

from typing import Any

import pytest

from floe_compute_duckdb import DuckDBComputePlugin
from floe_gate.testing import ComputePluginCompliance


class TestDuckDBCompliance(ComputePluginCompliance):
    @pytest.fixture
    def plugin(self) -> DuckDBComputePlugin:
        return DuckDBComputePlugin()

    @pytest.fixture
    def target_settings(self, tmp_path: Any) -> list[dict[str, Any]]:
        return [
            {},
            {
                "path": str(tmp_path / "warehouse.duckdb"),
                "memory_limit": "1GiB",
                "threads": 2,
                "temp_directory": str(tmp_path / "spill"),
                "max_temp_directory_size": "2GB",
                "extensions": ["httpfs"],
                "secrets": [
                    {
                        "type": "s3",
                        "key_id": {"env": "AWS_ACCESS_KEY_ID"},
                        "secret": {"env": "AWS_SECRET_ACCESS_KEY"},
                        "region": "eu-west-1",
                    }
                ],
                "settings": {"preserve_insertion_order": False},
            },
        ]

    @pytest.fixture
    def unreachable_settings(self, tmp_path: Any) -> dict[str, Any]:
        return {"path": str(tmp_path / "no" / "such" / "dir" / "db.duckdb")}
