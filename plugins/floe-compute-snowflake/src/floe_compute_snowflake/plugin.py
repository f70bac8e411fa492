"""The Snowflake compute plugin: dbt-snowflake against a Snowflake account."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from floe_compute_snowflake import __version__
from floe_compute_snowflake.config import SnowflakeConfig
from floe_compute_snowflake.health import check_snowflake
from floe_compute_snowflake.profile import build_profile
from floe_gate.compute import (
    CatalogConfig,
    ComputeConfig,
    ComputePlugin,
    ConnectionResult,
    ResourceSpec,
)
from floe_gate.compute.health import bounded_check
from floe_gate.compute.models import WAREHOUSE_CLIENT_PRESETS

DBT_PACKAGES = ["dbt-snowflake>=1.11,<1.12", "dbt-core>=1.11,<1.12"]

CLIENT_PRESETS = WAREHOUSE_CLIENT_PRESETS  # a thin client: the warehouse does the work


class SnowflakeComputePlugin(ComputePlugin[SnowflakeConfig]):
    """Snowflake through dbt-snowflake; health through snowflake-connector-python."""

    name = "snowflake"
    version = __version__
    floe_api_version = "1.0"
    config_model: ClassVar[type[ComputeConfig]] = SnowflakeConfig
    resource_presets: ClassVar[Mapping[str, ResourceSpec]] = CLIENT_PRESETS
    # dbt-snowflake passes no session parameter but QUERY_TAG to the driver: neither
    # the default nor a single model's statement timeout can be set from a profile.
    # (per_model_timeouts stays False, the default.)

    def generate_dbt_profile(self, config: SnowflakeConfig) -> dict[str, Any]:
        return build_profile(config)

    def get_required_dbt_packages(self) -> list[str]:
        return list(DBT_PACKAGES)

    def validate_connection(self, config: SnowflakeConfig) -> ConnectionResult:
        return bounded_check(lambda: check_snowflake(config))

    def get_catalog_attachment_sql(self, catalog_config: CatalogConfig) -> None:
        return None  # Snowflake reaches Iceberg through its own catalog integrations
