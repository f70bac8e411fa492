"""docs/plugins.md's walk from a plugin to a data product, run as written.

Section 8 of the guide is read as a script: every fenced block whose first line names a
file under ``shop/`` (``# shop/...`` or ``-- shop/...``) is written, and every ``$`` line
of its ``console`` blocks is run in order, in one directory that ``cd`` changes, with
real git, real floe-gate, real dbt-duckdb. The lines shown under a command are its
output: each must appear, in order, in what the command printed (durations and
correlation ids aside). Then the data and the artifacts are checked for what the
walk says they hold.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "plugins.md"
SECTION = "## 8. From plugin to data product"
BIN = Path(sys.executable).parent
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
FILE_NAME = re.compile(r"^(?:#|--) (shop/\S+)$")
VOLATILE = (
    (re.compile(r"\b\d+(?:\.\d+)?\s?(?:ms|s)\b"), "<time>"),
    (re.compile(r"\b[0-9a-f]{32}\b"), "<id>"),
    (re.compile(r"\s+"), " "),
)


@dataclass
class Step:
    command: str
    shown: list[str] = field(default_factory=list)


@dataclass
class Walk:
    files: dict[str, str]
    steps: list[Step]


def read_walk(markdown: str) -> Walk:
    """The files and the commands (with the output shown) of the guide's walk."""
    start = markdown.index(SECTION)
    end = markdown.find("\n## ", start + len(SECTION))
    section = markdown[start : end if end > 0 else len(markdown)]
    files: dict[str, str] = {}
    steps: list[Step] = []
    for language, body in FENCE.findall(section):
        first_line = body.split("\n", 1)[0]
        named = FILE_NAME.match(first_line)
        if named:
            files[named.group(1)] = body
        elif language == "console":
            steps.extend(_console_steps(body))
    return Walk(files, steps)


def _console_steps(body: str) -> list[Step]:
    steps: list[Step] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append(Step(line[2:]))
        elif line.strip():
            steps[-1].shown.append(line)
    return steps


def normalised(line: str) -> str:
    for pattern, replacement in VOLATILE:
        line = pattern.sub(replacement, line)
    return line.strip()


def shown_in_order(shown: list[str], printed: str) -> list[str]:
    """The shown lines that are not, in order, contained in lines of ``printed``."""
    remaining = [normalised(line) for line in printed.splitlines()]
    missing = []
    for line in map(normalised, shown):
        position = next((i for i, out in enumerate(remaining) if line in out), None)
        if position is None:
            missing.append(line)
        else:
            remaining = remaining[position + 1 :]
    return missing


@pytest.fixture(scope="module")
def walk() -> Walk:
    return read_walk(GUIDE.read_text(encoding="utf-8"))


def test_the_walk_goes_from_policy_to_run(walk: Walk) -> None:
    """What issue #11 asks of it: policy, floe.yaml, dbt_project.yml, then the commands."""
    assert {
        "shop/manifest.yaml",
        "shop/policies/sales/policy.yaml",
        "shop/products/orders/floe.yaml",
        "shop/products/orders/dbt_project.yml",
    } <= set(walk.files)
    programs = [" ".join(step.command.split()[:2]) for step in walk.steps]
    order = ["floe-gate check", "floe-gate compile", "dbt build", "floe-gate health"]
    order.append("floe-gate run")
    assert [program for program in programs if program in order] == order
    (build,) = [step.command for step in walk.steps if step.command.startswith("dbt build")]
    assert "--profiles-dir artifacts/dev/orders/duckdb" in build  # ENV/PRODUCT/ENGINE


def test_the_walk_runs_as_written(walk: Walk, tmp_path: Path) -> None:
    for name, text in walk.files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    directory = tmp_path
    for step in walk.steps:
        directory, printed = run_step(step.command, directory, tmp_path / "cwd")
        missing = shown_in_order(step.shown, printed)
        assert not missing, f"$ {step.command}\nnot printed: {missing}\n{printed}"

    shop = tmp_path / "shop"
    rows = duckdb.connect(str(shop / "shop.duckdb"), read_only=True).sql(
        "select day::varchar, revenue::double, environment from orders.daily_revenue order by 1"
    )
    assert rows.fetchall() == [("2026-12-01", 42.5, "dev"), ("2026-12-02", 10.0, "dev")]
    compiled = json.loads((shop / "artifacts" / "dev" / "compiled.json").read_text())
    assert compiled["schema_version"] == 2
    profile = yaml.safe_load(
        (shop / "artifacts" / "dev" / "orders" / "duckdb" / "profiles.yml").read_text()
    )
    assert profile["orders"]["target"] == "dev"
    guard = profile["orders"]["outputs"]["dev"]["plugins"][0]["config"]
    assert guard["model_timeouts"] == {"daily_revenue": 60}  # floe.yaml's timeout_seconds
    # With dbt's usage stats off (as the guide says), dbt build and run leave them as written.
    check = "floe-gate compile --env dev --out artifacts --check"
    _, printed = run_step(check, shop, tmp_path / "cwd")
    assert "up to date" in printed


def run_step(command: str, directory: Path, where: Path) -> tuple[Path, str]:
    """Run one ``$`` line with bash in ``directory``: the directory it ends in (written to
    ``where``), and what it printed."""
    script = f'cd "$1" && {command}\nstatus=$?\npwd > "$2"\nexit $status\n'
    run = subprocess.run(
        ["bash", "-c", script, "walk", str(directory), str(where)],
        capture_output=True, text=True, check=False, timeout=300, env=walk_environment(),
    )  # fmt: skip
    printed = run.stdout + run.stderr
    assert run.returncode == 0, f"$ {command}\nexit {run.returncode}\n{printed}"
    return Path(where.read_text().strip()), printed


def walk_environment() -> dict[str, str]:
    """The test's environment (its PYTHONPATH: this checkout), the venv's programs first."""
    return {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "NO_COLOR": "1",
    }
