"""The BigQuery compute plugin: dbt-bigquery against a Google Cloud project."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from floe_compute_bigquery import __version__
from floe_compute_bigquery.config import BigQueryConfig
from floe_compute_bigquery.health import check_bigquery
from floe_compute_bigquery.profile import build_profile
from floe_gate.compute import (
    CatalogConfig,
    ComputeConfig,
    ComputePlugin,
    ConnectionResult,
    ResourceSpec,
)
from floe_gate.compute.health import bounded_check
from floe_gate.compute.models import WAREHOUSE_CLIENT_PRESETS

DBT_PACKAGES = ["dbt-bigquery>=1.11,<1.12", "dbt-core>=1.11,<1.12"]

CLIENT_PRESETS = WAREHOUSE_CLIENT_PRESETS  # a thin client: the warehouse does the work


class BigQueryComputePlugin(ComputePlugin[BigQueryConfig]):
    """BigQuery through dbt-bigquery; health through google-cloud-bigquery."""

    name = "bigquery"
    version = __version__
    floe_api_version = "1.0"
    config_model: ClassVar[type[ComputeConfig]] = BigQueryConfig
    resource_presets: ClassVar[Mapping[str, ResourceSpec]] = CLIENT_PRESETS
    # job_execution_timeout_seconds is one value per profile output: the default
    # timeout maps onto it, but a single model's own timeout cannot be expressed.
    # (per_model_timeouts stays False, the default.)

    def generate_dbt_profile(self, config: BigQueryConfig) -> dict[str, Any]:
        return build_profile(config)

    def get_required_dbt_packages(self) -> list[str]:
        return list(DBT_PACKAGES)

    def validate_connection(self, config: BigQueryConfig) -> ConnectionResult:
        return bounded_check(lambda: check_bigquery(config))

    def get_catalog_attachment_sql(self, catalog_config: CatalogConfig) -> None:
        return None  # BigQuery reaches Iceberg through BigLake, configured in the project
