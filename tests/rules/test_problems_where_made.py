"""Problems only where the user made them (issue 12, item 7), with the installed plugins.

A policy approving an engine beyond the manifest is FG101 alone; a literal secret in
a policy's targets is FG401 alone; settings the manifest leaves to the policies are
not required of it; a waiver for a product whose floe.yaml is invalid is not unused.
"""

from __future__ import annotations

from conftest import Platform, only, where

from floe_gate.problems import Problem
from floe_gate.registry import PluginRegistry

SNOWFLAKE_MANIFEST = """\
apiVersion: floe/v1
kind: Manifest
environments:
  dev: {branch: dev}
  prod: {branch: main}
compute:
  approved: [duckdb, snowflake]
  default: duckdb
  targets:
    duckdb: {path: warehouse/dev.duckdb, memory_limit: 1GB, threads: 1}
"""

SNOWFLAKE_POLICY = """\
apiVersion: floe/v1
kind: Policy
compute:
  approved: [duckdb, snowflake]
  default: duckdb
  targets:
    snowflake:
      account: acme
      user: svc
      database: analytics
      password: hunter2
"""


def problems(platform: Platform) -> list[Problem]:
    """The problems, judged with the installed compute plugins (real Snowflake settings)."""
    return platform.problems(registry=PluginRegistry())


def shown(found: list[Problem]) -> list[str]:
    return [f"{where(p)} {p.rule}" for p in found]


def test_approving_an_engine_the_manifest_neither_approves_nor_configures_is_fg101_only(
    platform: Platform,
) -> None:
    platform.write(
        "policies/finance/policy.yaml",
        """\
        apiVersion: floe/v1
        kind: Policy
        compute:
          approved: [duckdb, snowflake]
          default: duckdb
        """,
    )
    found = problems(platform)
    assert shown(found) == ["policies/finance/policy.yaml:4:22 FG101"]
    assert "snowflake" in found[0].message


def test_a_literal_secret_in_a_policy_is_one_problem_at_the_policy(platform: Platform) -> None:
    platform.write("manifest.yaml", SNOWFLAKE_MANIFEST)
    platform.write("policies/finance/policy.yaml", SNOWFLAKE_POLICY)
    found = problems(platform)
    # Not also FG203 "missing required key 'account'" at the manifest's targets: the
    # manifest leaves Snowflake's settings to the policies, and finance sets them.
    assert shown(found) == ["policies/finance/policy.yaml:11:17 FG401"]
    assert "hunter2" not in found[0].message


def test_a_domain_using_an_engine_nobody_configures_is_told_at_its_policy(
    platform: Platform,
) -> None:
    platform.write("manifest.yaml", SNOWFLAKE_MANIFEST)
    platform.write(
        "policies/finance/policy.yaml", SNOWFLAKE_POLICY.replace("hunter2", "{env: SF_PASSWORD}")
    )
    platform.write(
        "policies/marketing/policy.yaml",
        """\
        apiVersion: floe/v1
        kind: Policy
        compute:
          approved: [duckdb, snowflake]
          default: duckdb
        """,
    )
    found = problems(platform)
    assert shown(found) == ["policies/marketing/policy.yaml:4:22 FG203"] * 3
    assert [p.message for p in found] == [
        f"snowflake settings for domain marketing: missing required key {key!r}"
        for key in ("account", "database", "user")
    ]


def test_a_mistake_written_in_the_manifest_is_still_reported_once(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        SNOWFLAKE_MANIFEST.replace(
            "    duckdb: {path",
            "    snowflake: {account: acme, user: svc, database: d, warehouse: [1]}\n"
            "    duckdb: {path",
        ),
    )
    platform.write(
        "policies/finance/policy.yaml", SNOWFLAKE_POLICY.replace("hunter2", "{env: SF_PASSWORD}")
    )
    problem = only(problems(platform), "FG203")
    assert where(problem) == "manifest.yaml:10:67"
    assert problem.message.startswith("snowflake settings: warehouse: ")


def test_a_waiver_for_a_product_whose_floe_yaml_is_invalid_is_not_unused(
    platform: Platform,
) -> None:
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace(
            "    workload: medium\n", "    workload: medium\n    colour: blue\n"
        ),
    )
    platform.write(
        "policies/waivers.yaml",
        "apiVersion: floe/v1\nkind: Waivers\nwaivers:\n  - rule: FG201\n"
        "    subject: revenue:fct_revenue\n    reason: migration\n    expires: 2027-01-01\n",
    )
    found = problems(platform)
    assert shown(found) == ["products/revenue/floe.yaml:11:5 FG002"]  # no FG501 note


def test_a_waiver_for_a_product_whose_floe_yaml_is_not_yaml_is_not_unused(
    platform: Platform,
) -> None:
    platform.write("products/revenue/floe.yaml", "apiVersion: floe/v1\nname: [revenue\n")
    platform.write(
        "policies/waivers.yaml",
        "apiVersion: floe/v1\nkind: Waivers\nwaivers:\n  - rule: FG201\n"
        "    subject: revenue\n    reason: migration\n    expires: 2027-01-01\n",
    )
    assert [p.rule for p in problems(platform)] == ["FG001"]


def test_a_waiver_for_a_product_that_does_not_exist_is_still_unused(platform: Platform) -> None:
    platform.write(
        "policies/waivers.yaml",
        "apiVersion: floe/v1\nkind: Waivers\nwaivers:\n  - rule: FG201\n"
        "    subject: nosuch:fct\n    reason: migration\n    expires: 2027-01-01\n",
    )
    problem = only(problems(platform))
    assert where(problem) == "policies/waivers.yaml:4:5"
    assert problem.message == "waiver of FG201 for nosuch:fct matches no problem; delete it"


def test_no_aggregate_when_a_domain_makes_the_engine_usable(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        platform.read("manifest.yaml").replace("memory_limit: 1GB", "memory_limit: lots"),
    )
    platform.write(
        "policies/finance/policy.yaml",
        platform.read("policies/finance/policy.yaml")
        + "  targets:\n    duckdb: {memory_limit: 2GB}\n",
    )
    # The mistake is written in the manifest and reported there; finance's transforms
    # can still run, so not "every approved engine fails validation".
    problem = only(problems(platform))
    assert where(problem) == "manifest.yaml:11:56"
    assert problem.message.startswith("duckdb settings: memory_limit: not a size")
