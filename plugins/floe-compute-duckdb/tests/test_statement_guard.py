"""Statement timeouts and memory errors, enforced inside a plain `dbt build`.

Each test writes a small dbt project, generates its profile with the plugin (no
floe-gate in between) and runs the real `dbt` executable on it. Durations come
from dbt's own run_results.json, not from the guard's message.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from floe_compute_duckdb import DuckDBComputePlugin
from floe_compute_duckdb.statement_guard import (
    Limits,
    UnsupportedDbtDuckDB,
    check_dbt_duckdb_version,
    model_name,
    node_id_of,
)

BIN = Path(sys.executable).parent
plugin = DuckDBComputePlugin()
# Runs for hours unless interrupted (DuckDB cannot shortcut a sum over a range).
ENDLESS = "select sum(a * a % 7) as n from range(1000000000000) t(a)"


def write_project(root: Path, models: dict[str, str], tests: dict[str, str] | None = None) -> Path:
    project = root / "shop"
    (project / "models").mkdir(parents=True)
    (project / "tests").mkdir()
    (project / "dbt_project.yml").write_text(
        "name: shop\nversion: '1.0'\nprofile: shop\nmodels:\n  shop:\n    +materialized: table\n"
    )
    for name, sql in models.items():
        (project / "models" / f"{name}.sql").write_text(sql + "\n")
    for name, sql in (tests or {}).items():
        (project / "tests" / f"{name}.sql").write_text(sql + "\n")
    return project


def write_profile(root: Path, output: dict[str, Any]) -> Path:
    profiles = root / "profiles"
    profiles.mkdir()
    document = {"shop": {"target": "duckdb", "outputs": {"duckdb": {**output, "schema": "shop"}}}}
    (profiles / "profiles.yml").write_text(yaml.safe_dump(document, sort_keys=False))
    return profiles


def dbt_build(project: Path, profiles: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.perf_counter()
    build = subprocess.run(
        [str(BIN / "dbt"), "build", "--project-dir", str(project), "--profiles-dir",
         str(profiles), "--no-use-colors", "--threads", "2"],
        cwd=project, capture_output=True, text=True, check=False, timeout=120,
        env={"PATH": str(BIN), "HOME": str(project), "FLOE_CORRELATION_ID": "run-42"},
    )  # fmt: skip
    return build, time.perf_counter() - started


def results(project: Path) -> dict[str, dict[str, Any]]:
    run_results = json.loads((project / "target" / "run_results.json").read_text())
    return {result["unique_id"]: result for result in run_results["results"]}


def profile(path: Path, timeouts: dict[str, int], **settings: Any) -> dict[str, Any]:
    config = plugin.parse_config({"path": str(path), **settings})
    return plugin.apply_model_timeouts(plugin.generate_dbt_profile(config), timeouts)


def test_an_endless_model_is_cancelled_at_its_own_timeout(tmp_path: Path) -> None:
    project = write_project(tmp_path, {
        "endless": ENDLESS,
        "downstream": "select n from {{ ref('endless') }}",
        "sibling": "select 42 as answer",
    })  # fmt: skip
    profiles = write_profile(tmp_path, profile(tmp_path / "shop.duckdb", {"endless": 2}))

    build, _ = dbt_build(project, profiles)

    assert build.returncode == 1
    by_node = results(project)
    endless = by_node["model.shop.endless"]
    assert endless["status"] == "error"
    assert 2.0 <= endless["execution_time"] < 3.0, "cancelled within 1 s of the deadline"
    message = endless["message"]
    assert "statement timeout: transform endless (model.shop.endless)" in message
    assert "limit of 2 s" in message
    assert "[correlation id run-42]" in message
    assert "query " in message
    assert by_node["model.shop.downstream"]["status"] == "skipped"
    assert by_node["model.shop.sibling"]["status"] == "success"


def test_the_default_timeout_limits_every_model(tmp_path: Path) -> None:
    project = write_project(tmp_path, {"endless": ENDLESS})
    profiles = write_profile(tmp_path, profile(tmp_path / "shop.duckdb", {}, timeout_seconds=1))

    build, _ = dbt_build(project, profiles)

    endless = results(project)["model.shop.endless"]
    assert build.returncode == 1
    assert 1.0 <= endless["execution_time"] < 2.0
    assert "limit of 1 s" in endless["message"]


def test_a_test_is_limited_like_the_model_it_tests(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {"quick": "select 1 as id", "other": "select 2 as id"},
        {"endless_check": f"select * from {{{{ ref('quick') }}}}, ({ENDLESS}) where n < 0"},
    )
    profiles = write_profile(
        tmp_path, profile(tmp_path / "shop.duckdb", {"quick": 1}, timeout_seconds=60)
    )

    build, elapsed = dbt_build(project, profiles)

    by_node = results(project)
    check = next(result for node, result in by_node.items() if node.startswith("test."))
    assert build.returncode == 1
    assert check["status"] == "error"
    assert 1.0 <= check["execution_time"] < 2.0
    assert "transform quick (test.shop.endless_check)" in check["message"]
    assert elapsed < 60


def test_a_model_over_memory_limit_fails_and_the_rest_runs(tmp_path: Path) -> None:
    hungry = "select list(a) as everything from range(200000000) t(a)"
    project = write_project(tmp_path, {"hungry": hungry, "small": "select 1 as id"})
    profiles = write_profile(
        tmp_path, profile(tmp_path / "shop.duckdb", {}, memory_limit="64MB", threads=1)
    )

    build, _ = dbt_build(project, profiles)

    by_node = results(project)
    assert build.returncode == 1
    message = by_node["model.shop.hungry"]["message"]
    assert "out of memory: transform hungry (model.shop.hungry)" in message
    assert "memory_limit 64MB" in message
    assert "Raise memory_limit" in message
    assert by_node["model.shop.small"]["status"] == "success"


def test_unsupported_dbt_duckdb_versions_refuse_to_run() -> None:
    check_dbt_duckdb_version("1.11.1")
    check_dbt_duckdb_version("1.11.9")
    for version in ("1.10.0", "1.12.0", "2.0.0"):
        with pytest.raises(UnsupportedDbtDuckDB, match=f"not {version}"):
            check_dbt_duckdb_version(version)


def test_the_installed_dbt_duckdb_is_supported() -> None:
    from dbt.adapters.duckdb.__version__ import version

    check_dbt_duckdb_version(version)


def test_the_node_comes_from_the_query_comment_at_either_end() -> None:
    header = '/* {"app": "dbt", "node_id": "model.shop.orders"} */'
    assert node_id_of(f"{header}\ncreate table x as select 1") == "model.shop.orders"
    assert node_id_of(f"select 1\n{header}") == "model.shop.orders"
    assert node_id_of("select 1 /* not json */") is None
    assert node_id_of("select 1") is None
    assert model_name("model.shop.orders.v2") == "orders"
    assert model_name("seed.shop.raw") is None


def test_limits_by_node() -> None:
    limits = Limits(60, {"slow": 600}, tested_models=lambda node: ["slow", "fast"])
    assert limits.for_node("model.shop.slow") == (600, "slow")
    assert limits.for_node("model.shop.fast") == (60, "fast")
    assert limits.for_node("test.shop.relationship") == (600, "slow, fast")
    assert limits.for_node("seed.shop.raw") == (60, None)
    assert limits.for_node(None) == (60, None)


# ~5M groups: a hash table larger than 64MB.
SPILLING = "select a % 5000000 as k, count(*) as n from range(20000000) t(a) group by 1"


def test_a_large_aggregate_spills_to_the_temp_directory(tmp_path: Path) -> None:
    project = write_project(tmp_path, {"grouped": SPILLING})
    spill = tmp_path / "spill"
    output = profile(
        tmp_path / "shop.duckdb", {}, memory_limit="64MB", threads=1, temp_directory=str(spill),
        settings={"preserve_insertion_order": False},
    )  # fmt: skip
    profiles = write_profile(tmp_path, output)
    # DuckDB removes its spill files (and the directory it created) when done: watch.
    seen: set[str] = set()
    with subprocess.Popen(
        [str(BIN / "dbt"), "build", "--project-dir", str(project), "--profiles-dir",
         str(profiles), "--no-use-colors"],
        cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={"PATH": str(BIN), "HOME": str(project)},
    ) as build:  # fmt: skip
        while build.poll() is None:
            if spill.is_dir():
                seen.update(path.name for path in spill.iterdir())
            time.sleep(0.02)
    assert build.returncode == 0
    assert results(project)["model.shop.grouped"]["status"] == "success"
    assert seen, f"nothing spilled to {spill}"


def test_spilling_past_its_bound_fails_naming_the_bound(tmp_path: Path) -> None:
    project = write_project(tmp_path, {"grouped": SPILLING, "small": "select 1 as id"})
    spill = tmp_path / "spill"
    output = profile(
        tmp_path / "shop.duckdb", {}, memory_limit="64MB", threads=1, temp_directory=str(spill),
        max_temp_directory_size="4MiB", settings={"preserve_insertion_order": False},
    )  # fmt: skip
    build, _ = dbt_build(project, write_profile(tmp_path, output))
    by_node = results(project)
    assert build.returncode == 1
    message = by_node["model.shop.grouped"]["message"]
    assert "out of spill space: transform grouped (model.shop.grouped)" in message
    assert f"max_temp_directory_size 4MiB to {spill}" in message
    assert by_node["model.shop.small"]["status"] == "success"
