"""All problems of a run are reported together: one broken repository, every rule at once."""

from __future__ import annotations

from conftest import Platform, registry_with, where

from floe_gate.rules import all_rules

MANIFEST = """\
apiVersion: floe/v1
kind: Manifest
environments:
  dev: {branch: dev}
  prod: {branch: main}
compute:
  approved: [duckdb]
  default: duckdb
  targets:
    duckdb: {memory_limit: 1GB, threads: 1, credentials: {password: s3cr3t}}
  environments:
    prod: {duckdb: {threads: 0}}
    qa: {duckdb: {threads: 1}}
    dev: {duckdb: {path: /etc/passwd, temp_directory: "{{ env_var('X') }}"}}
"""
REVENUE = """\
apiVersion: floe/v1
kind: DataProduct
name: revenue
domain: finance
transforms:
  - name: stg_order
  - name: fct_revenue
    compute: trino
  - name: fct_revenue
  - name: monthly
    workload: tiny
  - name: yearly
    resources: {cpu_limit: lots}
  - name: weekly
    workload: small
  - name: daily
    compute: spark
    timeout_seconds: 60
  - name: legacy
  - name: base
"""
EXPECTED = {
    ("FG001", "policies/sales/policy.yaml:4:1"),
    ("FG002", "policies/marketing/policy.yaml:3:1"),
    ("FG101", "policies/finance/policy.yaml:4:22"),
    ("FG102", "policies/ops/policy.yaml:5:12"),
    ("FG103", "products/orders/floe.yaml:4:9"),
    ("FG104", "products/churn_copy/floe.yaml:3:7"),
    ("FG201", "products/revenue/floe.yaml:17:14"),
    ("FG202", "products/revenue/floe.yaml:8:14"),
    ("FG203", "manifest.yaml:12:30"),
    ("FG203", "manifest.yaml:7:13"),  # prod cannot run: every approved engine fails
    ("FG204", "manifest.yaml:13:5"),
    ("FG205", "products/revenue/floe.yaml:18:22"),
    ("FG300", "products/churn/floe.yaml:1:1"),
    ("FG301", "products/revenue/floe.yaml:6:11"),
    ("FG302", "products/revenue/floe.yaml:9:11"),
    ("FG303", "products/revenue/floe.yaml:11:15"),
    ("FG304", "products/revenue/floe.yaml:13:28"),
    ("FG305", "products/revenue/dbt_project.yml:6:16"),
    ("FG306", "products/revenue/floe.yaml:19:11"),
    ("FG307", "products/revenue/floe.yaml:20:11"),
    ("FG308", "products/revenue/models/weekly.sql:1:26"),
    ("FG309", "products/revenue/packages.yml:2:14"),
    ("FG401", "manifest.yaml:10:69"),
    ("FG402", "products/revenue/floe.yaml:15:15"),
    ("FG403", "manifest.yaml:14:55"),
    ("FG404", "manifest.yaml:14:26"),
    ("FG501", "policies/waivers.yaml:7:14"),
}


def broken(platform: Platform) -> None:
    platform.write("manifest.yaml", MANIFEST)
    platform.write(
        "policies/finance/policy.yaml",
        "apiVersion: floe/v1\nkind: Policy\ncompute:\n  approved: [duckdb, trino]\n",
    )
    platform.write(
        "policies/sales/policy.yaml", "apiVersion: floe/v1\nkind: Policy\ncompute: {}\nkind: x\n"
    )
    platform.write(
        "policies/marketing/policy.yaml", "apiVersion: floe/v1\nkind: Policy\nrules: {}\n"
    )
    platform.write(
        "policies/ops/policy.yaml",
        "apiVersion: floe/v1\nkind: Policy\ncompute:\n  approved: [duckdb]\n  default: trino\n",
    )
    platform.write(
        "policies/waivers.yaml",
        "apiVersion: floe/v1\nkind: Waivers\nwaivers:\n  - rule: FG201\n    subject: revenue\n"
        "    reason: old\n    expires: 2020-01-01\n",
    )
    platform.write("products/revenue/floe.yaml", REVENUE)
    platform.write(
        "products/revenue/dbt_project.yml",
        platform.read("products/revenue/dbt_project.yml") + "query-comment: null\n",
    )
    platform.write(
        "products/revenue/models/weekly.sql", "select {{ target.name == 'production' }} as t\n"
    )
    platform.write("products/revenue/packages.yml", "packages:\n  - package: dbt-labs/dbt_utils\n")
    for model in ("monthly", "yearly"):
        platform.write(f"products/revenue/models/{model}.sql", "select 1\n")
    platform.write("products/revenue/models/daily.sql", "select * from {{ ref('base') }}\n")
    platform.write("products/revenue/models/legacy.sql", "{{ config(enabled=false) }}\nselect 1\n")
    platform.write("products/revenue/models/base.sql", "{{ config(materialized='ephemeral') }}\n")
    platform.write(
        "products/orders/floe.yaml",
        "apiVersion: floe/v1\nkind: DataProduct\nname: orders\ndomain: sale\n"
        "dbt_project: ../revenue\n",
    )
    platform.write(
        "products/churn/floe.yaml", "apiVersion: floe/v1\nkind: DataProduct\nname: churn\n"
        "domain: finance\n",
    )  # fmt: skip
    platform.write(
        "products/churn_copy/floe.yaml", "apiVersion: floe/v1\nkind: DataProduct\nname: churn\n"
        "domain: finance\ndbt_project: ../revenue\n",
    )  # fmt: skip


def test_one_run_reports_every_problem(platform: Platform) -> None:
    broken(platform)
    found = {(p.rule, where(p)) for p in platform.problems(registry=registry_with("spark"))}
    assert found == EXPECTED
    assert {rule for rule, _ in found} == {rule.id for rule in all_rules()}


def test_the_cli_reports_them_all_in_one_run(platform: Platform) -> None:
    # The installed plugins, not fakes: the real Spark plugin cannot limit single models.
    broken(platform)
    result = platform.cli("check", "--format", "json")
    assert result.returncode == 1
    report = result.json()
    assert {(p["rule"], f"{p['file']}:{p['line']}:{p['column']}") for p in report["problems"]} == (
        EXPECTED
    )
    # FG308 is a warning, FG305 and FG309 notes
    assert report["summary"] == {"errors": len(EXPECTED) - 3, "warnings": 1, "notes": 2}
