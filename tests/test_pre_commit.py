"""floe-gate in pre-commit, end to end: real `pre-commit`, real `git commit`.

The hook repository is a snapshot of this checkout's working tree (tracked and new
files, as `git ls-files -co --exclude-standard` lists them) committed into a fresh git
repository, so what is tested is the working tree, not the last commit. A consumer
platform repository points its `.pre-commit-config.yaml` at that snapshot's path and
commit; pre-commit then clones it and builds the hook's virtualenv with this machine's
pip and `pip install .` — the install path users get. That build takes tens of seconds,
so one PRE_COMMIT_HOME is shared by the whole module.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Platform

REPO = Path(__file__).resolve().parents[1]
HOOKS_FILE = REPO / ".pre-commit-hooks.yaml"
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
FLOE_GATE = Path(sys.executable).with_name("floe-gate")

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "floe test",
    "GIT_AUTHOR_EMAIL": "floe@example.com",
    "GIT_COMMITTER_NAME": "floe test",
    "GIT_COMMITTER_EMAIL": "floe@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}

pytestmark = pytest.mark.skipif(not PRE_COMMIT.exists(), reason="pre-commit not installed")


def hooks() -> dict[str, dict[str, Any]]:
    listed = yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))
    return {hook["id"]: hook for hook in listed}


# --- the hook definitions, without building anything --------------------------------------------


def test_hook_manifest_is_valid_for_pre_commit() -> None:
    done = subprocess.run(
        [str(PRE_COMMIT), "validate-manifest", str(HOOKS_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hook_definitions() -> None:
    defined = hooks()
    assert set(defined) == {"floe-gate-check", "floe-gate-parity", "floe-gate-artifacts"}
    check, parity, artifacts = (
        defined[name] for name in ("floe-gate-check", "floe-gate-parity", "floe-gate-artifacts")
    )
    assert check["entry"] == "floe-gate check"
    assert check["pass_filenames"] is True
    assert check["require_serial"] is True
    assert parity["entry"] == "floe-gate parity"
    assert parity["stages"] == ["pre-push", "manual"]
    assert parity["always_run"] is True
    assert parity["pass_filenames"] is False
    assert artifacts["entry"] == "floe-gate compile --check"
    assert artifacts["pass_filenames"] is False
    for hook in defined.values():
        assert hook["language"] == "python"
        assert hook["description"]
        assert hook["minimum_pre_commit_version"]


@pytest.mark.parametrize(
    ("path", "checked"),
    [
        ("manifest.yaml", True),
        ("platform/manifest.yaml", True),
        ("policies/finance/policy.yaml", True),
        ("policies/finance/risk/policy.yaml", True),
        ("policies/waivers.yaml", True),
        ("products/revenue/floe.yaml", True),
        ("products/revenue/dbt_project.yml", True),
        ("products/revenue/models/fct_revenue.sql", True),
        ("products/revenue/models/scores.py", True),
        ("README.md", False),
        ("products/revenue/README.md", False),
        ("products/revenue/notes.yaml", False),
        ("mymanifest.yaml", False),
        ("artifacts/dev/compiled.json", False),
    ],
)
def test_check_hook_files_are_the_configuration(path: str, checked: bool) -> None:
    assert bool(re.search(hooks()["floe-gate-check"]["files"], path)) is checked


def test_artifacts_hook_also_runs_on_the_artifacts_themselves() -> None:
    pattern = hooks()["floe-gate-artifacts"]["files"]
    for path in (
        "products/revenue/floe.yaml",
        "artifacts/dev/compiled.json",
        "artifacts/dev/revenue/duckdb/profiles.yml",
        "artifacts/requirements-dbt.txt",
    ):
        assert re.search(pattern, path), path
    assert not re.search(pattern, "README.md")


# --- end to end ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HookRepo:
    path: Path
    rev: str
    home: Path  # PRE_COMMIT_HOME, shared by the module's consumers

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            **GIT_IDENTITY,
            "PRE_COMMIT_HOME": str(self.home),
            "PRE_COMMIT_COLOR": "never",
            "NO_COLOR": "1",
        }


@dataclass(frozen=True)
class Result:
    returncode: int
    output: str


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 120) -> Result:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    return Result(done.returncode, done.stdout + done.stderr)


def _snapshot(destination: Path, env: dict[str, str]) -> str:
    """Commit this checkout's working tree into a new repository; return the commit's sha."""
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-co", "--exclude-standard", "-z"],
        capture_output=True,
        check=True,
    )
    for name in listed.stdout.decode().split("\0"):
        source = REPO / name
        if name and source.is_file():  # tracked files deleted in the working tree are skipped
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    for args in (
        ["init", "--quiet", "--initial-branch=main"],
        ["add", "-A"],
        ["commit", "--quiet", "--no-verify", "-m", "snapshot of the working tree"],
    ):
        subprocess.run(["git", "-C", str(destination), *args], env=env, check=True)
    head = subprocess.run(
        ["git", "-C", str(destination), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    )
    return head.stdout.strip()


CONFIG = """\
repos:
  - repo: {path}
    rev: {rev}
    hooks:
      - id: floe-gate-check
      - id: floe-gate-artifacts
        args: [--out, artifacts]
"""


class Consumer:
    """A platform repository (conftest's valid platform) using the hooks."""

    def __init__(self, root: Path, hooks: HookRepo) -> None:
        self.platform = Platform(root)
        self.root = root
        self.hooks = hooks
        self.platform.write("README.md", "# platform\n")
        self.platform.write(
            ".pre-commit-config.yaml", CONFIG.format(path=hooks.path, rev=hooks.rev)
        )

    def git(self, *args: str) -> Result:
        return _run(["git", *args], self.root, self.hooks.env())

    def pre_commit(self, *args: str) -> Result:
        return _run([str(PRE_COMMIT), *args], self.root, self.hooks.env(), timeout=300)

    def floe_gate(self, *args: str) -> Result:
        return _run([str(FLOE_GATE), *args], self.root, self.hooks.env())

    def commit(self, message: str, *files: str) -> Result:
        """`git add` FILES (default: everything), then a real `git commit` with its hooks."""
        added = self.git("add", *(files or ("-A",)))
        assert added.returncode == 0, added.output
        return self.git("commit", "-m", message)

    def head(self) -> str:
        return self.git("rev-parse", "--verify", "--quiet", "HEAD").output.strip()

    def edit(self, name: str, old: str, new: str) -> None:
        text = self.platform.read(name)
        assert old in text
        self.platform.write(name, text.replace(old, new))


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> HookRepo:
    """The snapshot hook repository, its hook environment built once (`install-hooks`)."""
    base = tmp_path_factory.mktemp("pre-commit")
    home = base / "cache"
    probe = HookRepo(base / "hookrepo", "", home)
    hooks = HookRepo(probe.path, _snapshot(probe.path, probe.env()), home)
    warm = Consumer(base / "warm", hooks)
    installed = warm.pre_commit("install-hooks")
    assert installed.returncode == 0, installed.output
    return hooks


@pytest.fixture
def consumer(hook_repo: HookRepo, tmp_path: Path) -> Consumer:
    """A consumer with `pre-commit install`ed hooks, its compiled artifacts committed."""
    consumer = Consumer(tmp_path / "platform", hook_repo)
    installed = consumer.pre_commit("install")
    assert installed.returncode == 0, installed.output
    compiled = consumer.floe_gate("compile", "--out", "artifacts")
    assert compiled.returncode == 0, compiled.output
    first = consumer.commit("platform")
    assert first.returncode == 0, first.output
    return consumer


def test_a_clean_commit_passes(consumer: Consumer) -> None:
    # The fixture's first commit passed the hooks; so does the next one.
    before = consumer.head()
    consumer.platform.write("products/revenue/models/dim_customers.sql", "select 1 as id\n")
    compiled = consumer.floe_gate("compile", "--out", "artifacts")
    assert compiled.returncode == 0, compiled.output
    done = consumer.commit("a new model")
    assert done.returncode == 0, done.output
    assert re.search(r"floe-gate check\.+Passed", done.output), done.output
    assert re.search(r"floe-gate artifacts up to date\.+Passed", done.output), done.output
    assert consumer.head() != before


def test_deleting_a_domain_policy_checks_the_whole_repository(consumer: Consumer) -> None:
    # pre-commit passes no deleted file; the products of the domain still break.
    before = consumer.head()
    consumer.git("rm", "--quiet", "policies/finance/policy.yaml")
    done = consumer.git("commit", "-m", "drop the finance domain")
    assert done.returncode == 1, done.output
    assert "deleted: policies/finance/policy.yaml; checking the whole repository" in done.output
    assert re.search(
        r"products/revenue/floe\.yaml:\d+:\d+: error FG103 domain 'finance' of data product "
        r"revenue has no policy",
        done.output,
    ), done.output
    assert consumer.head() == before


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        pytest.param(
            "products/revenue/floe.yaml",
            "compute: duckdb",
            "compute: trino",
            "products/revenue/floe.yaml:9:14: error FG201 compute 'trino' is not approved",
            id="engine-not-approved",
        ),
        pytest.param(
            "policies/finance/policy.yaml",
            "approved: [duckdb]",
            "approved: [duckdb",
            "policies/finance/policy.yaml:5:10: error FG001 invalid YAML",
            id="yaml-syntax-error",
        ),
    ],
)
def test_a_bad_commit_is_refused_at_file_line_col(
    consumer: Consumer, file: str, old: str, new: str, expected: str
) -> None:
    before = consumer.head()
    consumer.edit(file, old, new)
    done = consumer.commit("bad", file)
    assert done.returncode != 0, done.output
    assert re.search(r"floe-gate check\.+Failed", done.output), done.output
    assert expected in done.output, done.output
    assert consumer.head() == before, "the commit must not be created"
    assert consumer.git("diff", "--cached", "--name-only").output.split() == [file]


def test_a_commit_of_only_a_readme_passes_the_hooks_at_once(consumer: Consumer) -> None:
    # Even with a broken product already committed (bypassing the hooks), a commit that
    # touches no configuration passes: the check hook always runs (for deletions), and
    # with nothing relevant staged it passes without loading the repository.
    consumer.edit("products/revenue/floe.yaml", "compute: duckdb", "compute: trino")
    bypassed = consumer.git("commit", "--no-verify", "-am", "broken, bypassing the hooks")
    assert bypassed.returncode == 0, bypassed.output
    before = consumer.head()
    consumer.platform.write("README.md", "# platform\n\nOwned by the platform team.\n")
    done = consumer.commit("docs", "README.md")
    assert done.returncode == 0, done.output
    assert re.search(r"floe-gate check\.+Passed", done.output), done.output
    assert consumer.head() != before


def test_pre_commit_run_files_reports_only_what_concerns_them(consumer: Consumer) -> None:
    consumer.edit("products/revenue/floe.yaml", "compute: duckdb", "compute: trino")
    bad = consumer.pre_commit("run", "floe-gate-check", "--files", "products/revenue/floe.yaml")
    assert bad.returncode == 1, bad.output
    assert "products/revenue/floe.yaml:9:14: error FG201" in bad.output
    # The model file's own problems: none; the product's error is summarised, not failing.
    model = "products/revenue/models/stg_orders.sql"
    elsewhere = consumer.pre_commit("run", "floe-gate-check", "--files", model)
    assert elsewhere.returncode == 0, elsewhere.output
    assert "FG201" not in elsewhere.output


def test_stale_artifacts_fail_until_compile_regenerates_them(consumer: Consumer) -> None:
    before = consumer.head()
    consumer.edit("manifest.yaml", "threads: 1", "threads: 2")
    stale = consumer.commit("more threads", "manifest.yaml")
    assert stale.returncode != 0, stale.output
    assert re.search(r"floe-gate check\.+Passed", stale.output), stale.output
    assert re.search(r"floe-gate artifacts up to date\.+Failed", stale.output), stale.output
    assert "stale: dev/revenue/duckdb/profiles.yml" in stale.output
    assert consumer.head() == before

    compiled = consumer.floe_gate("compile", "--out", "artifacts")
    assert compiled.returncode == 0, compiled.output
    fresh = consumer.commit("more threads, artifacts regenerated")
    assert fresh.returncode == 0, fresh.output
    assert re.search(r"floe-gate artifacts up to date\.+Passed", fresh.output), fresh.output
    assert consumer.head() != before


def test_a_hand_edited_artifact_is_caught(consumer: Consumer) -> None:
    before = consumer.head()
    profile = "artifacts/dev/revenue/duckdb/profiles.yml"
    consumer.platform.write(profile, consumer.platform.read(profile) + "# tweaked\n")
    done = consumer.commit("tweak", profile)
    assert done.returncode != 0, done.output
    assert re.search(r"floe-gate check\.+Passed", done.output), done.output
    assert "stale: dev/revenue/duckdb/profiles.yml" in done.output
    assert consumer.head() == before


# --- third-party plugins through additional_dependencies ----------------------------------------

PLUGIN_PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.26"]
build-backend = "hatchling.build"

[project]
name = "acme-floe-compute-trino"
version = "1.0.0"
dependencies = ["floe-gate>=0.1"]

[project.entry-points."floe.computes"]
trino = "acme_floe_trino:TrinoPlugin"

[tool.hatch.build.targets.wheel]
packages = ["acme_floe_trino"]
"""

PLUGIN_MODULE = '''\
"""A third-party compute plugin, installed through additional_dependencies."""

from typing import Any, ClassVar

from floe_gate.compute import (
    CatalogConfig,
    ComputeConfig,
    ComputePlugin,
    ConnectionResult,
    ConnectionStatus,
    ResourceSpec,
)


class TrinoConfig(ComputeConfig):
    master: str = "local[*]"


class TrinoPlugin(ComputePlugin[TrinoConfig]):
    name = "trino"
    version = "1.0.0"
    floe_api_version = "1.0"
    config_model: ClassVar[type[ComputeConfig]] = TrinoConfig

    def generate_dbt_profile(self, config: TrinoConfig) -> dict[str, Any]:
        return {"type": "trino", "method": "session", "host": config.master}

    def get_required_dbt_packages(self) -> list[str]:
        return ["dbt-trino"]

    def validate_connection(self, config: TrinoConfig) -> ConnectionResult:
        return ConnectionResult(status=ConnectionStatus.HEALTHY, latency_ms=0.0)

    def get_resource_requirements(self, workload_size: str) -> ResourceSpec:
        return self.preset(workload_size)

    def get_catalog_attachment_sql(self, catalog_config: CatalogConfig) -> list[str] | None:
        return None
'''


@pytest.fixture(scope="module")
def trino_plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The source directory of a third-party plugin registering engine ``trino``."""
    plugin = tmp_path_factory.mktemp("plugin") / "acme-floe-compute-trino"
    (plugin / "acme_floe_trino").mkdir(parents=True)
    (plugin / "pyproject.toml").write_text(PLUGIN_PYPROJECT, encoding="utf-8")
    (plugin / "acme_floe_trino" / "__init__.py").write_text(PLUGIN_MODULE, encoding="utf-8")
    return plugin


def approve_trino(consumer: Consumer) -> None:
    consumer.edit("manifest.yaml", "approved: [duckdb]", "approved: [duckdb, trino]")
    consumer.edit("policies/finance/policy.yaml", "approved: [duckdb]", "approved: [duckdb, trino]")


def test_a_third_party_plugin_arrives_through_additional_dependencies(
    hook_repo: HookRepo, trino_plugin: Path, tmp_path: Path
) -> None:
    consumer = Consumer(tmp_path / "platform", hook_repo)
    approve_trino(consumer)
    consumer.edit("products/revenue/floe.yaml", "compute: duckdb", "compute: trino")
    files = ["manifest.yaml", "products/revenue/floe.yaml"]
    without = consumer.pre_commit("run", "floe-gate-check", "--files", *files)
    assert without.returncode == 1, without.output
    assert "FG202 engine 'trino' has no installed compute plugin" in without.output

    consumer.platform.write(
        ".pre-commit-config.yaml",
        f"""\
        repos:
          - repo: {hook_repo.path}
            rev: {hook_repo.rev}
            hooks:
              - id: floe-gate-check
                additional_dependencies: [{trino_plugin}]
        """,
    )
    consumer.git("add", ".pre-commit-config.yaml")
    with_plugin = consumer.pre_commit("run", "floe-gate-check", "--files", *files)
    assert with_plugin.returncode == 0, with_plugin.output
    assert re.search(r"floe-gate check\.+Passed", with_plugin.output), with_plugin.output


# --- parity on pre-push -------------------------------------------------------------------------


def pushing(hook_repo: HookRepo, trino_plugin: Path, tmp_path: Path) -> Consumer:
    """A clone of a bare remote with branches dev, staging and main (all fetched), the
    parity hook installed for pre-push; fct_revenue is on duckdb everywhere."""
    remote = tmp_path / "remote.git"
    made = _run(["git", "init", "--quiet", "--bare", str(remote)], tmp_path, hook_repo.env())
    assert made.returncode == 0, made.output
    consumer = Consumer(tmp_path / "platform", hook_repo)
    approve_trino(consumer)
    consumer.platform.write(
        ".pre-commit-config.yaml",
        f"""\
        repos:
          - repo: {hook_repo.path}
            rev: {hook_repo.rev}
            hooks:
              - id: floe-gate-parity
                additional_dependencies: [{trino_plugin}]
        """,
    )
    installed = consumer.pre_commit("install", "--hook-type", "pre-push")
    assert installed.returncode == 0, installed.output
    for args in (
        ("add", "-A"),
        ("commit", "--quiet", "-m", "platform"),
        ("remote", "add", "origin", str(remote)),
        ("branch", "dev"),
        ("branch", "staging"),
        ("push", "--quiet", "--no-verify", "origin", "main", "dev", "staging"),
        ("fetch", "--quiet", "origin"),
    ):
        done = consumer.git(*args)
        assert done.returncode == 0, done.output
    return consumer


def remote_tip(consumer: Consumer, branch: str) -> str:
    assert consumer.git("fetch", "--quiet", "origin").returncode == 0
    return consumer.git("rev-parse", f"origin/{branch}").output.strip()


def test_pre_push_parity_lets_a_change_enter_at_dev_and_be_promoted(
    hook_repo: HookRepo, trino_plugin: Path, tmp_path: Path
) -> None:
    consumer = pushing(hook_repo, trino_plugin, tmp_path)
    assert consumer.git("switch", "--quiet", "dev").returncode == 0
    consumer.edit("products/revenue/floe.yaml", "compute: duckdb", "compute: trino")
    assert consumer.commit("fct_revenue on trino").returncode == 0
    entered = consumer.git("push", "origin", "dev")
    assert entered.returncode == 0, entered.output
    assert re.search(r"floe-gate parity\.+Passed", entered.output), entered.output

    assert consumer.git("switch", "--quiet", "staging").returncode == 0
    assert consumer.git("merge", "--quiet", "--ff-only", "origin/dev").returncode == 0
    promoted = consumer.git("push", "origin", "staging")
    assert promoted.returncode == 0, promoted.output
    assert re.search(r"floe-gate parity\.+Passed", promoted.output), promoted.output
    assert remote_tip(consumer, "staging") == remote_tip(consumer, "dev")


def test_pre_push_parity_refuses_drift_into_an_environment_branch(
    hook_repo: HookRepo, trino_plugin: Path, tmp_path: Path
) -> None:
    consumer = pushing(hook_repo, trino_plugin, tmp_path)
    # A hotfix straight on staging: fct_revenue moves to trino there, dev stays on duckdb.
    assert consumer.git("switch", "--quiet", "staging").returncode == 0
    before = remote_tip(consumer, "staging")
    consumer.edit("products/revenue/floe.yaml", "compute: duckdb", "compute: trino")
    assert consumer.commit("hotfix on staging").returncode == 0
    pushed = consumer.git("push", "origin", "staging")
    assert pushed.returncode != 0, pushed.output
    assert re.search(r"floe-gate parity\.+Failed", pushed.output), pushed.output
    assert "products/revenue/floe.yaml:9:14: error FG601 engine drift" in pushed.output
    assert remote_tip(consumer, "staging") == before, "the drift must not reach the remote"
