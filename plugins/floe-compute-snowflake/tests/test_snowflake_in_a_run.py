"""Snowflake in a `floe-gate run`: DuckDB and the emulated Snowflake, each proven afterwards.

A platform repository in tmp_path approves duckdb and snowflake; its snowflake
target points at a fakesnow server of this module's own. The data product
``ledger`` (default engine duckdb) loads a seed and builds ``customers`` on DuckDB,
and ``fx_rates`` (inline VALUES, Snowflake's dialect) then ``fx_rates_eur`` (ref of
the first) on Snowflake, with schema tests on both engines. ``floe-gate run`` runs
it in two stages; afterwards the native driver shows Snowflake holds its two models
(and not the DuckDB one), and the DuckDB file holds its models and none of
Snowflake's. The Snowflake plugin has no Parquet hand-off, so a Snowflake model
reading a DuckDB one is refused before anything runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fakesnow_server import FakesnowServer, start_fakesnow

FLOE_GATE = Path(sys.executable).with_name("floe-gate")
USER_ENV, PASSWORD_ENV = "FLOE_TEST_SNOWFLAKE_USER", "FLOE_TEST_SNOWFLAKE_PASSWORD"
CREDENTIALS = {USER_ENV: "floe_ci", PASSWORD_ENV: "not-a-real-password"}
DATABASE = "FLOE"
DUCKDB_FILE = "warehouse/dev.duckdb"


def manifest(port: int) -> str:
    snowflake = {
        "account": "floe-ci",
        "user": {"env": USER_ENV},
        "password": {"env": PASSWORD_ENV},
        "database": DATABASE,
        "warehouse": "FLOE_WH",
        "connect_retries": 2,
        "host": "127.0.0.1",
        "port": port,
        "protocol": "http",
        "threads": 2,
    }
    return f"""\
        apiVersion: floe/v1
        kind: Manifest
        environments:
          dev: {{branch: dev}}
        compute:
          approved: [duckdb, snowflake]
          default: duckdb
          shared_storage: warehouse/shared
          targets:
            duckdb: {{path: {DUCKDB_FILE}, memory_limit: 1GB, threads: 1}}
            snowflake: {json.dumps(snowflake)}
        """


POLICY = """\
    apiVersion: floe/v1
    kind: Policy
    compute:
      approved: [duckdb, snowflake]
      default: duckdb
    """


def product(schema: str, *snowflake_models: str) -> str:
    transforms = "".join(f"  - name: {name}\n    compute: snowflake\n" for name in snowflake_models)
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
    -- Snowflake: inline rows (VALUES with Snowflake's columnN names), no upstream model.
    select column1 as currency, column2 as rate_bp, '{{ target.type }}' as computed_on
    from (values ('EUR', 10850), ('GBP', 12700), ('USD', 10000))
    """
FX_RATES_EUR = """\
    -- Snowflake: reads fx_rates, built on Snowflake in the same stage.
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
    """A platform repository under git; ``extra`` adds Snowflake models (name → SQL)."""
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


def snowflake_rows(port: int, sql: str) -> list[tuple[Any, ...]]:
    import snowflake.connector

    with snowflake.connector.connect(
        account="floe-ci",
        user=CREDENTIALS[USER_ENV],
        password=CREDENTIALS[PASSWORD_ENV],
        database=DATABASE,
        host="127.0.0.1",
        port=port,
        protocol="http",
        login_timeout=10,
    ) as connection:
        cursor = connection.cursor()
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]


def snowflake_tables(port: int, schema: str) -> set[str]:
    rows = snowflake_rows(
        port,
        f"select table_name from {DATABASE}.information_schema.tables "
        f"where table_schema = '{schema.upper()}'",
    )
    return {str(name).lower() for (name,) in rows}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakesnowServer]:
    """This module's own fakesnow: other modules' servers are neither used nor stopped."""
    started = start_fakesnow(tmp_path_factory.mktemp("fakesnow_in_a_run"))
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def ran(
    server: FakesnowServer, tmp_path_factory: pytest.TempPathFactory
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
        (0, "duckdb", ["customers", "raw_customers"]),
        (1, "snowflake", ["fx_rates", "fx_rates_eur"]),
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
        ("model", "fx_rates"): ("snowflake", "success"),
        ("model", "fx_rates_eur"): ("snowflake", "success"),
        ("test", "unique_fx_rates_currency"): ("snowflake", "pass"),
        ("test", "not_null_fx_rates_currency"): ("snowflake", "pass"),
    }
    built = {r["name"]: r["engine"] for r in ledger["results"] if r["resource_type"] != "test"}
    assert built == {
        "raw_customers": "duckdb",
        "customers": "duckdb",
        "fx_rates": "snowflake",
        "fx_rates_eur": "snowflake",
    }
    assert report["summary"] == {"pass": 4, "success": 4}


def test_snowflake_holds_its_models_and_not_the_duckdb_one(
    server: FakesnowServer, ran: tuple[Path, dict[str, Any]]
) -> None:
    assert snowflake_tables(server.port, "ledger") == {"fx_rates", "fx_rates_eur"}
    rates = snowflake_rows(
        server.port, f"select currency, rate_bp, computed_on from {DATABASE}.ledger.fx_rates"
    )
    assert sorted(rates) == [
        ("EUR", 10850, "snowflake"),
        ("GBP", 12700, "snowflake"),
        ("USD", 10000, "snowflake"),
    ]
    eur = snowflake_rows(
        server.port, f"select currency, double_bp, computed_on from {DATABASE}.ledger.fx_rates_eur"
    )
    assert eur == [("EUR", 21700, "snowflake")]


def test_duckdb_holds_its_models_and_none_on_snowflake(ran: tuple[Path, dict[str, Any]]) -> None:
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


def test_a_snowflake_model_reading_a_duckdb_model_is_refused_before_anything_runs(
    server: FakesnowServer, tmp_path: Path
) -> None:
    repo = platform(tmp_path, server.port, "ledger_refused", {"reads_duckdb": READS_DUCKDB})
    done = floe_gate_run(repo, tmp_path / "scratch")
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "engine snowflake cannot move data into itself through shared storage "
        "(its plugin has no import_sql), but reads_duckdb (snowflake) reads customers (duckdb)"
    ) in done.stderr
    assert not (tmp_path / "scratch" / DUCKDB_FILE).exists()
    assert snowflake_tables(server.port, "ledger_refused") == set()
