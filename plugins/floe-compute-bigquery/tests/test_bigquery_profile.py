"""BigQuery target settings → the dbt-bigquery profile, and dbt-bigquery's reading of it."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from pydantic import ValidationError

from floe_compute_bigquery import BigQueryComputePlugin
from floe_compute_bigquery.health import endpoint
from floe_gate.compute import CatalogConfig, ComputeConfigurationError
from floe_gate.testing.dbt_profiles import validate_with_adapter

PLUGIN = BigQueryComputePlugin()
MINIMAL = {"project": "acme-analytics"}
ENV = {
    "BQ_KEYFILE": "/secrets/dbt.json",
    "BQ_TOKEN": "ya29.token",
    "BQ_REFRESH": "1//refresh",
    "BQ_CLIENT_ID": "client.apps.googleusercontent.com",
    "BQ_CLIENT_SECRET": "hunter2",
}


def profile(**settings: Any) -> dict[str, Any]:
    return PLUGIN.generate_dbt_profile(PLUGIN.parse_config({**MINIMAL, **settings}))


def test_minimal_profile_uses_application_default_credentials() -> None:
    assert profile() == {
        "type": "bigquery",
        "method": "oauth",
        "project": "acme-analytics",
        "schema": "floe",
        "threads": 4,
        "priority": "interactive",
        "job_execution_timeout_seconds": 3600,
        "job_retries": 1,
    }


def test_timeout_retry_and_connection_settings_reach_dbt_bigquery() -> None:
    output = profile(
        method="service-account",
        keyfile={"env": "BQ_KEYFILE"},
        execution_project="acme-billing",
        quota_project="acme-quota",
        location="europe-west4",
        priority="batch",
        maximum_bytes_billed=10**12,
        job_retries=4,
        job_creation_timeout_seconds=90,
        job_retry_deadline_seconds=7200,
        api_endpoint="https://bigquery.internal.acme.example",
        timeout_seconds=5400,
        threads=8,
    )
    credentials = validate_with_adapter({**output, "schema": "revenue"}, ENV)
    assert type(credentials).__name__ == "BigQueryCredentials"
    assert (credentials.method, credentials.keyfile) == ("service-account", "/secrets/dbt.json")
    assert (credentials.database, credentials.schema) == ("acme-analytics", "revenue")
    assert credentials.execution_project == "acme-billing"
    assert credentials.quota_project == "acme-quota"
    assert credentials.location == "europe-west4"
    assert credentials.priority == "batch"
    assert credentials.maximum_bytes_billed == 10**12
    assert credentials.job_execution_timeout_seconds == 5400  # timeout_seconds
    assert credentials.job_retries == 4
    assert credentials.job_creation_timeout_seconds == 90
    assert credentials.job_retry_deadline_seconds == 7200
    assert credentials.api_endpoint == "https://bigquery.internal.acme.example"


@pytest.mark.parametrize(
    "secrets",
    [
        {"token": {"env": "BQ_TOKEN"}},
        {
            "refresh_token": {"env": "BQ_REFRESH"},
            "client_id": {"env": "BQ_CLIENT_ID"},
            "client_secret": {"env": "BQ_CLIENT_SECRET"},
        },
    ],
)
def test_oauth_secrets(secrets: dict[str, Any]) -> None:
    output = profile(method="oauth-secrets", **secrets)
    for name, ref in secrets.items():
        assert output[name] == "{{ env_var('" + ref["env"] + "') }}"
    credentials = validate_with_adapter(output, ENV)
    for name, ref in secrets.items():
        assert getattr(credentials, name) == ENV[ref["env"]]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"method": "oauth-secrets", "token": "ya29.literal"}, "never a literal value"),
        ({"method": "service-account"}, r"method service-account takes \(keyfile\); got none"),
        ({"keyfile": {"env": "K"}}, "method oauth takes no secret setting; got keyfile"),
        (
            {"method": "oauth-secrets", "client_secret": {"env": "S"}},
            "method oauth-secrets takes",
        ),
        ({"credentials": {"token": {"env": "T"}}}, "credentials: BigQuery takes its secrets"),
        ({"job_retry_deadline_seconds": 60}, "at least timeout_seconds"),
        ({"project": "Acme Analytics"}, "project"),
        ({"api_endpoint": "bigquery.googleapis.com"}, "api_endpoint"),
        ({"method": "service-account-json"}, "method"),
        ({"dataset": "revenue"}, "dataset"),
    ],
)
def test_invalid_settings_are_refused(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message) as raised:
        PLUGIN.parse_config({**MINIMAL, **settings})
    assert "ya29.literal" not in str(raised.value)


@pytest.mark.parametrize(
    ("api_endpoint", "expected"),
    [
        (None, ("bigquery.googleapis.com", 443)),
        ("http://127.0.0.1:9050", ("127.0.0.1", 9050)),
        ("http://emulator", ("emulator", 80)),
    ],
)
def test_health_probes_the_endpoint_the_client_uses(
    api_endpoint: str | None, expected: tuple[str, int]
) -> None:
    settings = {} if api_endpoint is None else {"api_endpoint": api_endpoint}
    assert endpoint(PLUGIN.parse_config({**MINIMAL, **settings})) == expected


def test_per_model_timeouts_are_refused_not_dropped() -> None:
    assert PLUGIN.per_model_timeouts is False
    output = profile()
    assert PLUGIN.apply_model_timeouts(output, {}) is output
    with pytest.raises(ComputeConfigurationError, match="cannot limit single dbt models"):
        PLUGIN.apply_model_timeouts(output, {"fct_revenue": 60})


def test_a_client_pod_is_small() -> None:
    large = PLUGIN.get_resource_requirements("large")
    assert (large.cpu_limit, large.memory_limit) == ("2000m", "2Gi")
    assert list(PLUGIN.resource_presets) == ["small", "medium", "large"]


def test_no_catalog_attachment_sql() -> None:
    catalog = CatalogConfig(catalog_type="rest", catalog_uri="http://x", catalog_name="c")
    assert PLUGIN.get_catalog_attachment_sql(catalog) is None


def test_importing_the_plugin_imports_no_driver_or_dbt() -> None:
    # Namespace packages a .pth file imports at start-up (google, google.cloud) don't count.
    code = (
        "import sys; before = set(sys.modules); import floe_compute_bigquery;"
        "new = set(sys.modules) - before;"
        "print(sorted(m for m in new if m.split('.')[0] in ('google', 'dbt')))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_registered_in_the_floe_computes_group() -> None:
    from importlib.metadata import entry_points

    [entry] = [e for e in entry_points(group="floe.computes") if e.name == "bigquery"]
    assert entry.value == "floe_compute_bigquery:BigQueryComputePlugin"
    assert entry.dist is not None
    assert entry.dist.name == "floe-compute-bigquery"
