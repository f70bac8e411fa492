"""The BigQuery plugin against a real server: bqemulator on loopback, one per test session.

dbt-bigquery builds a project with the generated profile, the native driver reads
the rows back, and health (the plugin's and ``floe-gate health``) follows the
server: healthy while it runs, unhealthy with the reason once it is stopped. The
last test stops the server.
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
from bqemulator_server import PROJECT, BqEmulator, start_bqemulator

from floe_compute_bigquery import BigQueryComputePlugin, BigQueryConfig
from floe_gate.compute import ConnectionStatus

BIN = Path(sys.executable).parent
TOKEN_ENV = "FLOE_TEST_BIGQUERY_TOKEN"
CREDENTIALS = {TOKEN_ENV: "not-a-real-token"}
SCHEMA = "floe_e2e"

SEED = "customer_id,name,amount\n1,ada,10\n2,grace,32\n2,grace,8\n3,edsger,5\n"
MODEL = """\
select customer_id, max(name) as name, sum(amount) as total
from {{ ref('orders') }}
group by customer_id
"""
SCHEMA_YML = """\
version: 2
models:
  - name: customer_totals
    columns:
      - name: customer_id
        data_tests: [unique, not_null]
      - name: total
        data_tests: [not_null]
"""


@pytest.fixture(scope="session")
def bqemulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BqEmulator]:
    server = start_bqemulator(tmp_path_factory.mktemp("bqemulator"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def running(bqemulator: BqEmulator) -> BqEmulator:
    assert bqemulator.running, "bqemulator was stopped by an earlier test"
    return bqemulator


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    return CREDENTIALS


def settings(port: int) -> dict[str, Any]:
    return {
        "project": PROJECT,
        "method": "oauth-secrets",
        "token": {"env": TOKEN_ENV},
        "location": "US",
        "api_endpoint": f"http://127.0.0.1:{port}",
        "job_retries": 2,
        "maximum_bytes_billed": 10_000_000,
        "timeout_seconds": 600,
        "threads": 2,
    }


def config(port: int) -> BigQueryConfig:
    return BigQueryComputePlugin().parse_config(settings(port))


def native_rows(port: int, sql: str) -> list[tuple[Any, ...]]:
    from google.cloud import bigquery
    from google.oauth2.credentials import Credentials

    client = bigquery.Client(
        project=PROJECT,
        credentials=Credentials(token="x"),  # type: ignore[no-untyped-call]
        client_options={"api_endpoint": f"http://127.0.0.1:{port}"},
    )
    try:
        return [tuple(row.values()) for row in client.query(sql).result(timeout=30)]
    finally:
        client.close()  # type: ignore[no-untyped-call]


def write_project(root: Path, output: dict[str, Any]) -> Path:
    project = root / "project"
    (project / "seeds").mkdir(parents=True)
    (project / "models").mkdir()
    (project / "dbt_project.yml").write_text(
        "name: floe_bigquery_e2e\nversion: '1.0'\nprofile: floe\n"
        "seed-paths: [seeds]\nmodel-paths: [models]\n"
        "models:\n  floe_bigquery_e2e:\n    +materialized: table\n"
    )
    (project / "seeds" / "orders.csv").write_text(SEED)
    (project / "models" / "customer_totals.sql").write_text(MODEL)
    (project / "models" / "schema.yml").write_text(SCHEMA_YML)
    profiles = root / "profiles"
    profiles.mkdir()
    document = {"floe": {"target": "bigquery", "outputs": {"bigquery": output}}}
    (profiles / "profiles.yml").write_text(yaml.safe_dump(document, sort_keys=False))
    return project


def test_dbt_build_with_the_generated_profile(
    running: BqEmulator, credentials: dict[str, str], tmp_path: Path
) -> None:
    output = BigQueryComputePlugin().generate_dbt_profile(config(running.port))
    output["schema"] = SCHEMA  # what `floe-gate compile` puts there: the product's schema
    project = write_project(tmp_path, output)
    started = time.perf_counter()
    build = subprocess.run(
        [
            str(BIN / "dbt"), "build",
            "--project-dir", str(project),
            "--profiles-dir", str(tmp_path / "profiles"),
            "--target-path", str(tmp_path / "target"),
            "--log-path", str(tmp_path / "logs"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **credentials, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )  # fmt: skip
    assert build.returncode == 0, build.stdout + build.stderr
    elapsed = time.perf_counter() - started
    assert "PASS=5" in build.stdout, build.stdout  # 1 seed, 1 model, 3 tests
    rows = native_rows(
        running.port, f"select customer_id, name, total from `{PROJECT}.{SCHEMA}.customer_totals`"
    )
    assert sorted(rows) == [(1, "ada", 10), (2, "grace", 40), (3, "edsger", 5)]
    print(f"dbt build on bqemulator: {elapsed:.1f} s")


def test_validate_connection_is_healthy(running: BqEmulator, credentials: object) -> None:
    result = BigQueryComputePlugin().validate_connection(config(running.port))
    assert result.status is ConnectionStatus.HEALTHY, result.message
    assert result.message == f"BigQuery answered a query job in project {PROJECT}"
    assert result.warnings == ()


def test_a_missing_credential_is_named(running: BqEmulator) -> None:
    with pytest.MonkeyPatch.context() as patch:
        for name in CREDENTIALS:
            patch.delenv(name, raising=False)
        result = BigQueryComputePlugin().validate_connection(config(running.port))
    assert result.status is ConnectionStatus.UNHEALTHY
    assert result.message == f"environment variable(s) not set: {TOKEN_ENV} (token)"


def manifest(port: int) -> str:
    target = json.dumps(settings(port))
    return (
        "apiVersion: floe/v1\nkind: Manifest\nenvironments:\n  dev: {branch: dev}\n"
        f"compute:\n  approved: [bigquery]\n  default: bigquery\n"
        f"  targets:\n    bigquery: {target}\n"
    )


def floe_gate_health(repo: Path, port: int) -> tuple[int, dict[str, Any], float]:
    repo.mkdir(exist_ok=True)
    (repo / "manifest.yaml").write_text(manifest(port))
    subprocess.run(["git", "init", "--quiet", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    started = time.perf_counter()
    run = subprocess.run(
        [str(BIN / "floe-gate"), "health", "--repo", str(repo), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **CREDENTIALS, "NO_COLOR": "1"},
    )
    elapsed = time.perf_counter() - started
    [target] = json.loads(run.stdout)["targets"]
    return run.returncode, target, elapsed


def test_floe_gate_health_is_healthy(running: BqEmulator, tmp_path: Path) -> None:
    code, target, _ = floe_gate_health(tmp_path / "repo", running.port)
    assert (code, target["target"], target["env"]) == (0, "bigquery", "dev"), target
    assert target["status"] == "healthy", target
    assert target["attempts"] == 1


def test_unhealthy_once_the_server_is_stopped(bqemulator: BqEmulator, tmp_path: Path) -> None:
    bqemulator.stop()  # the last test of the session that needs the server
    with pytest.MonkeyPatch.context() as patch:
        for name, value in CREDENTIALS.items():
            patch.setenv(name, value)
        started = time.perf_counter()
        result = BigQueryComputePlugin().validate_connection(config(bqemulator.port))
        elapsed = time.perf_counter() - started
    assert result.status is ConnectionStatus.UNHEALTHY
    assert result.message.startswith(
        f"cannot reach the BigQuery API at 127.0.0.1:{bqemulator.port} (Connection refused)"
    ), result.message
    assert elapsed < 5

    code, target, elapsed = floe_gate_health(tmp_path / "repo", bqemulator.port)
    assert code == 1
    assert target["status"] == "unhealthy"
    assert f"cannot reach the BigQuery API at 127.0.0.1:{bqemulator.port}" in target["message"]
    assert target["attempts"] == 2  # retried once on a fresh connection
    assert elapsed < 30
