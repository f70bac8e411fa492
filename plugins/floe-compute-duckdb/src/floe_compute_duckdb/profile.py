"""The dbt-duckdb profile output for a DuckDB target."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from floe_compute_duckdb.catalog import add_catalog
from floe_compute_duckdb.config import DuckDBConfig, DuckDBSecret
from floe_gate.compute import AttachConfig, EnvRef


def build_profile(config: DuckDBConfig) -> dict[str, Any]:
    """One ``outputs:`` entry; secrets appear only as ``{{ env_var('NAME') }}``."""
    profile: dict[str, Any] = {
        "type": "duckdb",
        "path": config.path,
        "threads": config.threads,
        "settings": _settings(config),
    }
    spill = _spill_options(config)
    if spill:
        profile["config_options"] = spill
    if config.extensions:
        profile["extensions"] = list(config.extensions)
    if config.secrets:
        profile["secrets"] = [_secret(secret) for secret in config.secrets]
    if config.attach:
        profile["attach"] = [_attachment(attachment) for attachment in config.attach]
    if config.catalog is not None:
        add_catalog(profile, config.catalog, config.extension_directory)
    profile["plugins"] = [_statement_guard(config)]
    return profile


GUARD_MODULE = "floe_compute_duckdb.statement_guard"


def _statement_guard(config: DuckDBConfig) -> dict[str, Any]:
    # DuckDB has no statement timeout: this dbt-duckdb plugin enforces it, and
    # explains memory errors with the settings behind them.
    guard: dict[str, Any] = {"statement_timeout_seconds": config.timeout_seconds}
    guard["memory_limit"] = config.memory_limit
    guard.update(_spill_options(config))
    if config.max_temp_directory_size is not None:
        guard["max_temp_directory_size"] = config.max_temp_directory_size
    return {"module": GUARD_MODULE, "config": guard}


def with_model_timeouts(output: dict[str, Any], timeouts: Mapping[str, int]) -> dict[str, Any]:
    """``output`` whose statement guard also limits each named model to its seconds."""
    if not timeouts:
        return output
    limits = {"model_timeouts": dict(sorted(timeouts.items()))}
    plugins = [
        {**plugin, "config": {**plugin.get("config", {}), **limits}}
        if plugin.get("module") == GUARD_MODULE
        else plugin
        for plugin in output.get("plugins", [])
    ]
    return {**output, "plugins": plugins}


def _settings(config: DuckDBConfig) -> dict[str, Any]:
    # DuckDB's own thread pool is sized like dbt's: concurrent models share one
    # database instance, so the instance never uses more cores than configured.
    settings: dict[str, Any] = {"memory_limit": config.memory_limit, "threads": config.threads}
    if config.max_temp_directory_size is not None:
        # A SET, not a connect option: DuckDB 1.5 ignores the bound given at connect.
        settings["max_temp_directory_size"] = config.max_temp_directory_size
    settings.update({key: _rendered(value) for key, value in config.settings.items()})
    settings.update({key: ref.as_dbt_template() for key, ref in config.credentials.items()})
    return settings


def _spill_options(config: DuckDBConfig) -> dict[str, Any]:
    # Set when the database opens: dbt-duckdb applies ``settings`` to every cursor,
    # and DuckDB refuses to switch temp_directory once something has spilled.
    if config.temp_directory is None:
        return {}
    return {"temp_directory": config.temp_directory}


def _rendered(value: object) -> object:
    return value.as_dbt_template() if isinstance(value, EnvRef) else value


def _secret(secret: DuckDBSecret) -> dict[str, Any]:
    block: dict[str, Any] = {"type": secret.type}
    if secret.name is not None:
        block["name"] = secret.name
    block.update({key: _rendered(value) for key, value in secret.parameters().items()})
    return block


def _attachment(attachment: AttachConfig) -> dict[str, Any]:
    block: dict[str, Any] = {
        "path": attachment.path,
        "alias": attachment.alias,
        "type": attachment.type,
    }
    if attachment.read_only:
        block["read_only"] = True
    if attachment.secret is not None:
        block["secret"] = attachment.secret
    if attachment.options:
        block["options"] = {key: _rendered(v) for key, v in attachment.options.items()}
    return block
