"""FG305: a dbt project whose query-comment hides the node from the statement guard."""

from __future__ import annotations

import pytest
from conftest import DBT_PROJECT, Platform, assert_clean, only, where

from floe_gate.problems import Severity


def with_query_comment(platform: Platform, setting: str) -> None:
    platform.write("products/revenue/dbt_project.yml", DBT_PROJECT + setting)


@pytest.mark.parametrize(
    "setting",
    [
        "query-comment:\n  append: true\n",
        "query-comment:\n  job-label: true\n",
        'query-comment: \'{"app": "x", "node_id": "{{ node.unique_id }}"}\'\n',
    ],
)
def test_settings_that_keep_the_node(platform: Platform, setting: str) -> None:
    with_query_comment(platform, setting)
    assert_clean(platform.problems())


def test_turning_the_comment_off(platform: Platform) -> None:
    with_query_comment(platform, "query-comment: null\n")
    problem = only(platform.problems())
    assert problem.rule == "FG305"
    assert problem.severity is Severity.ERROR
    assert where(problem) == "products/revenue/dbt_project.yml:6:16"
    assert problem.message.startswith(
        "query-comment turns dbt's query comment off: the statement guard of duckdb reads "
        "the dbt node from dbt's query comment"
    )
    assert problem.subject == "revenue"
    assert problem.related == {"products/revenue/floe.yaml"}


def test_a_custom_comment_without_the_node(platform: Platform) -> None:
    with_query_comment(platform, "query-comment:\n  comment: 'run by {{ target.name }}'\n")
    problem = only(platform.problems())
    assert where(problem) == "products/revenue/dbt_project.yml:7:12"
    assert problem.message.startswith(
        "query-comment comment replaces dbt's query comment with one that carries no node_id"
    )


def test_a_comment_macro_cannot_be_judged_here_and_run_verifies_it(platform: Platform) -> None:
    # A real project's macro that renders node_id: not an error, but not a pass either.
    platform.write(
        "products/revenue/macros/query_comment.sql",
        "{% macro shop_comment(node) %}{{ tojson({'node_id': node.unique_id}) }}{% endmacro %}\n",
    )
    with_query_comment(platform, "query-comment:\n  comment: '{{ shop_comment(node) }}'\n")
    problem = only(platform.problems())
    assert (problem.rule, where(problem)) == ("FG305", "products/revenue/dbt_project.yml:7:12")
    assert problem.severity is Severity.WARNING
    assert problem.message.endswith(
        "floe-gate run verifies it on the first statement and fails if the node cannot be named"
    )


def test_fixed_text_names_no_node(platform: Platform) -> None:
    with_query_comment(platform, "query-comment: 'run by the nightly job'\n")
    problem = only(platform.problems())
    assert problem.severity is Severity.ERROR
    assert problem.message.startswith(
        "query-comment replaces dbt's query comment with fixed text that carries no node_id"
    )


def test_an_appended_comment_is_read_by_the_guard(platform: Platform) -> None:
    with_query_comment(
        platform,
        'query-comment:\n  comment: \'{"node_id": "{{ node.unique_id }}"}\'\n  append: true\n',
    )
    assert_clean(platform.problems())
