"""FG204: ``compute.environments`` may change an engine's settings, never which engine runs."""

from __future__ import annotations

from conftest import MANIFEST, Platform, assert_clean, only, where

from floe_gate.problems import Severity


def with_environments(platform: Platform, environments: str) -> None:
    platform.write("manifest.yaml", MANIFEST + "  environments:\n" + environments)


def test_settings_for_a_defined_environment_and_an_approved_engine_are_fine(
    platform: Platform,
) -> None:
    with_environments(platform, "    prod:\n      duckdb: {path: spill/prod.duckdb}\n")
    assert_clean(platform.problems())


def test_a_key_that_chooses_the_engine(platform: Platform) -> None:
    with_environments(platform, "    prod:\n      compute: {default: spark}\n")
    problem = only(platform.problems())
    assert problem.rule == "FG204"
    assert problem.severity is Severity.ERROR
    assert where(problem) == "manifest.yaml:14:7"
    assert problem.message == (
        "environment prod sets 'compute': per-environment settings may change an engine's "
        "settings, never the choice of engine (parity); name an approved engine instead "
        "(allowed: duckdb)"
    )


def test_every_engine_choosing_key_is_refused(platform: Platform) -> None:
    with_environments(
        platform,
        "    prod:\n"
        "      default: {name: spark}\n"
        "      approved: {spark: {}}\n"
        "      engine: {name: spark}\n",
    )
    problems = platform.problems()
    assert [(where(p), p.rule) for p in problems] == [
        ("manifest.yaml:14:7", "FG204"),
        ("manifest.yaml:15:7", "FG204"),
        ("manifest.yaml:16:7", "FG204"),
    ]
    assert [p.message.split(":")[0] for p in problems] == [
        "environment prod sets 'default'",
        "environment prod sets 'approved'",
        "environment prod sets 'engine'",
    ]


def test_an_engine_the_manifest_does_not_approve(platform: Platform) -> None:
    with_environments(platform, "    prod:\n      spark: {threads: 8}\n")
    problem = only(platform.problems())
    assert problem.rule == "FG204"
    assert where(problem) == "manifest.yaml:14:7"
    assert problem.message == (
        "environment prod configures engine 'spark', which the manifest does not approve "
        "(allowed: duckdb)"
    )


def test_plugin_or_type_inside_an_engine_settings(platform: Platform) -> None:
    with_environments(
        platform, "    prod:\n      duckdb: {type: spark, plugin: spark, threads: 1}\n"
    )
    problems = platform.problems()
    # FG204 only: FG203 does not report the same key a second time as an unknown setting.
    assert [(where(p), p.rule) for p in problems] == [
        ("manifest.yaml:14:16", "FG204"),
        ("manifest.yaml:14:29", "FG204"),
    ]
    assert problems[0].message == (
        "environment prod sets duckdb.type: an environment cannot change which engine or "
        "adapter runs"
    )
    assert problems[1].message.startswith("environment prod sets duckdb.plugin: ")


def test_an_environment_the_manifest_does_not_define(platform: Platform) -> None:
    with_environments(platform, "    qa:\n      duckdb: {threads: 1}\n")
    problem = only(platform.problems())
    assert problem.rule == "FG204"
    assert where(problem) == "manifest.yaml:13:5"
    assert problem.message == ("environment 'qa' is not defined (environments: dev, prod, staging)")


def test_choosing_an_engine_per_environment_is_explained(platform: Platform) -> None:
    # ``default: spark`` is not a mapping of settings: FG204 says why, not a type error.
    with_environments(platform, "    prod:\n      default: spark\n")
    problem = only(platform.problems())
    assert problem.rule == "FG204"
    assert where(problem) == "manifest.yaml:14:7"
    assert problem.message.startswith(
        "environment prod sets 'default': per-environment settings may change an engine's "
        "settings, never the choice of engine (parity)"
    )


def test_engine_settings_that_are_not_a_mapping(platform: Platform) -> None:
    with_environments(platform, "    prod:\n      duckdb: fast\n")
    problem = only(platform.problems())
    assert problem.rule == "FG204"
    assert where(problem) == "manifest.yaml:14:15"
    assert problem.message == (
        "environment prod must give duckdb's settings as a mapping (setting: value)"
    )
