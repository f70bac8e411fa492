"""FG305: a dbt project whose query-comment keeps the node out of the SQL: a note.

The statement guard takes the node from dbt's thread first, so such a project's models are
still limited: plugins/floe-compute-duckdb/tests/test_statement_guard.py cancels an endless
model under ``query-comment: null`` (the "no-comment" setup) at its own limit.
"""

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
    assert problem.severity is Severity.NOTE
    assert where(problem) == "products/revenue/dbt_project.yml:6:16"
    assert problem.message.startswith(
        "query-comment turns dbt's query comment off: the statement guard of duckdb still "
        "limits each model (dbt tells it which node a thread runs), but the SQL no longer "
        "names its model"
    )
    assert problem.message.endswith('render JSON with "node_id": "{{ node.unique_id }}"')
    assert problem.subject == "revenue"
    assert problem.related == {"products/revenue/floe.yaml"}


def test_a_custom_comment_without_the_node(platform: Platform) -> None:
    with_query_comment(platform, "query-comment:\n  comment: 'run by {{ target.name }}'\n")
    problem = only(platform.problems())
    assert where(problem) == "products/revenue/dbt_project.yml:7:12"
    assert problem.message.startswith(
        "query-comment comment replaces dbt's query comment with one that carries no node_id"
    )


def test_a_comment_macro_cannot_be_judged_without_dbt_and_is_not_reported(
    platform: Platform,
) -> None:
    # A real project's macro that renders node_id: only dbt knows what it renders.
    platform.write(
        "products/revenue/macros/query_comment.sql",
        "{% macro shop_comment(node) %}{{ tojson({'node_id': node.unique_id}) }}{% endmacro %}\n",
    )
    with_query_comment(platform, "query-comment:\n  comment: '{{ shop_comment(node) }}'\n")
    assert_clean(platform.problems())


def test_fixed_text_names_no_node(platform: Platform) -> None:
    with_query_comment(platform, "query-comment: 'run by the nightly job'\n")
    problem = only(platform.problems())
    assert problem.severity is Severity.NOTE
    assert problem.message.startswith(
        "query-comment replaces dbt's query comment with fixed text that carries no node_id"
    )


def test_an_appended_comment_is_read_by_the_guard(platform: Platform) -> None:
    with_query_comment(
        platform,
        'query-comment:\n  comment: \'{"node_id": "{{ node.unique_id }}"}\'\n  append: true\n',
    )
    assert_clean(platform.problems())
