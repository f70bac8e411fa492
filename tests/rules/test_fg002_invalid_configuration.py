"""FG002: a file that does not match its schema, located at the key or value concerned."""

from __future__ import annotations

from conftest import Platform, assert_clean, only, where

from floe_gate.problems import Severity


def test_a_valid_platform_has_no_schema_problem(platform: Platform) -> None:
    assert_clean(platform.problems())


def test_an_unknown_key_comes_with_a_did_you_mean(platform: Platform) -> None:
    platform.write(
        "policies/finance/policy.yaml",
        """\
        apiVersion: floe/v1
        kind: Policy
        compute:
          aproved: [duckdb]
        """,
    )
    problem = only(platform.problems(), "FG002")
    assert problem.severity is Severity.ERROR
    assert where(problem) == "policies/finance/policy.yaml:4:3"
    assert problem.message == (
        "unknown key 'compute.aproved'; did you mean 'approved'? "
        "(known keys: approved, default, targets)"
    )


def test_a_missing_required_key_is_reported_at_its_mapping(platform: Platform) -> None:
    platform.write(
        "products/revenue/floe.yaml",
        """\
        apiVersion: floe/v1
        kind: DataProduct
        name: revenue
        transforms:
          - name: stg_orders
        """,
    )
    problem = only(platform.problems(), "FG002")
    assert where(problem) == "products/revenue/floe.yaml:1:1"
    assert problem.message == "missing required key 'domain'"


def test_a_wrongly_typed_value_is_reported_at_the_value_without_echoing_it(
    platform: Platform,
) -> None:
    platform.write(
        "products/revenue/floe.yaml",
        """\
        apiVersion: floe/v1
        kind: DataProduct
        name: revenue
        domain: finance
        transforms:
          - name: stg_orders
            timeout_seconds: forever-and-a-day
        """,
    )
    problem = only(platform.problems(), "FG002")
    assert where(problem) == "products/revenue/floe.yaml:7:22"
    assert problem.message.startswith("transforms.0.timeout_seconds: ")
    assert "forever-and-a-day" not in problem.message


def test_a_document_that_is_not_a_mapping(platform: Platform) -> None:
    platform.write("policies/finance/policy.yaml", "- just\n- a list\n")
    problem = only(platform.problems(), "FG002")
    assert where(problem) == "policies/finance/policy.yaml:1:1"
    assert problem.message == "Policy must be a mapping (apiVersion, kind, ...)"


def test_an_invalid_manifest_is_reported_located_although_nothing_else_can_be(
    platform: Platform,
) -> None:
    platform.write(
        "manifest.yaml",
        platform.read("manifest.yaml").replace("kind: Manifest", "kind: Manifesto"),
    )
    problem = only(platform.problems())
    assert problem.rule == "FG002"
    assert where(problem) == "manifest.yaml:2:7"
    assert problem.message.startswith("kind: ")
