"""FG401: a literal secret where a credential belongs; its value is never printed."""

from __future__ import annotations

import json

import pytest
from conftest import MANIFEST, Platform, assert_clean, where

from floe_gate.compute.secrets import is_credential_name, secret_in_value, without_url_password
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


# --- what counts as a secret: values and names, and what does not -----------------------------

SECRET_VALUES = [
    "postgres://admin:pw@db:5432/shop",
    "jdbc:postgresql://admin:pw@db/shop",
    "s3://AKID:SECRET@bucket/x",
    "minio:pw@minio.internal:9000",
    "dbname=shop user=admin password=pw host=db",
    "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc==;",
    "https://a.blob.core.windows.net/c?sv=2022-11-02&ss=b&sig=abc%3D",
    "AKIAIOSFODNN7EXAMPLE",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIE...",
    "GOOG1EXAMPLEEXAMPLEEXAMPLE",
    "dapi0123456789abcdef0123456789abcdef",
]
PLAIN_VALUES = [
    "warehouse/dev.duckdb",
    ":memory:",
    "md:my_db",
    "iceberg:lake",
    "s3://bucket/a:b@c/x.parquet",
    "http://polaris:8181/api/catalog",
    "http://user@proxy:3128",
    "analyst@example.com",
    "org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.5.2",
    "busybox:1.36@sha256:abc",
    "hive/_HOST@EXAMPLE.COM",
    "1GB",
    "PRINCIPAL_ROLE:ALL",
]


@pytest.mark.parametrize("value", SECRET_VALUES)
def test_values_that_are_secrets_whatever_their_name(value: str) -> None:
    assert secret_in_value(value) is not None


@pytest.mark.parametrize("value", PLAIN_VALUES)
def test_values_that_are_not_secrets(value: str) -> None:
    assert secret_in_value(value) is None


@pytest.mark.parametrize(
    ("name", "credential"),
    [
        ("spark.hadoop.fs.azure.account.key.acme.dfs.core.windows.net", True),
        ("spark.hadoop.fs.s3a.access.key", True),
        ("spark.hadoop.fs.s3a.secret.key", True),
        ("spark.hadoop.fs.gs.auth.service.account.private.key", True),
        ("spark.hadoop.fs.azure.sas.lake.acme.blob.core.windows.net", True),
        ("gcs_hmac", True),
        ("api-key", True),
        ("spark.sql.shuffle.partitions", False),
        ("spark.driver.memory", False),
        ("signature_version", False),
        ("s3_endpoint", False),
        ("user", False),
    ],
)
def test_names_are_judged_on_every_segment(name: str, credential: bool) -> None:
    assert is_credential_name(name) is credential


def test_a_url_password_is_redacted_where_no_reference_is_accepted() -> None:
    assert without_url_password("postgres://admin:pw@db/shop") == "postgres://db/shop"
    assert without_url_password("minio:pw@minio.internal:9000") == "minio.internal:9000"
