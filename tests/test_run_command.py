"""`floe-gate run`: real dbt, in stages, on real DuckDB files; timeouts and memory limits.

Every run here is the real command in a subprocess, running dbt in process on a
DuckDB file, with no service at all. Durations are dbt's own (run_results).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import MANIFEST, Platform

from floe_gate.run.graph import DbtGraph, Node
from floe_gate.run.stages import Stage, plan_stages

REPO = Path(__file__).resolve().parents[1]
# A table: a view of it would be created at once.
ENDLESS = (
    "{{ config(materialized='table') }} select sum(a * a % 7) as n from range(1000000000000) t(a)"
)


def run(platform: Platform, *args: str) -> tuple[int, dict[str, Any], str]:
    result = platform.cli("run", "--env", "dev", "--format", "json", *args)
    report = json.loads(result.stdout) if result.stdout.startswith("{") else {}
    return result.returncode, report, result.stderr


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for p in report["products"] for r in p["results"]}


# Stages


def graph(*edges: tuple[str, str], nodes: tuple[str, ...] = ()) -> DbtGraph:
    parents: dict[str, list[str]] = {name: [] for name in nodes}
    for parent, child in edges:
        parents.setdefault(parent, [])
        parents.setdefault(child, []).append(parent)
    return DbtGraph.of(
        Node(f"model.p.{name}", name, "model", tuple(f"model.p.{p}" for p in ps))
        for name, ps in parents.items()
    )


def stages(dbt_graph: DbtGraph, engines: dict[str, str]) -> list[tuple[int, str, list[str]]]:
    on = {f"model.p.{name}": engine for name, engine in engines.items()}
    planned = plan_stages(dbt_graph, on, dbt_graph.built())
    return [(s.index, s.engine, [uid.split(".")[-1] for uid in s.nodes]) for s in planned]


def test_a_duckdb_spark_duckdb_chain_is_three_stages() -> None:
    chain = graph(("a", "b"), ("b", "c"))
    assert stages(chain, {"a": "duckdb", "b": "spark", "c": "duckdb"}) == [
        (0, "duckdb", ["a"]),
        (1, "spark", ["b"]),
        (2, "duckdb", ["c"]),
    ]


def test_consecutive_models_on_one_engine_share_a_stage() -> None:
    dbt_graph = graph(("a", "b"), ("b", "c"), ("x", "c"), nodes=("lone",))
    engines = {"a": "duckdb", "b": "duckdb", "x": "spark", "c": "duckdb", "lone": "spark"}
    assert stages(dbt_graph, engines) == [
        (0, "duckdb", ["a", "b"]),
        (1, "spark", ["lone", "x"]),
        (2, "duckdb", ["c"]),
    ]


def test_unselected_nodes_are_looked_through() -> None:
    dbt_graph = graph(("a", "b"), ("b", "c"))
    on = {"model.p.a": "spark", "model.p.b": "spark", "model.p.c": "duckdb"}
    planned = plan_stages(dbt_graph, on, {"model.p.a", "model.p.c"})
    assert planned == [Stage(0, "spark", ("model.p.a",)), Stage(1, "duckdb", ("model.p.c",))]


# The bundled example


def test_the_bundled_example_runs_with_no_service(tmp_path: Path) -> None:
    # Its markets product runs on Spark too: in the dbt process (tests/test_multi_engine_run.py).
    import subprocess

    from conftest import FLOE_GATE

    assert not (tmp_path / "warehouse").exists()  # run creates it
    done = subprocess.run(
        [str(FLOE_GATE), "run", "--repo", str(REPO), "--manifest", "examples/manifest.yaml",
         "--env", "dev", "--format", "json", "--work-dir", str(tmp_path / "work")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["status"] == "success"
    assert {p["name"] for p in report["products"]} == {
        "markets",
        "orders",
        "revenue",
        "risk_scores",
    }
    assert report["summary"]["success"] >= 9
    assert "error" not in report["summary"]
    assert (tmp_path / "work" / "dev" / "orders" / "profiles" / "duckdb" / "profiles.yml").is_file()
    with duckdb.connect(str(tmp_path / "warehouse" / "platform.duckdb"), read_only=True) as db:
        rows = db.execute("select count(*) from orders.customer_revenue").fetchone()
    assert rows is not None
    assert rows[0] > 0


# Timeouts, memory, failures


TIMEOUT_PRODUCT = """\
apiVersion: floe/v1
kind: DataProduct
name: revenue
domain: finance
dbt_project: .
transforms:
  - name: endless
    timeout_seconds: 2
"""


def test_an_endless_model_is_cancelled_downstream_skipped_sibling_finishes(
    platform: Platform,
) -> None:
    platform.write("products/revenue/floe.yaml", TIMEOUT_PRODUCT)
    platform.write("products/revenue/models/endless.sql", ENDLESS + "\n")
    platform.write("products/revenue/models/after.sql", "select n from {{ ref('endless') }}\n")

    code, report, stderr = run(platform)

    assert code == 1, stderr
    results = by_name(report)
    endless = results["endless"]
    assert endless["status"] == "error"
    assert 2.0 <= endless["duration_seconds"] < 3.0  # cancelled within 1 s of the deadline
    assert "statement timeout: transform endless (model.revenue.endless)" in endless["message"]
    assert f"[correlation id {report['correlation_id']}]" in endless["message"]
    assert results["after"]["status"] == "skipped"
    assert results["stg_orders"]["status"] == "success"
    assert results["fct_revenue"]["status"] == "success"
    assert "Traceback" not in stderr


def test_a_memory_hungry_model_fails_cleanly_and_the_rest_runs(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        MANIFEST.replace("memory_limit: 1GB, threads: 1", "memory_limit: 64MB, threads: 1"),
    )
    platform.write(
        "products/revenue/models/hungry.sql",
        "{{ config(materialized='table') }} select list(a) as all_ from range(200000000) t(a)\n",
    )

    code, report, _ = run(platform)

    assert code == 1
    results = by_name(report)
    assert results["hungry"]["status"] == "error"
    assert "out of memory: transform hungry" in results["hungry"]["message"]
    assert "memory_limit 64MB" in results["hungry"]["message"]
    assert results["fct_revenue"]["status"] == "success"


def test_a_fresh_repository_without_its_warehouse_directory_runs(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        MANIFEST.replace(
            "path: warehouse/dev.duckdb,",
            "path: warehouse/dev/db.duckdb, temp_directory: scratch/spill/duckdb,",
        ),
    )
    assert not (platform.root / "warehouse").exists()

    code, report, stderr = run(platform)

    assert code == 0, stderr
    assert report["summary"] == {"success": 2}
    assert (platform.root / "warehouse" / "dev" / "db.duckdb").is_file()
    assert (platform.root / "scratch" / "spill").is_dir()


def test_a_missing_absolute_directory_is_named_not_created(
    platform: Platform, tmp_path: Path
) -> None:
    missing = tmp_path / "mounted" / "volume"
    platform.write(
        "manifest.yaml",
        MANIFEST.replace("path: warehouse/dev.duckdb", f"path: {missing / 'dev.duckdb'}").replace(
            "compute:\n", f"compute:\n  allowed_paths: [{tmp_path}]\n"
        ),
    )

    code, report, _ = run(platform)

    assert code == 1
    [product] = report["products"]
    assert product["error"] == (
        f"engine duckdb: directory {missing} of its path does not exist: "
        f"create it (mkdir -p {missing}) or change path"
    )
    assert not missing.exists()


def test_select_runs_only_what_dbt_selects(platform: Platform) -> None:
    code, report, stderr = run(platform, "--select", "stg_orders")
    assert code == 0, stderr
    assert set(by_name(report)) == {"stg_orders"}


SELECTORS = """\
selectors:
  - name: without_scratch
    default: true
    definition:
      union:
        - method: fqn
          value: "*"
        - exclude:
            - method: tag
              value: scratch
  - name: staging
    definition: {method: fqn, value: stg_orders}
"""


def dbt_build_nodes(platform: Platform, *args: str) -> set[str]:
    """Plain ``dbt build`` with the profile run wrote: the unique ids it ran."""
    import subprocess

    project = platform.root / "products" / "revenue"
    target = platform.root / "plain-target"
    done = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "build", "--project-dir", str(project),
         "--profiles-dir", str(platform.root / ".floe/run/dev/revenue/profiles/duckdb"),
         "--target-path", str(target), "--vars", "{floe_env: dev}", *args],
        cwd=platform.root, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout
    run_results = json.loads((target / "run_results.json").read_text())
    return {result["unique_id"] for result in run_results["results"]}


def test_dbt_selection_reaches_dbt_as_plain_dbt_build_takes_it(platform: Platform) -> None:
    platform.write("products/revenue/selectors.yml", SELECTORS)
    platform.write(
        "products/revenue/models/scratch.sql",
        "{{ config(tags=['scratch']) }} select 1 as left_out_on_purpose\n",
    )

    by_default = run(platform)
    by_selector = run(platform, "--selector", "staging")
    excluding = run(platform, "--exclude", "fct_revenue")

    def ran(outcome: tuple[int, dict[str, Any], str]) -> set[str]:
        code, report, stderr = outcome
        assert code == 0, stderr
        return {r["unique_id"] for p in report["products"] for r in p["results"]}

    assert ran(by_default) == {"model.revenue.stg_orders", "model.revenue.fct_revenue"}
    assert ran(by_default) == dbt_build_nodes(platform)
    assert (
        ran(by_selector)
        == {"model.revenue.stg_orders"}
        == dbt_build_nodes(platform, "--selector", "staging")
    )
    assert ran(excluding) == {"model.revenue.stg_orders", "model.revenue.scratch"}
    assert ran(excluding) == dbt_build_nodes(platform, "--exclude", "fct_revenue")


def test_disabled_and_package_models_are_reported_as_dbt_sees_them(platform: Platform) -> None:
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml") + "  - name: retired\n",
    )
    platform.write(
        "products/revenue/models/retired.sql", "{{ config(enabled=false) }} select 1 as id\n"
    )
    platform.write("products/revenue/packages.yml", "packages:\n  - local: calendar\n")
    platform.write(
        "products/revenue/calendar/dbt_project.yml", "name: calendar\nconfig-version: 2\n"
    )
    platform.write("products/revenue/calendar/models/dates.sql", "select 1 as day\n")
    import subprocess

    deps = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "deps", "--project-dir",
         str(platform.root / "products" / "revenue")],
        cwd=platform.root, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert deps.returncode == 0, deps.stdout

    # A listed transform whose model dbt disables is check's FG306 error: run refuses, naming it.
    code, _, stderr = run(platform)
    assert code == 1
    assert "run refused" in stderr
    checked = platform.cli("check")
    assert checked.returncode == 1
    assert "FG306" in checked.stdout
    assert "retired" in checked.stdout

    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace("  - name: retired\n", ""),
    )
    code, report, stderr = run(platform)

    assert code == 0, stderr
    statuses = {r["unique_id"]: r["status"] for p in report["products"] for r in p["results"]}
    assert set(statuses) == dbt_build_nodes(platform) == {
        "model.revenue.stg_orders", "model.revenue.fct_revenue", "model.calendar.dates",
    }  # fmt: skip


def test_a_model_only_dbt_can_judge_is_judged_before_anything_runs(platform: Platform) -> None:
    """run judges again with the manifest dbt parsed: an ``enabled`` that Jinja computes
    (from ``--vars`` here) is FG306 at its transform, as ``check --dbt-manifest`` says."""
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml") + "  - name: gated\n",
    )
    platform.write(
        "products/revenue/models/gated.sql",
        "{{ config(enabled=var('enable_gated', false)) }}\nselect 1 as id\n",
    )
    assert platform.cli("check").returncode == 0  # the scan leaves it to dbt

    refused = platform.cli("run", "--env", "dev")

    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert refused.stdout.splitlines()[0] == (
        "products/revenue/floe.yaml:11:11: error FG306 transform 'gated' names a disabled "
        "model (enabled: false at products/revenue/models/gated.sql:1:11): dbt will not run "
        "it; remove the transform or enable the model"
    )
    assert "run refused: fix the errors above first" in refused.stderr
    assert not (platform.root / "warehouse" / "dev.duckdb").exists()  # nothing was built
    parsed = platform.root / ".floe/run/dev/revenue/target/duckdb/manifest.json"
    checked = platform.cli("check", "--dbt-manifest", str(parsed))
    assert checked.stdout.splitlines()[0] == refused.stdout.splitlines()[0]

    code, report, stderr = run(platform, "--vars", "{enable_gated: true}")

    assert code == 0, stderr
    assert by_name(report)["gated"]["status"] == "success"


def test_vars_reach_the_models(platform: Platform) -> None:
    platform.write(
        "products/revenue/models/context.sql",
        'select \'{{ var("region", "none") }}\' as region, '
        "'{{ var(\"floe_env\") }}' as floe_env, '{{ target.name }}' as target_name, "
        "'{{ target.type }}' as target_type\n",
    )

    code, _, stderr = run(platform, "--vars", "{region: emea}")

    assert code == 0, stderr
    with duckdb.connect(str(platform.root / "warehouse" / "dev.duckdb"), read_only=True) as db:
        row = db.execute("select * from revenue.context").fetchone()
    assert row is not None
    assert row == ("emea", "dev", "dev", "duckdb")  # target.name is the environment


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("[1, 2]", "--vars must be a YAML mapping"),
        ("{floe_env: prod}", "--vars sets floe_env, which the run sets to its environment (dev)"),
        ("{a: [}", "--vars is not YAML"),
    ],
)  # fmt: skip
def test_bad_vars_are_refused(platform: Platform, given: str, message: str) -> None:
    result = platform.cli("run", "--env", "dev", "--vars", given)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_the_text_summary(platform: Platform) -> None:
    result = platform.cli("run", "--env", "dev")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["product", "node", "engine", "stage", "status", "time", "tests"]
    assert lines[1].split()[:5] == ["revenue", "stg_orders", "duckdb", "0", "success"]
    assert lines[-1].startswith("run succeeded: 2 success [environment dev, correlation id ")
    assert "✓ revenue.fct_revenue [duckdb] success" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--env", "qa"), "unknown environment 'qa' (the manifest defines: dev, staging, prod)"),
        (("--env", "dev", "--product", "nope"), "unknown data product 'nope' (products: revenue)"),
    ],
)  # fmt: skip
def test_what_cannot_be_run_exits_2(
    platform: Platform, args: tuple[str, ...], message: str
) -> None:
    result = platform.cli("run", *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_gate_errors_refuse_the_run(platform: Platform) -> None:
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace("compute: duckdb", "compute: spark"),
    )
    result = platform.cli("run", "--env", "dev")
    assert result.returncode == 1
    assert "FG201" in result.stdout
    assert "run refused: fix the errors above first" in result.stderr


def test_a_product_is_judged_on_what_it_runs(platform: Platform) -> None:
    platform.write(
        "products/marketing/floe.yaml",
        PRODUCT_ELSEWHERE,
    )
    platform.write("products/marketing/dbt_project.yml", "name: marketing\nprofile: marketing\n")
    platform.write("products/marketing/models/campaigns.sql", "select 1 as id\n")

    chosen = platform.cli("run", "--env", "dev", "--product", "revenue")
    broken = platform.cli("run", "--env", "dev", "--product", "marketing")
    everything = platform.cli("run", "--env", "dev")

    assert chosen.returncode == 0, chosen.stdout + chosen.stderr
    assert "FG201" not in chosen.stdout + chosen.stderr
    assert (
        "1 problem(s) elsewhere (1 error(s)) do not concern what runs; "
        "run `floe-gate check` to see them"
    ) in chosen.stderr
    assert "run succeeded: 2 success" in chosen.stdout
    for refused in (broken, everything):
        assert refused.returncode == 1
        assert "FG201" in refused.stdout
        assert "run refused: fix the errors above first" in refused.stderr
    assert "elsewhere" not in broken.stderr


PRODUCT_ELSEWHERE = """\
apiVersion: floe/v1
kind: DataProduct
name: marketing
domain: finance
dbt_project: .
transforms:
  - name: campaigns
    compute: spark
"""


def test_without_dbt_the_run_says_how_to_install_it(
    platform: Platform,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    from floe_gate.commands.run import RunOptions, run_transforms
    from floe_gate.run.selection import Selection

    monkeypatch.setitem(sys.modules, "dbt.cli.main", None)  # as if dbt were not installed
    platform.add()
    options = RunOptions(
        platform.root, "manifest.yaml", "dev", (), Selection(), tmp_path / "w", "text"
    )
    assert run_transforms(options) == 1
    out = capsys.readouterr().out
    assert "revenue: dbt is not installed here" in out
    assert "pip install 'floe-gate[dbt]'" in out
    assert "Traceback" not in out


def test_a_test_across_engines_is_reported_not_run() -> None:
    from floe_gate.run.dbt import DbtInvocation
    from floe_gate.run.execute import StageRunner
    from floe_gate.run.results import ProductRun, StageResult

    dbt_graph = DbtGraph.of([
        Node("model.p.a", "a", "model", ()),
        Node("model.p.b", "b", "model", ("model.p.a",)),
        Node("test.p.rel", "relationships_b_a", "test", ("model.p.a", "model.p.b")),
        Node("test.p.own", "not_null_b", "test", ("model.p.b",)),
    ])  # fmt: skip
    engines = {"model.p.a": "duckdb", "model.p.b": "spark"}
    run = ProductRun("p", ".", stages=[StageResult(1, "spark", ("model.p.b",), 0.0)])
    runner = StageRunner(
        run, DbtInvocation(Path("."), Path("."), Path("."), "{}", "dev"), lambda engine: None,  # type: ignore[arg-type,return-value]
        engines, lambda *event: None, dbt_graph,
    )  # fmt: skip
    runner.note_tests_across_engines({"model.p.a", "model.p.b"})
    [result] = run.results
    assert (result.name, result.status, result.engine) == (
        "relationships_b_a",
        "not run",
        "duckdb + spark",
    )
    assert (
        result.message == "not run: it tests a (duckdb), b (spark), and no one engine sees them all"
    )
    assert not run.failed
