"""A local Spark Thrift server (HiveThriftServer2) started from the jars that ship in pyspark.

pyspark carries the server's jar but not its start script, so it is started the way
that script would: ``spark-submit --class ...HiveThriftServer2 ... spark-internal``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

START_TIMEOUT_SECONDS = 180
SPARK_SUBMIT = Path(sys.executable).with_name("spark-submit")


def spark_environment() -> dict[str, str]:
    """What spark-submit needs when this virtual environment is not activated.

    Its script finds SPARK_HOME by running ``python3`` from PATH, which on a fresh
    machine (CI) is not this environment's: name pyspark's directory outright.
    """
    spec = importlib.util.find_spec("pyspark")
    locations = list(spec.submodule_search_locations or []) if spec else []
    environment = {"SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable}
    if locations:
        environment["SPARK_HOME"] = locations[0]
    return environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class ThriftServer:
    """A local HiveThriftServer2 started from the jars that ship in pyspark."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.started_in_seconds = 0.0
        self.starts = 0

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ensure_running(self) -> ThriftServer:
        if not self.running:
            self.start()
        return self

    def start(self) -> None:
        if not SPARK_SUBMIT.exists():
            pytest.fail(
                f"{SPARK_SUBMIT} is missing: pyspark is not installed in this environment "
                "(pip install -e '.[dev]' installs it)"
            )
        if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
            pytest.fail("Spark needs Java 17 or newer: apt-get install openjdk-17-jre-headless")
        self.port = free_port()
        self.starts += 1
        log = (self.directory / f"thrift-server-{self.starts}.log").open("wb")
        command = [
            str(SPARK_SUBMIT),
            "--class", "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
            "--master", "local[2]",
            "--name", "floe-gate-tests",
            "--conf", "spark.driver.memory=768m",
            "--conf", "spark.ui.enabled=false",
            "--conf", "spark.driver.host=127.0.0.1",
            "--conf", "spark.driver.bindAddress=127.0.0.1",
            "--conf", "spark.sql.shuffle.partitions=2",
            "--conf", f"spark.sql.warehouse.dir={self.directory / 'warehouse'}",
            "--conf", f"spark.driver.extraJavaOptions=-Dderby.system.home={self.directory}",
            "--hiveconf", f"hive.server2.thrift.port={self.port}",
            "--hiveconf", "hive.server2.thrift.bind.host=127.0.0.1",
            "spark-internal",
        ]  # fmt: skip
        started = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            cwd=self.directory,  # the Derby metastore (metastore_db/) lands here
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # spark-submit's JVM and children: one process group
            env={**os.environ, **spark_environment()},
        )
        while not accepts(self.port):
            if self.process.poll() is not None or (
                time.perf_counter() - started > START_TIMEOUT_SECONDS
            ):
                self.stop()
                tail = self.log_tail()
                pytest.fail(f"the Spark Thrift server did not start; its log ends:\n{tail}")
            time.sleep(0.25)
        self.started_in_seconds = time.perf_counter() - started
        print(f"\nSpark Thrift server up on port {self.port} in {self.started_in_seconds:.1f} s")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)

    def log_tail(self, lines: int = 40) -> str:
        log = self.directory / f"thrift-server-{self.starts}.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])
