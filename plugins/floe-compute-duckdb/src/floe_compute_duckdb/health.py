"""DuckDB health with the native driver, without ever creating or changing a database."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from floe_compute_duckdb.config import DuckDBConfig
from floe_gate.compute import ConnectionResult, ConnectionStatus
from floe_gate.compute.health import elapsed_ms, unhealthy

DRIVER_MISSING = (
    "the duckdb driver is not installed: pip install 'floe-compute-duckdb[driver]' "
    "(or 'floe-gate[duckdb]')"
)


def check_duckdb(config: DuckDBConfig) -> ConnectionResult:
    started = time.perf_counter()
    try:
        import duckdb
    except ImportError:
        return unhealthy(started, DRIVER_MISSING)
    if config.path == ":memory:":
        return _query(duckdb.connect(":memory:"), config, started, "in-memory database")
    path = Path(config.path)
    if path.is_dir():
        return unhealthy(started, f"{path} is a directory, not a DuckDB database file")
    if not path.exists():
        return _creatable(path, started)
    try:
        connection = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        return unhealthy(started, f"cannot open {path}: {error}")
    return _query(connection, config, started, f"database {path}")


def _creatable(path: Path, started: float) -> ConnectionResult:
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        return unhealthy(started, f"directory {directory} of {path} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK):
        return unhealthy(
            started, f"directory {directory} is not writable: {path} cannot be created"
        )
    return ConnectionResult(
        status=ConnectionStatus.HEALTHY,
        latency_ms=elapsed_ms(started),
        message=f"{path} does not exist yet; dbt will create it",
    )


def _query(connection: Any, config: DuckDBConfig, started: float, what: str) -> ConnectionResult:
    try:
        connection.execute("SELECT 1").fetchall()
        warnings = tuple(_unloadable_extensions(connection, config.extensions))
    except Exception as error:
        return unhealthy(started, f"{what}: query failed: {error}")
    finally:
        connection.close()
    status = ConnectionStatus.DEGRADED if warnings else ConnectionStatus.HEALTHY
    return ConnectionResult(
        status=status,
        latency_ms=elapsed_ms(started),
        message=f"{what} answered" + ("; some extensions cannot load" if warnings else ""),
        warnings=warnings,
    )


def _unloadable_extensions(connection: Any, extensions: list[str]) -> list[str]:
    problems = []
    for extension in extensions:
        try:
            connection.execute(f"LOAD {extension}")
        except Exception as error:
            problems.append(f"extension {extension} cannot be loaded: {error}")
    return problems
