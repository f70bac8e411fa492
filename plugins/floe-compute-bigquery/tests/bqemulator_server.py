"""The bqemulator server on loopback, run from its own environment (.engines/bqemulator).

bqemulator brings a server stack (FastAPI, gRPC tools, sqlglot, an OpenTelemetry
exporter) that does not belong in floe-gate's .venv, so it lives in an environment
built by engines/bqemulator/setup.sh. Offline, its DuckDB loads the spatial
extension from .engines/bqemulator/home (the server runs with that HOME); the real
google-cloud-bigquery and dbt-bigquery in .venv talk to its REST API.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ENGINE = ROOT / ".engines" / "bqemulator"
BQEMULATOR = ENGINE / "bin" / "bqemulator"
ENGINE_HOME = ENGINE / "home"
SETUP = "engines/bqemulator/setup.sh"
PROJECT = "floe-ci"
START_TIMEOUT_SECONDS = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class BqEmulator:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """SIGINT (uvicorn's graceful shutdown), then wait until the port is closed."""
        if self.running:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        assert not accepts(self.port), f"port {self.port} still open after stopping bqemulator"


def start_bqemulator(directory: Path) -> BqEmulator:
    extensions = list(ENGINE_HOME.glob(".duckdb/extensions/*/*/spatial.duckdb_extension"))
    if not BQEMULATOR.exists() or not extensions:
        pytest.fail(
            f"bqemulator (with DuckDB's spatial extension) is not installed under "
            f"{ENGINE.relative_to(ROOT)}: run `bash {SETUP}` (./dev.sh test runs it)"
        )
    port = free_port()
    log = directory / "bqemulator.log"
    environment = {
        **os.environ,
        "HOME": str(ENGINE_HOME),  # DuckDB's extension directory: ~/.duckdb/extensions
        "BQEMU_ENABLE_FORMAT_EXTENSIONS": "false",  # avro would be downloaded
    }
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                str(BQEMULATOR), "start",
                "--rest-host", "127.0.0.1", "--rest-port", str(port),
                "--grpc-host", "127.0.0.1", "--grpc-port", str(free_port()),
                "--project", PROJECT, "--log-level", "warning",
            ],
            cwd=directory,
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    server = BqEmulator(process, port, log)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not accepts(port):
        if not server.running or time.monotonic() > deadline:
            server.stop()
            pytest.fail(f"bqemulator did not start on port {port}:\n{log.read_text()[-4000:]}")
        time.sleep(0.2)
    return server
