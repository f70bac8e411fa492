"""validate_connection with a catalog: HEALTHY when it attaches, DEGRADED naming why not."""

from __future__ import annotations

from pathlib import Path

import pytest

from floe_compute_duckdb import DuckDBComputePlugin
from floe_gate.compute import ConnectionResult, ConnectionStatus
from iceberg_duckdb.iceberg_support import CLIENT_ID_ENV, CLIENT_SECRET_ENV, catalog_settings
from iceberg_duckdb.rest_catalog import RestCatalog

plugin = DuckDBComputePlugin()


def check(extension_directory: Path, catalog: RestCatalog, **overrides: object) -> ConnectionResult:
    settings = {
        "extension_directory": str(extension_directory),
        "catalog": catalog_settings(catalog, **overrides),
    }
    return plugin.validate_connection(plugin.parse_config(settings))


def test_healthy_when_the_catalog_attaches(
    extension_directory: Path, catalog: RestCatalog, catalog_env: dict[str, str]
) -> None:
    result = check(extension_directory, catalog)
    assert result.status is ConnectionStatus.HEALTHY, result.message
    assert result.message == "in-memory database answered; catalog attached"
    assert any(r.path == "/v1/oauth/tokens" for r in catalog.requests)
    assert any(r.path == "/v1/config" for r in catalog.requests)


def test_degraded_when_the_catalog_is_stopped(
    extension_directory: Path, catalog: RestCatalog, catalog_env: dict[str, str]
) -> None:
    settings = catalog_settings(catalog)
    catalog.stop()
    result = plugin.validate_connection(
        plugin.parse_config({"extension_directory": str(extension_directory), "catalog": settings})
    )
    assert result.status is ConnectionStatus.DEGRADED
    assert f"catalog lake at {settings['catalog_uri']} cannot be reached" in result.message
    assert result.warnings
    assert "cannot be reached" in result.warnings[0]


def test_degraded_when_the_credentials_are_refused(
    extension_directory: Path, catalog: RestCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CLIENT_ID_ENV, catalog.client_id)
    monkeypatch.setenv(CLIENT_SECRET_ENV, "wrong-secret-value")
    result = check(extension_directory, catalog)
    assert result.status is ConnectionStatus.DEGRADED
    assert "refused the credentials" in result.message
    assert f"client_secret from {CLIENT_SECRET_ENV}" in result.message
    assert "wrong-secret-value" not in result.message + "".join(result.warnings)


def test_degraded_when_a_bearer_token_is_refused(
    extension_directory: Path, catalog: RestCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOE_TEST_CATALOG_TOKEN", "not-a-valid-token")
    result = check(
        extension_directory, catalog, credentials={"token": {"env": "FLOE_TEST_CATALOG_TOKEN"}}
    )
    assert result.status is ConnectionStatus.DEGRADED
    assert "refused the credentials (token from FLOE_TEST_CATALOG_TOKEN)" in result.message
    assert "not-a-valid-token" not in result.message


def test_healthy_with_a_valid_bearer_token(
    extension_directory: Path, catalog: RestCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog.static_token = "a-static-token"
    monkeypatch.setenv("FLOE_TEST_CATALOG_TOKEN", "a-static-token")
    result = check(
        extension_directory, catalog, credentials={"token": {"env": "FLOE_TEST_CATALOG_TOKEN"}}
    )
    assert result.status is ConnectionStatus.HEALTHY, result.message


def test_degraded_for_an_unknown_warehouse(
    extension_directory: Path, catalog: RestCatalog, catalog_env: dict[str, str]
) -> None:
    result = check(extension_directory, catalog, warehouse="no_such_warehouse")
    assert result.status is ConnectionStatus.DEGRADED
    assert "does not know warehouse 'no_such_warehouse'" in result.message


def test_degraded_when_the_extensions_are_not_installed(
    tmp_path: Path, catalog: RestCatalog, catalog_env: dict[str, str]
) -> None:
    empty = tmp_path / "no_extensions"
    result = check(empty, catalog)
    assert result.status is ConnectionStatus.DEGRADED
    assert f"extension httpfs cannot load from {empty}" in result.message
    assert f"python -m floe_compute_duckdb.extensions {empty}" in result.message
    assert catalog.requests == []  # nothing was attempted without the extensions


def test_degraded_when_a_credential_variable_is_unset(
    extension_directory: Path, catalog: RestCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CLIENT_ID_ENV, raising=False)
    monkeypatch.delenv(CLIENT_SECRET_ENV, raising=False)
    result = check(extension_directory, catalog)
    assert result.status is ConnectionStatus.DEGRADED
    assert f"{CLIENT_ID_ENV} (client_id), {CLIENT_SECRET_ENV} (client_secret) not set" in (
        result.message
    )
