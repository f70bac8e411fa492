"""The loopback catalog speaks the Iceberg REST protocol: pyiceberg's own client agrees."""

from __future__ import annotations

import pyarrow as pa
import pytest
from pyiceberg.catalog.rest import RestCatalog as RestClient
from pyiceberg.exceptions import NoSuchTableError, OAuthError

from iceberg_duckdb.rest_catalog import RestCatalog


def client(catalog: RestCatalog, secret: str | None = None) -> RestClient:
    return RestClient(
        "floe",
        uri=catalog.uri,
        warehouse=catalog.warehouse,
        credential=f"{catalog.client_id}:{secret or catalog.client_secret}",
        scope="PRINCIPAL_ROLE:ALL",
        **{"oauth2-server-uri": f"{catalog.uri}/v1/oauth/tokens"},
    )


def test_pyiceberg_rest_client_round_trip(catalog: RestCatalog) -> None:
    rest = client(catalog)
    rest.create_namespace("sales")
    assert ("sales",) in rest.list_namespaces()
    table = rest.create_table(("sales", "t"), schema=pa.schema([("x", pa.int64())]))
    table.append(pa.table({"x": [1, 2]}))
    table.append(pa.table({"x": [3]}))
    assert sorted(rest.load_table(("sales", "t")).scan().to_arrow()["x"].to_pylist()) == [1, 2, 3]
    assert rest.list_tables("sales") == [("sales", "t")]
    rest.drop_table(("sales", "t"))
    with pytest.raises(NoSuchTableError):
        rest.load_table(("sales", "t"))
    paths = {request.path for request in catalog.requests}
    assert "/v1/oauth/tokens" in paths
    assert "/v1/floe_wh/namespaces/sales/tables/t" in paths  # Polaris-style prefix


def test_wrong_client_secret_is_refused(catalog: RestCatalog) -> None:
    with pytest.raises(OAuthError, match="invalid_client"):
        client(catalog, secret="wrong")


def test_requests_without_a_token_are_refused(catalog: RestCatalog) -> None:
    import json
    from urllib.error import HTTPError
    from urllib.request import urlopen

    with pytest.raises(HTTPError) as refused:
        urlopen(f"{catalog.uri}/v1/config", timeout=10)
    assert refused.value.code == 401
    assert json.loads(refused.value.read())["error"]["type"] == "NotAuthorizedException"
