"""The Spark plugin against a real Spark Thrift server: dbt, PyHive, the CLI.

A JVM start costs 10-20 s and ~800 MB, so one server serves every test here: it starts
with the first test that needs it, on an ephemeral loopback port, with its metastore,
warehouse and log in a temporary directory, and stops after the last. Tests run in
file order and the last one stops it, to see the target go unhealthy; a test that
would run after that gets it started again (``spark_thrift``).

(No conftest.py: a second module named ``conftest`` in one pytest run shadows the
one that tests/*.py import names from.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from spark_thrift_server import ThriftServer, free_port

from floe_compute_spark import SparkComputePlugin
from floe_gate.compute import ConnectionStatus
from floe_gate.emit.plan import with_schema

plugin = SparkComputePlugin()
BIN = Path(sys.executable).parent
HEALTH_DEADLINE_SECONDS = 5.0


@pytest.fixture(scope="module")
def thrift_server_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThriftServer]:
    server = ThriftServer(tmp_path_factory.mktemp("spark-thrift"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def spark_thrift(thrift_server_process: ThriftServer) -> ThriftServer:
    """The running server (started on first use, again if a test stopped it)."""
    return thrift_server_process.ensure_running()


def settings_for(server: ThriftServer, **more: Any) -> dict[str, Any]:
    return {"host": "127.0.0.1", "port": server.port, "poll_interval": 1, **more}


def write_project(root: Path, output: dict[str, Any]) -> None:
    (root / "seeds").mkdir(parents=True)
    (root / "models").mkdir()
    (root / "dbt_project.yml").write_text(
        "name: floe_spark_check\nversion: '1.0'\nprofile: floe\n"
        "seeds:\n  floe_spark_check:\n    +file_format: parquet\n"
        "models:\n  floe_spark_check:\n    +materialized: table\n    +file_format: parquet\n"
    )
    (root / "seeds" / "orders.csv").write_text(
        "order_id,customer_id,amount\n1,10,25.5\n2,10,4.5\n3,20,70.0\n4,30,12.0\n"
    )
    (root / "models" / "customer_revenue.sql").write_text(
        "select customer_id, sum(amount) as revenue, count(*) as orders\n"
        "from {{ ref('orders') }}\ngroup by customer_id\n"
    )
    # Spark substitutes ${...} with the session's settings: this model records the
    # statement timeout that the profile's server_side_parameters gave dbt's session.
    (root / "models" / "session_settings.sql").write_text(
        "select '${spark.sql.thriftServer.queryTimeout}' as query_timeout,\n"
        "       '${spark.sql.shuffle.partitions}' as shuffle_partitions\n"
    )
    (root / "models" / "schema.yml").write_text(
        "version: 2\nmodels:\n  - name: customer_revenue\n    columns:\n"
        "      - name: customer_id\n        data_tests: [unique, not_null]\n"
    )
    profiles = {"floe": {"target": "spark", "outputs": {"spark": output}}}
    (root / "profiles.yml").write_text(yaml.safe_dump(profiles, sort_keys=False))


def query(server: ThriftServer, sql: str, configuration: dict[str, str] | None = None) -> Any:
    from pyhive import hive

    with hive.connect(
        host="127.0.0.1", port=server.port, username="floe", configuration=configuration or {}
    ) as connection:
        cursor = connection.cursor()
        cursor.execute(sql)
        return cursor.fetchall()


def test_dbt_build_on_spark_with_the_generated_profile(
    spark_thrift: ThriftServer, tmp_path: Path
) -> None:
    config = plugin.parse_config(
        settings_for(
            spark_thrift,
            threads=2,
            timeout_seconds=600,
            spark_conf={"spark.sql.shuffle.partitions": 3},
        )
    )
    output = with_schema(plugin.generate_dbt_profile(config), "floe_orders")
    write_project(tmp_path, output)
    started = time.perf_counter()
    build = subprocess.run(
        [
            str(BIN / "dbt"),
            "build",
            "--project-dir",
            str(tmp_path),
            "--profiles-dir",
            str(tmp_path),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    print(f"dbt build on Spark: {time.perf_counter() - started:.1f} s")
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-2000:]
    assert "PASS=5 WARN=0 ERROR=0 SKIP=0" in build.stdout, build.stdout[-2000:]  # seed, 2+2
    rows = query(spark_thrift, "select * from floe_orders.customer_revenue order by customer_id")
    assert rows == [(10, 30.0, 2), (20, 70.0, 1), (30, 12.0, 1)]
    [settings] = query(spark_thrift, "select * from floe_orders.session_settings")
    assert settings == ("600s", "3")


def test_the_statement_timeout_is_enforced_by_the_server(spark_thrift: ThriftServer) -> None:
    """dbt-spark hands server_side_parameters to PyHive as the session's configuration."""
    from pyhive.exc import OperationalError

    config = plugin.parse_config(settings_for(spark_thrift, timeout_seconds=2))
    configuration = plugin.generate_dbt_profile(config)["server_side_parameters"]
    started = time.perf_counter()
    with pytest.raises(OperationalError, match="TIMEDOUT"):
        query(spark_thrift, "select count(*) from range(1000000000000)", configuration)
    assert time.perf_counter() - started < 30


def timed_health(settings: dict[str, Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = plugin.validate_connection(plugin.parse_config(settings))
    return result, time.perf_counter() - started


def test_healthy_against_the_running_server(spark_thrift: ThriftServer) -> None:
    result, elapsed = timed_health(settings_for(spark_thrift))
    assert result.status is ConnectionStatus.HEALTHY, result.message
    assert result.message == f"the Spark Thrift server 127.0.0.1:{spark_thrift.port} answered"
    assert elapsed < HEALTH_DEADLINE_SECONDS


def test_an_iceberg_catalog_without_its_runtime_jar_degrades(spark_thrift: ThriftServer) -> None:
    catalog = {
        "catalog_uri": "http://127.0.0.1:9/api/catalog",
        "catalog_name": "lake",
        "credentials": {"token": {"env": "FLOE_TEST_LAKE_TOKEN"}},
    }
    os.environ["FLOE_TEST_LAKE_TOKEN"] = "t"
    try:
        result, elapsed = timed_health(settings_for(spark_thrift, catalog=catalog))
    finally:
        del os.environ["FLOE_TEST_LAKE_TOKEN"]
    assert result.status is ConnectionStatus.DEGRADED, result.message
    [warning] = result.warnings
    assert warning.startswith("Iceberg catalog lake cannot load: org.apache.iceberg.spark")
    assert "iceberg-spark-runtime jar" in warning
    assert elapsed < HEALTH_DEADLINE_SECONDS


def test_wrong_auth_is_unhealthy_and_says_so(spark_thrift: ThriftServer) -> None:
    result, elapsed = timed_health(settings_for(spark_thrift, auth="NOSASL"))
    assert result.status is ConnectionStatus.UNHEALTHY
    assert "refused a session (auth NOSASL, no SSL)" in result.message
    assert "hive.server2.authentication" in result.message
    assert elapsed < HEALTH_DEADLINE_SECONDS


def test_ssl_against_a_plain_server_is_unhealthy_and_says_so(spark_thrift: ThriftServer) -> None:
    result, elapsed = timed_health(settings_for(spark_thrift, use_ssl=True))
    assert result.status is ConnectionStatus.UNHEALTHY
    assert "refused a session (auth NONE, SSL)" in result.message
    assert "use_ssl its hive.server2.use.SSL" in result.message
    assert elapsed < HEALTH_DEADLINE_SECONDS


def test_a_closed_port_is_unhealthy_at_once() -> None:
    port = free_port()
    result, elapsed = timed_health({"host": "127.0.0.1", "port": port})
    assert result.status is ConnectionStatus.UNHEALTHY
    assert result.message == (
        f"cannot reach the Spark Thrift server 127.0.0.1:{port}: connection refused on port "
        f"{port}: no Thrift server listens there (is HiveThriftServer2 running, on this port?)"
    )
    assert elapsed < 3


def health_cli(repo: Path) -> tuple[int, dict[str, Any]]:
    run = subprocess.run(
        [str(BIN / "floe-gate"), "health", "--repo", str(repo), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode in (0, 1), run.stderr
    [target] = json.loads(run.stdout)["targets"]
    return run.returncode, target


def test_floe_gate_health_then_the_server_stops(spark_thrift: ThriftServer, tmp_path: Path) -> None:
    """Healthy while the server runs; unhealthy, with the reason, once it is stopped."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "manifest.yaml").write_text(
        "apiVersion: floe/v1\nkind: Manifest\nenvironments:\n  dev: {branch: dev}\n"
        "compute:\n  approved: [spark]\n  default: spark\n  targets:\n"
        f"    spark: {{host: 127.0.0.1, port: {spark_thrift.port}}}\n"
    )
    code, target = health_cli(tmp_path)
    assert (code, target["target"], target["status"]) == (0, "spark", "healthy"), target
    assert target["message"] == f"the Spark Thrift server 127.0.0.1:{spark_thrift.port} answered"

    settings = settings_for(spark_thrift)
    spark_thrift.stop()
    result, elapsed = timed_health(settings)
    assert result.status is ConnectionStatus.UNHEALTHY
    assert "connection refused" in result.message
    assert elapsed < 3

    code, target = health_cli(tmp_path)
    assert (code, target["status"], target["attempts"]) == (1, "unhealthy", 2), target
    assert target["message"].startswith(
        f"cannot reach the Spark Thrift server 127.0.0.1:{spark_thrift.port}: connection refused"
    )
