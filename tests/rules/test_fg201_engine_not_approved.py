"""FG201: a transform's engine is not approved where it is used."""

from __future__ import annotations

from conftest import Platform, assert_clean, only, registry_with, where

from floe_gate.problems import Severity

# The example of DESIGN.md: the manifest approves three engines, finance two of them.
MANIFEST = """\
apiVersion: floe/v1
kind: Manifest
environments:
  dev: {branch: dev}
  prod: {branch: main}
compute:
  approved: [duckdb, spark, snowflake]
  default: duckdb
  targets:
    duckdb: {memory_limit: 1GB, threads: 1}
"""
FINANCE = """\
apiVersion: floe/v1
kind: Policy
compute:
  approved: [duckdb, snowflake]
  default: snowflake
"""
REVENUE = """\
apiVersion: floe/v1
kind: DataProduct
name: revenue
domain: finance
dbt_project: .
transforms:
  - name: stg_orders
  - name: fct_revenue
    compute: {engine}
"""


def write(platform: Platform, engine: str) -> None:
    platform.write("manifest.yaml", MANIFEST)
    platform.write("policies/finance/policy.yaml", FINANCE)
    platform.write("products/revenue/floe.yaml", REVENUE.replace("{engine}", engine))


def test_an_engine_the_domain_approves_is_fine(platform: Platform) -> None:
    write(platform, "snowflake")
    assert_clean(platform.problems(registry=registry_with("spark", "snowflake")))


def test_an_engine_the_domain_does_not_approve(platform: Platform) -> None:
    write(platform, "spark")
    problem = only(platform.problems(registry=registry_with("spark", "snowflake")))
    assert problem.rule == "FG201"
    assert problem.severity is Severity.ERROR
    assert problem.as_text() == (
        "products/revenue/floe.yaml:9:14: error FG201 compute 'spark' is not approved for "
        "domain finance (approved: duckdb, snowflake; chain: manifest.yaml → "
        "policies/finance/policy.yaml)"
    )
    assert problem.subject == "revenue:fct_revenue"
    assert problem.related == {"manifest.yaml", "policies/finance/policy.yaml"}


def test_the_chain_names_the_level_that_decided_through_a_sub_domain(
    platform: Platform,
) -> None:
    write(platform, "spark")
    platform.write("policies/finance/risk/policy.yaml", "apiVersion: floe/v1\nkind: Policy\n")
    platform.write(
        "products/revenue/floe.yaml",
        REVENUE.replace("{engine}", "spark").replace("domain: finance", "domain: finance/risk"),
    )
    problem = only(platform.problems(registry=registry_with("spark", "snowflake")), "FG201")
    # finance/risk inherits finance's list: finance decided, and the chain ends there.
    assert problem.message == (
        "compute 'spark' is not approved for domain finance (approved: duckdb, snowflake; "
        "chain: manifest.yaml → policies/finance/policy.yaml)"
    )
    assert problem.related == {
        "manifest.yaml",
        "policies/finance/policy.yaml",
        "policies/finance/risk/policy.yaml",
    }


def test_the_data_product_narrowing_its_own_list(platform: Platform) -> None:
    write(platform, "snowflake")
    platform.write(
        "products/revenue/floe.yaml",
        REVENUE.replace("{engine}", "snowflake").replace(
            "dbt_project: .\n",
            "dbt_project: .\ncompute:\n  approved: [duckdb]\n  default: duckdb\n",
        ),
    )
    problem = only(platform.problems(registry=registry_with("spark", "snowflake")), "FG201")
    assert where(problem) == "products/revenue/floe.yaml:12:14"
    assert problem.message == (
        "compute 'snowflake' is not approved for data product revenue (approved: duckdb; "
        "chain: manifest.yaml → policies/finance/policy.yaml → products/revenue/floe.yaml)"
    )


def test_an_engine_the_manifest_does_not_approve(platform: Platform) -> None:
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace("compute: duckdb", "compute: trino"),
    )
    problems = platform.problems()
    problem = only(problems, "FG201")
    assert where(problem) == "products/revenue/floe.yaml:9:14"
    assert problem.message == (
        "compute 'trino' is not approved for domain finance (approved: duckdb; "
        "chain: manifest.yaml → policies/finance/policy.yaml)"
    )
    # No plugin either: FG202 at the same place says so.
    assert where(only(problems, "FG202")) == "products/revenue/floe.yaml:9:14"
