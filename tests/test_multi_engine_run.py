"""The bundled multi-engine product: DuckDB → Spark → DuckDB through `floe-gate run`.

`examples/products/markets` builds stg_trades on DuckDB, trade_notional on Spark
(a real Spark session inside dbt, Java 17) and daily_notional on DuckDB again;
data crosses engines as Parquet in the manifest's `compute.shared_storage`.
Afterwards each engine is asked what it holds (US4): the DuckDB file has the
DuckDB models as tables and Spark's model only as a view over Parquet; Spark's
metastore has trade_notional as its own table and stg_trades as an external
table over the files DuckDB wrote.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import FLOE_GATE, without_correlation_ids

from floe_gate.load.dbt_scan import refs_in

REPO = Path(__file__).resolve().parents[1]

SPARK_QUERY = """
import json
from pyspark.sql import SparkSession

spark = (
    SparkSession.builder.master("local[1]")
    .config("spark.sql.warehouse.dir", "warehouse/spark")
    .config("spark.ui.enabled", "false")
    .enableHiveSupport()
    .getOrCreate()
)
def table_type(name):
    rows = spark.sql(f"describe table extended markets.{name}").collect()
    return next(r.data_type for r in rows if r.col_name == "Type")
notional = spark.sql(
    "select count(*), min(computed_on), cast(sum(notional) as double) from markets.trade_notional"
).collect()[0]
context = spark.sql("select * from markets.run_context").collect()[0]
print(json.dumps({
    "context": list(context),
    "trade_notional": table_type("trade_notional"),
    "stg_trades": table_type("stg_trades"),
    "rows": notional[0], "computed_on": notional[1], "sum": notional[2],
}))
"""


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The markets product run once in a scratch directory (the JVM start dominates)."""
    work = tmp_path_factory.mktemp("markets")  # no warehouse/: run creates it
    repo = example_copy(tmp_path_factory.mktemp("repo"))
    markets = repo / "examples" / "products" / "markets"
    (markets / "models" / "run_context.sql").write_text(RUN_CONTEXT)
    floe = markets / "floe.yaml"
    floe.write_text(floe.read_text() + "  - name: run_context\n    compute: spark\n")
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    done = subprocess.run(
        [str(FLOE_GATE), "run", "--repo", str(repo), "--manifest", "examples/manifest.yaml",
         "--env", "dev", "--product", "markets", "--vars", "{region: emea}",
         "--format", "json"],
        cwd=work, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return work, json.loads(done.stdout)


def test_three_stages_on_their_engines(ran: tuple[Path, dict[str, Any]]) -> None:
    _, report = ran
    [product] = report["products"]
    stages = [(s["index"], s["engine"], sorted(n.split(".")[-1] for n in s["nodes"]))
              for s in product["stages"]]  # fmt: skip
    assert stages == [
        (0, "duckdb", ["raw_trades", "stg_trades"]),
        (1, "spark", ["run_context", "trade_notional"]),
        (2, "duckdb", ["daily_notional"]),
    ]
    statuses = {r["name"]: (r["engine"], r["status"]) for r in product["results"]}
    assert statuses["trade_notional"] == ("spark", "success")
    assert statuses["daily_notional"] == ("duckdb", "success")
    assert report["summary"] == {"pass": 6, "success": 5}


def test_duckdb_holds_its_models_and_reads_spark_through_parquet(
    ran: tuple[Path, dict[str, Any]],
) -> None:
    work, _ = ran
    with duckdb.connect(str(work / "warehouse" / "platform.duckdb"), read_only=True) as db:
        kinds = dict(db.execute(
            "select table_name, table_type from information_schema.tables "
            "where table_schema = 'markets'"
        ).fetchall())  # fmt: skip
        daily = db.execute(
            "select symbol, traded_on::varchar, net_notional, notional_computed_on "
            "from markets.daily_notional where symbol = 'ACME' order by traded_on"
        ).fetchall()
    assert kinds == {
        "raw_trades": "BASE TABLE",
        "stg_trades": "BASE TABLE",
        "trade_notional": "VIEW",  # over the Parquet files Spark wrote
        "daily_notional": "BASE TABLE",
    }
    # 100 × 12.50 − 40 × 12.90 on the 2nd; 60 × 12.40 on the 3rd; computed by Spark.
    assert [(s, d, float(n), c) for s, d, n, c in daily] == [
        ("ACME", "2026-11-02", 734.0, "spark"),
        ("ACME", "2026-11-03", 744.0, "spark"),
    ]
    shared = work / "warehouse" / "shared" / "dev" / "markets"
    assert sorted(p.name for p in shared.iterdir()) == ["stg_trades", "trade_notional"]


def test_spark_holds_its_model_and_reads_duckdb_through_parquet(
    ran: tuple[Path, dict[str, Any]],
) -> None:
    work, _ = ran
    done = subprocess.run(
        [sys.executable, "-c", SPARK_QUERY], cwd=work, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    # Through the Spark stage, as on DuckDB: dbt's target.name is the environment.
    assert seen.pop("context") == ["dev", "spark", "emea", "dev"]
    assert seen == {
        "trade_notional": "MANAGED",
        "stg_trades": "EXTERNAL",  # over the Parquet files DuckDB wrote
        "rows": 8,
        "computed_on": "spark",
        "sum": pytest.approx(1250 - 516 + 2500 + 744 - 1256 + 1050 - 275 + 1992.8),
    }


RUN_CONTEXT = """\
-- What dbt was given, as a Spark model sees it.
select
    '{{ target.name }}' as target_name,
    '{{ target.type }}' as target_type,
    '{{ var("region", "none") }}' as region,
    '{{ var("floe_env") }}' as floe_env
from {{ ref('stg_trades') }}
limit 1
"""


def example_copy(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "examples", repo / "examples", ignore=shutil.ignore_patterns(
        "target", "logs", "dbt_packages", ".floe"
    ))  # fmt: skip
    shutil.copytree(REPO / "policies", repo / "policies")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    return repo


def example_without_shared_storage(tmp_path: Path) -> Path:
    repo = example_copy(tmp_path)
    manifest = repo / "examples" / "manifest.yaml"
    manifest.write_text(
        "\n".join(
            line for line in manifest.read_text().splitlines() if "shared_storage" not in line
        )
        + "\n"
    )
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    return repo


def test_a_crossing_without_shared_storage_is_refused_before_anything_runs(
    tmp_path: Path,
) -> None:
    repo = example_without_shared_storage(tmp_path)
    (tmp_path / "warehouse").mkdir()
    done = run_markets(repo, tmp_path)
    assert done.returncode == 1
    assert without_correlation_ids(done.stderr).splitlines()[-2:] == [
        "error: data product markets: data must cross engines but the manifest sets no "
        "compute.shared_storage: daily_notional (duckdb) reads trade_notional (spark); "
        "trade_notional (spark) reads stg_trades (duckdb). Set compute.shared_storage to a "
        "directory (or URL) every engine can read and write",
        "run refused: nothing ran",
    ]
    assert not (tmp_path / "warehouse" / "platform.duckdb").exists()


def test_a_crossing_only_dbt_sees_is_refused_from_its_graph(tmp_path: Path) -> None:
    """A ref() the static scan cannot read (built by Jinja): run finds it in the manifest
    dbt parsed, and refuses as compile does with it, before anything runs."""
    repo = example_without_shared_storage(tmp_path)
    model = repo / "examples" / "products" / "markets" / "models" / "trade_notional.sql"
    model.write_text(model.read_text().replace("ref('stg_trades')", "ref('stg' ~ '_trades')"))
    daily = repo / "examples" / "products" / "markets" / "models" / "daily_notional.sql"
    daily.write_text(
        daily.read_text().replace("ref('trade_notional')", "ref('trade_' ~ 'notional')")
    )
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    (tmp_path / "warehouse").mkdir()
    done = run_markets(repo, tmp_path)
    assert done.returncode == 1
    assert without_correlation_ids(done.stderr).splitlines()[-2:] == [
        "error: data product markets: data must cross engines but the manifest sets no "
        "compute.shared_storage: daily_notional (duckdb) reads trade_notional (spark); "
        "trade_notional (spark) reads stg_trades (duckdb). Set compute.shared_storage to a "
        "directory (or URL) every engine can read and write",
        "run refused: nothing ran",
    ]
    assert done.stdout == ""
    assert not any((tmp_path / "warehouse").iterdir())


def run_markets(repo: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FLOE_GATE), "run", "--repo", str(repo), "--manifest", "examples/manifest.yaml",
         "--env", "dev", "--product", "markets"],
        cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_compile_refuses_it_too_from_the_models_refs(tmp_path: Path) -> None:
    repo = example_without_shared_storage(tmp_path)
    done = subprocess.run(
        [str(FLOE_GATE), "compile", "--repo", str(repo), "--manifest", "examples/manifest.yaml",
         "--out", str(tmp_path / "out")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert without_correlation_ids(done.stderr).splitlines() == [
        "error: data product markets: data must cross engines but the manifest sets no "
        "compute.shared_storage: daily_notional (duckdb) reads trade_notional (spark); "
        "trade_notional (spark) reads stg_trades (duckdb). Set compute.shared_storage to a "
        "directory (or URL) every engine can read and write",
        "compile refused: no artifacts written",
    ]


@pytest.mark.parametrize(
    ("sql", "refs"),
    [
        ("select * from {{ ref('a') }} join {{ ref(\"b\") }}", {"a", "b"}),
        ("select * from {{ ref('pkg', 'c') }}", {"c"}),
        ("select * from {{ ref('d', v=2) }}", {"d.v2"}),
        ("select * from {{ source('raw', 'e') }} -- no ref", set()),
        ("select * from {{ ref('stg' ~ '_f') }}", set()),  # built by Jinja: dbt's graph
        ("select * from {{ ref('pkg', 'g', version=3) }}", {"g.v3"}),
        ("select * from {{ ref('h', v='beta') }}", {"h.vbeta"}),
    ],
)
def test_refs_found_without_dbt(sql: str, refs: set[str]) -> None:
    assert refs_in(sql) == refs


def test_tests_are_reported_on_the_engine_they_ran_on(ran: tuple[Path, dict[str, Any]]) -> None:
    _, report = ran
    [product] = report["products"]
    tests = {
        r["name"]: (r["engine"], r["stage"])
        for r in product["results"]
        if r["resource_type"] == "test"
    }
    assert tests["accepted_values_trade_notional_computed_on__spark"] == ("spark", 1)
    assert tests["not_null_daily_notional_net_notional"] == ("duckdb", 2)
