"""FG303: a transform asks for a workload preset its engine does not offer."""

from __future__ import annotations

from conftest import Platform, assert_clean, only, registry_with, where

from floe_gate.problems import Severity


def test_every_duckdb_preset_is_fine(platform: Platform) -> None:
    platform.write(  # small pods have 512Mi: DuckDB must stay within 384MiB there
        "policies/finance/policy.yaml",
        platform.read("policies/finance/policy.yaml")
        + "  targets:\n    duckdb: {memory_limit: 256MB}\n",
    )
    platform.write("products/revenue/models/monthly.sql", "select 1\n")
    platform.write(
        "products/revenue/floe.yaml",
        """\
        apiVersion: floe/v1
        kind: DataProduct
        name: revenue
        domain: finance
        transforms:
          - {name: stg_orders, workload: small}
          - {name: fct_revenue, workload: medium}
          - {name: monthly, workload: large}
        """,
    )
    assert_clean(platform.problems())


def test_an_unknown_preset(platform: Platform) -> None:
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace("workload: medium", "workload: huge"),
    )
    # Only FG303: the pod is not sized from some other preset to report FG402 or FG304 on.
    problem = only(platform.problems())
    assert problem.rule == "FG303"
    assert problem.severity is Severity.ERROR
    assert where(problem) == "products/revenue/floe.yaml:10:15"
    assert problem.message == (
        "workload 'huge' is not a preset of engine duckdb (allowed: large, medium, small)"
    )
    assert problem.subject == "revenue:fct_revenue"


def test_an_unknown_preset_with_resource_overrides_is_one_problem(platform: Platform) -> None:
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace("workload: medium", "workload: xl")
        + "    resources: {memory_request: 1Gi}\n",
    )
    assert [p.rule for p in platform.problems()] == ["FG303"]


def test_a_policy_default_moving_a_transform_to_another_engine(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        platform.read("manifest.yaml").replace(
            "approved: [duckdb]", "approved: [duckdb, snowflake]"
        ),
    )
    platform.write(
        "policies/finance/policy.yaml",
        "apiVersion: floe/v1\nkind: Policy\ncompute:\n  approved: [duckdb, snowflake]\n"
        "  default: snowflake\n",
    )
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace(
            "  - name: stg_orders\n", "  - name: stg_orders\n    workload: large\n"
        ),
    )
    problem = only(platform.problems(registry=registry_with("snowflake")))
    assert where(problem) == "products/revenue/floe.yaml:8:15"
    assert problem.message == (
        "workload 'large' is not a preset of engine snowflake (allowed: client)"
    )
    # The policy's default chose the engine: editing the policy shows this problem.
    assert problem.related == {"manifest.yaml", "policies/finance/policy.yaml"}
