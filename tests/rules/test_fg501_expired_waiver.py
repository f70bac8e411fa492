"""FG501 and waivers: a waiver turns a known error into a warning until it expires."""

from __future__ import annotations

import pytest
from conftest import TODAY, Platform, assert_clean, only, registry_with, where

from floe_gate.problems import Problem, Severity

MANIFEST = """\
apiVersion: floe/v1
kind: Manifest
environments:
  dev: {branch: dev}
compute:
  approved: [duckdb, spark]
  default: duckdb
  targets:
    duckdb: {memory_limit: 1GB, threads: 1}
"""
NOT_APPROVED = (
    "compute 'spark' is not approved for domain finance "
    "(approved: duckdb; chain: manifest.yaml → policies/finance/policy.yaml)"
)


@pytest.fixture
def spark_transform(platform: Platform) -> Platform:
    """A platform whose only problem: FG201 at products/revenue/floe.yaml:9:14."""
    platform.write("manifest.yaml", MANIFEST)
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace("compute: duckdb", "compute: spark"),
    )
    return platform


def waivers(*entries: tuple[str, str, str]) -> str:
    text = "apiVersion: floe/v1\nkind: Waivers\nwaivers:\n"
    for rule, subject, expires in entries:
        text += f"  - rule: {rule}\n    subject: {subject!r}\n    reason: JIRA-7 migration\n"
        text += f"    expires: {expires}\n"
    return text


def problems(platform: Platform) -> list[Problem]:
    return platform.problems(registry=registry_with("spark"))


def test_without_waivers_the_problem_is_an_error(spark_transform: Platform) -> None:
    problem = only(problems(spark_transform))
    assert (where(problem), problem.rule, problem.severity) == (
        "products/revenue/floe.yaml:9:14",
        "FG201",
        Severity.ERROR,
    )


@pytest.mark.parametrize(
    "subject",
    [
        "revenue:fct_revenue",  # PRODUCT:TRANSFORM
        "revenue",  # PRODUCT
        "products/revenue/floe.yaml",  # FILE
        "products/revenue/floe.yaml:9",  # FILE:LINE
    ],
)
def test_an_active_waiver_turns_the_error_into_a_warning(
    spark_transform: Platform, subject: str
) -> None:
    spark_transform.write("policies/waivers.yaml", waivers(("FG201", subject, "2026-12-31")))
    problem = only(problems(spark_transform))
    assert (where(problem), problem.rule, problem.severity) == (
        "products/revenue/floe.yaml:9:14",
        "FG201",
        Severity.WARNING,
    )
    assert problem.message == f"{NOT_APPROVED} [waived until 2026-12-31: JIRA-7 migration]"


def test_a_waiver_expiring_today_still_applies(spark_transform: Platform) -> None:
    spark_transform.write("policies/waivers.yaml", waivers(("FG201", "revenue", TODAY.isoformat())))
    assert only(problems(spark_transform)).severity is Severity.WARNING


@pytest.mark.parametrize(
    ("rule", "subject"),
    [
        ("FG202", "revenue:fct_revenue"),  # another rule
        ("FG201", "revenue:stg_orders"),  # another transform
        ("FG201", "orders"),  # another product
        ("FG201", "products/revenue/floe.yaml:8"),  # another line
    ],
)
def test_a_waiver_that_matches_nothing_is_a_note(
    spark_transform: Platform, rule: str, subject: str
) -> None:
    spark_transform.write("policies/waivers.yaml", waivers((rule, subject, "2026-12-31")))
    note, error = problems(spark_transform)  # sorted: policies/ before products/
    assert (error.rule, error.severity) == ("FG201", Severity.ERROR)
    assert (where(note), note.rule, note.severity) == (
        "policies/waivers.yaml:4:5",
        "FG501",
        Severity.NOTE,
    )
    assert note.message == f"waiver of {rule} for {subject} matches no problem; delete it"


def test_an_expired_waiver_is_an_error_and_no_longer_applies(spark_transform: Platform) -> None:
    spark_transform.write("policies/waivers.yaml", waivers(("FG201", "revenue", "2026-05-31")))
    expired, original = problems(spark_transform)
    assert (where(original), original.severity, original.message) == (
        "products/revenue/floe.yaml:9:14",
        Severity.ERROR,
        NOT_APPROVED,
    )
    assert (where(expired), expired.rule, expired.severity) == (
        "policies/waivers.yaml:7:14",
        "FG501",
        Severity.ERROR,
    )
    assert expired.message == (
        "waiver of FG201 for revenue expired on 2026-05-31 (JIRA-7 migration); fix the problem "
        "or renew the waiver"
    )


def test_an_expired_waiver_cannot_itself_be_waived(platform: Platform) -> None:
    platform.write(
        "policies/waivers.yaml",
        waivers(
            ("FG301", "revenue", "2020-01-01"),
            ("FG501", "policies/waivers.yaml", "2030-01-01"),
        ),
    )
    found = platform.problems()
    assert [(where(p), p.rule, p.severity) for p in found] == [
        ("policies/waivers.yaml:7:14", "FG501", Severity.ERROR),
        ("policies/waivers.yaml:8:11", "FG501", Severity.ERROR),  # forbidden, at its rule
    ]
    assert found[1].message == "FG501 cannot be waived; delete this waiver and fix the problem"


def test_a_literal_secret_cannot_be_waived(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        platform.read("manifest.yaml").replace(
            "threads: 1}", "threads: 1, settings: {s3_secret_access_key: hunter2}}"
        ),
    )
    platform.write("policies/waivers.yaml", waivers(("FG401", "manifest.yaml", "2030-01-01")))
    found = platform.problems()
    assert [(where(p), p.rule, p.severity) for p in found] == [
        ("manifest.yaml:11:106", "FG401", Severity.ERROR),  # not waived: still an error
        ("policies/waivers.yaml:4:11", "FG501", Severity.ERROR),
    ]
    assert found[1].message == (
        "FG401 cannot be waived; delete this waiver and fix the problem "
        "(remove the secret and rotate it)"
    )


def test_a_duplicate_waiver_is_reported_as_unused(spark_transform: Platform) -> None:
    entry = ("FG201", "revenue", "2026-12-31")
    spark_transform.write("policies/waivers.yaml", waivers(entry, entry))
    note, warning = problems(spark_transform)
    assert warning.severity is Severity.WARNING
    assert (where(note), note.severity) == ("policies/waivers.yaml:8:5", Severity.NOTE)


def test_no_waivers_file_and_an_empty_one_are_fine(platform: Platform) -> None:
    assert_clean(platform.problems())
    platform.write("policies/waivers.yaml", "apiVersion: floe/v1\nkind: Waivers\nwaivers: []\n")
    assert_clean(platform.problems())
