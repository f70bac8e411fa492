"""FG001: a configuration file that is not one valid YAML document in UTF-8."""

from __future__ import annotations

from conftest import Platform, assert_clean, only, where

from floe_gate.problems import Severity


def test_a_valid_platform_has_no_yaml_problem(platform: Platform) -> None:
    assert_clean(platform.problems())


def test_a_syntax_error_in_a_policy_is_located(platform: Platform) -> None:
    platform.write(
        "policies/finance/policy.yaml",
        """\
        apiVersion: floe/v1
        kind: Policy
        compute:
          approved: [duckdb
          default: duckdb
        """,
    )
    problem = only(platform.problems(), "FG001")
    assert problem.severity is Severity.ERROR
    assert where(problem) == "policies/finance/policy.yaml:5:10"
    assert problem.message == "invalid YAML: did not find expected ',' or ']'"


def test_a_duplicate_key_is_an_error_at_the_second_key(platform: Platform) -> None:
    platform.write(
        "policies/finance/policy.yaml",
        """\
        apiVersion: floe/v1
        kind: Policy
        compute:
          default: duckdb
          approved: [duckdb]
          default: spark
        """,
    )
    problem = only(platform.problems(), "FG001")
    assert where(problem) == "policies/finance/policy.yaml:6:3"
    assert problem.message == "duplicate key 'default' (first written at line 4)"


def test_bytes_that_are_not_utf8_are_located(platform: Platform) -> None:
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml")
        .replace("name: revenue", "name: r\xe9venue")
        .encode("latin-1"),
    )
    problem = only(platform.problems(), "FG001")
    assert where(problem) == "products/revenue/floe.yaml:3:8"
    assert problem.message == "file is not valid UTF-8"


def test_an_alias_bomb_ends_as_a_located_problem(platform: Platform) -> None:
    rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for name, previous in zip("bcdefg", "abcdef", strict=True):
        rows.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    platform.write("policies/finance/policy.yaml", "\n".join(rows) + "\n")
    problem = only(platform.problems(), "FG001")
    # Where the expansion crossed the bound: an alias is the node it names, in line 1.
    assert where(problem) == "policies/finance/policy.yaml:1:14"
    assert problem.message == "more than 200000 values after expanding aliases (an alias bomb?)"


def test_nesting_deeper_than_64_levels_is_refused(platform: Platform) -> None:
    platform.write("products/revenue/floe.yaml", "x: " + "[" * 100 + "]" * 100 + "\n")
    problem = only(platform.problems(), "FG001")
    assert problem.file == "products/revenue/floe.yaml"
    assert problem.message == "nesting deeper than 64"
    assert (problem.line, problem.column) == (1, 68)


def test_merge_keys_are_refused_where_written(platform: Platform) -> None:
    platform.write(
        "policies/finance/policy.yaml",
        """\
        apiVersion: floe/v1
        kind: Policy
        base: &base {approved: [duckdb]}
        compute:
          <<: *base
        """,
    )
    problem = only(platform.problems(), "FG001")
    assert where(problem) == "policies/finance/policy.yaml:5:3"
    assert problem.message == "merge keys (<<) are not supported"


def test_an_invalid_dbt_project_yml_is_reported_once_and_not_as_missing(
    platform: Platform,
) -> None:
    platform.write("products/revenue/dbt_project.yml", "name: revenue\nname: again\n")
    problem = only(platform.problems())
    assert problem.rule == "FG001"
    assert where(problem) == "products/revenue/dbt_project.yml:2:1"
