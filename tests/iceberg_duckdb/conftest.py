"""Fixtures for Iceberg through DuckDB: offline extensions and a loopback REST catalog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from floe_compute_duckdb.extensions import install_extensions
from iceberg_duckdb.iceberg_support import CLIENT_ID_ENV, CLIENT_SECRET_ENV
from iceberg_duckdb.rest_catalog import RestCatalog


@pytest.fixture(scope="session")
def extension_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project-local extension directory, filled offline from the installed wheels."""
    directory = tmp_path_factory.mktemp("extensions") / "duckdb_extensions"
    install_extensions(directory)
    return directory


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[RestCatalog]:
    """A REST catalog on 127.0.0.1 (ephemeral port), OAuth2 client credentials required."""
    served = RestCatalog(tmp_path / "catalog")
    served.serve()
    try:
        yield served
    finally:
        served.stop()
    assert served.failures == [], "\n".join(served.failures)


@pytest.fixture
def catalog_env(catalog: RestCatalog, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The catalog's client credentials, where dbt and health read them: the environment."""
    values = {CLIENT_ID_ENV: catalog.client_id, CLIENT_SECRET_ENV: catalog.client_secret}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values
