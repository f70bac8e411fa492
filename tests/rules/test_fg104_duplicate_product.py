"""FG104: two data products with one name, reported at the second."""

from __future__ import annotations

from conftest import Platform, assert_clean, only, where

from floe_gate.problems import Severity


def test_distinct_names_are_fine(platform: Platform) -> None:
    assert_clean(platform.problems())


def test_the_second_product_with_a_name_is_reported(platform: Platform) -> None:
    platform.write(
        "products/revenue_copy/floe.yaml",
        """\
        apiVersion: floe/v1
        kind: DataProduct
        name: revenue
        domain: finance
        dbt_project: ../revenue
        """,
    )
    problem = only(platform.problems())
    assert problem.rule == "FG104"
    assert problem.severity is Severity.ERROR
    assert where(problem) == "products/revenue_copy/floe.yaml:3:7"
    assert problem.message == (
        "data product name 'revenue' is already used by products/revenue/floe.yaml; "
        "product names must be unique in the repository"
    )
