"""A real `dbt build` (seeds, models, tests) with the profile `floe-gate compile` generates."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ORDERS = REPO / "examples" / "products" / "orders"
EXPECTED_REVENUE = [
    ("Ada", 1, 125.0),
    ("Grace", 2, 230.5),
    ("Edsger", 1, 210.0),
    ("Barbara", 0, 0.0),
]


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example's dev artifacts, compiled by the console script."""
    out = tmp_path_factory.mktemp("compiled") / "artifacts"
    run = subprocess.run(
        [str(BIN / "floe-gate"), "compile", "--manifest", "examples/manifest.yaml",
         "--env", "dev", "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    return out


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the orders product's dbt project, plus a model showing what dbt was given."""
    copy = tmp_path / "orders"
    shutil.copytree(ORDERS, copy, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    (copy / "models" / "run_context.sql").write_text(
        "select '{{ var(\"floe_env\") }}' as environment,"
        " '{{ target.name }}' as target_name,"
        " '{{ target.type }}' as target_type,"
        " '{{ target.schema }}' as target_schema,"
        " current_setting('memory_limit') as memory_limit,"
        " current_setting('threads') as threads\n",
        encoding="utf-8",
    )
    return copy


def dbt_build(project: Path, profiles_dir: Path, cwd: Path, *extra: str) -> str:
    run = subprocess.run(
        [str(BIN / "dbt"), "build", "--project-dir", str(project), "--profiles-dir",
         str(profiles_dir), "--no-use-colors", "--target-path", str(cwd / "target"),
         "--log-path", str(cwd / "logs"), *extra],
        cwd=cwd, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def test_dbt_build_with_the_compiled_dev_profile(
    artifacts: Path, project: Path, tmp_path: Path
) -> None:
    """The dev profile's relative DuckDB path lands under dbt's working directory."""
    compiled = json.loads((artifacts / "dev" / "compiled.json").read_text())
    orders = compiled["products"]["orders"]
    work = tmp_path / "work"
    (work / "warehouse").mkdir(parents=True)
    stdout = dbt_build(
        project,
        artifacts / "dev" / orders["profiles_dir"],
        work,
        "--vars",
        json.dumps(compiled["dbt_vars"]),
    )
    assert "ERROR=0" in stdout
    assert "PASS=15" in stdout  # 2 seeds, 4 models, 9 tests
    database = work / "warehouse" / "platform.duckdb"
    with duckdb.connect(str(database), read_only=True) as db:
        rows = db.execute(
            "select name, completed_orders, revenue from orders.customer_revenue"
            " order by customer_id"
        ).fetchall()
        context = db.execute("select * from orders.run_context").fetchone()
    assert rows == EXPECTED_REVENUE
    assert context == ("dev", "dev", "duckdb", "orders", "953.6 MiB", 2)
    assert orders["target"] == "dev"


def test_the_documented_vars_argument_works_as_written(
    artifacts: Path, project: Path, tmp_path: Path
) -> None:
    """`--vars '{floe_env: dev}'` as the profile's header comment spells it."""
    profiles = artifacts / "dev" / "orders" / "duckdb" / "profiles.yml"
    documented = next(line for line in profiles.read_text().splitlines() if "--vars" in line)
    argument = documented.split("--vars ", 1)[1].strip("'")
    work = tmp_path / "work"
    (work / "warehouse").mkdir(parents=True)
    dbt_build(project, profiles.parent, work, "--vars", argument, "--target", "dev",
              "--select", "run_context")  # fmt: skip
    with duckdb.connect(str(work / "warehouse" / "platform.duckdb"), read_only=True) as db:
        assert db.execute("select environment from orders.run_context").fetchone() == ("dev",)
