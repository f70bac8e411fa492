"""Names and settings the Iceberg tests share (a module of its own: ``conftest`` is ambiguous)."""

from __future__ import annotations

from iceberg_duckdb.rest_catalog import RestCatalog

CLIENT_ID_ENV = "FLOE_TEST_CATALOG_CLIENT_ID"
CLIENT_SECRET_ENV = "FLOE_TEST_CATALOG_CLIENT_SECRET"


def catalog_settings(catalog: RestCatalog, **overrides: object) -> dict[str, object]:
    """The ``catalog:`` block a manifest writes for ``catalog``."""
    settings: dict[str, object] = {
        "catalog_uri": catalog.uri,
        "catalog_name": "lake",
        "warehouse": catalog.warehouse,
        "access_delegation": "none",
        "credentials": {
            "client_id": {"env": CLIENT_ID_ENV},
            "client_secret": {"env": CLIENT_SECRET_ENV},
        },
    }
    settings.update(overrides)
    return settings
