"""A problem at a product's own compute: section can be waived by PRODUCT."""

from __future__ import annotations

from conftest import MANIFEST_DUCKDB_SPARK, Platform, only, registry_with, where

from floe_gate.problems import Severity


def test_product_level_problem_is_waivable_by_product_name(platform: Platform) -> None:
    platform.write("manifest.yaml", MANIFEST_DUCKDB_SPARK)
    platform.write(
        "products/revenue/floe.yaml",
        """\
        apiVersion: floe/v1
        kind: DataProduct
        name: revenue
        domain: finance
        compute:
          approved: [duckdb]
          default: spark
        """,
    )
    platform.write(
        "policies/waivers.yaml",
        """\
        apiVersion: floe/v1
        kind: Waivers
        waivers:
          - rule: FG102
            subject: revenue
            reason: moving off spark
            expires: 2030-01-01
        """,
    )
    problem = only(platform.problems(registry=registry_with("spark")))
    assert problem.rule == "FG102"
    assert problem.severity is Severity.WARNING
    assert where(problem) == "products/revenue/floe.yaml:7:12"
    assert "waived until 2030-01-01: moving off spark" in problem.message


def test_a_waiver_for_a_product_that_cannot_be_judged_is_not_unused(platform: Platform) -> None:
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace("domain: finance", "domain: financ"),
    )
    platform.write(
        "policies/waivers.yaml",
        "apiVersion: floe/v1\nkind: Waivers\nwaivers:\n  - rule: FG201\n    subject: revenue\n"
        "    reason: migration\n    expires: 2027-01-01\n",
    )
    problems = platform.problems()
    assert [p.rule for p in problems] == ["FG103"]  # the unknown domain, no FG501 note
