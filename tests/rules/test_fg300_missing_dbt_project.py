"""FG300: a data product's dbt project is missing, or names no profile."""

from __future__ import annotations

from conftest import Platform, assert_clean, only, where

from floe_gate.problems import Severity


def test_a_product_with_its_dbt_project_is_fine(platform: Platform) -> None:
    assert_clean(platform.problems())


def test_a_dbt_project_elsewhere_is_found(platform: Platform) -> None:
    platform.write("products/revenue/dbt/dbt_project.yml", platform.read(
        "products/revenue/dbt_project.yml"))  # fmt: skip
    platform.write("products/revenue/dbt/models/stg_orders.sql", "select 1\n")
    platform.write("products/revenue/dbt/models/fct_revenue.sql", "select 1\n")
    platform.remove("products/revenue/dbt_project.yml")
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace("dbt_project: .", "dbt_project: dbt"),
    )
    assert_clean(platform.problems())


def test_a_missing_dbt_project(platform: Platform) -> None:
    platform.remove("products/revenue/dbt_project.yml")
    problem = only(platform.problems())
    assert problem.rule == "FG300"
    assert problem.severity is Severity.ERROR
    assert where(problem) == "products/revenue/floe.yaml:5:14"
    assert problem.message == "no dbt_project.yml in products/revenue/ for data product revenue"
    assert problem.subject == "revenue"


def test_a_dbt_project_directory_that_does_not_exist(platform: Platform) -> None:
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace(
            "dbt_project: .", "dbt_project: ../shared/dbt"
        ),
    )
    problem = only(platform.problems())
    assert where(problem) == "products/revenue/floe.yaml:5:14"
    assert problem.message == "no dbt_project.yml in products/shared/dbt/ for data product revenue"


def test_a_dbt_project_without_a_profile(platform: Platform) -> None:
    platform.write(
        "products/revenue/dbt_project.yml",
        """\
        # the revenue project
        name: revenue
        config-version: 2
        """,
    )
    problem = only(platform.problems())
    assert problem.rule == "FG300"
    assert where(problem) == "products/revenue/dbt_project.yml:2:1"
    assert problem.message == (
        "products/revenue/dbt_project.yml names no 'profile:'; floe-gate names the generated "
        "profile after it"
    )
