"""FG301: a transform names no model of its dbt project."""

from __future__ import annotations

from conftest import Platform, assert_clean, only, where

from floe_gate.problems import Severity


def test_python_models_and_other_model_paths_count(platform: Platform) -> None:
    platform.write(
        "products/revenue/dbt_project.yml",
        platform.read("products/revenue/dbt_project.yml").replace(
            'model-paths: ["models"]', 'model-paths: ["models", "marts"]'
        ),
    )
    platform.remove("products/revenue/models/fct_revenue.sql")
    platform.write("products/revenue/marts/finance/fct_revenue.py", "def model(dbt, s): ...\n")
    assert_clean(platform.problems())


def test_a_misspelt_model_comes_with_a_did_you_mean(platform: Platform) -> None:
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace(
            "name: fct_revenue", "name: fct_revenu"
        ),
    )
    problem = only(platform.problems())
    assert problem.rule == "FG301"
    assert problem.severity is Severity.ERROR
    assert where(problem) == "products/revenue/floe.yaml:8:11"
    assert problem.message == (
        "transform 'fct_revenu' is not a model of dbt project products/revenue/dbt_project.yml; "
        "did you mean 'fct_revenue'? (models: fct_revenue, stg_orders)"
    )
    assert problem.related == {"products/revenue/dbt_project.yml"}


def test_a_model_outside_the_model_paths_does_not_count(platform: Platform) -> None:
    platform.write("products/revenue/analyses/churn.sql", "select 1\n")
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml") + "  - name: churn\n",
    )
    problem = only(platform.problems())
    assert where(problem) == "products/revenue/floe.yaml:11:11"
    assert problem.message == (
        "transform 'churn' is not a model of dbt project products/revenue/dbt_project.yml "
        "(models: fct_revenue, stg_orders)"
    )
