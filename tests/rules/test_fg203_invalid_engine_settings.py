"""FG203: engine settings the engine's plugin refuses, wherever they were written."""

from __future__ import annotations

from conftest import Platform, assert_clean, of_rule, only, where

from floe_gate.problems import Severity

SIZE = (
    "not a size DuckDB accepts (examples: 512MB, 4GB, 4GiB, 1.5GB; "
    "units KB/MB/GB/TB or KiB/MiB/GiB/TiB)"
)
MANIFEST = """\
apiVersion: floe/v1
kind: Manifest
environments:
  dev: {branch: dev}
  staging: {branch: staging}
  prod: {branch: main}
compute:
  approved: [duckdb]
  default: duckdb
  targets:
    duckdb:
      path: warehouse/dev.duckdb
      memory_limit: {memory_limit}
      threads: 1
  environments:
    prod:
      duckdb: {path: spill/prod.duckdb, memory_limit: {prod_memory_limit}}
"""


def manifest(memory_limit: str = "1GB", prod_memory_limit: str = "2GB") -> str:
    return MANIFEST.replace("{memory_limit}", memory_limit).replace(
        "{prod_memory_limit}", prod_memory_limit
    )


def test_valid_settings_in_every_layer_are_fine(platform: Platform) -> None:
    platform.write("manifest.yaml", manifest())
    platform.write(
        "policies/finance/policy.yaml",
        platform.read("policies/finance/policy.yaml") + "  targets:\n    duckdb: {threads: 2}\n",
    )
    assert_clean(platform.problems())


def test_invalid_manifest_settings_once_at_the_value_and_the_aggregate(
    platform: Platform,
) -> None:
    platform.write("manifest.yaml", manifest(memory_limit="lots"))
    problems = platform.problems()
    assert [where(p) for p in problems] == ["manifest.yaml:8:13", "manifest.yaml:13:21"]
    aggregate, problem = problems
    assert problem.rule == "FG203"
    assert problem.severity is Severity.ERROR
    # Validated for every environment, reported once: the mistake is not per environment.
    assert problem.message == f"duckdb settings: memory_limit: {SIZE}"
    assert aggregate.rule == "FG203"
    assert aggregate.message == (
        "every approved engine fails validation, so no transform can run (duckdb: invalid settings)"
    )


def test_an_unknown_setting_comes_with_a_did_you_mean(platform: Platform) -> None:
    platform.write("manifest.yaml", manifest().replace("      threads: 1\n", "      thread: 1\n"))
    problems = [p for p in platform.problems() if p.rule == "FG203"]
    problem = next(p for p in problems if "unknown key" in p.message)
    assert where(problem) == "manifest.yaml:14:7"
    assert problem.message.startswith(
        "duckdb settings: unknown key 'thread'; did you mean 'threads'? (known keys: attach, "
    )


def test_invalid_settings_in_a_policy_are_located_in_the_policy(platform: Platform) -> None:
    platform.write("manifest.yaml", manifest())
    platform.write(
        "policies/finance/policy.yaml",
        """\
        apiVersion: floe/v1
        kind: Policy
        compute:
          approved: [duckdb]
          default: duckdb
          targets:
            duckdb:
              memory_limit: heaps
        """,
    )
    # Only finance's transforms are affected: no "every approved engine fails" aggregate.
    problem = only(platform.problems())
    assert problem.rule == "FG203"
    assert where(problem) == "policies/finance/policy.yaml:8:21"
    assert problem.message == f"duckdb settings: memory_limit: {SIZE}"
    assert problem.related == {"manifest.yaml"}


def test_invalid_settings_of_one_environment_name_the_environment(platform: Platform) -> None:
    platform.write("manifest.yaml", manifest(prod_memory_limit="0GB"))
    problems = platform.problems()
    problem = next(p for p in problems if p.line != 8)
    assert problem.rule == "FG203"
    assert where(problem) == "manifest.yaml:17:55"
    assert problem.message == (
        "duckdb settings in environment prod: memory_limit: "
        "'0GB' is too small for DuckDB to run a query (at least 1MiB)"
    )
    assert len(of_rule(problems, "FG203")) == 2  # and the aggregate: prod cannot run at all


def test_an_error_about_the_whole_settings_is_reported_once(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        manifest().replace("      threads: 1\n", "      threads: 1\n      extensions: [HTTPFS]\n"),
    )
    platform.write(
        "policies/finance/policy.yaml",
        platform.read("policies/finance/policy.yaml") + "  targets:\n    duckdb: {threads: 2}\n",
    )
    problems = [p for p in platform.problems() if "extension" in p.message]
    problem = only(problems)
    assert where(problem) == "manifest.yaml:11:5"
    assert problem.message == (
        "duckdb settings: extensions[0] is not a DuckDB extension name "
        "(lowercase letters, digits and _, e.g. httpfs, iceberg)"
    )


def test_the_aggregate_names_every_approved_engine(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        manifest(memory_limit="lots").replace("approved: [duckdb]", "approved: [duckdb, spark]"),
    )
    problem = next(p for p in platform.problems() if p.rule == "FG203" and p.line == 8)
    assert where(problem) == "manifest.yaml:8:13"
    assert problem.message == (
        "every approved engine fails validation, so no transform can run "
        "(duckdb: invalid settings; spark: not installed or not loadable)"
    )
