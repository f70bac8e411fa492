"""Problems found on another branch than the pull request's, and git objects that cannot be read.

Parity reads the base and the environment branches from git objects. A problem located
in one of them is in *that branch's* file: every report names the branch
(``origin/dev:products/revenue/floe.yaml:9:14``), and neither a GitHub annotation nor a
SARIF location may land on the pull request's file of the same name, which says
something else. A git object that cannot be read is exit 2 naming the branch and the
path, never an "invalid YAML" problem at line 1 of the pull request's file.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from parity_repo import Repo, git

from floe_gate.cli import main

FLOE = "products/revenue/floe.yaml"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A CI-like clone: dev, staging exist only as ``origin/…``; dev runs fct_revenue on spark."""
    upstream = Repo(tmp_path / "upstream", branches=("dev", "staging", "feature"))
    upstream.on("dev", FLOE, "compute: duckdb", "compute: spark")
    target = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(upstream.root), str(target)], check=True)
    return target


def strict(capsys: pytest.CaptureFixture[str], root: Path, output: str) -> tuple[int, str]:
    code, out, err = run(capsys, "parity", "--repo", str(root), "--strict", "--format", output)
    assert "Traceback" not in err
    return code, out


DRIFT = (
    "environments differ for revenue:fct_revenue (dev: spark, staging: duckdb, main: duckdb); "
    "--strict requires them identical"
)


def test_text_names_the_branch_of_the_file(capsys: pytest.CaptureFixture[str], clone: Path) -> None:
    code, out = strict(capsys, clone, "text")
    assert code == 1
    assert f"origin/dev:{FLOE}:9:14: error FG606 {DRIFT}" in out.splitlines()


def test_json_carries_the_ref(capsys: pytest.CaptureFixture[str], clone: Path) -> None:
    code, out = strict(capsys, clone, "json")
    assert code == 1
    [problem] = json.loads(out)["problems"]
    assert problem == {
        "rule": "FG606",
        "severity": "error",
        "file": FLOE,
        "line": 9,
        "column": 14,
        "message": DRIFT,
        "ref": "origin/dev",
    }


def test_github_does_not_annotate_the_pull_requests_file(
    capsys: pytest.CaptureFixture[str], clone: Path
) -> None:
    code, out = strict(capsys, clone, "github")
    assert code == 1
    [line] = [line for line in out.splitlines() if line.startswith("::")]
    assert line == (
        f"::error title=FG606 environments differ (strict)::origin/dev:{FLOE}:9:14: {DRIFT}"
    )
    assert "file=" not in line


def test_sarif_location_names_the_branch_not_the_checkout(
    capsys: pytest.CaptureFixture[str], clone: Path
) -> None:
    code, out = strict(capsys, clone, "sarif")
    assert code == 1
    [result] = json.loads(out)["runs"][0]["results"]
    [location] = result["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": f"floe-gate-ref:origin%2Fdev/{FLOE}"},
        "region": {"startLine": 9, "startColumn": 14},
    }
    assert result["message"]["text"] == f"origin/dev:{FLOE}:9:14: {DRIFT}"
    assert result["properties"]["ref"] == "origin/dev"


def test_a_working_tree_problem_still_annotates_its_file(
    capsys: pytest.CaptureFixture[str], clone: Path
) -> None:
    """Against a base, the drift is located in the pull request's own file: annotated."""
    (clone / FLOE).write_text((clone / FLOE).read_text().replace("duckdb", "spark"))
    code, out, _ = run(
        capsys, "parity", "--repo", str(clone), "--base-ref", "main", "--format", "github"
    )
    assert code == 1
    [line] = [line for line in out.splitlines() if line.startswith("::error")]
    assert line.startswith(f"::error file={FLOE},line=9,col=14,title=FG601")


def test_ci_reports_a_base_branch_note_without_annotating_a_file(
    capsys: pytest.CaptureFixture[str],
    clone: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """FG607 is at the base's ``environments:``: ``origin/feature:manifest.yaml:3:1``; check's
    FG203 (spark approved without its settings) is in the pull request's file: annotated."""
    sarif_file, summary = tmp_path / "ci.sarif", tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, err = run(
        capsys, "ci", "--repo", str(clone), "--base-ref", "feature",
        "--artifacts-dir", str(tmp_path / "artifacts"), "--sarif-file", str(sarif_file),
    )  # fmt: skip
    assert code == 1, out + err
    [error] = [line for line in out.splitlines() if "FG203" in line]
    assert error.startswith("::error file=policies/finance/policy.yaml,line=4,col=22,title=FG203")
    [note] = [line for line in out.splitlines() if "FG607" in line]
    assert note.startswith(
        "::notice title=FG607 base is not an environment branch::"
        "origin/feature:manifest.yaml:3:1: base branch feature is not an environment branch"
    )
    [result] = [
        r for r in json.loads(sarif_file.read_text())["runs"][0]["results"]
        if r["ruleId"] == "FG607"
    ]  # fmt: skip
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": "floe-gate-ref:origin%2Ffeature/manifest.yaml"}
    [row] = [line for line in summary.read_text().splitlines() if "FG607" in line]
    assert row.startswith("| origin/feature:manifest.yaml:3 | note | FG607 |")


def test_an_unusable_manifest_on_the_base_names_the_branch(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo = Repo(tmp_path / "repo")
    repo.on("staging", "manifest.yaml", "environments:", "environments: [")
    code, out, err = run(
        capsys, "parity", "--repo", str(repo.root), "--base-ref", "staging", "--format", "text"
    )
    assert code == 1, out + err
    [line] = [line for line in out.splitlines() if "FG001" in line]
    assert line.startswith("staging:manifest.yaml:5:3: error FG001 invalid YAML")


# --- git objects that cannot be read --------------------------------------------------------


@pytest.fixture
def corrupt(tmp_path: Path) -> Repo:
    """staging's floe.yaml (a blob no other branch has) is corrupt in the object database."""
    repo = Repo(tmp_path / "repo")
    repo.on("staging", FLOE, "workload: medium", "workload: large")
    blob = git(repo.root, "rev-parse", f"staging:{FLOE}").strip()
    loose = repo.root / ".git" / "objects" / blob[:2] / blob[2:]
    loose.chmod(0o644)
    loose.write_bytes(b"not a zlib stream")
    return repo


def test_a_corrupt_blob_on_the_base_is_exit_2_naming_branch_and_path(
    capsys: pytest.CaptureFixture[str], corrupt: Repo
) -> None:
    code, out, err = run(
        capsys, "parity", "--repo", str(corrupt.root), "--base-ref", "staging", "--format", "json"
    )
    assert code == 2, out + err
    assert out == ""
    assert f"cannot read staging:{FLOE}: git object " in err
    assert "missing or corrupt" in err
    assert "FG001" not in err
    assert "Traceback" not in err


def test_ci_with_a_corrupt_blob_cannot_judge(
    capsys: pytest.CaptureFixture[str], corrupt: Repo, tmp_path: Path
) -> None:
    code, out, err = run(
        capsys, "ci", "--repo", str(corrupt.root), "--base-ref", "staging",
        "--artifacts-dir", str(tmp_path / "artifacts"), "--sarif-file", str(tmp_path / "s.sarif"),
    )  # fmt: skip
    assert code == 2, out + err
    assert "FG001" not in out
    [line] = [line for line in out.splitlines() if "cannot read" in line]
    assert line.startswith(f"::error title=floe-gate::cannot read staging:{FLOE}: git object ")


def test_a_branch_pointing_at_a_missing_object_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo = Repo(tmp_path / "repo")
    gone = "1234567890abcdef1234567890abcdef12345678"
    (repo.root / ".git" / "refs" / "heads" / "staging").write_text(gone + "\n")
    code, out, err = run(
        capsys, "parity", "--repo", str(repo.root), "--base-ref", "dev", "--format", "text"
    )
    assert code == 2, out + err
    assert "'refs/heads/staging' names no commit" in err
    assert "missing or corrupt git object" in err
    assert "FG" not in out


def test_a_corrupt_tree_on_the_base_is_exit_2_naming_the_branch(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo = Repo(tmp_path / "repo")
    repo.on("staging", FLOE, "workload: medium", "workload: large")
    tree = git(repo.root, "rev-parse", "staging^{tree}").strip()
    loose = repo.root / ".git" / "objects" / tree[:2] / tree[2:]
    loose.chmod(0o644)
    loose.write_bytes(b"not a zlib stream")
    code, out, err = run(
        capsys, "parity", "--repo", str(repo.root), "--base-ref", "staging", "--format", "text"
    )
    assert code == 2, out + err
    assert out == ""
    assert "error: cannot list the files of staging: " in err
    assert "missing or corrupt git object" in err
