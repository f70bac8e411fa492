"""FG205: a per-transform timeout on an engine that cannot limit single models."""

from __future__ import annotations

from conftest import MANIFEST_DUCKDB_SPARK, Platform, assert_clean, only, registry_with, where

from floe_gate.problems import Severity

SPARK_POLICY = """\
apiVersion: floe/v1
kind: Policy
compute:
  approved: [duckdb, spark]
  default: duckdb
"""


def on_spark(platform: Platform, transform: str) -> None:
    platform.write("manifest.yaml", MANIFEST_DUCKDB_SPARK)
    platform.write("policies/finance/policy.yaml", SPARK_POLICY)
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace(
            "  - name: stg_orders\n", "  - name: stg_orders\n" + transform
        ),
    )


def test_an_override_on_duckdb_is_enforced(platform: Platform) -> None:
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml") + "    timeout_seconds: 60\n",
    )
    assert_clean(platform.problems())


def test_spark_without_an_override_is_fine(platform: Platform) -> None:
    on_spark(platform, "    compute: spark\n")
    assert_clean(platform.problems(registry=registry_with("spark")))


def test_an_override_on_an_engine_without_per_model_timeouts(platform: Platform) -> None:
    on_spark(platform, "    compute: spark\n    timeout_seconds: 7200\n")
    problem = only(platform.problems(registry=registry_with("spark")))
    assert problem.rule == "FG205"
    assert problem.severity is Severity.ERROR
    assert where(problem) == "products/revenue/floe.yaml:9:22"
    assert problem.message == (
        "timeout_seconds 7200 cannot be enforced for this transform: engine spark cannot "
        "limit single dbt models (its statements get compute.timeout_seconds = 3600); remove "
        "the override or choose an engine that can (allowed: duckdb)"
    )
    assert problem.subject == "revenue:stg_orders"
