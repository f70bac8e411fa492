"""FG102: a default engine outside its level's approved list, declared or inherited."""

from __future__ import annotations

from conftest import MANIFEST_DUCKDB_SPARK, Platform, assert_clean, only, registry_with, where

from floe_gate.problems import Severity


def test_a_default_inside_the_level_list_is_fine(platform: Platform) -> None:
    platform.write("manifest.yaml", MANIFEST_DUCKDB_SPARK)
    platform.write(
        "policies/finance/policy.yaml",
        """\
        apiVersion: floe/v1
        kind: Policy
        compute:
          approved: [spark]
          default: spark
        """,
    )
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace("compute: duckdb", "compute: spark"),
    )
    assert_clean(platform.problems(registry=registry_with("spark")))


def test_a_manifest_default_outside_its_approved_list(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        platform.read("manifest.yaml").replace("default: duckdb", "default: spark"),
    )
    problem = only(platform.problems(registry=registry_with("spark")), "FG102")
    assert where(problem) == "manifest.yaml:9:12"
    assert problem.message == (
        "default 'spark' of the platform manifest is not in its approved list "
        "(allowed: duckdb; chain: manifest.yaml)"
    )


def test_a_declared_default_outside_the_policy_list(platform: Platform) -> None:
    platform.write("manifest.yaml", MANIFEST_DUCKDB_SPARK)
    platform.write(
        "policies/finance/policy.yaml",
        """\
        apiVersion: floe/v1
        kind: Policy
        compute:
          approved: [duckdb]
          default: spark
        """,
    )
    problem = only(platform.problems(registry=registry_with("spark")), "FG102")
    assert problem.severity is Severity.ERROR
    assert where(problem) == "policies/finance/policy.yaml:5:12"
    assert problem.message == (
        "default 'spark' of domain finance is not in its approved list "
        "(allowed: duckdb; chain: manifest.yaml → policies/finance/policy.yaml)"
    )


def test_an_inherited_default_excluded_by_a_narrowing_domain(platform: Platform) -> None:
    platform.write("manifest.yaml", MANIFEST_DUCKDB_SPARK)
    platform.write(
        "policies/finance/policy.yaml",
        """\
        apiVersion: floe/v1
        kind: Policy
        compute:
          approved: [spark]
        """,
    )
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace("compute: duckdb", "compute: spark"),
    )
    # Reported once, at the narrowing level's approved key: the data product below, which
    # sets neither list nor default, inherits the problem rather than causing it.
    problem = only(platform.problems(registry=registry_with("spark")))
    assert problem.rule == "FG102"
    assert where(problem) == "policies/finance/policy.yaml:4:13"
    assert problem.message == (
        "domain finance approves only spark, which excludes the default 'duckdb' it inherits "
        "from manifest.yaml; set a default "
        "(allowed: spark; chain: manifest.yaml → policies/finance/policy.yaml)"
    )


def test_an_inherited_default_excluded_by_a_sub_domain(platform: Platform) -> None:
    platform.write("manifest.yaml", MANIFEST_DUCKDB_SPARK)
    platform.write(
        "policies/finance/policy.yaml",
        """\
        apiVersion: floe/v1
        kind: Policy
        compute:
          approved: [duckdb, spark]
          default: duckdb
        """,
    )
    platform.write(
        "policies/finance/risk/policy.yaml",
        """\
        apiVersion: floe/v1
        kind: Policy
        compute:
          approved:
            - spark
        """,
    )
    problem = only(platform.problems(registry=registry_with("spark")), "FG102")
    assert where(problem) == "policies/finance/risk/policy.yaml:5:5"
    assert problem.message == (
        "domain finance/risk approves only spark, which excludes the default 'duckdb' it "
        "inherits from policies/finance/policy.yaml; set a default (allowed: spark; chain: "
        "manifest.yaml → policies/finance/policy.yaml → policies/finance/risk/policy.yaml)"
    )


def test_an_inherited_default_excluded_by_a_data_product(platform: Platform) -> None:
    platform.write("manifest.yaml", MANIFEST_DUCKDB_SPARK)
    platform.write(
        "policies/finance/policy.yaml",
        """\
        apiVersion: floe/v1
        kind: Policy
        compute:
          approved: [duckdb, spark]
        """,
    )
    platform.write(
        "products/revenue/floe.yaml",
        """\
        apiVersion: floe/v1
        kind: DataProduct
        name: revenue
        domain: finance
        compute:
          approved: [spark]
        transforms:
          - name: stg_orders
        """,
    )
    problem = only(platform.problems(registry=registry_with("spark")), "FG102")
    assert where(problem) == "products/revenue/floe.yaml:6:13"
    assert problem.message.startswith(
        "data product revenue approves only spark, which excludes the default 'duckdb' it "
        "inherits from manifest.yaml; set a default (allowed: spark; chain: "
    )
