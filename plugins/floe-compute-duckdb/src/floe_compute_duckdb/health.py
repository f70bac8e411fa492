"""DuckDB health with the native driver, without ever creating or changing a database.

Order of checks, each with an actionable message and never an exception:

1. ``:memory:`` — connect and ``SELECT 1``;
2. the path is a directory, or does not exist yet (healthy when its directory is
   writable: dbt creates the file) — nothing is created while checking;
3. the file is in use: DuckDB holds a POSIX (``fcntl``) lock on the whole database
   file while a process has it open, so no other process can write it. The lock is
   probed with ``F_GETLK`` on a read-only descriptor, which names the holder's PID
   without taking a lock; a busy file is reported without connecting;
4. otherwise open it read-only, ``SELECT 1``, and ``LOAD`` each configured
   extension with automatic installation off: an extension that cannot load
   offline degrades the target; so does an ``attach`` entry of a local database file
   (DuckDB, SQLite) that cannot be attached read-only (missing, locked, corrupt).
   Remote attachments (URLs, other types) need the run's secrets and are left to it;
5. with a catalog configured, attach it in a separate in-memory database, exactly
   as the dbt profile does (``catalog_health``): an extension that cannot load, a
   catalog that cannot be reached or that refuses the credentials degrades the
   target, naming which.
"""

from __future__ import annotations

import os
import struct
import sys
import time
from pathlib import Path
from typing import Any

from floe_compute_duckdb.config import DuckDBConfig
from floe_compute_duckdb.sql import quote_identifier, quote_literal
from floe_gate.compute import AttachConfig, ConnectionResult, ConnectionStatus
from floe_gate.compute.health import elapsed_ms, unhealthy

DRIVER_MISSING = (
    "the duckdb driver is not installed: pip install 'floe-compute-duckdb[driver]' "
    "(or 'floe-gate[duckdb]')"
)

# Health never installs or auto-loads anything: it must work offline and change nothing.
OFFLINE = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def check_duckdb(config: DuckDBConfig) -> ConnectionResult:
    result = _check_database(config)
    if config.catalog is None or result.status is ConnectionStatus.UNHEALTHY:
        return result
    from floe_compute_duckdb.catalog_health import catalog_problem

    problem = catalog_problem(config.catalog, config.extension_directory)
    if problem is None:
        return result.model_copy(update={"message": result.message + "; catalog attached"})
    return result.model_copy(
        update={
            "status": ConnectionStatus.DEGRADED,
            "message": f"{result.message}; {problem}",
            "warnings": (*result.warnings, problem),
        }
    )


def _check_database(config: DuckDBConfig) -> ConnectionResult:
    started = time.perf_counter()
    try:
        import duckdb
    except ImportError:
        return unhealthy(started, DRIVER_MISSING)
    if config.path == ":memory:":
        try:
            connection = duckdb.connect(":memory:", config=dict(OFFLINE))
        except duckdb.Error as error:
            return unhealthy(started, f"cannot open an in-memory database: {error}")
        return _query(connection, config, started, "in-memory database")
    path = Path(config.path)
    if path.is_dir():
        return unhealthy(
            started, f"{path} is a directory, not a DuckDB database file: point path at a file"
        )
    if not path.exists():
        return _creatable(path, started)
    holder = lock_holder(path)
    if holder is not None:
        return unhealthy(
            started,
            f"{path} is busy (PID {holder}): another process has it open, so dbt cannot "
            "write it; close that process (or its connection) first",
        )
    if not os.access(path, os.W_OK):
        return unhealthy(started, f"{path} is not writable: dbt cannot build into it")
    try:
        connection = duckdb.connect(str(path), read_only=True, config=dict(OFFLINE))
    except duckdb.Error as error:
        return unhealthy(
            started,
            f"cannot open {path} as a DuckDB database (corrupt, or written by another "
            f"DuckDB version?): {_first_line(error)}",
        )
    return _query(connection, config, started, f"database {path}")


def lock_holder(path: Path) -> int | None:
    """PID of another process holding a lock on ``path``, or None (also when unknown).

    ``F_GETLK`` asks whether a write lock on the whole file could be taken and, if not,
    who holds the conflicting lock; it takes no lock itself. Locks of this very
    process never conflict with it, so they are not reported.
    """
    if sys.platform == "win32":  # pragma: no cover - DuckDB uses LockFileEx there
        return None
    import fcntl

    # struct flock: l_type, l_whence, l_start, l_len, l_pid (native alignment, padded).
    layout = "hhqqi"
    size = max(struct.calcsize(layout), 32)
    query = struct.pack(layout, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0).ljust(size, b"\0")
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        answer = fcntl.fcntl(descriptor, fcntl.F_GETLK, query)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    lock_type, _, _, _, pid = struct.unpack(layout, answer[: struct.calcsize(layout)])
    return pid if lock_type != fcntl.F_UNLCK and pid > 0 else None


def _creatable(path: Path, started: float) -> ConnectionResult:
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        return unhealthy(
            started,
            f"directory {directory} of {path} does not exist: create it (mkdir -p "
            f"{directory}) or change path",
        )
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
        warnings = (
            *_unloadable_extensions(connection, config.extensions),
            *_unattachable(connection, config.attach),
        )
    except Exception as error:
        return unhealthy(started, f"{what}: query failed: {_first_line(error)}")
    finally:
        connection.close()
    status = ConnectionStatus.DEGRADED if warnings else ConnectionStatus.HEALTHY
    message = f"{what} answered"
    extensions = [w.split()[1] for w in warnings if w.startswith("extension ")]
    if extensions:
        message += f"; extension(s) cannot load offline: {', '.join(extensions)}"
    attachments = [w.split()[1] for w in warnings if w.startswith("attach ")]
    if attachments:
        message += f"; attachment(s) cannot be reached: {', '.join(attachments)}"
    return ConnectionResult(
        status=status, latency_ms=elapsed_ms(started), message=message, warnings=warnings
    )


LOCAL_ATTACH_TYPES = ("duckdb", "sqlite")


def _unattachable(connection: Any, attachments: list[AttachConfig]) -> list[str]:
    problems = []
    for attachment in attachments:
        if attachment.type.lower() not in LOCAL_ATTACH_TYPES or "://" in attachment.path:
            continue
        alias = quote_identifier(f"floe_health_{attachment.alias}")
        try:
            connection.execute(
                f"ATTACH {quote_literal(attachment.path)} AS {alias} "
                f"(TYPE {attachment.type}, READ_ONLY)"
            )
            connection.execute(f"DETACH {alias}")
        except Exception as error:
            problems.append(
                f"attach {attachment.alias} ({attachment.path}) cannot be attached read-only: "
                f"{_first_line(error)}"
            )
    return problems


def _unloadable_extensions(connection: Any, extensions: list[str]) -> list[str]:
    problems = []
    for extension in extensions:
        try:
            connection.execute(f"LOAD {extension}")
        except Exception as error:
            problems.append(
                f"extension {extension} cannot be loaded offline ({_first_line(error)}): "
                f"run INSTALL {extension} once with network access, or copy "
                f"{extension}.duckdb_extension into DuckDB's extension directory "
                "(SET extension_directory, default ~/.duckdb/extensions)"
            )
    return problems


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
