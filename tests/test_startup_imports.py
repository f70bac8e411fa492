"""The hook path stays light: no driver, dbt or OpenTelemetry at start-up or in ``check``."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("duckdb", "dbt", "opentelemetry.sdk", "snowflake", "pyspark", "google.cloud")
# What a quiet, text-format `check` has no use for: telemetry nobody receives, logging
# below the level, other report formats, other commands' machinery (JSON Schema
# generation, emitting artifacts, parity), and helpers only a problem needs.
CHECK_NEVER = (
    *HEAVY,
    "opentelemetry",
    "structlog",
    "logging",
    "json",
    "difflib",
    "floe_gate.report.json_report",
    "floe_gate.report.sarif",
    "floe_gate.report.github",
    "floe_gate.report.markdown",
    "floe_gate.commands.schema",
    "floe_gate.emit",
    "floe_gate.parity",
    "floe_gate.testing",
)


def imported_modules(code: str) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line for line in run.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[-1].strip() for line in lines[1:]}


def among(modules: set[str], names: tuple[str, ...]) -> set[str]:
    return {m for m in modules if any(m == n or m.startswith(n + ".") for n in names)}


def modules_imported_by(code: str, env: dict[str, str] | None = None) -> set[str]:
    """Modules a fresh interpreter imports running ``code`` (which sets ``code``, an exit code)."""
    script = (
        f"import sys\nstartup = set(sys.modules)\n{code}\nnew = sorted(set(sys.modules) - startup)"
        "\nimport json\nprint(json.dumps(new))\nsys.exit(code)"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert run.returncode in (0, 1), run.stderr
    return set(json.loads(run.stdout.splitlines()[-1]))


def unobserved_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if not name.startswith("OTEL_")}


def test_cli_import_is_light() -> None:
    modules = imported_modules("import floe_gate.cli")
    assert "click" in modules
    assert among(modules, HEAVY) == set()
    assert "pydantic" not in modules, "the CLI imports models only when a command runs"


def test_loading_every_plugin_imports_no_driver() -> None:
    code = "from floe_gate.registry import PluginRegistry; PluginRegistry().records()"
    modules = imported_modules(code)
    assert "floe_compute_duckdb.plugin" in modules
    assert among(modules, HEAVY) == set()


def test_plugins_command_imports_no_driver() -> None:
    code = (
        "import sys; from floe_gate.cli import main; code = main(['plugins']);"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('duckdb', 'dbt')];"
        "assert not bad, bad; sys.exit(code)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "duckdb" in run.stdout


def test_check_imports_only_what_it_uses() -> None:
    check = ["check", "--repo", str(ROOT), "--manifest", "examples/manifest.yaml"]
    code = f"from floe_gate.cli import main\ncode = main({check!r})"
    modules = modules_imported_by(code, env=unobserved_environment())
    assert {"floe_gate.rules.fg203_invalid_engine_settings", "floe_compute_duckdb.config"} < modules
    assert among(modules, CHECK_NEVER) == set()


def test_a_provider_named_in_the_environment_gets_the_span() -> None:
    environment = {**unobserved_environment(), "OTEL_PYTHON_TRACER_PROVIDER": "sdk_tracer_provider"}
    code = (
        "from floe_gate import telemetry\n"
        "with telemetry.command_span('check') as span:\n"
        "    assert span.is_recording(), span"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment
    )
    assert run.returncode == 0, run.stderr


HOOK_NEVER = (*HEAVY, "opentelemetry")
"""What no hook may import without OpenTelemetry configured: drivers, dbt, OpenTelemetry."""


def hook_commands() -> list[str]:
    """The floe-gate subcommand of every hook in .pre-commit-hooks.yaml, as pre-commit runs it."""
    entries = [
        line.split("entry:", 1)[1].split()
        for line in (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("entry:")
    ]
    assert all(entry[0] == "floe-gate" for entry in entries), entries
    return [entry[1] for entry in entries]


def test_every_hook_command_is_measured() -> None:
    assert sorted(hook_commands()) == sorted(HOOK_ARGUMENTS)


def _hook_arguments(tmp_path: Path) -> dict[str, list[str]]:
    from parity_repo import Repo

    repo = Repo(tmp_path / "platform")
    repo.checkout("feature", new=True)
    repo.edit("products/revenue/models/fct_revenue.sql", "2", "3")
    root = str(repo.root)
    return {
        "check": ["check", "--repo", root, "products/revenue/floe.yaml"],
        "parity": ["parity", "--repo", root, "--base-ref", "dev"],
        "compile": ["compile", "--check", "--repo", root, "--out", str(tmp_path / "artifacts")],
    }


HOOK_ARGUMENTS = ("check", "parity", "compile")


@pytest.mark.parametrize("command", HOOK_ARGUMENTS)
def test_a_hook_command_imports_no_driver_dbt_or_opentelemetry(
    command: str, tmp_path: Path
) -> None:
    arguments = _hook_arguments(tmp_path)[command]
    code = f"from floe_gate.cli import main\ncode = main({arguments!r})"
    modules = modules_imported_by(code, env=unobserved_environment())
    assert f"floe_gate.commands.{command}" in modules  # the command did run
    assert among(modules, HOOK_NEVER) == set()
