"""FG401: a literal secret where a credential belongs; its value is never printed."""

from __future__ import annotations

import json

from conftest import MANIFEST, Platform, assert_clean, where

from floe_gate.problems import Severity

SECRET = "hunter2-d0-not-print"
HINT = "holds a literal secret; write an environment reference {env: NAME} instead"
TARGETS = """\
apiVersion: floe/v1
kind: Manifest
environments:
  dev: {branch: dev}
  prod: {branch: main}
compute:
  approved: [duckdb]
  default: duckdb
  targets:
    duckdb:
      memory_limit: 1GB
      threads: 1
      credentials: {password: CREDENTIAL}
      secrets:
        - {type: s3, key_id: KEY_ID, secret: {env: S3_SECRET}, region: eu-west-1}
      attach:
        - {path: "s3://lake/db.duckdb", alias: lake, options: {token: TOKEN}}
      settings: {s3_session_token: SESSION}
"""


def test_environment_references_are_fine(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        TARGETS.replace("CREDENTIAL", "{env: DUCKDB_PASSWORD}")
        .replace("KEY_ID", "{env: S3_KEY_ID}")
        .replace("TOKEN", "{env: LAKE_TOKEN}")
        .replace("{s3_session_token: SESSION}", "{http_timeout: 30}"),
    )
    assert_clean(platform.problems())


def test_every_literal_secret_is_reported_at_its_value_and_only_by_fg401(
    platform: Platform,
) -> None:
    platform.write(
        "manifest.yaml",
        TARGETS.replace("CREDENTIAL", SECRET + "-1")
        .replace("KEY_ID", SECRET + "-2")
        .replace("TOKEN", SECRET + "-3")
        .replace("SESSION", SECRET + "-4"),
    )
    problems = platform.problems()
    # The DuckDB plugin refuses each of them too; FG203 does not report them a second time.
    assert [(where(p), p.rule, p.severity) for p in problems] == [
        ("manifest.yaml:13:31", "FG401", Severity.ERROR),
        ("manifest.yaml:15:30", "FG401", Severity.ERROR),
        ("manifest.yaml:17:71", "FG401", Severity.ERROR),
        ("manifest.yaml:18:36", "FG401", Severity.ERROR),
    ]
    assert [p.message for p in problems] == [
        f"compute.targets.duckdb.credentials.password {HINT}",
        f"compute.targets.duckdb.secrets.0.key_id {HINT}",
        f"compute.targets.duckdb.attach.0.options.token {HINT}",
        f"compute.targets.duckdb.settings.s3_session_token {HINT}",
    ]
    assert not any(SECRET in p.message for p in problems)


def test_a_literal_secret_hides_no_other_mistake_from_fg203(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        MANIFEST.replace(
            "threads: 1}", "threads: 1, extensions: [HTTPFS], settings: {api_token: t0k}}"
        ),
    )
    problems = platform.problems()
    assert [p.rule for p in problems] == ["FG203", "FG203", "FG401"]  # with the aggregate
    assert "extensions[0] is not a DuckDB extension name" in problems[1].message
    assert where(problems[2]) == "manifest.yaml:11:117"


def test_literal_secrets_in_a_policy_and_in_an_environment(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        MANIFEST + "  environments:\n    prod:\n      duckdb:\n"
        f"        credentials: {{token: {SECRET}}}\n",
    )
    platform.write(
        "policies/finance/policy.yaml",
        platform.read("policies/finance/policy.yaml")
        + f"  targets:\n    duckdb:\n      secrets: [{{type: gcs, secret: {SECRET}}}]\n",
    )
    problems = platform.problems()
    assert [(where(p), p.rule) for p in problems] == [
        ("manifest.yaml:15:30", "FG401"),
        ("policies/finance/policy.yaml:8:37", "FG401"),
    ]
    assert problems[0].message == f"compute.environments.prod.duckdb.credentials.token {HINT}"
    assert problems[1].message == f"compute.targets.duckdb.secrets.0.secret {HINT}"


def test_the_secret_never_appears_in_text_or_json_output(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        TARGETS.replace("CREDENTIAL", SECRET)
        .replace("KEY_ID", SECRET)
        .replace("TOKEN", SECRET)
        .replace("SESSION", SECRET),
    )
    text = platform.cli("check")
    assert text.returncode == 1
    assert "FG401" in text.stdout
    assert SECRET not in text.stdout + text.stderr
    report = platform.cli("check", "--format", "json")
    assert report.returncode == 1
    assert SECRET not in report.stdout + report.stderr
    assert {p["rule"] for p in report.json()["problems"]} == {"FG401"}
    assert SECRET not in json.dumps(report.json())


def test_a_setting_the_plugin_declares_plain_is_not_a_secret(platform: Platform) -> None:
    # attach[].secret names a DuckDB secret (an identifier); it does not hold one.
    platform.write(
        "manifest.yaml",
        MANIFEST.replace(
            "threads: 1}",
            "threads: 1, secrets: [{type: s3, name: lake_keys, key_id: {env: S3_KEY_ID}}], "
            "attach: [{path: 's3://lake/db.duckdb', alias: lake, secret: lake_keys}]}",
        ),
    )
    assert_clean(platform.problems())
