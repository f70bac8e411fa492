"""dbt models reading and writing Iceberg through a REST catalog, with a generated profile.

The catalog is the loopback REST server (OAuth2 client credentials); the profile is
what ``floe-gate profile`` emits for a DuckDB target with a ``catalog:``; dbt runs
as a user runs it, in the project directory, with the extensions installed offline
into the project's ``duckdb_extensions`` directory. pyiceberg writes the source
table and reads back what dbt wrote, across runs.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from floe_compute_duckdb.dbt_macros import install_iceberg_materialization
from floe_compute_duckdb.extensions import install_extensions
from iceberg_duckdb.iceberg_support import CLIENT_SECRET_ENV, catalog_settings
from iceberg_duckdb.rest_catalog import RestCatalog

BIN = Path(sys.executable).parent

FILES = {
    "dbt_project.yml": """\
        name: lake_demo
        version: "1.0"
        profile: lake_demo
        models:
          lake_demo:
            +database: lake
            +schema: analytics
        """,
    "macros/schema.sql": """\
        {% macro generate_schema_name(custom_schema_name, node) -%}
          {{ custom_schema_name or target.schema }}
        {%- endmacro %}
        """,
    "models/sources.yml": """\
        sources:
          - name: raw
            database: lake
            schema: raw
            tables: [{name: orders}]
        """,
    "models/customer_totals.sql": """\
        {{ config(materialized='iceberg_table') }}
        select customer, sum(amount) as total, count(*) as orders
        from {{ source('raw', 'orders') }}
        group by customer
        """,
    "models/orders_seen.sql": """\
        {{ config(materialized='incremental', unique_key='id') }}
        select id, customer, amount from {{ source('raw', 'orders') }}
        {% if is_incremental() %}
        where id > (select coalesce(max(id), 0) from {{ this }})
        {% endif %}
        """,
    "models/schema.yml": """\
        models:
          - name: orders_seen
            columns:
              - name: id
                data_tests: [unique, not_null]
        """,
}


def write_project(project: Path) -> None:
    for name, text in FILES.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    install_iceberg_materialization(project)


def generate_profile(project: Path, catalog: RestCatalog) -> Path:
    settings = project / "duckdb.yaml"
    target = {"path": "dev.duckdb", "threads": 1, "catalog": catalog_settings(catalog)}
    settings.write_text(yaml.safe_dump(target))
    profiles = project / "profiles"
    generated = subprocess.run(
        [str(BIN / "floe-gate"), "profile", "duckdb", "--settings", str(settings),
         "--name", "lake_demo", "--out", str(profiles)],
        cwd=project, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    return profiles


def dbt(project: Path, profiles: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "dbt"), *args, "--profiles-dir", str(profiles), "--no-use-colors"],
        cwd=project, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip


def rows(catalog: RestCatalog, table: str, key: str) -> list[dict[str, object]]:
    scanned = catalog.sql_catalog.load_table(("analytics", table)).scan().to_arrow()
    return sorted(scanned.to_pylist(), key=lambda row: row[key])  # type: ignore[arg-type,return-value]


ORDERS = pa.schema([("id", pa.int64()), ("customer", pa.string()), ("amount", pa.float64())])


def test_dbt_reads_and_writes_iceberg_across_runs(
    tmp_path: Path, catalog: RestCatalog, catalog_env: dict[str, str]
) -> None:
    project = tmp_path / "lake_demo"
    write_project(project)
    install_extensions(project / "duckdb_extensions")
    profiles = generate_profile(project, catalog)
    profile_text = (profiles / "profiles.yml").read_text()
    assert catalog_env[CLIENT_SECRET_ENV] not in profile_text
    [secret] = yaml.safe_load(profile_text)["lake_demo"]["outputs"]["duckdb"]["secrets"]
    assert secret["client_secret"] == "{{ env_var('" + CLIENT_SECRET_ENV + "') }}"

    catalog.sql_catalog.create_namespace("raw")
    orders = catalog.sql_catalog.create_table(("raw", "orders"), schema=ORDERS)
    orders.append(pa.Table.from_pylist(
        [{"id": 1, "customer": "ada", "amount": 10.0}, {"id": 2, "customer": "bob", "amount": 5.0}],
        schema=ORDERS,
    ))  # fmt: skip

    first = dbt(project, profiles, "build")
    assert first.returncode == 0, first.stdout
    assert "PASS=4 WARN=0 ERROR=0 SKIP=0" in first.stdout, first.stdout
    assert rows(catalog, "customer_totals", "customer") == [
        {"customer": "ada", "total": 10.0, "orders": 1},
        {"customer": "bob", "total": 5.0, "orders": 1},
    ]
    assert [row["id"] for row in rows(catalog, "orders_seen", "id")] == [1, 2]

    orders.append(pa.Table.from_pylist(
        [{"id": 3, "customer": "ada", "amount": 2.5}], schema=ORDERS
    ))  # fmt: skip
    for _ in range(2):  # the second run finds nothing new: no duplicates
        again = dbt(project, profiles, "build")
        assert again.returncode == 0, again.stdout
    assert rows(catalog, "customer_totals", "customer") == [
        {"customer": "ada", "total": 12.5, "orders": 2},
        {"customer": "bob", "total": 5.0, "orders": 1},
    ]
    seen = rows(catalog, "orders_seen", "id")
    assert seen == [
        {"id": 1, "customer": "ada", "amount": 10.0},
        {"id": 2, "customer": "bob", "amount": 5.0},
        {"id": 3, "customer": "ada", "amount": 2.5},
    ]
    secret = catalog_env[CLIENT_SECRET_ENV]
    for written in [*project.rglob("*.log"), *project.rglob("*.json"), *profiles.iterdir()]:
        assert secret not in written.read_text(errors="replace"), written
    token_requests = [r for r in catalog.requests if r.path == "/v1/oauth/tokens"]
    assert token_requests, "dbt never authenticated with OAuth2"
    assert set(catalog.scopes) == {"PRINCIPAL_ROLE:ALL"}  # the Polaris default
    others = [r for r in catalog.requests if r.path != "/v1/oauth/tokens"]
    assert all((r.authorization or "").startswith("Bearer ") for r in others)


@pytest.mark.parametrize("wrong", ["secret"])
def test_dbt_fails_clearly_when_the_catalog_refuses_the_credentials(
    tmp_path: Path, catalog: RestCatalog, monkeypatch: pytest.MonkeyPatch, wrong: str
) -> None:
    project = tmp_path / "lake_demo"
    write_project(project)
    install_extensions(project / "duckdb_extensions")
    profiles = generate_profile(project, catalog)
    monkeypatch.setenv("FLOE_TEST_CATALOG_CLIENT_ID", catalog.client_id)
    monkeypatch.setenv(CLIENT_SECRET_ENV, "not-the-" + wrong)
    run = dbt(project, profiles, "run")
    assert run.returncode != 0
    assert "invalid_client" in run.stdout or "Unauthorized" in run.stdout, run.stdout
    assert "not-the-secret" not in run.stdout
    assert "not-the-secret" not in (project / "logs" / "dbt.log").read_text()


def prepared(tmp_path: Path, catalog: RestCatalog) -> tuple[Path, Path]:
    project = tmp_path / "lake_demo"
    write_project(project)
    install_extensions(project / "duckdb_extensions")
    profiles = generate_profile(project, catalog)
    catalog.sql_catalog.create_namespace("raw")
    orders = catalog.sql_catalog.create_table(("raw", "orders"), schema=ORDERS)
    orders.append(pa.Table.from_pylist(
        [{"id": 1, "customer": "ada", "amount": 10.0}], schema=ORDERS
    ))  # fmt: skip
    return project, profiles


def test_iceberg_table_follows_a_changed_model_and_full_refresh(
    tmp_path: Path, catalog: RestCatalog, catalog_env: dict[str, str]
) -> None:
    project, profiles = prepared(tmp_path, catalog)
    first = dbt(project, profiles, "run", "--select", "customer_totals")
    assert first.returncode == 0, first.stdout
    model = project / "models" / "customer_totals.sql"
    model.write_text(
        "{{ config(materialized='iceberg_table') }}\n"
        "select customer, max(amount) as largest from {{ source('raw', 'orders') }} "
        "group by customer\n"
    )
    changed = dbt(project, profiles, "run", "--select", "customer_totals")
    assert changed.returncode == 0, changed.stdout
    assert rows(catalog, "customer_totals", "customer") == [{"customer": "ada", "largest": 10.0}]
    refreshed = dbt(project, profiles, "run", "--full-refresh", "--select", "customer_totals")
    assert refreshed.returncode == 0, refreshed.stdout
    assert rows(catalog, "customer_totals", "customer") == [{"customer": "ada", "largest": 10.0}]


def test_dbt_duckdb_table_materialization_cannot_replace_a_rest_catalog_table(
    tmp_path: Path, catalog: RestCatalog, catalog_env: dict[str, str]
) -> None:
    """Why iceberg_table exists: if this starts passing, docs/iceberg.md needs an update."""
    project, profiles = prepared(tmp_path, catalog)
    model = project / "models" / "customer_totals.sql"
    model.write_text(model.read_text().replace("'iceberg_table'", "'table'"))
    built = dbt(project, profiles, "run", "--select", "customer_totals")
    assert built.returncode != 0
    assert "can't be renamed" in built.stdout, built.stdout
