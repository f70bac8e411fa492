"""A platform repository with environment branches dev → staging → main, built with git."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import PRODUCT  # the same product, here on three branches

from floe_gate.cli import main

MANIFEST = """\
apiVersion: floe/v1
kind: Manifest
environments:
  dev: {branch: dev}
  staging: {branch: staging}
  prod: {branch: main}
compute:
  approved: [duckdb, spark]
  default: duckdb
"""

POLICY = """\
apiVersion: floe/v1
kind: Policy
compute:
  approved: [duckdb, spark]
  default: duckdb
"""

FILES = {
    "manifest.yaml": MANIFEST,
    "policies/finance/policy.yaml": POLICY,
    "products/revenue/floe.yaml": PRODUCT,
    "products/revenue/dbt_project.yml": "name: revenue\nprofile: revenue\nconfig-version: 2\n",
    "products/revenue/models/stg_orders.sql": "select 1 as order_id\n",
    # No ref() to stg_orders: moving fct_revenue to spark must not make data cross engines.
    "products/revenue/models/fct_revenue.sql": "select 2 as revenue\n",
}

GIT_IDENTITY = ("-c", "user.name=floe", "-c", "user.email=floe@example.invalid")


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *GIT_IDENTITY, "-C", str(root), *args], check=True, capture_output=True, text=True
    )
    return done.stdout


class Repo:
    """A git repository whose branches dev, staging and main start identical."""

    def __init__(self, root: Path, branches: tuple[str, ...] = ("dev", "staging")) -> None:
        self.root = root
        root.mkdir(parents=True)
        git(root, "init", "--quiet", "--initial-branch=main")
        self.write(FILES)
        self.commit("platform")
        for branch in branches:
            git(root, "branch", branch)

    def write(self, files: dict[str, str]) -> None:
        for name, content in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(content), encoding="utf-8")

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, text
        path.write_text(text.replace(old, new), encoding="utf-8")

    def commit(self, message: str) -> None:
        git(self.root, "add", "-A")
        git(self.root, "commit", "--quiet", "--allow-empty", "-m", message)

    def checkout(self, branch: str, *, new: bool = False) -> None:
        git(self.root, "checkout", "--quiet", *(["-b"] if new else []), branch)

    def on(self, branch: str, name: str, old: str, new: str) -> None:
        """Commit an edit of ``name`` on ``branch``; the working tree returns to where it was."""
        current = git(self.root, "rev-parse", "--abbrev-ref", "HEAD").strip()
        self.checkout(branch)
        self.edit(name, old, new)
        self.commit(f"edit {name} on {branch}")
        self.checkout(current)


def parity(
    capsys: pytest.CaptureFixture[str], root: Path, *args: str
) -> tuple[int, list[dict[str, Any]], str]:
    """``floe-gate parity --format json ARGS…`` in-process: exit code, problems, stderr."""
    capsys.readouterr()
    code = main(["parity", "--repo", str(root), "--format", "json", *args])
    out, err = capsys.readouterr()
    problems = json.loads(out)["problems"] if out.strip() else []
    return code, problems, err


def where(problem: dict[str, Any]) -> str:
    return f"{problem['file']}:{problem['line']}"


def rules(problems: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """``(rule, severity, file:line)`` of each problem."""
    return [(p["rule"], p["severity"], where(p)) for p in problems]
