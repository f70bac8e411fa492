"""Catalog attachment SQL: parsed by DuckDB's own parser, hostile names stay quoted."""

import duckdb
import pytest
from pydantic import ValidationError

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
    assert statements[:3] == ["LOAD httpfs", "LOAD avro", "LOAD iceberg"]
    assert statements[3] == (
        'CREATE OR REPLACE SECRET "lake_secret" (TYPE ICEBERG, '
        "CLIENT_ID '{{ env_var('CID') | replace(\"'\", \"''\") }}', "
        "CLIENT_SECRET '{{ env_var('CSECRET') | replace(\"'\", \"''\") }}', "
        "OAUTH2_SERVER_URI 'http://polaris:8181/api/catalog/v1/oauth/tokens', "
        "OAUTH2_SCOPE 'PRINCIPAL_ROLE:ALL')"
    )
    assert statements[4] == (
        "ATTACH IF NOT EXISTS 'floe_wh' AS \"lake\" (TYPE ICEBERG, "
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
    assert "TOKEN '{{ env_var('TOKEN')" in plugin.get_catalog_attachment_sql(token)[3]
    anonymous = CatalogConfig(catalog_uri="http://c", catalog_name="c", access_delegation="none")
    statements = plugin.get_catalog_attachment_sql(anonymous)
    assert statements[-1] == (
        "ATTACH IF NOT EXISTS 'c' AS \"c\" (TYPE ICEBERG, ENDPOINT 'http://c', "
        "AUTHORIZATION_TYPE 'none', ACCESS_DELEGATION_MODE 'none')"
    )
    assert not any(statement.startswith("CREATE") for statement in statements)


def test_a_catalog_type_duckdb_cannot_attach_is_a_configuration_error() -> None:
    catalog = CatalogConfig(catalog_type="glue", catalog_uri="u", catalog_name="c")
    with pytest.raises(ComputeConfigurationError, match="supported: rest"):
        plugin.get_catalog_attachment_sql(catalog)


@pytest.mark.parametrize(
    ("credentials", "message"),
    [
        ({"client_id": {"env": "A"}}, "client_id do not fit together"),
        ({"token": {"env": "A"}, "client_id": {"env": "B"}}, "do not fit together"),
        ({"password": {"env": "A"}}, "password are not understood"),
        ({"client_id": "hunter2", "client_secret": {"env": "B"}}, "environment reference"),
    ],
)
def test_credentials_must_name_one_way_to_authenticate(
    credentials: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        CatalogConfig.model_validate(
            {"catalog_uri": "u", "catalog_name": "c", "credentials": credentials}
        )
    assert message in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_the_profile_attaches_the_catalog_offline_with_env_var_templates() -> None:
    config = plugin.parse_config(
        {
            "extensions": ["spatial", "iceberg"],
            "catalog": {
                "catalog_uri": "http://polaris:8181/api/catalog",
                "catalog_name": "lake",
                "warehouse": "floe_wh",
                "credentials": {"client_id": {"env": "CID"}, "client_secret": {"env": "CS"}},
            },
        }
    )
    output = plugin.generate_dbt_profile(config)
    assert output["config_options"] == {
        "extension_directory": "duckdb_extensions",
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    assert output["extensions"] == ["httpfs", "avro", "iceberg", "spatial"]
    assert output["secrets"] == [
        {
            "type": "iceberg",
            "name": "lake_secret",
            "client_id": "{{ env_var('CID') }}",
            "client_secret": "{{ env_var('CS') }}",
            "oauth2_server_uri": "http://polaris:8181/api/catalog/v1/oauth/tokens",
            "oauth2_scope": "PRINCIPAL_ROLE:ALL",
        }
    ]
    assert output["attach"] == [
        {
            "path": "floe_wh",
            "alias": "lake",
            "type": "iceberg",
            "secret": "lake_secret",
            "options": {"endpoint": "http://polaris:8181/api/catalog"},
        }
    ]


def test_every_generated_key_is_one_dbt_duckdb_reads() -> None:
    """dbt-duckdb ignores unknown keys silently; its credentials class names the real ones."""
    from dataclasses import fields

    from dbt.adapters.duckdb.credentials import Attachment, DuckDBCredentials

    config = plugin.parse_config(
        {
            "catalog": {
                "catalog_uri": "http://c",
                "catalog_name": "lake",
                "credentials": {"token": {"env": "T"}},
            }
        }
    )
    output = plugin.generate_dbt_profile(config)
    known = {field.name for field in fields(DuckDBCredentials)} | {"type", "threads"}
    assert set(output) <= known, set(output) - known
    attachment_keys = {field.name for field in fields(Attachment)}
    for attachment in output["attach"]:
        assert set(attachment) <= attachment_keys


@pytest.mark.parametrize(
    ("catalog", "message"),
    [
        ({"catalog_type": "glue"}, "supported: rest"),
        ({"catalog_name": "my-lake"}, "must be a plain identifier"),
        ({"access_delegation": "remote_signing"}, "vended_credentials"),
        ({"catalog_uri": ""}, "at least 1 character"),
    ],
)
def test_a_catalog_duckdb_cannot_attach_fails_at_check_time(
    catalog: dict[str, str], message: str
) -> None:
    settings = {"catalog_uri": "http://c", "catalog_name": "lake", **catalog}
    with pytest.raises(ValidationError, match=message):
        plugin.parse_config({"catalog": settings})
