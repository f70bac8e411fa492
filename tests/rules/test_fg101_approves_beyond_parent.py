"""FG101: a level approves an engine its parent does not, reported at the list item."""

from __future__ import annotations

from conftest import MANIFEST_DUCKDB_SPARK, Platform, assert_clean, only, registry_with, where

from floe_gate.problems import Severity


def test_narrowing_at_every_level_is_fine(platform: Platform) -> None:
    platform.write("manifest.yaml", MANIFEST_DUCKDB_SPARK)
    platform.write(
        "policies/finance/risk/policy.yaml",
        """\
        apiVersion: floe/v1
        kind: Policy
        compute:
          approved: [duckdb]
        """,
    )
    assert_clean(platform.problems(registry=registry_with("spark")))


def test_a_policy_approving_beyond_the_manifest(platform: Platform) -> None:
    platform.write(
        "policies/finance/policy.yaml",
        """\
        apiVersion: floe/v1
        kind: Policy
        compute:
          approved:
            - duckdb
            - bigquery
          default: duckdb
        """,
    )
    problem = only(platform.problems(), "FG101")
    assert problem.severity is Severity.ERROR
    assert where(problem) == "policies/finance/policy.yaml:6:7"
    assert problem.message == (
        "domain finance approves 'bigquery', which the platform manifest does not approve "
        "(allowed: duckdb; chain: manifest.yaml → policies/finance/policy.yaml)"
    )


def test_a_sub_policy_approving_beyond_its_domain(platform: Platform) -> None:
    platform.write("manifest.yaml", MANIFEST_DUCKDB_SPARK)
    platform.write(
        "policies/finance/risk/policy.yaml",
        """\
        apiVersion: floe/v1
        kind: Policy
        compute:
          approved: [duckdb, spark]
        """,
    )
    problem = only(platform.problems(registry=registry_with("spark")), "FG101")
    assert where(problem) == "policies/finance/risk/policy.yaml:4:22"
    assert problem.message == (
        "domain finance/risk approves 'spark', which domain finance does not approve "
        "(allowed: duckdb; chain: manifest.yaml → policies/finance/policy.yaml → "
        "policies/finance/risk/policy.yaml)"
    )
    assert problem.related == {"manifest.yaml", "policies/finance/policy.yaml"}


def test_a_data_product_approving_beyond_its_domain(platform: Platform) -> None:
    platform.write("manifest.yaml", MANIFEST_DUCKDB_SPARK)
    platform.write(
        "products/revenue/floe.yaml",
        """\
        apiVersion: floe/v1
        kind: DataProduct
        name: revenue
        domain: finance
        compute:
          approved: [spark, duckdb]
        """,
    )
    problem = only(platform.problems(registry=registry_with("spark")), "FG101")
    assert where(problem) == "products/revenue/floe.yaml:6:14"
    assert problem.message == (
        "data product revenue approves 'spark', which domain finance does not approve "
        "(allowed: duckdb; chain: manifest.yaml → policies/finance/policy.yaml → "
        "products/revenue/floe.yaml)"
    )


def test_each_engine_beyond_the_parent_is_its_own_problem(platform: Platform) -> None:
    platform.write(
        "policies/finance/policy.yaml",
        """\
        apiVersion: floe/v1
        kind: Policy
        compute:
          approved: [spark, duckdb, trino]
          default: duckdb
        """,
    )
    problems = [p for p in platform.problems() if p.rule == "FG101"]
    assert [where(p) for p in problems] == [
        "policies/finance/policy.yaml:4:14",
        "policies/finance/policy.yaml:4:29",
    ]
