"""The dbt-bigquery profile output for a BigQuery target.

``timeout_seconds`` becomes ``job_execution_timeout_seconds``, the limit dbt-bigquery
sets on every query job; ``job_retries``, ``job_creation_timeout_seconds`` and
``job_retry_deadline_seconds`` are dbt-bigquery's own retry settings.
"""

from __future__ import annotations

from typing import Any

from floe_compute_bigquery.config import BigQueryConfig

PLACEHOLDER_DATASET = "floe"
"""dbt needs a dataset; ``floe-gate compile`` replaces it with the product's schema."""


def build_profile(config: BigQueryConfig) -> dict[str, Any]:
    """One ``outputs:`` entry; secrets appear only as ``{{ env_var('NAME') }}``."""
    profile: dict[str, Any] = {
        "type": "bigquery",
        "method": config.method,
        "project": config.project,
        "schema": PLACEHOLDER_DATASET,
        "threads": config.threads,
    }
    for name, ref in config.secrets().items():
        profile[name] = ref.as_dbt_template()
    for key in (
        "execution_project",
        "quota_project",
        "location",
        "impersonate_service_account",
        "maximum_bytes_billed",
        "job_creation_timeout_seconds",
        "job_retry_deadline_seconds",
        "api_endpoint",
    ):
        value = getattr(config, key)
        if value is not None:
            profile[key] = value
    profile["priority"] = config.priority
    profile["job_execution_timeout_seconds"] = config.timeout_seconds
    profile["job_retries"] = config.job_retries
    return profile
