"""The fakesnow server on loopback, run from its own environment (.engines/fakesnow).

fakesnow needs duckdb 2.x while floe-gate's .venv pins duckdb 1.5.5, so the server
lives in an environment built by engines/fakesnow/setup.sh; the real
snowflake-connector-python and dbt-snowflake in .venv talk to it over HTTP.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FAKESNOW = ROOT / ".engines" / "fakesnow" / "bin" / "fakesnow"
SETUP = "engines/fakesnow/setup.sh"
START_TIMEOUT_SECONDS = 60


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
class FakesnowServer:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """SIGINT (fakesnow's own shutdown), then wait until the port is closed."""
        if self.running:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        assert not accepts(self.port), f"port {self.port} still open after stopping fakesnow"


def start_fakesnow(directory: Path) -> FakesnowServer:
    if not FAKESNOW.exists():
        pytest.fail(
            f"fakesnow is not installed at {FAKESNOW.relative_to(ROOT)}: "
            f"run `bash {SETUP}` (./dev.sh test runs it)"
        )
    port = free_port()
    log = directory / "fakesnow.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(FAKESNOW), "-s", "--host", "127.0.0.1", "--port", str(port)],
            cwd=directory,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = FakesnowServer(process, port, log)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not accepts(port):
        if not server.running or time.monotonic() > deadline:
            server.stop()
            pytest.fail(f"fakesnow did not start on port {port}:\n{log.read_text()}")
        time.sleep(0.1)
    return server
