"""dbt macros the DuckDB plugin ships: the ``iceberg_table`` materialization.

dbt finds macros only in a project's (or package's) macro paths, so the file is
copied into the dbt project: ``install_iceberg_materialization(project_dir)``.
"""

from __future__ import annotations

from pathlib import Path

MACRO_NAME = "floe_iceberg_table.sql"


def iceberg_table_macro() -> str:
    """The text of the ``iceberg_table`` materialization."""
    from importlib.resources import files

    return (files(__name__) / "iceberg_table.sql").read_text(encoding="utf-8")


def install_iceberg_materialization(project_dir: str | Path) -> Path:
    """Write the materialization into ``<project_dir>/macros/``; the file written."""
    target = Path(project_dir) / "macros" / MACRO_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(iceberg_table_macro(), encoding="utf-8")
    return target
