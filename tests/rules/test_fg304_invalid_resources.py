"""FG304: a transform's resource overrides are not a valid Kubernetes pod."""

from __future__ import annotations

from conftest import Platform, assert_clean, only, where

from floe_gate.problems import Severity


def with_resources(platform: Platform, resources: str) -> None:
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml") + f"    resources: {resources}\n",
    )


def test_valid_overrides_are_fine(platform: Platform) -> None:
    with_resources(platform, "{cpu_limit: '2.5', memory_request: 2Gi, memory_limit: 6Gi}")
    assert_clean(platform.problems())


def test_a_value_that_is_not_a_quantity(platform: Platform) -> None:
    with_resources(platform, "{cpu_limit: two}")
    problem = only(platform.problems())
    assert problem.rule == "FG304"
    assert problem.severity is Severity.ERROR
    assert where(problem) == "products/revenue/floe.yaml:11:28"
    assert problem.message == (
        "resources of transform fct_revenue: cpu_limit: not a Kubernetes quantity "
        "(examples: 500m, 2, 256Mi, 4Gi, 1G, 1e3)"
    )
    assert problem.subject == "revenue:fct_revenue"


def test_a_request_above_its_limit_including_the_preset_limit(platform: Platform) -> None:
    # medium's memory limit is 4Gi: a request of 8Gi alone exceeds it.
    with_resources(platform, "{memory_request: 8Gi}")
    problem = only(platform.problems())
    assert problem.rule == "FG304"
    assert where(problem) == "products/revenue/floe.yaml:11:16"
    assert problem.message == (
        "resources of transform fct_revenue: memory_request 8Gi exceeds memory_limit 4Gi: "
        "Kubernetes rejects a request above its limit"
    )
