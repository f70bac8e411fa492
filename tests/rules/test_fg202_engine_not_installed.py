"""FG202: an engine is named, in the manifest or by a transform, but no plugin provides it."""

from __future__ import annotations

from conftest import Platform, assert_clean, only, registry_with, where

from floe_gate.problems import Severity

NOT_INSTALLED = (
    "engine 'spark' has no installed compute plugin (installed: duckdb); install its plugin, "
    "e.g. in the hook's additional_dependencies"
)


def approve_spark(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        platform.read("manifest.yaml").replace("approved: [duckdb]", "approved: [duckdb, spark]"),
    )
    platform.write(
        "policies/finance/policy.yaml",
        platform.read("policies/finance/policy.yaml").replace(
            "approved: [duckdb]", "approved: [duckdb, spark]"
        ),
    )


def test_an_engine_with_a_plugin_is_fine(platform: Platform) -> None:
    approve_spark(platform)
    assert_clean(platform.problems(registry=registry_with("spark")))


def test_an_approved_engine_without_a_plugin_is_reported_at_the_manifest(
    platform: Platform,
) -> None:
    approve_spark(platform)
    problem = only(platform.problems())
    assert problem.rule == "FG202"
    assert problem.severity is Severity.ERROR
    assert where(problem) == "manifest.yaml:8:22"
    assert problem.message == NOT_INSTALLED


def test_a_transform_on_an_engine_without_a_plugin(platform: Platform) -> None:
    approve_spark(platform)
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace("compute: duckdb", "compute: spark"),
    )
    problems = [p for p in platform.problems() if p.rule == "FG202"]
    assert [where(p) for p in problems] == ["manifest.yaml:8:22", "products/revenue/floe.yaml:9:14"]
    assert all(p.message == NOT_INSTALLED for p in problems)
    assert problems[1].subject == "revenue:fct_revenue"


def test_a_plugin_that_fails_to_load_is_reported_with_its_reason(platform: Platform) -> None:
    approve_spark(platform)
    problem = only(platform.problems(registry=registry_with(broken=["spark"])))
    assert problem.rule == "FG202"
    assert where(problem) == "manifest.yaml:8:22"
    assert problem.message.startswith(
        "the compute plugin for 'spark' cannot be used: import failed: ModuleNotFoundError"
    )
