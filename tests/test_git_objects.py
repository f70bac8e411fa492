"""Reading a ref straight from git objects: same problems and locations, one cat-file."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import Platform
from parity_repo import git

from floe_gate.gate import judge
from floe_gate.load import git_objects
from floe_gate.load.git_objects import GitObjects, valid_ref_name
from floe_gate.load.repository import load_repository
from floe_gate.load.sources import CannotJudge, WorkingTree

BROKEN = {
    "products/bad/floe.yaml": "apiVersion: floe/v1\nkind: DataProduct\nname: bad\nname: twice\n",
    "products/typo/floe.yaml": (
        "apiVersion: floe/v1\nkind: DataProduct\nname: typo\ndomain: finance\n"
        "transforms:\n  - name: x\n    compute: duckdb\n    wokload: large\n"
    ),
    "products/syntax/floe.yaml": "apiVersion: [floe/v1\n",
    "policies/finance/risk/policy.yaml": "apiVersion: floe/v1\nkind: Policy\ncompute: 3\n",
    "products/revenue/models/extra.sql": "select 3\n",
}


def _committed(platform: Platform) -> None:
    platform.add()
    git(platform.root, "commit", "--quiet", "-m", "platform")


def test_same_problems_and_locations_as_the_working_tree(platform: Platform) -> None:
    for name, content in BROKEN.items():
        platform.write(name, content)
    _committed(platform)
    tree = judge(WorkingTree(platform.root))
    with GitObjects(platform.root) as objects:
        ref = objects.ref("main")
        assert ref.files() == WorkingTree(platform.root).files()
        from_git = judge(ref)
    assert from_git.problems == tree.problems
    assert [p.as_text() for p in from_git.problems if p.rule in {"FG001", "FG002"}]
    assert _products(from_git.repository) == _products(tree.repository)


def _products(repository: Any) -> list[tuple[str, str, frozenset[str] | None]]:
    return [
        (node.product.file, node.product.model.name, node.dbt.models if node.dbt else None)
        for node in repository.products
    ]


def _generate(root: Path, products: int) -> None:
    platform = Platform(root)
    for index in range(products):
        platform.write(
            f"products/p{index}/floe.yaml",
            f"apiVersion: floe/v1\nkind: DataProduct\nname: p{index}\ndomain: finance\n",
        )
        platform.write(f"products/p{index}/dbt_project.yml", f"name: p{index}\nprofile: p\n")
        platform.write(f"products/p{index}/models/m.sql", "select 1\n")
    _committed(platform)


def _spawns(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every process started while loading ``main`` and ``HEAD`` from git objects."""
    started: list[list[str]] = []
    real = subprocess.Popen

    def counting(args: Any, *rest: Any, **options: Any) -> Any:
        started.append([str(arg) for arg in args])
        return real(args, *rest, **options)

    monkeypatch.setattr(subprocess, "Popen", counting)
    with GitObjects(root) as objects:
        for ref in ("main", "HEAD"):
            load_repository(objects.ref(ref))
    monkeypatch.setattr(subprocess, "Popen", real)
    return started


def test_one_cat_file_process_however_many_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _generate(tmp_path / "small", 2)
    _generate(tmp_path / "large", 40)
    small = _spawns(tmp_path / "small", monkeypatch)
    large = _spawns(tmp_path / "large", monkeypatch)
    assert len(small) == len(large)
    assert sum("cat-file" in args for args in large) == 1
    assert all(args[0] == "git" for args in large)


def test_shallow_clone_reads_fetched_branches(platform: Platform, tmp_path: Path) -> None:
    _committed(platform)
    git(platform.root, "branch", "dev")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", "--depth=1", "--no-single-branch",
         f"file://{platform.root}", str(clone)],
        check=True, capture_output=True,
    )  # fmt: skip
    assert (clone / ".git" / "shallow").exists()
    with GitObjects(clone) as objects:
        repository = load_repository(objects.ref("origin/dev"))
    assert [node.product.model.name for node in repository.products] == ["revenue"]


@pytest.mark.parametrize(
    "ref",
    ["--output=/tmp/floe-x", "-h", "a..b", "$(touch pwned)", "a b", "main@{1}", "main~1",
     "x^{tree}", "a:b", "", "a/", "a.lock", ".hidden", "a//b", "a;touch pwned", "a\nb"],
)  # fmt: skip
def test_invalid_ref_names_are_refused_before_git_runs(platform: Platform, ref: str) -> None:
    _committed(platform)
    before = len(git_objects.SPAWNED)
    with GitObjects(platform.root) as objects, pytest.raises(CannotJudge):
        objects.ref(ref)
    if not valid_ref_name(ref):
        assert len(git_objects.SPAWNED) == before
    assert not (platform.root / "pwned").exists()


def test_unknown_ref_cannot_be_judged(platform: Platform) -> None:
    _committed(platform)
    with GitObjects(platform.root) as objects, pytest.raises(CannotJudge, match="names no commit"):
        objects.ref("no-such-branch")


def test_ref_forms_that_name_commits(platform: Platform) -> None:
    _committed(platform)
    commit = git(platform.root, "rev-parse", "HEAD").strip()
    with GitObjects(platform.root) as objects:
        for ref in ("main", "refs/heads/main", "HEAD", commit, commit[:10]):
            assert objects.ref(ref).commit == commit
