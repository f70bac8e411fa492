"""The hook path stays light: no driver, dbt or OpenTelemetry SDK at start-up."""

import subprocess
import sys

HEAVY = ("duckdb", "dbt", "opentelemetry.sdk", "snowflake", "pyspark", "google.cloud")


def imported_modules(code: str) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line for line in run.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[-1].strip() for line in lines[1:]}


def heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)}


def test_cli_import_is_light() -> None:
    modules = imported_modules("import floe_gate.cli")
    assert "click" in modules
    assert heavy(modules) == set()
    assert "pydantic" not in modules, "the CLI imports models only when a command runs"


def test_loading_every_plugin_imports_no_driver() -> None:
    code = "from floe_gate.registry import PluginRegistry; PluginRegistry().records()"
    modules = imported_modules(code)
    assert "floe_compute_duckdb.plugin" in modules
    assert heavy(modules) == set()


def test_plugins_command_imports_no_driver() -> None:
    code = (
        "import sys; from floe_gate.cli import main; code = main(['plugins']);"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('duckdb', 'dbt')];"
        "assert not bad, bad; sys.exit(code)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "duckdb" in run.stdout
