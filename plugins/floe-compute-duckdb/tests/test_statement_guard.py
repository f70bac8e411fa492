"""Statement timeouts and memory errors, enforced inside a plain `dbt build`.

Each test writes a small dbt project, generates its profile with the plugin (no
floe-gate in between) and runs the real `dbt` executable on it. Durations come
from dbt's own run_results.json, not from the guard's message.
"""

from __future__ import annotations

import json
import os
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
    ModelIndex,
    UnsupportedDbtDuckDB,
    check_dbt_duckdb_version,
    model_name,
    node_id_of,
    read_index,
)

BIN = Path(sys.executable).parent
# dbt runs as a subprocess: it must import the guard under test (a worktree's, say).
PYTHONPATH = {"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}
plugin = DuckDBComputePlugin()
# Runs for hours unless interrupted (DuckDB cannot shortcut a sum over a range).
ENDLESS = "select sum(a * a % 7) as n from range(1000000000000) t(a)"


def write_project(
    root: Path,
    models: dict[str, str],
    tests: dict[str, str] | None = None,
    *,
    project_settings: str = "",
    files: dict[str, str] | None = None,
) -> Path:
    project = root / "shop"
    (project / "models").mkdir(parents=True)
    (project / "tests").mkdir()
    (project / "dbt_project.yml").write_text(
        "name: shop\nversion: '1.0'\nprofile: shop\nmodels:\n  shop:\n    +materialized: table\n"
        + project_settings
    )
    for name, sql in models.items():
        (project / "models" / f"{name}.sql").write_text(sql + "\n")
    for name, sql in (tests or {}).items():
        (project / "tests" / f"{name}.sql").write_text(sql + "\n")
    for name, text in (files or {}).items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
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
        env={**PYTHONPATH, "PATH": str(BIN), "HOME": str(project), "FLOE_CORRELATION_ID": "run-42"},
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


HEADER = '/* {"app": "dbt", "node_id": "model.shop.orders"} */'


@pytest.mark.parametrize(
    "sql",
    [
        f"{HEADER}\ncreate table x as select 1",
        f"  {HEADER}\n/* another */ select 1;",
        f"select 1\n{HEADER}",
        f"select 1\n{HEADER};",
        f"select 1;\n{HEADER}\n",
        f"select 1\n{HEADER}\n/* a later comment */ ;  ",
        'select 1 /* {"app": "dbt", "tags": {"dbt": {"unique_id": "model.shop.orders"}}} */;',
        "select 1\n/* dbt run of model.shop.orders by ci. */;",
    ],
    ids=["prefix", "two-prefixes", "appended", "appended-before-semicolon",
         "appended-after-semicolon", "among-comments", "nested-json", "text"],
)  # fmt: skip
def test_the_node_comes_from_the_query_comment_wherever_dbt_puts_it(sql: str) -> None:
    assert node_id_of(sql) == "model.shop.orders"


def test_comments_that_name_no_node() -> None:
    assert node_id_of("select 1 /* not json */") is None
    assert node_id_of('select 1 /* {"app": "dbt", "connection_name": "master"} */') is None
    assert node_id_of("select 1") is None
    assert node_id_of("select '/* model.shop.x */' as y") is None  # inside the text
    assert node_id_of(f"{HEADER[:-2]}") is None  # unterminated
    assert model_name("model.shop.orders.v2") == "orders"
    assert model_name("seed.shop.raw") is None


def test_limits_by_unique_id_and_transform_name() -> None:
    index = ModelIndex(
        names={
            "model.shop.orders.v2": ["orders.v2", "orders"],
            "model.shop.orders.v1": ["orders.v1", "orders"],
        },
        tested={"test.shop.rel": ["model.shop.slow", "model.shop.fast"]},
    )
    limits = Limits(60, {"slow": 600, "orders.v2": 3, "model.shop.pinned": 5}, lambda: index)
    assert limits.for_node("model.shop.slow") == (600, "slow")
    assert limits.for_node("model.shop.fast") == (60, "fast")
    assert limits.for_node("model.shop.orders.v2") == (3, "orders.v2")
    assert limits.for_node("model.shop.orders.v1") == (60, "orders.v1")
    # The whole model's limit holds for each version without one of its own.
    whole = Limits(60, {"orders": 9, "orders.v2": 3}, lambda: index)
    assert whole.for_node("model.shop.orders.v1") == (9, "orders.v1")
    assert whole.for_node("model.shop.orders.v2") == (3, "orders.v2")
    assert limits.for_node("model.shop.pinned") == (5, "pinned")
    assert limits.for_node("test.shop.rel") == (600, "slow, fast")
    assert limits.for_node("seed.shop.raw") == (60, None)
    assert limits.for_node(None) == (60, None)
    # Without the manifest, a version's transform is named from its unique id.
    assert Limits(60, {"orders.v2": 3}).for_node("model.shop.orders.v2") == (3, "orders.v2")
    assert Limits(60, {"orders": 4}).for_node("model.shop.orders.v2") == (4, "orders.v2")


def test_the_index_comes_from_dbts_manifest(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {"quick": "select 1 as id", "dim_orders_v1": "select 1", "dim_orders_v2": "select 2"},
        files={"models/schema.yml": VERSIONED_SCHEMA},
    )  # fmt: skip
    parse = subprocess.run(
        [str(BIN / "dbt"), "parse", "--project-dir", str(project), "--profiles-dir",
         str(write_profile(tmp_path, profile(tmp_path / "shop.duckdb", {})))],
        cwd=project, capture_output=True, text=True, check=False, timeout=120,
        env={**PYTHONPATH, "PATH": str(BIN), "HOME": str(project)},
    )  # fmt: skip
    assert parse.returncode == 0, parse.stdout
    index = read_index(project / "target" / "manifest.json")
    assert index.names["model.shop.dim_orders.v2"] == ["dim_orders.v2", "dim_orders"]
    assert index.names["model.shop.quick"] == ["quick"]
    assert read_index(tmp_path / "missing.json") == ModelIndex()


VERSIONED_SCHEMA = """\
models:
  - name: dim_orders
    latest_version: 1
    versions:
      - v: 1
      - v: 2
"""

# The endless model under each query-comment setup real projects use. A package's
# comment macro, appended as such packages recommend, nests the node in its JSON.
QUERY_TAGS_MACRO = """\
{% macro get_query_comment(node) -%}
  {%- set comment = {"app": "dbt", "dbt_version": dbt_version} -%}
  {%- if node is not none -%}
    {%- do comment.update({"node": {"unique_id": node.unique_id, "name": node.name}}) -%}
  {%- endif -%}
  {{- return(tojson(comment)) -}}
{%- endmacro %}
"""
SETUPS: dict[str, dict[str, Any]] = {
    "prefix": {},
    "appended": {"project_settings": "query-comment:\n  append: true\n"},
    "package-macro": {
        "project_settings": (
            'query-comment:\n  comment: "{{ query_tags.get_query_comment(node) }}"\n'
            "  append: true\n"
        ),
        "files": {
            "packages.yml": "packages:\n  - local: query_tags\n",
            "query_tags/dbt_project.yml": "name: query_tags\nversion: '1.0'\nconfig-version: 2\n",
            "query_tags/macros/query_comment.sql": QUERY_TAGS_MACRO,
        },
    },
    "no-comment": {"project_settings": "query-comment: null\n"},
    "versioned": {
        "model": "dim_orders_v2",
        "transform": "dim_orders.v2",
        "unique_id": "model.shop.dim_orders.v2",
        "files": {
            "models/schema.yml": VERSIONED_SCHEMA,
            "models/dim_orders_v1.sql": "select 1 as id\n",
        },
    },
}


@pytest.mark.parametrize("setup", list(SETUPS))
def test_an_endless_model_is_cancelled_whatever_the_query_comment(
    tmp_path: Path, setup: str
) -> None:
    options = SETUPS[setup]
    model = options.get("model", "endless")
    project = write_project(
        tmp_path,
        {model: ENDLESS, "quick": "select 1 as id"},
        project_settings=options.get("project_settings", ""),
        files=options.get("files"),
    )
    if "packages.yml" in options.get("files", {}):
        deps = subprocess.run(
            [str(BIN / "dbt"), "deps", "--project-dir", str(project)],
            cwd=project, capture_output=True, text=True, check=False, timeout=120,
            env={**PYTHONPATH, "PATH": str(BIN), "HOME": str(project)},
        )  # fmt: skip
        assert deps.returncode == 0, deps.stdout
    transform = options.get("transform", model)
    limited = {transform: 2, "quick": 30}
    profiles = write_profile(
        tmp_path, profile(tmp_path / "shop.duckdb", limited, timeout_seconds=60)
    )

    build, elapsed = dbt_build(project, profiles)

    by_node = results(project)
    unique_id = options.get("unique_id", f"model.shop.{model}")
    endless = by_node[unique_id]
    assert build.returncode == 1, build.stdout
    assert endless["status"] == "error", endless["message"]
    assert 2.0 <= endless["execution_time"] < 3.0, endless["message"]  # within 1 s of deadline
    assert f"transform {transform} ({unique_id}) query" in endless["message"]
    assert "limit of 2 s" in endless["message"]
    assert by_node["model.shop.quick"]["status"] == "success"
    assert elapsed < 60


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
        env={**PYTHONPATH, "PATH": str(BIN), "HOME": str(project)},
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
