"""validate_connection with the real driver: verdicts, and the database left untouched."""

from pathlib import Path

import duckdb

from floe_compute_duckdb import DuckDBComputePlugin
from floe_gate.compute import ConnectionStatus

plugin = DuckDBComputePlugin()


def check(**settings: object):  # type: ignore[no-untyped-def]
    return plugin.validate_connection(plugin.parse_config(settings))


def test_in_memory_is_healthy_and_fast() -> None:
    result = check()
    assert result.status is ConnectionStatus.HEALTHY
    assert result.latency_ms < 1000


def test_existing_file_is_opened_read_only_and_unchanged(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create table t as select 1 as x")
    before = database.read_bytes()
    result = check(path=str(database))
    assert result.status is ConnectionStatus.HEALTHY, result.message
    assert database.read_bytes() == before


def test_missing_file_in_writable_directory_is_not_created(tmp_path: Path) -> None:
    database = tmp_path / "new.duckdb"
    result = check(path=str(database))
    assert result.status is ConnectionStatus.HEALTHY
    assert "does not exist yet" in result.message
    assert not database.exists()


def test_missing_directory_is_unhealthy(tmp_path: Path) -> None:
    result = check(path=str(tmp_path / "nope" / "w.duckdb"))
    assert result.status is ConnectionStatus.UNHEALTHY
    assert "does not exist" in result.message


def test_directory_instead_of_file_is_unhealthy(tmp_path: Path) -> None:
    result = check(path=str(tmp_path))
    assert result.status is ConnectionStatus.UNHEALTHY
    assert "is a directory" in result.message


def test_corrupt_file_is_unhealthy(tmp_path: Path) -> None:
    database = tmp_path / "corrupt.duckdb"
    database.write_bytes(b"this is not a duckdb database" * 200)
    result = check(path=str(database))
    assert result.status is ConnectionStatus.UNHEALTHY
    assert str(database) in result.message


def test_unloadable_extension_degrades(tmp_path: Path) -> None:
    result = check(extensions=["floe_no_such_extension"])
    assert result.status is ConnectionStatus.DEGRADED
    assert any("floe_no_such_extension" in warning for warning in result.warnings)
