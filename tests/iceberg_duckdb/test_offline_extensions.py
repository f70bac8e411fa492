"""The extensions come from the PyPI wheels and load with the network cut."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from pyiceberg.catalog.sql import SqlCatalog

from floe_compute_duckdb.extensions import (
    ICEBERG_EXTENSIONS,
    ExtensionUnavailableError,
    extension_file,
    install_extensions,
    main,
)

OFFLINE_RUN = """
import sys, duckdb
from floe_compute_duckdb.extensions import install_extensions
directory, metadata = sys.argv[1], sys.argv[2]
for path in install_extensions(directory):
    print("installed", path)
config = {"extension_directory": directory, "autoinstall_known_extensions": False,
          "autoload_known_extensions": False}
with duckdb.connect(config=config) as connection:
    for name in ("httpfs", "avro", "iceberg"):
        connection.execute("LOAD " + name)
    rows = connection.execute("SELECT sum(x) FROM iceberg_scan(?)", [metadata]).fetchall()
    print("sum", rows[0][0])
"""


def network_cut_available() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    return probe.returncode == 0


def iceberg_table(root: Path) -> str:
    """A small Iceberg table written by pyiceberg; its metadata file location."""
    (root / "data").mkdir(parents=True)
    catalog = SqlCatalog(
        "local", uri=f"sqlite:///{root / 'c.db'}", warehouse=(root / "data").as_uri()
    )
    catalog.create_namespace("ns")
    table = catalog.create_table(("ns", "t"), schema=pa.schema([("x", pa.int64())]))
    table.append(pa.table({"x": [1, 2, 39]}))
    return str(catalog.load_table(("ns", "t")).metadata_location)


def test_install_is_offline_and_idempotent_in_the_duckdb_layout(tmp_path: Path) -> None:
    directory = tmp_path / "duckdb_extensions"
    first = install_extensions(directory)
    again = install_extensions(directory)
    assert first == again
    version = duckdb.__version__
    assert [path.name for path in first] == [f"{n}.duckdb_extension" for n in ICEBERG_EXTENSIONS]
    for path in first:
        assert path.is_file()
        assert path.parent.parent.name == f"v{version}"
        assert path.is_relative_to(directory)


@pytest.mark.skipif(not network_cut_available(), reason="unshare -n is not permitted here")
def test_extensions_load_with_the_network_cut(tmp_path: Path) -> None:
    metadata = iceberg_table(tmp_path / "lake")
    directory = tmp_path / "duckdb_extensions"
    run = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", OFFLINE_RUN, str(directory), metadata],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("installed ") == 3
    assert "sum 42" in run.stdout
    # The namespace really had no network: resolving a name fails inside it.
    resolve = subprocess.run(
        ["unshare", "-n", sys.executable, "-c",
         "import socket; socket.create_connection(('1.1.1.1', 80), timeout=2)"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert resolve.returncode != 0
    assert "Network is unreachable" in resolve.stderr


def test_an_extension_no_wheel_provides_is_named() -> None:
    with pytest.raises(ExtensionUnavailableError, match="provided: httpfs, avro, iceberg"):
        extension_file("spatial")


def test_the_files_are_the_wheels() -> None:
    for name in ICEBERG_EXTENSIONS:
        path = extension_file(name)
        assert f"duckdb_extension_{name}" in path.parts
        assert path.name == f"{name}.duckdb_extension"


def test_module_entry_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "x")]) == 0
    assert capsys.readouterr().out.count("duckdb_extension\n") == 3
    assert main([]) == 2
    assert "usage: python -m floe_compute_duckdb.extensions DIRECTORY" in capsys.readouterr().err


@pytest.mark.skipif(not network_cut_available(), reason="unshare -n is not permitted here")
def test_the_whole_dbt_round_trip_runs_with_the_network_cut() -> None:
    """Extensions installed from wheels, catalog, dbt and pyiceberg: loopback only."""
    if shutil.which("ip") is None:
        pytest.fail("the ip command is needed to bring up loopback in the new namespace")
    here = Path(__file__).parent
    inner = (
        "ip link set lo up && exec "
        f"{sys.executable} -m pytest -q -p no:cacheprovider "
        f"{here / 'test_dbt_iceberg.py'}::test_dbt_reads_and_writes_iceberg_across_runs"
    )
    run = subprocess.run(
        ["unshare", "-n", "sh", "-c", inner],
        capture_output=True, text=True, check=False, timeout=600, cwd=here.parents[1],
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
