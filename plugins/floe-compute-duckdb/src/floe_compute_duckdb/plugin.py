"""The DuckDB compute plugin: zero-service local development and light production work."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any, ClassVar

from floe_compute_duckdb import __version__
from floe_compute_duckdb.catalog import attachment_sql
from floe_compute_duckdb.config import DuckDBConfig
from floe_compute_duckdb.handoff import export_statements, import_statements
from floe_compute_duckdb.health import check_duckdb
from floe_compute_duckdb.pod_fit import pod_fit_problems
from floe_compute_duckdb.profile import build_profile, with_model_timeouts
from floe_gate.compute import (
    CatalogConfig,
    ComputeConfig,
    ComputePlugin,
    ConnectionResult,
    Relation,
    ResourceSpec,
)
from floe_gate.compute.health import bounded_check

DBT_PACKAGES = ["dbt-duckdb>=1.11.1,<1.12", "dbt-core>=1.11,<1.12", "duckdb==1.5.5"]
ICEBERG_PACKAGES = [
    f"duckdb-extension-{name}==1.5.5" for name in ("avro", "httpfs", "iceberg")
]  # exactly the duckdb above


class DuckDBComputePlugin(ComputePlugin[DuckDBConfig]):
    """DuckDB in process, in memory or on a database file."""

    name = "duckdb"
    version = __version__
    floe_api_version = "1.0"
    config_model: ClassVar[type[ComputeConfig]] = DuckDBConfig
    per_model_timeouts: ClassVar[bool] = True

    def generate_dbt_profile(self, config: DuckDBConfig) -> dict[str, Any]:
        return build_profile(config)

    def apply_model_timeouts(
        self, output: dict[str, Any], timeouts: Mapping[str, int]
    ) -> dict[str, Any]:
        return with_model_timeouts(output, timeouts)

    def get_required_dbt_packages(self) -> list[str]:
        # The profile loads floe_compute_duckdb.statement_guard inside dbt.
        return [*DBT_PACKAGES, f"floe-compute-duckdb=={__version__}"]

    def dbt_packages_for(self, config: DuckDBConfig) -> list[str]:
        if config.catalog is None:
            return self.get_required_dbt_packages()
        # The extensions load from these wheels, never from the network.
        return [*self.get_required_dbt_packages(), *ICEBERG_PACKAGES]

    def validate_connection(self, config: DuckDBConfig) -> ConnectionResult:
        return bounded_check(lambda: check_duckdb(config))

    def resource_fit(self, config: DuckDBConfig, resources: ResourceSpec) -> list[str]:
        return pod_fit_problems(config, resources)

    def export_sql(self, config: DuckDBConfig, relation: Relation, location: str) -> list[str]:
        return export_statements(relation, location)

    def import_sql(self, config: DuckDBConfig, relation: Relation, location: str) -> list[str]:
        return import_statements(relation, location)

    def local_directories(self, config: DuckDBConfig) -> list[tuple[str, str]]:
        # DuckDB creates a database file and a temp directory, never their parents.
        found = []
        if _is_local_file(config.path):
            found.append((posixpath.dirname(config.path.replace("\\", "/")) or ".", "path"))
        if config.temp_directory is not None and _is_local_file(config.temp_directory):
            parent = posixpath.dirname(config.temp_directory.replace("\\", "/").rstrip("/"))
            found.append((parent or ".", "temp_directory"))
        return [(directory, key) for directory, key in found if directory != "."]

    def get_catalog_attachment_sql(self, catalog_config: CatalogConfig) -> list[str]:
        return attachment_sql(catalog_config)


def _is_local_file(path: str) -> bool:
    """Not ``:memory:``, MotherDuck (``md:``) or a URL (``s3://``)."""
    return not (path.startswith(":") or "://" in path or path.startswith(("md:", "motherduck:")))
