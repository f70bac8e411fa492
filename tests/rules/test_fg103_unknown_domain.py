"""FG103: a data product names a domain the policy tree does not define."""

from __future__ import annotations

from conftest import Platform, assert_clean, only, where

from floe_gate.problems import Severity


def test_a_product_in_a_sub_domain_is_fine(platform: Platform) -> None:
    platform.write("policies/finance/risk/policy.yaml", "apiVersion: floe/v1\nkind: Policy\n")
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace(
            "domain: finance", "domain: finance/risk"
        ),
    )
    assert_clean(platform.problems())


def test_a_misspelt_domain_comes_with_a_did_you_mean(platform: Platform) -> None:
    platform.write("policies/sales/policy.yaml", "apiVersion: floe/v1\nkind: Policy\n")
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace("domain: finance", "domain: finnace"),
    )
    problem = only(platform.problems())
    assert problem.rule == "FG103"
    assert problem.severity is Severity.ERROR
    assert where(problem) == "products/revenue/floe.yaml:4:9"
    assert problem.message == (
        "domain 'finnace' of data product revenue has no policy under policies/; "
        "did you mean 'finance'? (known domains: finance, sales)"
    )
    assert problem.subject == "revenue"


def test_an_unknown_sub_domain(platform: Platform) -> None:
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace(
            "domain: finance", "domain: marketing/emea"
        ),
    )
    problem = only(platform.problems(), "FG103")
    assert problem.message == (
        "domain 'marketing/emea' of data product revenue has no policy under policies/ "
        "(known domains: finance)"
    )


def test_a_domain_whose_policy_is_invalid_is_reported_at_the_policy_only(
    platform: Platform,
) -> None:
    platform.write("policies/finance/policy.yaml", "apiVersion: floe/v1\nkind: Policy\nkind: x\n")
    platform.write("policies/finance/risk/policy.yaml", "apiVersion: floe/v1\nkind: Policy\n")
    platform.write("products/risk/floe.yaml", "apiVersion: floe/v1\nkind: DataProduct\n"
                   "name: risk\ndomain: finance/risk\ndbt_project: ../revenue\n")  # fmt: skip
    # Neither "no policy for finance" nor a sub-domain resolved past its broken parent.
    problem = only(platform.problems())
    assert problem.rule == "FG001"
    assert problem.file == "policies/finance/policy.yaml"
