"""``floe-gate check`` through its console script: exit codes, formats, --strict and FILES."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import FLOE_GATE, Platform, without_correlation_ids

REPOSITORY = Path(__file__).resolve().parent.parent
CLEAN = "0 error(s), 0 warning(s), 0 note(s)"
FG201 = (
    "products/revenue/floe.yaml:9:14: error FG201 compute 'trino' is not approved for domain "
    "finance (approved: duckdb; chain: manifest.yaml → policies/finance/policy.yaml)"
)
SALES_POLICY = "apiVersion: floe/v1\nkind: Policy\n"
ORDERS = """\
apiVersion: floe/v1
kind: DataProduct
name: orders
domain: sales
transforms:
  - name: stg_ordres
"""


def no_traceback(text: str) -> bool:
    return "Traceback" not in text


# --- exit codes -------------------------------------------------------------------------------


def test_a_valid_platform_exits_0(platform: Platform) -> None:
    result = platform.cli("check")
    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, CLEAN, "")


def test_errors_exit_1_one_located_line_each(platform: Platform) -> None:
    trino_transform(platform)
    result = platform.cli("check")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        FG201,
        "products/revenue/floe.yaml:9:14: error FG202 engine 'trino' has no installed compute "
        "plugin (installed: bigquery, databricks, duckdb, snowflake, spark); install its "
        "plugin, e.g. in the hook's "
        "additional_dependencies",
        "2 error(s), 0 warning(s), 0 note(s)",
    ]


def test_not_a_git_repository_exits_2(tmp_path: Path) -> None:
    (tmp_path / "manifest.yaml").write_text("apiVersion: floe/v1\n")
    result = subprocess.run(
        [str(FLOE_GATE), "check"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "is not inside a git repository" in result.stderr
    assert no_traceback(result.stdout + result.stderr)


def test_no_manifest_exits_2(platform: Platform) -> None:
    platform.remove("manifest.yaml")
    result = platform.cli("check")
    assert result.returncode == 2
    assert without_correlation_ids(result.stderr).strip() == (
        "error: no manifest: manifest.yaml is not in the repository"
    )
    assert platform.cli("check", "--manifest", "platform/manifest.yaml").returncode == 2


def test_bad_usage_exits_2(platform: Platform) -> None:
    result = platform.cli("check", "--format", "xml")
    assert result.returncode == 2
    assert no_traceback(result.stderr)


def test_a_manifest_that_fails_its_schema_is_located_not_a_traceback(
    platform: Platform,
) -> None:
    platform.write(
        "manifest.yaml",
        """\
        apiVersion: floe/v1
        kind: Manifest
        environments: {dev: {branch: dev}}
        compute:
          aproved: [duckdb]
          default: 42
        """,
    )
    result = platform.cli("check")
    assert result.returncode == 1
    assert no_traceback(result.stdout + result.stderr)
    lines = result.stdout.splitlines()
    assert lines[0] == "manifest.yaml:5:3: error FG002 missing required key 'compute.approved'"
    assert lines[1].startswith(
        "manifest.yaml:5:3: error FG002 unknown key 'compute.aproved'; did you mean 'approved'?"
    )
    assert lines[2].startswith("manifest.yaml:6:12: error FG002 compute.default: ")
    assert lines[3] == "3 error(s), 0 warning(s), 0 note(s)"


def test_a_manifest_that_is_not_yaml_is_located(platform: Platform) -> None:
    platform.write("manifest.yaml", b"apiVersion: floe/v1\nkind: \xff\xfe\n")
    result = platform.cli("check", "--format", "json")
    assert result.returncode == 1
    [problem] = result.json()["problems"]
    assert (problem["rule"], problem["file"], problem["line"], problem["column"]) == (
        "FG001",
        "manifest.yaml",
        2,
        7,
    )


def test_a_manifest_below_the_top_level_and_the_repo_option(
    platform: Platform, tmp_path: Path
) -> None:
    platform.write(
        "platform/manifest.yaml", platform.read("manifest.yaml") + "policies: ../policies\n"
    )
    platform.remove("manifest.yaml")
    for manifest in ("platform/manifest.yaml", "./platform/manifest.yaml"):
        result = platform.cli("check", "--manifest", manifest)
        assert (result.returncode, result.stdout.strip()) == (0, CLEAN)
    elsewhere = platform.cli(
        "check", "--repo", str(platform.root / "products"), "--manifest", "platform/manifest.yaml",
        cwd=tmp_path,
    )  # fmt: skip
    assert (elsewhere.returncode, elsewhere.stdout.strip()) == (0, CLEAN)


def test_the_bundled_example_passes() -> None:
    result = subprocess.run(
        [str(FLOE_GATE), "check", "--manifest", "examples/manifest.yaml"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (0, CLEAN), result.stdout


# --- formats and --strict ---------------------------------------------------------------------


def trino_transform(platform: Platform) -> None:
    """FG201 and FG202 (no trino plugin) at products/revenue/floe.yaml:9:14."""
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace("compute: duckdb", "compute: trino"),
    )


def waive(platform: Platform, subject: str = "revenue:fct_revenue") -> None:
    platform.write(
        "policies/waivers.yaml",
        f"""\
        apiVersion: floe/v1
        kind: Waivers
        waivers:
          - {{rule: FG201, subject: "{subject}", reason: JIRA-1, expires: 2999-12-31}}
          - {{rule: FG202, subject: "{subject}", reason: JIRA-1, expires: 2999-12-31}}
        """,
    )


def test_json_report_shape(platform: Platform) -> None:
    trino_transform(platform)
    platform.write("policies/waivers.yaml", "apiVersion: floe/v1\nkind: Waivers\nwaivers:\n"
                   "  - {rule: FG301, subject: x, reason: y, expires: 2999-01-01}\n")  # fmt: skip
    result = platform.cli("check", "--format", "json")
    assert result.returncode == 1
    report = result.json()
    assert {"problems", "summary"} <= set(report)
    assert report["summary"] == {"errors": 2, "warnings": 0, "notes": 1}
    for problem in report["problems"]:
        assert {"rule", "severity", "file", "line", "column", "message"} <= set(problem)
        assert isinstance(problem["line"], int)
        assert isinstance(problem["column"], int)
        assert problem["line"] >= 1
        assert problem["column"] >= 1
        assert problem["severity"] in {"error", "warning", "note"}
    fg201 = next(p for p in report["problems"] if p["rule"] == "FG201")
    assert fg201 == {
        **fg201,
        "rule": "FG201",
        "severity": "error",
        "file": "products/revenue/floe.yaml",
        "line": 9,
        "column": 14,
        "message": FG201.split(" FG201 ", 1)[1],
    }


def test_strict_turns_warnings_into_failure_but_not_notes(platform: Platform) -> None:
    trino_transform(platform)
    waive(platform)
    relaxed = platform.cli("check", "--format", "json")
    assert relaxed.returncode == 0
    assert relaxed.json()["summary"] == {"errors": 0, "warnings": 2, "notes": 0}
    assert platform.cli("check", "--strict").returncode == 1

    waive(platform, subject="nothing")  # no warning left: only the errors and two notes
    assert platform.cli("check").returncode == 1
    platform.write("products/revenue/floe.yaml", platform.read("products/revenue/floe.yaml")
                   .replace("compute: trino", "compute: duckdb"))  # fmt: skip
    notes = platform.cli("check", "--strict", "--format", "json")
    assert notes.json()["summary"] == {"errors": 0, "warnings": 0, "notes": 2}
    assert notes.returncode == 0


# --- FILES: what pre-commit passes ------------------------------------------------------------


def two_domains(platform: Platform) -> None:
    """finance narrowed away from trino (FG201 in revenue); an unrelated FG301 in orders."""
    platform.write(
        "manifest.yaml",
        platform.read("manifest.yaml").replace("approved: [duckdb]", "approved: [duckdb, trino]"),
    )
    platform.write("policies/sales/policy.yaml", SALES_POLICY)
    platform.write("products/orders/floe.yaml", ORDERS)
    platform.write("products/orders/dbt_project.yml", "name: orders\nprofile: orders\n")
    platform.write("products/orders/models/stg_orders.sql", "select 1\n")
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace("compute: duckdb", "compute: trino"),
    )


ELSEWHERE = (
    "{n} more problem(s) in other files ({e} error(s)); run `floe-gate check` without files "
    "to see them"
)


def test_editing_a_domain_policy_reports_what_it_breaks_at_the_transform(
    platform: Platform,
) -> None:
    two_domains(platform)
    result = platform.cli("check", "policies/finance/policy.yaml")
    lines = result.stdout.splitlines()
    # FG201 is in floe.yaml, but its chain passes through the policy; trino also has no
    # plugin (FG202 at the manifest and at the transform), which the policy did not cause.
    assert lines[0] == FG201
    assert lines[1:] == [
        "1 error(s), 0 warning(s), 0 note(s)",
        ELSEWHERE.format(n=3, e=3),
    ]
    assert result.returncode == 1


def test_problems_elsewhere_are_summarised_and_do_not_fail(platform: Platform) -> None:
    two_domains(platform)
    platform.write("products/orders/floe.yaml", ORDERS.replace("stg_ordres", "stg_orders"))
    result = platform.cli("check", "policies/sales/policy.yaml", "products/orders/floe.yaml")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [CLEAN, ELSEWHERE.format(n=3, e=3)]
    report = platform.cli("check", "--format", "json", "products/orders/floe.yaml").json()
    assert report["problems"] == []
    assert report["elsewhere"] == {"errors": 3, "warnings": 0, "notes": 0}


def test_files_in_the_list_show_their_own_problems(platform: Platform) -> None:
    two_domains(platform)
    result = platform.cli(
        "check", "--format", "json", str(platform.root / "products/orders/floe.yaml")
    )
    assert result.returncode == 1
    [problem] = result.json()["problems"]
    assert (problem["rule"], problem["file"], problem["line"], problem["column"]) == (
        "FG301",
        "products/orders/floe.yaml",
        6,
        11,
    )


def test_editing_the_manifest_reports_every_chain_through_it(platform: Platform) -> None:
    two_domains(platform)
    result = platform.cli("check", "--format", "json", "manifest.yaml")
    assert result.returncode == 1
    assert sorted((p["rule"], p["file"], p["line"]) for p in result.json()["problems"]) == [
        ("FG201", "products/revenue/floe.yaml", 9),
        ("FG202", "manifest.yaml", 8),
    ]


@pytest.mark.parametrize(
    "files",
    [("README.md",), ("products/revenue/seeds/orders.csv", "docs/notes.txt")],
)
def test_only_files_that_are_not_configuration_exit_0(
    platform: Platform, files: tuple[str, ...]
) -> None:
    two_domains(platform)
    for name in files:
        platform.write(name, "not configuration\n")
    assert platform.cli("check", *files).returncode == 0
    report = platform.cli("check", "--format", "json", *files)
    assert report.returncode == 0
    assert report.json()["problems"] == []


def test_a_model_file_alone_shows_nothing_it_did_not_cause(platform: Platform) -> None:
    two_domains(platform)
    result = platform.cli("check", "products/revenue/models/stg_orders.sql")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [CLEAN, ELSEWHERE.format(n=4, e=4)]


def test_a_broken_manifest_is_shown_whatever_the_files(platform: Platform) -> None:
    platform.write("manifest.yaml", "apiVersion: floe/v1\nkind: Manifest\n")
    result = platform.cli("check", "products/revenue/floe.yaml")
    assert result.returncode == 1
    assert result.stdout.startswith("manifest.yaml:1:1: error FG002 missing required key")
