"""The BigQuery plugin against the compliance suite every plugin passes."""

from typing import Any

import pytest

from floe_compute_bigquery import BigQueryComputePlugin
from floe_gate.testing import ComputePluginCompliance


class TestBigQueryCompliance(ComputePluginCompliance):
    @pytest.fixture
    def plugin(self) -> BigQueryComputePlugin:
        return BigQueryComputePlugin()

    @pytest.fixture
    def target_settings(self) -> list[dict[str, Any]]:
        return [
            {"project": "acme-analytics"},
            {
                "project": "acme-analytics",
                "method": "service-account",
                "keyfile": {"env": "GOOGLE_APPLICATION_CREDENTIALS"},
                "execution_project": "acme-billing",
                "location": "EU",
                "priority": "batch",
                "maximum_bytes_billed": 1_000_000_000,
                "job_retries": 3,
                "job_creation_timeout_seconds": 60,
                "job_retry_deadline_seconds": 7200,
                "timeout_seconds": 3600,
                "threads": 8,
            },
            {
                "project": "acme-analytics",
                "method": "oauth-secrets",
                "refresh_token": {"env": "BIGQUERY_REFRESH_TOKEN"},
                "client_id": {"env": "BIGQUERY_CLIENT_ID"},
                "client_secret": {"env": "BIGQUERY_CLIENT_SECRET"},
                "impersonate_service_account": "dbt@acme-analytics.iam.gserviceaccount.com",
            },
        ]

    @pytest.fixture
    def unreachable_settings(self) -> dict[str, Any]:
        return {
            "project": "acme-analytics",
            "method": "oauth-secrets",
            "token": {"env": "BIGQUERY_TOKEN"},
            "api_endpoint": "http://127.0.0.1:9",
        }
