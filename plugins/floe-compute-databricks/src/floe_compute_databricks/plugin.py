"""The Databricks compute plugin: dbt-databricks on a SQL warehouse or a cluster."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from floe_compute_databricks import __version__
from floe_compute_databricks.config import DatabricksConfig
from floe_compute_databricks.health import check_databricks
from floe_compute_databricks.profile import build_profile
from floe_gate.compute import (
    CatalogConfig,
    ComputeConfig,
    ComputePlugin,
    ConnectionResult,
    ResourceSpec,
)
from floe_gate.compute.health import bounded_check

DBT_PACKAGES = [
    "dbt-databricks>=1.11.2,<1.13",
    "dbt-core>=1.11,<1.12",
    "databricks-sql-connector>=4.1.1,<4.4.1",
]

# The work runs in Databricks; the dbt job's pod only compiles SQL and waits for it:
# a thin client, whatever the workload (larger projects parse and hold bigger manifests).
CLIENT_PRESETS: Mapping[str, ResourceSpec] = {
    "small": ResourceSpec(
        cpu_request="100m", cpu_limit="500m",
        memory_request="256Mi", memory_limit="512Mi",
        ephemeral_storage_request="100Mi", ephemeral_storage_limit="500Mi",
    ),
    "medium": ResourceSpec(
        cpu_request="250m", cpu_limit="1",
        memory_request="512Mi", memory_limit="1Gi",
        ephemeral_storage_request="200Mi", ephemeral_storage_limit="1Gi",
    ),
    "large": ResourceSpec(
        cpu_request="500m", cpu_limit="2",
        memory_request="1Gi", memory_limit="2Gi",
        ephemeral_storage_request="500Mi", ephemeral_storage_limit="2Gi",
    ),
}  # fmt: skip


class DatabricksComputePlugin(ComputePlugin[DatabricksConfig]):
    """Databricks: SQL warehouses (statement timeout enforced) and all-purpose clusters."""

    name = "databricks"
    version = __version__
    floe_api_version = "1.0"
    config_model: ClassVar[type[ComputeConfig]] = DatabricksConfig
    resource_presets: ClassVar[Mapping[str, ResourceSpec]] = CLIENT_PRESETS
    # timeout_seconds is the session's STATEMENT_TIMEOUT; a profile has no per-model
    # session settings, so per-transform overrides are reported, not enforced (FG205).
    # (per_model_timeouts stays False, the default.)

    def generate_dbt_profile(self, config: DatabricksConfig) -> dict[str, Any]:
        return build_profile(config)

    def get_required_dbt_packages(self) -> list[str]:
        return list(DBT_PACKAGES)

    def validate_connection(self, config: DatabricksConfig) -> ConnectionResult:
        return bounded_check(lambda: check_databricks(config))

    def get_catalog_attachment_sql(self, catalog_config: CatalogConfig) -> list[str] | None:
        # Databricks reaches Iceberg tables through Unity Catalog (DatabricksConfig.catalog).
        return None
