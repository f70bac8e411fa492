"""Catalog attachment SQL: parsed by DuckDB's own parser, hostile names stay quoted."""

import duckdb
import pytest

from floe_compute_duckdb import DuckDBComputePlugin
from floe_gate.compute import CatalogConfig, ComputeConfigurationError, EnvRef

plugin = DuckDBComputePlugin()


def rendered(statement: str, values: dict[str, str]) -> str:
    """What dbt's Jinja makes of the env_var literals, for a parse check without dbt."""
    import re

    def fill(match: re.Match[str]) -> str:
        return "'" + values[match.group(1)].replace("'", "''") + "'"

    return re.sub(r"'\{\{ env_var\('(\w+)'\) \| replace\(\"'\", \"''\"\) \}\}'", fill, statement)


def test_oauth_catalog() -> None:
    catalog = CatalogConfig(
        catalog_type="rest",
        catalog_uri="http://polaris:8181/api/catalog",
        catalog_name="lake",
        warehouse="floe_wh",
        credentials={"client_id": EnvRef(env="CID"), "client_secret": EnvRef(env="CSECRET")},
    )
    statements = plugin.get_catalog_attachment_sql(catalog)
    assert statements[:2] == ["LOAD httpfs", "LOAD iceberg"]
    assert statements[2] == (
        'CREATE OR REPLACE SECRET "lake_secret" (TYPE ICEBERG, '
        "CLIENT_ID '{{ env_var('CID') | replace(\"'\", \"''\") }}', "
        "CLIENT_SECRET '{{ env_var('CSECRET') | replace(\"'\", \"''\") }}', "
        "OAUTH2_SERVER_URI 'http://polaris:8181/api/catalog/v1/oauth/tokens')"
    )
    assert statements[3] == (
        "ATTACH 'floe_wh' AS \"lake\" (TYPE ICEBERG, "
        "ENDPOINT 'http://polaris:8181/api/catalog', SECRET \"lake_secret\")"
    )


def test_hostile_names_and_values_stay_inside_their_quotes() -> None:
    hostile = "x'); DROP TABLE t; --\""
    catalog = CatalogConfig(
        catalog_type="rest",
        catalog_uri=f"http://h/{hostile}",
        catalog_name=hostile,
        warehouse=hostile,
        credentials={"client_id": EnvRef(env="CID"), "client_secret": EnvRef(env="CSECRET")},
    )
    values = {"CID": hostile, "CSECRET": "it's a secret"}
    for statement in plugin.get_catalog_attachment_sql(catalog):
        sql = rendered(statement, values)
        parsed = duckdb.extract_statements(sql)
        assert len(parsed) == 1, sql


def test_bearer_token_and_anonymous_catalogs() -> None:
    token = CatalogConfig(
        catalog_type="rest",
        catalog_uri="http://c",
        catalog_name="c",
        credentials={"token": EnvRef(env="TOKEN")},
    )
    assert "TOKEN '{{ env_var('TOKEN')" in plugin.get_catalog_attachment_sql(token)[2]
    anonymous = CatalogConfig(catalog_type="rest", catalog_uri="http://c", catalog_name="c")
    statements = plugin.get_catalog_attachment_sql(anonymous)
    assert statements[-1] == (
        "ATTACH 'c' AS \"c\" (TYPE ICEBERG, ENDPOINT 'http://c', AUTHORIZATION_TYPE 'none')"
    )


@pytest.mark.parametrize(
    ("catalog_type", "credentials", "message"),
    [
        ("glue", {}, "supported: rest"),
        ("rest", {"client_id": EnvRef(env="A")}, "both client_id and client_secret"),
        ("rest", {"password": EnvRef(env="A")}, "not understood"),
    ],
)
def test_unsupported_catalogs_are_configuration_errors(
    catalog_type: str, credentials: dict[str, EnvRef], message: str
) -> None:
    catalog = CatalogConfig(
        catalog_type=catalog_type, catalog_uri="u", catalog_name="c", credentials=credentials
    )
    with pytest.raises(ComputeConfigurationError, match=message):
        plugin.get_catalog_attachment_sql(catalog)
