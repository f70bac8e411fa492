"""DuckDB extensions without a network: installed from PyPI wheels into a local directory.

DuckDB downloads ``iceberg``, ``avro`` and ``httpfs`` from extensions.duckdb.org on
first use, which fails offline and in locked-down clusters. The wheels
``duckdb-extension-{iceberg,avro,httpfs}`` (``pip install
'floe-compute-duckdb[iceberg]'``) carry the same signed extension files for one
DuckDB version; :func:`install_extensions` copies them into an extension directory
with DuckDB's own ``INSTALL '<file>'``, never touching the network. A generated
profile points dbt-duckdb at that directory with automatic installation off, so
dbt's ``INSTALL`` finds them there and loads them offline.

Run it where dbt runs (the dbt project directory, or a job image's build step)::

    python -m floe_compute_duckdb.extensions duckdb_extensions
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

ICEBERG_EXTENSIONS = ("httpfs", "avro", "iceberg")
"""What attaching an Iceberg REST catalog needs, in load order."""

WHEEL_EXTENSIONS = {name: f"duckdb_extension_{name}" for name in ICEBERG_EXTENSIONS}
"""Extension name → the importable package of its PyPI wheel."""

WHEEL_REQUIREMENT = "pip install 'floe-compute-duckdb[iceberg]'"

# Installing never downloads or loads anything by itself.
OFFLINE = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


class ExtensionUnavailableError(RuntimeError):
    """An extension's wheel is missing, or built for another DuckDB version."""


def extension_file(name: str) -> Path:
    """The ``.duckdb_extension`` file the installed wheel of ``name`` carries.

    It must be built for the DuckDB installed here: DuckDB refuses extensions of
    another version, so a mismatch is reported now, with both versions.
    """
    from importlib.metadata import PackageNotFoundError, version
    from importlib.resources import files

    package = WHEEL_EXTENSIONS.get(name)
    if package is None:
        known = ", ".join(ICEBERG_EXTENSIONS)
        raise ExtensionUnavailableError(
            f"no wheel provides the DuckDB extension {name!r} (provided: {known})"
        )
    try:
        duckdb_version = version("duckdb")
    except PackageNotFoundError:
        raise ExtensionUnavailableError(
            f"the duckdb driver is not installed: {WHEEL_REQUIREMENT}"
        ) from None
    try:
        root = files(package)
    except ModuleNotFoundError:
        raise ExtensionUnavailableError(
            f"the DuckDB extension {name} is not installed as a wheel "
            f"(package {package.replace('_', '-')}): {WHEEL_REQUIREMENT}"
        ) from None
    folder = root / "extensions" / f"v{duckdb_version}"
    candidate = folder / f"{name}.duckdb_extension"
    if not candidate.is_file():
        built = sorted(entry.name for entry in (root / "extensions").iterdir())
        raise ExtensionUnavailableError(
            f"the installed {package.replace('_', '-')} wheel is built for DuckDB "
            f"{', '.join(built) or 'no version'}, but DuckDB {duckdb_version} is installed: "
            f"install duckdb=={_wheel_version(package)} and the wheels of the same version"
        )
    return Path(str(candidate))


def _wheel_version(package: str) -> str:
    from importlib.metadata import version

    return version(package.replace("_", "-"))


def install_extensions(
    directory: str | Path, names: Sequence[str] = ICEBERG_EXTENSIONS
) -> list[Path]:
    """Install the wheels' extensions into ``directory``; the installed files, in order.

    Idempotent, and offline: DuckDB copies each file from the wheel into its
    ``<directory>/v<version>/<platform>/`` layout and checks its signature by
    loading it. Raises :class:`ExtensionUnavailableError` naming what to install.
    """
    import duckdb

    sources = [extension_file(name) for name in names]
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    config: dict[str, str | bool | int | float | list[str]] = {
        **OFFLINE,
        "extension_directory": str(target),
    }
    with duckdb.connect(":memory:", config=config) as connection:
        installed = []
        for name, source in zip(names, sources, strict=True):
            connection.execute("INSTALL " + _literal(str(source)))
            connection.execute(f"LOAD {name}")
            [(install_path,)] = connection.execute(
                "SELECT install_path FROM duckdb_extensions() WHERE extension_name = ?", [name]
            ).fetchall()
            installed.append(Path(install_path))
    return installed


def _literal(text: str) -> str:
    from floe_compute_duckdb.sql import quote_literal

    return quote_literal(text)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m floe_compute_duckdb.extensions DIRECTORY``: install, print the files."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if len(arguments) != 1 or arguments[0].startswith("-"):
        print(
            "usage: python -m floe_compute_duckdb.extensions DIRECTORY\n"
            f"installs the DuckDB extensions {', '.join(ICEBERG_EXTENSIONS)} from their "
            "PyPI wheels into DIRECTORY (the extension_directory of the DuckDB target)",
            file=sys.stderr,
        )
        return 2
    try:
        for path in install_extensions(arguments[0]):
            print(path)
    except ExtensionUnavailableError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
