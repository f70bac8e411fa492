"""A versioned dbt model with two versions, where a transform names one version
(``dim_orders.v2``) or the whole model (``dim_orders``): compile's compiled.json and
profiles, compile's and run's crossings, and a real ``dbt build`` on DuckDB that
holds each version to its own timeout.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from conftest import Platform, where, without_correlation_ids

from floe_gate.problems import Problem
from floe_gate.registry import PluginRegistry

MANIFEST = """\
apiVersion: floe/v1
kind: Manifest
environments:
  dev: {branch: dev}
compute:
  approved: [duckdb, spark]
  default: duckdb
  timeout_seconds: 600
  targets:
    duckdb: {path: warehouse/dev.duckdb, memory_limit: 1GB, threads: 1}
    spark: {method: session, threads: 1}
"""

POLICY = """\
apiVersion: floe/v1
kind: Policy
compute:
  approved: [duckdb, spark]
  default: duckdb
"""

PROPERTIES = """\
models:
  - name: dim_orders
    latest_version: 1
    columns:
      - name: order_id
    versions:
      - v: 1
      - v: 2
        columns:
          - name: order_id
          - name: amount
"""

# A table: a view of it would be created at once.
ENDLESS = (
    "{{ config(materialized='table') }} select sum(a * a % 7) as n from range(1000000000000) t(a)"
)


def product(transforms: str) -> str:
    return (
        "apiVersion: floe/v1\nkind: DataProduct\nname: revenue\ndomain: finance\n"
        f"dbt_project: .\ntransforms:\n{transforms}"
    )


@pytest.fixture
def shop(platform: Platform) -> Platform:
    """revenue's dbt project with ``dim_orders`` in two versions; ``fct_revenue`` reads
    version 2, ``latest_orders`` the latest (1)."""
    platform.write("manifest.yaml", MANIFEST)
    platform.write("policies/finance/policy.yaml", POLICY)
    platform.write("products/revenue/models/properties.yml", PROPERTIES)
    platform.write(
        "products/revenue/models/dim_orders_v1.sql",
        "select order_id from {{ ref('stg_orders') }}\n",
    )
    platform.write(
        "products/revenue/models/dim_orders_v2.sql",
        "select order_id, 10 as amount from {{ ref('stg_orders') }}\n",
    )
    platform.write(
        "products/revenue/models/fct_revenue.sql",
        "select sum(amount) as revenue from {{ ref('dim_orders', v=2) }}\n",
    )
    platform.write(
        "products/revenue/models/latest_orders.sql", "select * from {{ ref('dim_orders') }}\n"
    )
    return platform


def compiled(platform: Platform) -> dict[str, Any]:
    done = platform.cli("compile", "--out", "out", "--env", "dev")
    assert done.returncode == 0, done.stdout + done.stderr
    document: dict[str, Any] = json.loads((platform.root / "out/dev/compiled.json").read_text())
    return document["products"]["revenue"]["transforms"]


def problems(platform: Platform) -> list[Problem]:
    return platform.problems(registry=PluginRegistry())


def test_one_version_on_another_engine_in_compiled_json(shop: Platform) -> None:
    shop.write("manifest.yaml", MANIFEST + "  shared_storage: warehouse/shared\n")
    shop.write(
        "products/revenue/floe.yaml",
        product("  - name: stg_orders\n  - name: dim_orders.v2\n    compute: spark\n"),
    )
    assert [where(p) for p in problems(shop)] == []
    transforms = compiled(shop)
    engines = {name: (t["engine"], t["listed"]) for name, t in transforms.items()}
    assert engines == {
        "dim_orders.v1": ("duckdb", False),
        "dim_orders.v2": ("spark", True),
        "fct_revenue": ("duckdb", False),
        "latest_orders": ("duckdb", False),
        "stg_orders": ("duckdb", True),
    }


CROSSINGS = (
    "error: data product revenue: data must cross engines but the manifest sets no "
    "compute.shared_storage: dim_orders.v2 (spark) reads stg_orders (duckdb); "
    "fct_revenue (duckdb) reads dim_orders.v2 (spark). Set compute.shared_storage to a "
    "directory (or URL) every engine can read and write"
)


def test_compile_finds_the_crossings_of_one_version(shop: Platform) -> None:
    # latest_orders reads version 1 (latest_version: 1), on DuckDB: no crossing.
    shop.write(
        "products/revenue/floe.yaml",
        product("  - name: dim_orders.v2\n    compute: spark\n"),
    )
    done = shop.cli("compile", "--out", "out", "--env", "dev")
    assert done.returncode == 1
    assert without_correlation_ids(done.stderr).splitlines() == [
        CROSSINGS,
        "compile refused: no artifacts written",
    ]


def test_run_finds_them_in_dbts_graph(shop: Platform) -> None:
    """dbt parses the project (no Spark starts): version 2 is on Spark, version 1 is not."""
    shop.write(
        "products/revenue/floe.yaml",
        product("  - name: dim_orders.v2\n    compute: spark\n"),
    )
    done = shop.cli("run", "--env", "dev", "--work-dir", "work")
    assert done.returncode == 1
    assert (
        "data must cross engines but the manifest sets no compute.shared_storage: "
        "dim_orders.v2 (spark) reads stg_orders (duckdb); fct_revenue (duckdb) reads "
        "dim_orders.v2 (spark)."
    ) in done.stdout + done.stderr


def test_the_whole_model_on_another_engine_moves_every_version(shop: Platform) -> None:
    shop.write("manifest.yaml", MANIFEST + "  shared_storage: warehouse/shared\n")
    shop.write(
        "products/revenue/floe.yaml",
        product("  - name: dim_orders\n    compute: spark\n"),
    )
    transforms = compiled(shop)
    assert "dim_orders.v1" not in transforms
    assert transforms["dim_orders"]["engine"] == "spark"
    assert transforms["latest_orders"]["engine"] == "duckdb"


def test_each_version_is_held_to_its_own_timeout_by_a_real_dbt_build(shop: Platform) -> None:
    shop.write("products/revenue/models/dim_orders_v2.sql", ENDLESS + "\n")
    shop.write(
        "products/revenue/models/fct_revenue.sql",
        "select n from {{ ref('dim_orders', v=2) }}\n",
    )
    shop.write(
        "products/revenue/floe.yaml",
        product(
            "  - name: dim_orders\n    timeout_seconds: 120\n"
            "  - name: dim_orders.v2\n    timeout_seconds: 2\n"
        ),
    )
    assert [where(p) for p in problems(shop)] == []
    transforms = compiled(shop)
    assert transforms["dim_orders"]["timeout_seconds"] == 120
    assert transforms["dim_orders.v2"]["timeout_seconds"] == 2
    profile = yaml.safe_load((shop.root / "out/dev/revenue/duckdb/profiles.yml").read_text())
    [guard] = profile["revenue"]["outputs"]["dev"]["plugins"]
    assert guard["config"]["model_timeouts"] == {"dim_orders": 120, "dim_orders.v2": 2}

    done = shop.cli("run", "--env", "dev", "--format", "json", "--work-dir", "work")

    assert done.returncode == 1, done.stderr
    [revenue] = json.loads(done.stdout)["products"]
    results = {r["unique_id"]: r for r in revenue["results"]}
    version_2 = results["model.revenue.dim_orders.v2"]
    assert version_2["status"] == "error"
    assert 2.0 <= version_2["duration_seconds"] < 3.0
    assert (
        "statement timeout: transform dim_orders.v2 (model.revenue.dim_orders.v2)"
        in version_2["message"]
    )
    assert version_2["name"] == "dim_orders.v2"  # as the transform names it
    assert results["model.revenue.dim_orders.v1"]["status"] == "success"
    assert results["model.revenue.fct_revenue"]["status"] == "skipped"
    assert results["model.revenue.latest_orders"]["status"] == "success"
