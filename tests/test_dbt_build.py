"""A real `dbt build` (seeds, models, tests) with the profile floe-gate generates."""

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "products" / "orders"
BIN = Path(sys.executable).parent


def floe_gate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "floe-gate"), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def dbt_build(project: Path, profiles_dir: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(BIN / "dbt"),
            "build",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(profiles_dir),
            "--no-use-colors",
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "orders"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("target", "logs"))
    return copy


def test_build_in_memory(project: Path, tmp_path: Path) -> None:
    settings = tmp_path / "duckdb.yaml"
    settings.write_text("memory_limit: 1GB\nthreads: 2\n")
    generated = floe_gate("profile", "duckdb", "--settings", str(settings), "--name", "orders",
                          "--out", str(tmp_path / "profiles"), cwd=tmp_path)  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    build = dbt_build(project, tmp_path / "profiles", cwd=tmp_path)
    assert build.returncode == 0, build.stdout
    assert "PASS=14 WARN=0 ERROR=0 SKIP=0" in build.stdout


def test_build_on_a_file_database(project: Path, tmp_path: Path) -> None:
    (tmp_path / "warehouse").mkdir()
    settings = tmp_path / "duckdb.yaml"
    settings.write_text(
        "path: warehouse/orders.duckdb\nmemory_limit: 1GB\nthreads: 2\n"
        "temp_directory: warehouse/spill\nmax_temp_directory_size: 1GB\n"
    )
    generated = floe_gate("profile", "duckdb", "--settings", str(settings), "--name", "orders",
                          "--out", str(tmp_path / "profiles"), cwd=tmp_path)  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    build = dbt_build(project, tmp_path / "profiles", cwd=tmp_path)
    assert build.returncode == 0, build.stdout
    assert "PASS=14 WARN=0 ERROR=0 SKIP=0" in build.stdout
    with duckdb.connect(str(tmp_path / "warehouse" / "orders.duckdb"), read_only=True) as db:
        rows = db.execute(
            "select name, completed_orders, revenue from customer_revenue order by customer_id"
        ).fetchall()
    assert rows == [
        ("Ada", 1, 125.0),
        ("Grace", 2, 230.5),
        ("Edsger", 1, 210.0),
        ("Barbara", 0, 0.0),
    ]


def test_profile_settings_reach_duckdb(project: Path, tmp_path: Path) -> None:
    """memory_limit and threads from the manifest are what DuckDB runs with."""
    (project / "models" / "runtime_settings.sql").write_text(
        "select current_setting('memory_limit') as memory_limit,"
        " current_setting('threads') as threads"
    )
    settings = tmp_path / "duckdb.yaml"
    settings.write_text("path: settings.duckdb\nmemory_limit: 1GiB\nthreads: 3\n")
    floe_gate("profile", "duckdb", "--settings", str(settings), "--name", "orders",
              "--out", str(tmp_path / "profiles"), cwd=tmp_path)  # fmt: skip
    build = dbt_build(project, tmp_path / "profiles", cwd=tmp_path)
    assert build.returncode == 0, build.stdout
    with duckdb.connect(str(tmp_path / "settings.duckdb"), read_only=True) as db:
        row = db.execute("select memory_limit, threads from runtime_settings").fetchone()
    assert row == ("1.0 GiB", 3)
