"""FG302: a model listed twice in ``transforms:``, reported at the second entry."""

from __future__ import annotations

from conftest import Platform, assert_clean, only, where

from floe_gate.problems import Severity


def test_each_model_listed_once_is_fine(platform: Platform) -> None:
    assert_clean(platform.problems())


def test_the_second_entry_is_reported_naming_the_first(platform: Platform) -> None:
    platform.write(
        "products/revenue/floe.yaml",
        """\
        apiVersion: floe/v1
        kind: DataProduct
        name: revenue
        domain: finance
        transforms:
          - name: stg_orders
          - name: fct_revenue
          - compute: duckdb
            name: stg_orders
        """,
    )
    problem = only(platform.problems())
    assert problem.rule == "FG302"
    assert problem.severity is Severity.ERROR
    assert where(problem) == "products/revenue/floe.yaml:9:11"
    assert problem.message == (
        "model 'stg_orders' is listed twice in data product revenue (first at line 6)"
    )
    assert problem.subject == "revenue:stg_orders"
