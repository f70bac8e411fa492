"""The Spark compute plugin: dbt-spark over a Spark Thrift server, or Spark inside dbt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from floe_compute_spark import __version__
from floe_compute_spark.config import SparkConfig
from floe_compute_spark.handoff import export_statements, import_statements
from floe_compute_spark.health import check_spark
from floe_compute_spark.pod_fit import pod_fit_problems
from floe_compute_spark.profile import build_profile
from floe_gate.compute import (
    CatalogConfig,
    ComputeConfig,
    ComputePlugin,
    ConnectionResult,
    Relation,
    ResourceSpec,
)
from floe_gate.compute.health import bounded_check

DBT_PACKAGES = ["dbt-spark[PyHive]>=1.11,<1.12", "dbt-core>=1.11,<1.12"]
SESSION_PACKAGE = "pyspark>=4.0,<5"

# The dbt job's pod is sized as a Spark driver: with `method: session` it is one (a JVM
# whose heap plus off-heap overhead, at least 384 MiB, must fit under the limit, with
# shuffle and spill files on local disk); with `method: thrift` the same pod runs only
# dbt and the Spark cluster is sized where it is deployed, and `small` suffices.
SPARK_PRESETS: Mapping[str, ResourceSpec] = {
    "small": ResourceSpec(
        cpu_request="500m", cpu_limit="2",
        memory_request="2Gi", memory_limit="3Gi",
        ephemeral_storage_request="2Gi", ephemeral_storage_limit="10Gi",
    ),
    "medium": ResourceSpec(
        cpu_request="2", cpu_limit="4",
        memory_request="6Gi", memory_limit="8Gi",
        ephemeral_storage_request="10Gi", ephemeral_storage_limit="40Gi",
    ),
    "large": ResourceSpec(
        cpu_request="4", cpu_limit="8",
        memory_request="14Gi", memory_limit="16Gi",
        ephemeral_storage_request="40Gi", ephemeral_storage_limit="100Gi",
    ),
}  # fmt: skip


class SparkComputePlugin(ComputePlugin[SparkConfig]):
    """Apache Spark: a Spark Thrift server (HiveThriftServer2) or a local session."""

    name = "spark"
    version = __version__
    floe_api_version = "1.0"
    config_model: ClassVar[type[ComputeConfig]] = SparkConfig
    resource_presets: ClassVar[Mapping[str, ResourceSpec]] = SPARK_PRESETS
    # timeout_seconds becomes the server's statement timeout for the whole session; dbt
    # profiles carry no per-model session settings, so per-transform overrides cannot be
    # enforced and the gate reports them (FG205).
    # (per_model_timeouts stays False, the default.)

    def generate_dbt_profile(self, config: SparkConfig) -> dict[str, Any]:
        return build_profile(config)

    def get_required_dbt_packages(self) -> list[str]:
        return list(DBT_PACKAGES)

    def dbt_packages_for(self, config: SparkConfig) -> list[str]:
        # method session runs Spark inside the dbt process.
        extra = [SESSION_PACKAGE] if config.method == "session" else []
        return [*self.get_required_dbt_packages(), *extra]

    def export_sql(self, config: SparkConfig, relation: Relation, location: str) -> list[str]:
        return export_statements(relation, location)

    def import_sql(self, config: SparkConfig, relation: Relation, location: str) -> list[str]:
        return import_statements(relation, location)

    def validate_connection(self, config: SparkConfig) -> ConnectionResult:
        return bounded_check(lambda: check_spark(config))

    def resource_fit(self, config: SparkConfig, resources: ResourceSpec) -> list[str]:
        return pod_fit_problems(config, resources)

    def get_catalog_attachment_sql(self, catalog_config: CatalogConfig) -> list[str] | None:
        # Spark attaches Iceberg catalogs through session settings, which the profile
        # carries (SparkConfig.catalog), not through SQL.
        return None
