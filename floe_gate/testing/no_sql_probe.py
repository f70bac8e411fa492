"""Generate a profile in a fresh interpreter and report what that touched.

Run as ``python -m floe_gate.testing.no_sql_probe MODULE:CLASS`` with the
config's JSON on stdin. Prints JSON: the audit events and the database driver
modules that generating the profile caused (connections, processes, imports).
A fresh process is used so that drivers another test already imported cannot
hide an import made by the plugin.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

DRIVER_MODULES = (
    "duckdb", "snowflake", "pyspark", "pyhive", "google.cloud.bigquery", "databricks",
    "psycopg", "psycopg2", "pymysql", "pyodbc", "sqlite3", "trino", "redshift_connector",
    "dbt.adapters",
)  # fmt: skip
WATCHED_EVENTS = ("socket.connect", "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn")


def _is_driver(module: str) -> bool:
    return any(module == d or module.startswith(d + ".") for d in DRIVER_MODULES)


def main() -> int:
    module_name, _, class_name = sys.argv[1].partition(":")
    config_data = json.loads(sys.stdin.read())
    plugin_class: Any = getattr(importlib.import_module(module_name), class_name)
    plugin = plugin_class()
    config = plugin.parse_config(config_data)
    before = set(sys.modules)
    events: list[str] = []

    def audit(event: str, args: tuple[Any, ...]) -> None:
        if event in WATCHED_EVENTS:
            events.append(event)

    sys.addaudithook(audit)
    plugin.generate_dbt_profile(config)
    imported = sorted(m for m in set(sys.modules) - before if _is_driver(m))
    print(json.dumps({"events": events, "drivers_imported": imported}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
