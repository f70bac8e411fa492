"""BigQuery in a `floe-gate run`: DuckDB and the emulated BigQuery, each proven afterwards.

A platform repository in tmp_path approves duckdb and bigquery; its bigquery
target points at a bqemulator server of this module's own. The data product
``ledger`` (default engine duckdb) loads a seed and builds ``customers`` on DuckDB,
and ``fx_rates`` (inline rows, UNNEST of STRUCTs in BigQuery's dialect) then
``fx_rates_eur`` (ref of the first) on BigQuery, with schema tests on both engines.
``floe-gate run`` runs it in two stages; afterwards the native client shows BigQuery
holds its two models (and not the DuckDB one), and the DuckDB file holds its models
and none of BigQuery's. The BigQuery plugin has no Parquet hand-off, so a BigQuery
model reading a DuckDB one is refused before anything runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pytest
from bqemulator_server import PROJECT, BqEmulator, start_bqemulator

if TYPE_CHECKING:
    from google.cloud import bigquery

FLOE_GATE = Path(sys.executable).with_name("floe-gate")
TOKEN_ENV = "FLOE_TEST_BIGQUERY_TOKEN"
CREDENTIALS = {TOKEN_ENV: "not-a-real-token"}
DUCKDB_FILE = "warehouse/dev.duckdb"


def manifest(port: int) -> str:
    bigquery = {
        "project": PROJECT,
        "method": "oauth-secrets",
        "token": {"env": TOKEN_ENV},
        "location": "US",
        "api_endpoint": f"http://127.0.0.1:{port}",
        "job_retries": 2,
        "maximum_bytes_billed": 10_000_000,
        "threads": 2,
    }
    return f"""\
        apiVersion: floe/v1
        kind: Manifest
        environments:
          dev: {{branch: dev}}
        compute:
          approved: [duckdb, bigquery]
          default: duckdb
          shared_storage: warehouse/shared
          targets:
            duckdb: {{path: {DUCKDB_FILE}, memory_limit: 1GB, threads: 1}}
            bigquery: {json.dumps(bigquery)}
        """


POLICY = """\
    apiVersion: floe/v1
    kind: Policy
    compute:
      approved: [duckdb, bigquery]
      default: duckdb
    """


def product(schema: str, *bigquery_models: str) -> str:
    transforms = "".join(f"  - name: {name}\n    compute: bigquery\n" for name in bigquery_models)
    return (
        "apiVersion: floe/v1\nkind: DataProduct\nname: ledger\ndomain: finance\n"
        f"schema: {schema}\ndbt_project: .\ntransforms:\n  - name: customers\n{transforms}"
    )


DBT_PROJECT = """\
    name: ledger
    version: "1.0.0"
    config-version: 2
    profile: ledger
    seed-paths: ["seeds"]
    model-paths: ["models"]
    models:
      ledger:
        +materialized: table
    """

SEED = "customer_id,name,currency\n1,ada,EUR\n2,grace,GBP\n3,edsger,EUR\n"
CUSTOMERS = """\
    -- DuckDB: from the seed, which loads on the product's default engine.
    select customer_id, upper(name) as name, currency, '{{ target.type }}' as computed_on
    from {{ ref('raw_customers') }}
    """
FX_RATES = """\
    -- BigQuery: inline rows (UNNEST of an array of STRUCTs), no upstream model.
    select currency, rate_bp, '{{ target.type }}' as computed_on
    from unnest([
        struct('EUR' as currency, 10850 as rate_bp),
        struct('GBP', 12700),
        struct('USD', 10000)
    ])
    """
FX_RATES_EUR = """\
    -- BigQuery: reads fx_rates, built on BigQuery in the same stage.
    select currency, rate_bp * 2 as double_bp, computed_on
    from {{ ref('fx_rates') }}
    where currency = 'EUR'
    """
SCHEMA_YML = """\
    version: 2
    models:
      - name: customers
        columns:
          - name: customer_id
            data_tests: [unique, not_null]
      - name: fx_rates
        columns:
          - name: currency
            data_tests: [unique, not_null]
    """
READS_DUCKDB = "select customer_id from {{ ref('customers') }}\n"


def platform(root: Path, port: int, schema: str, extra: Mapping[str, str] = {}) -> Path:
    """A platform repository under git; ``extra`` adds BigQuery models (name → SQL)."""
    files = {
        "manifest.yaml": manifest(port),
        "policies/finance/policy.yaml": POLICY,
        "products/ledger/floe.yaml": product(schema, "fx_rates", "fx_rates_eur", *extra),
        "products/ledger/dbt_project.yml": DBT_PROJECT,
        "products/ledger/seeds/raw_customers.csv": SEED,
        "products/ledger/models/customers.sql": CUSTOMERS,
        "products/ledger/models/fx_rates.sql": FX_RATES,
        "products/ledger/models/fx_rates_eur.sql": FX_RATES_EUR,
        "products/ledger/models/schema.yml": SCHEMA_YML,
        **{f"products/ledger/models/{name}.sql": sql for name, sql in extra.items()},
    }
    repo = root / "repo"
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content), encoding="utf-8")
    subprocess.run(["git", "init", "-q", "--initial-branch=main", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    return repo


def floe_gate_run(repo: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``floe-gate run --env dev --format json`` from a scratch directory with warehouse/."""
    (cwd / "warehouse").mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        **CREDENTIALS,
        "NO_COLOR": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    return subprocess.run(
        [str(FLOE_GATE), "run", "--repo", str(repo), "--manifest", "manifest.yaml",
         "--env", "dev", "--format", "json"],
        cwd=cwd, capture_output=True, text=True, timeout=600, check=False, env=environment,
    )  # fmt: skip


def bigquery_client(port: int) -> bigquery.Client:
    from google.cloud import bigquery
    from google.oauth2.credentials import Credentials

    return bigquery.Client(
        project=PROJECT,
        credentials=Credentials(token=CREDENTIALS[TOKEN_ENV]),  # type: ignore[no-untyped-call]
        client_options={"api_endpoint": f"http://127.0.0.1:{port}"},
    )


def bigquery_rows(port: int, sql: str) -> list[tuple[Any, ...]]:
    client = bigquery_client(port)
    try:
        return [tuple(row.values()) for row in client.query(sql).result(timeout=30)]
    finally:
        client.close()  # type: ignore[no-untyped-call]


def bigquery_tables(port: int, dataset: str) -> set[str]:
    """The tables of ``dataset``; none when the dataset does not exist."""
    from google.api_core.exceptions import NotFound

    client = bigquery_client(port)
    try:
        return {table.table_id for table in client.list_tables(f"{PROJECT}.{dataset}")}
    except NotFound:
        return set()
    finally:
        client.close()  # type: ignore[no-untyped-call]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BqEmulator]:
    """This module's own bqemulator: other modules' servers are neither used nor stopped."""
    started = start_bqemulator(tmp_path_factory.mktemp("bqemulator_in_a_run"))
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def ran(
    server: BqEmulator, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    """The product run once: the scratch directory and the JSON report."""
    root = tmp_path_factory.mktemp("ledger_run")
    repo = platform(root, server.port, "ledger")
    done = floe_gate_run(repo, root / "scratch")
    assert done.returncode == 0, done.stdout + done.stderr
    return root / "scratch", json.loads(done.stdout)


def test_two_stages_each_on_its_engine(ran: tuple[Path, dict[str, Any]]) -> None:
    _, report = ran
    assert report["status"] == "success"
    [ledger] = report["products"]
    stages = [
        (s["index"], s["engine"], sorted(uid.split(".")[-1] for uid in s["nodes"]))
        for s in ledger["stages"]
    ]
    assert stages == [
        # Both start at depth 0; stages on one level are ordered by engine name.
        (0, "bigquery", ["fx_rates", "fx_rates_eur"]),
        (1, "duckdb", ["customers", "raw_customers"]),
    ]
    # Where each node ran is its stage's engine (a test runs in its parents' stage).
    engine_of = {s["index"]: s["engine"] for s in ledger["stages"]}
    ran_on = {
        (r["resource_type"], r["name"]): (engine_of[r["stage"]], r["status"])
        for r in ledger["results"]
    }
    assert ran_on == {
        ("seed", "raw_customers"): ("duckdb", "success"),
        ("model", "customers"): ("duckdb", "success"),
        ("test", "unique_customers_customer_id"): ("duckdb", "pass"),
        ("test", "not_null_customers_customer_id"): ("duckdb", "pass"),
        ("model", "fx_rates"): ("bigquery", "success"),
        ("model", "fx_rates_eur"): ("bigquery", "success"),
        ("test", "unique_fx_rates_currency"): ("bigquery", "pass"),
        ("test", "not_null_fx_rates_currency"): ("bigquery", "pass"),
    }
    built = {r["name"]: r["engine"] for r in ledger["results"] if r["resource_type"] != "test"}
    assert built == {
        "raw_customers": "duckdb",
        "customers": "duckdb",
        "fx_rates": "bigquery",
        "fx_rates_eur": "bigquery",
    }
    assert report["summary"] == {"pass": 4, "success": 4}


def test_bigquery_holds_its_models_and_not_the_duckdb_one(
    server: BqEmulator, ran: tuple[Path, dict[str, Any]]
) -> None:
    assert bigquery_tables(server.port, "ledger") == {"fx_rates", "fx_rates_eur"}
    rates = bigquery_rows(
        server.port, f"select currency, rate_bp, computed_on from `{PROJECT}.ledger.fx_rates`"
    )
    assert sorted(rates) == [
        ("EUR", 10850, "bigquery"),
        ("GBP", 12700, "bigquery"),
        ("USD", 10000, "bigquery"),
    ]
    eur = bigquery_rows(
        server.port,
        f"select currency, double_bp, computed_on from `{PROJECT}.ledger.fx_rates_eur`",
    )
    assert eur == [("EUR", 21700, "bigquery")]


def test_duckdb_holds_its_models_and_none_on_bigquery(ran: tuple[Path, dict[str, Any]]) -> None:
    scratch, _ = ran
    with duckdb.connect(str(scratch / DUCKDB_FILE), read_only=True) as db:
        tables = db.execute(
            "select table_schema, table_name, table_type from information_schema.tables"
        ).fetchall()
        customers = db.execute(
            "select customer_id, name, currency, computed_on from ledger.customers"
        ).fetchall()
    assert sorted(tables) == [
        ("ledger", "customers", "BASE TABLE"),
        ("ledger", "raw_customers", "BASE TABLE"),
    ]
    assert sorted(customers) == [
        (1, "ADA", "EUR", "duckdb"),
        (2, "GRACE", "GBP", "duckdb"),
        (3, "EDSGER", "EUR", "duckdb"),
    ]


def test_a_bigquery_model_reading_a_duckdb_model_is_refused_before_anything_runs(
    server: BqEmulator, tmp_path: Path
) -> None:
    repo = platform(tmp_path, server.port, "ledger_refused", {"reads_duckdb": READS_DUCKDB})
    done = floe_gate_run(repo, tmp_path / "scratch")
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "engine bigquery cannot move data into itself through shared storage "
        "(its plugin has no import_sql), but reads_duckdb (bigquery) reads customers (duckdb)"
    ) in done.stderr
    assert not (tmp_path / "scratch" / DUCKDB_FILE).exists()
    assert bigquery_tables(server.port, "ledger_refused") == set()
