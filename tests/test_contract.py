"""The plugin contract: incomplete plugins, API versions, errors, model rules."""

from typing import Any

import pytest
from pydantic import ValidationError

from floe_gate.compute import (
    FLOE_API_VERSION,
    CatalogConfig,
    ComputeConfig,
    ComputeConfigurationError,
    ComputeConnectionError,
    ComputeError,
    ComputePlugin,
    ComputeQueryError,
    ComputeTimeoutError,
    ConnectionResult,
    ConnectionStatus,
    EnvRef,
    IncompletePluginError,
    ResourceSpec,
    api_incompatibility,
)
from floe_gate.observability import set_correlation_id


class HalfDone(ComputePlugin[ComputeConfig]):
    name = "half"
    version = "0.0.1"
    floe_api_version = "1.0"

    def generate_dbt_profile(self, config: ComputeConfig) -> dict[str, Any]:
        return {"type": "half"}

    def get_required_dbt_packages(self) -> list[str]:
        return ["dbt-half"]

    def get_resource_requirements(self, workload_size: str) -> ResourceSpec:
        return ResourceSpec()


class Nameless(ComputePlugin[ComputeConfig]):
    def generate_dbt_profile(self, config: ComputeConfig) -> dict[str, Any]:
        return {}

    def get_required_dbt_packages(self) -> list[str]:
        return []

    def validate_connection(self, config: ComputeConfig) -> ConnectionResult:
        return ConnectionResult(status=ConnectionStatus.HEALTHY, latency_ms=0)

    def get_resource_requirements(self, workload_size: str) -> ResourceSpec:
        return ResourceSpec()

    def get_catalog_attachment_sql(self, catalog_config: CatalogConfig) -> list[str] | None:
        return None


def test_incomplete_plugin_names_every_missing_method() -> None:
    with pytest.raises(IncompletePluginError) as raised:
        HalfDone()
    message = str(raised.value)
    assert "HalfDone is incomplete" in message
    assert "get_catalog_attachment_sql(catalog_config)" in message
    assert "validate_connection(config)" in message
    assert "generate_dbt_profile" not in message
    assert raised.value.missing == ["get_catalog_attachment_sql", "validate_connection"]


def test_missing_metadata_is_named_too() -> None:
    with pytest.raises(IncompletePluginError) as raised:
        Nameless()
    assert raised.value.missing == ["floe_api_version", "name", "version"]
    assert "name (property)" in str(raised.value)


@pytest.mark.parametrize("version", ["1.0", "1"[:1] + ".0"])
def test_same_api_is_compatible(version: str) -> None:
    assert api_incompatibility(version) is None


@pytest.mark.parametrize(
    ("version", "reason"),
    [
        ("2.0", f"targets floe plugin API 2.0, but this floe-gate provides {FLOE_API_VERSION}"),
        ("0.9", "targets floe plugin API 0.9"),
        ("1.7", "targets floe plugin API 1.7"),
        ("one", "is not of the form MAJOR.MINOR"),
        ("1.0.0", "is not of the form MAJOR.MINOR"),
    ],
)
def test_incompatible_api_versions_are_explained(version: str, reason: str) -> None:
    message = api_incompatibility(version)
    assert message is not None
    assert reason in message


@pytest.mark.parametrize(
    "error",
    [
        ComputeConnectionError("refused", plugin_name="x", original_error=OSError("boom")),
        ComputeTimeoutError("slow", plugin_name="x", timeout_seconds=2, query_id="q1"),
        ComputeConfigurationError("bad", plugin_name="x", validation_errors=["a", "b"]),
        ComputeQueryError("oom", plugin_name="x", query_id="q2"),
    ],
)
def test_errors_carry_the_run_correlation_id(error: ComputeError) -> None:
    assert isinstance(error, ComputeError)
    assert error.correlation_id
    assert error.correlation_id in str(error)
    assert str(error).startswith("[x] ")


def test_explicit_correlation_id_wins() -> None:
    set_correlation_id("run-42")
    assert ComputeError("x").correlation_id == "run-42"
    assert ComputeError("x", correlation_id="other").correlation_id == "other"


def test_correlation_id_from_github_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    env = {"GITHUB_RUN_ID": "123", "GITHUB_RUN_ATTEMPT": "2", "PATH": ""}
    code = "from floe_gate.observability import correlation_id; print(correlation_id())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "gh-123-2"


def test_compute_config_rules() -> None:
    config = ComputeConfig(plugin="x")
    assert (config.timeout_seconds, config.threads, config.credentials) == (3600, 4, {})
    for bad in ({"plugin": ""}, {"plugin": "x", "timeout_seconds": 86401},
                {"plugin": "x", "threads": 65}, {"plugin": "x", "connection": {}}):  # fmt: skip
        with pytest.raises(ValidationError):
            ComputeConfig.model_validate(bad)


def test_credentials_are_references_never_values() -> None:
    config = ComputeConfig(plugin="x", credentials={"password": {"env": "DB_PASSWORD"}})  # type: ignore[dict-item]
    assert config.credentials["password"] == EnvRef(env="DB_PASSWORD")
    assert config.credentials["password"].as_dbt_template() == "{{ env_var('DB_PASSWORD') }}"
    with pytest.raises(ValidationError) as raised:
        ComputeConfig(plugin="x", credentials={"password": "s3cr3t"})  # type: ignore[dict-item]
    assert "environment reference" in str(raised.value)
    assert "s3cr3t" not in str(raised.value)
    with pytest.raises(ValidationError):
        EnvRef(env="NOT-A-NAME")


def test_connection_result_rules() -> None:
    result = ConnectionResult(status=ConnectionStatus.DEGRADED, latency_ms=1.5, warnings=("w",))
    with pytest.raises(ValidationError):
        result.status = ConnectionStatus.HEALTHY  # type: ignore[misc]
    with pytest.raises(ValidationError):
        ConnectionResult(status=ConnectionStatus.HEALTHY, latency_ms=-1)
    assert ConnectionStatus("unhealthy") is ConnectionStatus.UNHEALTHY
