"""The Snowflake plugin against a real server: fakesnow on loopback, one per test session.

dbt-snowflake builds a project with the generated profile, the native driver reads
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
from fakesnow_server import FakesnowServer, start_fakesnow

from floe_compute_snowflake import SnowflakeComputePlugin, SnowflakeConfig
from floe_gate.compute import ConnectionStatus

BIN = Path(sys.executable).parent
USER_ENV, PASSWORD_ENV = "FLOE_TEST_SNOWFLAKE_USER", "FLOE_TEST_SNOWFLAKE_PASSWORD"
CREDENTIALS = {USER_ENV: "floe_ci", PASSWORD_ENV: "not-a-real-password"}
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
def fakesnow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakesnowServer]:
    server = start_fakesnow(tmp_path_factory.mktemp("fakesnow"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def running(fakesnow: FakesnowServer) -> FakesnowServer:
    assert fakesnow.running, "fakesnow was stopped by an earlier test"
    return fakesnow


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    return CREDENTIALS


def settings(port: int) -> dict[str, Any]:
    return {
        "account": "floe-ci",
        "user": {"env": USER_ENV},
        "password": {"env": PASSWORD_ENV},
        "database": "FLOE",
        "warehouse": "FLOE_WH",
        "query_tag": "floe-ci",
        "connect_retries": 2,
        "host": "127.0.0.1",
        "port": port,
        "protocol": "http",
        "timeout_seconds": 600,
        "threads": 2,
    }


def config(port: int) -> SnowflakeConfig:
    return SnowflakeComputePlugin().parse_config(settings(port))


def native_rows(port: int, sql: str) -> list[tuple[Any, ...]]:
    import snowflake.connector

    with snowflake.connector.connect(
        account="floe-ci",
        user="floe_ci",
        password="x",
        database="FLOE",
        host="127.0.0.1",
        port=port,
        protocol="http",
        login_timeout=10,
    ) as connection:
        return [tuple(row) for row in connection.cursor().execute(sql).fetchall()]


def write_project(root: Path, output: dict[str, Any]) -> Path:
    project = root / "project"
    (project / "seeds").mkdir(parents=True)
    (project / "models").mkdir()
    (project / "dbt_project.yml").write_text(
        "name: floe_snowflake_e2e\nversion: '1.0'\nprofile: floe\n"
        "seed-paths: [seeds]\nmodel-paths: [models]\n"
        "models:\n  floe_snowflake_e2e:\n    +materialized: table\n"
    )
    (project / "seeds" / "orders.csv").write_text(SEED)
    (project / "models" / "customer_totals.sql").write_text(MODEL)
    (project / "models" / "schema.yml").write_text(SCHEMA_YML)
    profiles = root / "profiles"
    profiles.mkdir()
    document = {"floe": {"target": "snowflake", "outputs": {"snowflake": output}}}
    (profiles / "profiles.yml").write_text(yaml.safe_dump(document, sort_keys=False))
    return project


def test_dbt_build_with_the_generated_profile(
    running: FakesnowServer, credentials: dict[str, str], tmp_path: Path
) -> None:
    output = SnowflakeComputePlugin().generate_dbt_profile(config(running.port))
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
        running.port, f"select customer_id, name, total from FLOE.{SCHEMA}.customer_totals"
    )
    assert sorted(rows) == [(1, "ada", 10), (2, "grace", 40), (3, "edsger", 5)]
    print(f"dbt build on fakesnow: {elapsed:.1f} s")


def test_validate_connection_is_healthy(running: FakesnowServer, credentials: object) -> None:
    result = SnowflakeComputePlugin().validate_connection(config(running.port))
    assert result.status is ConnectionStatus.HEALTHY, result.message
    assert result.message == "Snowflake 10.0.0 answered; database FLOE"
    assert result.warnings == ()


def test_key_pair_authentication_is_healthy(
    running: FakesnowServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"floe-passphrase"),
    ).decode()
    monkeypatch.setenv("FLOE_TEST_SNOWFLAKE_KEY", pem)
    monkeypatch.setenv("FLOE_TEST_SNOWFLAKE_PASSPHRASE", "floe-passphrase")
    key_pair = {
        **{k: v for k, v in settings(running.port).items() if k != "password"},
        "user": "FLOE_CI",
        "private_key": {"env": "FLOE_TEST_SNOWFLAKE_KEY"},
        "private_key_passphrase": {"env": "FLOE_TEST_SNOWFLAKE_PASSPHRASE"},
    }
    plugin = SnowflakeComputePlugin()
    result = plugin.validate_connection(plugin.parse_config(key_pair))
    assert result.status is ConnectionStatus.HEALTHY, result.message

    monkeypatch.setenv("FLOE_TEST_SNOWFLAKE_PASSPHRASE", "wrong")
    result = plugin.validate_connection(plugin.parse_config(key_pair))
    assert result.status is ConnectionStatus.UNHEALTHY
    assert result.message.startswith(
        "private_key (from FLOE_TEST_SNOWFLAKE_KEY) is not a PEM private key that its "
        "passphrase opens: "
    ), result.message


def test_a_missing_credential_is_named(running: FakesnowServer) -> None:
    with pytest.MonkeyPatch.context() as patch:
        for name in CREDENTIALS:
            patch.delenv(name, raising=False)
        result = SnowflakeComputePlugin().validate_connection(config(running.port))
    assert result.status is ConnectionStatus.UNHEALTHY
    assert result.message == (
        f"environment variable(s) not set: {USER_ENV} (user), {PASSWORD_ENV} (password)"
    )


def manifest(port: int) -> str:
    target = json.dumps(settings(port))
    return (
        "apiVersion: floe/v1\nkind: Manifest\nenvironments:\n  dev: {branch: dev}\n"
        f"compute:\n  approved: [snowflake]\n  default: snowflake\n"
        f"  targets:\n    snowflake: {target}\n"
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


def test_floe_gate_health_is_healthy(running: FakesnowServer, tmp_path: Path) -> None:
    code, target, _ = floe_gate_health(tmp_path / "repo", running.port)
    assert (code, target["target"], target["env"]) == (0, "snowflake", "dev"), target
    assert target["status"] == "healthy", target
    assert target["attempts"] == 1


def test_unhealthy_once_the_server_is_stopped(fakesnow: FakesnowServer, tmp_path: Path) -> None:
    fakesnow.stop()  # the last test of the session that needs the server
    with pytest.MonkeyPatch.context() as patch:
        for name, value in CREDENTIALS.items():
            patch.setenv(name, value)
        started = time.perf_counter()
        result = SnowflakeComputePlugin().validate_connection(config(fakesnow.port))
        elapsed = time.perf_counter() - started
    assert result.status is ConnectionStatus.UNHEALTHY
    assert result.message.startswith(
        f"cannot reach Snowflake at 127.0.0.1:{fakesnow.port} (Connection refused)"
    ), result.message
    assert elapsed < 5

    code, target, elapsed = floe_gate_health(tmp_path / "repo", fakesnow.port)
    assert code == 1
    assert target["status"] == "unhealthy"
    assert f"cannot reach Snowflake at 127.0.0.1:{fakesnow.port}" in target["message"]
    assert target["attempts"] == 2  # retried once on a fresh connection
    assert elapsed < 30
