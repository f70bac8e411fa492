"""``floe-gate ci``: what the Action runs, on real repositories with dev → staging → main.

duckdb and spark are approved; spark's plugin is a fake (``registry_with``) so that
moving a transform to spark is a parity question, not a missing-plugin error.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import registry_with
from parity_repo import Repo
from test_report_formats import validate_sarif

from floe_gate.cli import main
from floe_gate.parity.allow_drift import allowed_drift

FLOE = "products/revenue/floe.yaml"
POLICY = "policies/finance/policy.yaml"
EXPLICIT = ("    compute: duckdb\n", "    compute: spark\n")
ENVIRONMENTS = ("dev", "staging", "prod")
CI_VARIABLES = (
    "GITHUB_BASE_REF",
    "GITHUB_OUTPUT",
    "GITHUB_STEP_SUMMARY",
    "RUNNER_TEMP",
    "FLOE_ALLOW_DRIFT",
    "PRE_COMMIT_REMOTE_BRANCH",
    "PRE_COMMIT_FROM_REF",
    "PRE_COMMIT_TO_REF",
)


class Runner:
    """The GitHub runner's files: outputs, job summary, and a temp directory for artifacts."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        root.mkdir()
        self.outputs = root / "github_output"
        self.summary = root / "step_summary"
        self.temp = root / "runner_temp"
        self.temp.mkdir()
        monkeypatch.setenv("GITHUB_OUTPUT", str(self.outputs))
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(self.summary))
        monkeypatch.setenv("RUNNER_TEMP", str(self.temp))

    @property
    def artifacts(self) -> Path:
        return self.temp / "floe-gate-artifacts"

    def output_values(self) -> dict[str, str]:
        lines = self.outputs.read_text(encoding="utf-8").splitlines()
        return dict(line.split("=", 1) for line in lines)

    def sarif(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(
            (self.artifacts / "floe-gate.sarif").read_text(encoding="utf-8")
        )
        return document


@pytest.fixture(autouse=True)
def _ci_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    fake = registry_with("spark")
    monkeypatch.setattr("floe_gate.gate.PluginRegistry", lambda: fake)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "platform")


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Runner:
    return Runner(tmp_path / "runner", monkeypatch)


def ci(capsys: pytest.CaptureFixture[str], repo: Repo, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["ci", "--repo", str(repo.root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def pull_request(repo: Repo, base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Check out a feature branch from ``base``, as a pull request into it."""
    repo.checkout(base)
    repo.checkout("feature", new=True)
    monkeypatch.setenv("GITHUB_BASE_REF", base)


def test_clean_pull_request_compiles_every_environment(
    repo: Repo, runner: Runner, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pull_request(repo, "staging", monkeypatch)
    repo.write({"README.md": "unrelated\n"})
    code, out, err = ci(capsys, repo)
    assert code == 0, out + err
    assert "::error" not in out
    for environment in ENVIRONMENTS:
        assert (runner.artifacts / environment / "compiled.json").is_file()
        assert (runner.artifacts / environment / "revenue" / "duckdb" / "profiles.yml").is_file()
    assert runner.output_values() == {
        "violations": "0",
        "artifacts-dir": str(runner.artifacts),
        "sarif-file": str(runner.artifacts / "floe-gate.sarif"),
    }
    document = runner.sarif()
    validate_sarif(document)
    assert document["runs"][0]["results"] == []
    summary = runner.summary.read_text(encoding="utf-8")
    assert summary.count("### floe-gate ci") == 1
    assert "- check: 0 error(s)" in summary
    assert "- parity vs staging: 0 error(s)" in summary
    assert "- compile (dev, staging, prod) →" in summary
    assert "No problems found." in summary


def test_drift_into_main_fails_with_an_annotation_at_the_compute_line(
    repo: Repo, runner: Runner, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pull_request(repo, "main", monkeypatch)
    repo.edit(FLOE, *EXPLICIT)
    code, out, _ = ci(capsys, repo)
    assert code == 1
    annotations = out.splitlines()
    assert [line for line in annotations if line.startswith("::error")] == [
        line for line in annotations if line.startswith(f"::error file={FLOE},line=9,col=14,")
    ]
    assert len([line for line in annotations if "title=FG601" in line]) == 1
    assert runner.output_values()["violations"] == "1"
    results = runner.sarif()["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("FG601", "error")]
    assert not (runner.artifacts / "prod").exists()
    assert "- compile: skipped (fix the errors first)" in runner.summary.read_text("utf-8")


@pytest.mark.parametrize("allowed", ["revenue:fct_revenue", "other:x, revenue:fct_revenue"])
def test_allowed_drift_from_the_environment_is_a_warning(
    repo: Repo,
    runner: Runner,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    allowed: str,
) -> None:
    pull_request(repo, "main", monkeypatch)
    repo.edit(FLOE, *EXPLICIT)
    monkeypatch.setenv("FLOE_ALLOW_DRIFT", allowed)
    code, out, err = ci(capsys, repo)
    assert code == 0, out + err
    assert "::error" not in out
    assert f"::warning file={FLOE},line=9,col=14,title=FG601" in out
    assert runner.output_values()["violations"] == "0"
    assert (runner.artifacts / "prod" / "compiled.json").is_file()


def test_governance_error_compiles_nothing(
    repo: Repo, runner: Runner, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pull_request(repo, "dev", monkeypatch)
    repo.edit(POLICY, "approved: [duckdb, spark]", "approved: [duckdb]")
    repo.edit(FLOE, *EXPLICIT)
    code, out, err = ci(capsys, repo)
    assert code == 1
    assert f"::error file={FLOE},line=9,col=14,title=FG201" in out
    assert "compile skipped" in err
    assert sorted(path.name for path in runner.artifacts.iterdir()) == ["floe-gate.sarif"]
    assert runner.output_values()["violations"] == "1"
    assert [r["ruleId"] for r in runner.sarif()["runs"][0]["results"]] == ["FG201"]


def test_push_without_a_base_skips_parity_with_a_notice(
    repo: Repo, runner: Runner, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.checkout("staging")
    repo.edit(FLOE, *EXPLICIT)  # drift, were there a base to judge it against
    code, out, err = ci(capsys, repo)
    assert code == 0, out + err
    assert out.startswith("::notice title=floe-gate parity::parity skipped: no base branch")
    assert "- parity: skipped" in runner.summary.read_text(encoding="utf-8")
    assert (runner.artifacts / "dev" / "compiled.json").is_file()


def test_explicit_paths_and_base_ref(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = tmp_path / "outputs"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    repo.checkout("main")
    repo.edit(FLOE, *EXPLICIT)
    out_dir, sarif_file = tmp_path / "out", tmp_path / "reports" / "gate.sarif"
    code, out, _ = ci(
        capsys, repo, "--base-ref", "main", "--artifacts-dir", str(out_dir),
        "--sarif-file", str(sarif_file), "--allow-drift", "revenue:fct_revenue",
    )  # fmt: skip
    assert code == 0, out
    assert "::warning" in out
    assert (out_dir / "prod" / "compiled.json").is_file()
    validate_sarif(json.loads(sarif_file.read_text(encoding="utf-8")))
    assert outputs.read_text(encoding="utf-8").splitlines()[1:] == [
        f"artifacts-dir={out_dir}",
        f"sarif-file={sarif_file}",
    ]


def test_unknown_base_cannot_be_judged(
    repo: Repo, runner: Runner, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = ci(capsys, repo, "--base-ref", "no-such-branch")
    assert code == 2
    assert "no-such-branch" in err
    assert "::error title=floe-gate::" in out
    assert not (runner.artifacts / "dev").exists()
    assert runner.sarif()["runs"][0]["results"] == []


def test_no_manifest_cannot_be_judged(
    repo: Repo, runner: Runner, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = ci(capsys, repo, "--manifest", "missing.yaml")
    assert code == 2
    assert "missing.yaml" in err
    assert runner.output_values()["violations"] == "0"


def test_malformed_allow_drift_is_bad_usage(
    repo: Repo, runner: Runner, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOE_ALLOW_DRIFT", "revenue")
    code, _, err = ci(capsys, repo, "--base-ref", "main")
    assert code == 2
    assert "PRODUCT:TRANSFORM" in err


def test_allowed_drift_merges_options_and_environment() -> None:
    assert allowed_drift(["a:b"], " c:d,e:f\n a:b ,, ") == ("a:b", "c:d", "e:f")
    assert allowed_drift([], "") == ()


def test_ci_never_imports_an_engine_driver(tmp_path: Path) -> None:
    """A pull request must not reach production systems: no driver, no dbt, in the process."""
    repo = Repo(tmp_path / "platform")
    repo.edit("manifest.yaml", "approved: [duckdb, spark]", "approved: [duckdb]")
    repo.edit(POLICY, "approved: [duckdb, spark]", "approved: [duckdb]")
    code = (
        "import sys; from floe_gate.cli import main;"
        f"code = main(['ci', '--repo', {str(repo.root)!r}, '--base-ref', 'dev',"
        f" '--artifacts-dir', {str(tmp_path / 'artifacts')!r}]);"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('duckdb', 'dbt')];"
        "assert not bad, bad; sys.exit(code)"
    )
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "artifacts" / "prod" / "compiled.json").is_file()


def test_data_crossing_engines_without_shared_storage_compiles_nothing(
    repo: Repo, runner: Runner, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.checkout("dev")
    repo.edit(FLOE, *EXPLICIT)  # fct_revenue on spark ...
    repo.write(  # ... reading stg_orders on duckdb
        {"products/revenue/models/fct_revenue.sql": "select * from {{ ref('stg_orders') }}\n"}
    )
    code, out, _ = ci(capsys, repo)
    assert code == 1
    assert (
        "::error title=floe-gate compile::data product revenue: data must cross engines but "
        "the manifest sets no compute.shared_storage: fct_revenue (spark) reads stg_orders "
        "(duckdb)."
    ) in out
    assert not (runner.artifacts / "dev").exists()
