"""Compute plugin discovery, end to end, with real installed distributions.

Each throwaway plugin below is a real project (pyproject.toml built by hatchling)
installed with ``pip install --target`` into a directory of its own. A scenario
puts some of those directories on PYTHONPATH and runs ``floe-gate plugins`` in a
subprocess, so importlib.metadata finds the plugins exactly as it would after a
``pip install``: nothing about entry points or distributions is mocked.

Scenario directories are independent: ``good`` (acme alone) exits 0, so a failing
exit code in any other scenario comes from the plugin that scenario adds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from floe_gate.compute import FLOE_API_VERSION
from floe_gate.registry import PluginLoadError, PluginRegistry

CONTRACT_METHODS = {
    "generate_dbt_profile": """
    def generate_dbt_profile(self, config: ComputeConfig) -> dict[str, Any]:
        return {"type": self.name, "threads": config.threads}
""",
    "get_required_dbt_packages": """
    def get_required_dbt_packages(self) -> list[str]:
        return [f"dbt-{self.name}>=1.0"]
""",
    "validate_connection": """
    def validate_connection(self, config: ComputeConfig) -> ConnectionResult:
        return ConnectionResult(status=ConnectionStatus.HEALTHY, latency_ms=0.0)
""",
    "get_resource_requirements": """
    def get_resource_requirements(self, workload_size: str) -> ResourceSpec:
        return self.preset(workload_size)
""",
    "get_catalog_attachment_sql": """
    def get_catalog_attachment_sql(self, catalog_config: CatalogConfig) -> list[str] | None:
        return None
""",
}


@dataclass(frozen=True)
class FakePlugin:
    """A throwaway plugin distribution: one package holding one ComputePlugin subclass."""

    distribution: str
    version: str
    module: str
    engine: str
    class_name: str
    plugin_version: str
    api_version: str = FLOE_API_VERSION
    omit: tuple[str, ...] = ()
    preamble: str = ""
    version_expression: str | None = None

    def write(self, root: Path) -> Path:
        project = root / self.distribution
        (project / self.module).mkdir(parents=True)
        (project / "pyproject.toml").write_text(
            textwrap.dedent(f"""\
                [build-system]
                requires = ["hatchling"]
                build-backend = "hatchling.build"

                [project]
                name = "{self.distribution}"
                version = "{self.version}"
                requires-python = ">=3.11"
                dependencies = ["floe-gate"]

                [project.entry-points."floe.computes"]
                """)
            + f'{self.engine} = "{self.module}:{self.class_name}"\n'
            + textwrap.dedent(f"""
                [tool.hatch.build.targets.wheel]
                packages = ["{self.module}"]
                """)
        )
        methods = "".join(body for name, body in CONTRACT_METHODS.items() if name not in self.omit)
        version = f"    version = {self.plugin_version!r}\n"
        if self.version_expression is not None:
            version = (
                "\n    @property\n    def version(self) -> str:\n"
                f"        return {self.version_expression}\n\n"
            )
        (project / self.module / "__init__.py").write_text(
            f'"""Throwaway floe.computes plugin {self.engine!r} for tests."""\n\n'
            "from __future__ import annotations\n\n"
            f"{self.preamble}"
            "from typing import Any\n\n"
            "from floe_gate.compute import (\n"
            "    CatalogConfig,\n"
            "    ComputeConfig,\n"
            "    ComputePlugin,\n"
            "    ConnectionResult,\n"
            "    ConnectionStatus,\n"
            "    ResourceSpec,\n"
            ")\n\n\n"
            f"class {self.class_name}(ComputePlugin[ComputeConfig]):\n"
            f"    name = {self.engine!r}\n"
            f"{version}"
            f"    floe_api_version = {self.api_version!r}\n"
            f"{methods}"
        )
        return project


# The plugin's own version deliberately differs from its distribution's version,
# so that reporting one in place of the other fails the test.
ACME = FakePlugin(
    distribution="acme-floe-compute",
    version="3.1.4",
    module="acme_compute",
    engine="acme",
    class_name="AcmePlugin",
    plugin_version="3.1.4+acme",
)
BROKEN = FakePlugin(
    distribution="broken-floe-compute",
    version="0.2.0",
    module="broken_compute",
    engine="teradata",
    class_name="SnowflakePlugin",
    plugin_version="0.2.0",
    preamble="import teradata_driver_that_does_not_exist  # noqa: F401\n",
)
INCOMPLETE = FakePlugin(
    distribution="halfdone-floe-compute",
    version="0.0.1",
    module="halfdone_compute",
    engine="halfdone",
    class_name="HalfDonePlugin",
    plugin_version="0.0.1",
    omit=("validate_connection", "get_catalog_attachment_sql"),
)
FUTURE = FakePlugin(
    distribution="future-floe-compute",
    version="0.5.0",
    module="future_compute",
    engine="future",
    class_name="FuturePlugin",
    plugin_version="0.5.0",
    api_version="2.0",
)
TWIN_ONE = FakePlugin(
    distribution="twin-one-floe-compute",
    version="1.1.0",
    module="twin_one_compute",
    engine="twin",
    class_name="TwinPlugin",
    plugin_version="1.1.0",
)
TWIN_TWO = FakePlugin(
    distribution="twin-two-floe-compute",
    version="2.2.0",
    module="twin_two_compute",
    engine="twin",
    class_name="TwinPlugin",
    plugin_version="2.2.0",
)
# Its version property looks up the wrong distribution name, so reading it raises.
SHAKY = FakePlugin(
    distribution="shaky-floe-compute",
    version="0.3.0",
    module="shaky_compute",
    engine="shaky",
    class_name="ShakyPlugin",
    plugin_version="0.3.0",
    preamble="import importlib.metadata\n",
    version_expression='importlib.metadata.version("shaky-compute")',
)
SCENARIOS = {
    "good": ACME,
    "broken": BROKEN,
    "incomplete": INCOMPLETE,
    "future": FUTURE,
    "twin_one": TWIN_ONE,
    "twin_two": TWIN_TWO,
    "shaky": SHAKY,
}


def _pip_install(project: Path, target: Path) -> None:
    done = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--no-index", "--no-deps", "--no-build-isolation", "--no-cache-dir",
            "--target", str(target), str(project),
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"pip install {project.name} failed:\n{done.stdout}{done.stderr}"


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Scenario name -> a directory where that scenario's plugin is installed."""
    root = tmp_path_factory.mktemp("floe-plugins")
    sources, targets = root / "src", {name: root / "site" / name for name in SCENARIOS}
    projects = {name: plugin.write(sources) for name, plugin in SCENARIOS.items()}
    with ThreadPoolExecutor(max_workers=len(SCENARIOS)) as pool:
        for finished in [pool.submit(_pip_install, projects[n], targets[n]) for n in SCENARIOS]:
            finished.result()
    for name, plugin in SCENARIOS.items():
        dist_info = f"{plugin.distribution.replace('-', '_')}-{plugin.version}.dist-info"
        assert (targets[name] / dist_info).is_dir(), sorted(targets[name].iterdir())
    return targets


def _env(paths: Iterable[Path]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in paths)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _floe_gate(
    site: dict[str, Path], scenarios: Iterable[str], *args: str
) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("floe-gate")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "floe_gate.cli"]
    return subprocess.run(
        [*command, "plugins", *args],
        env=_env(site[name] for name in scenarios),
        cwd=site["good"].parent,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def _plugins_json(site: dict[str, Path], *scenarios: str) -> tuple[int, dict[str, dict[str, Any]]]:
    done = _floe_gate(site, scenarios, "--format", "json")
    assert done.stderr == "", done.stderr
    listed = json.loads(done.stdout)["plugins"]
    by_name = {p["name"]: p for p in listed}
    assert len(by_name) == len(listed), f"an engine is listed twice: {listed}"
    return done.returncode, by_name


def _assert_ok(entry: dict[str, Any], plugin: FakePlugin) -> None:
    assert entry == {
        "name": plugin.engine,
        "version": plugin.plugin_version,
        "api_version": plugin.api_version,
        "distribution": plugin.distribution,
        "distribution_version": plugin.version,
        "entry_point": f"{plugin.module}:{plugin.class_name}",
        "status": "ok",
        "reason": None,
    }


# The first-party plugins installed with floe-gate: every scenario lists them too.
FIRST_PARTY = PluginRegistry().names()


def listed(*engines: str) -> list[str]:
    """What ``floe-gate plugins`` lists with these throwaway plugins installed."""
    return sorted({*FIRST_PARTY, *engines})


def _assert_duckdb_ok(entry: dict[str, Any]) -> None:
    from floe_compute_duckdb import __version__

    assert entry["status"] == "ok", entry
    assert entry["distribution"] == "floe-compute-duckdb"
    assert entry["version"] == entry["distribution_version"] == __version__
    assert entry["api_version"] == FLOE_API_VERSION
    assert entry["reason"] is None


def test_third_party_plugin_is_listed_next_to_duckdb(site: dict[str, Path]) -> None:
    code, plugins = _plugins_json(site, "good")

    assert sorted(plugins) == listed("acme")
    _assert_ok(plugins["acme"], ACME)
    _assert_duckdb_ok(plugins["duckdb"])
    assert code == 0


def test_plugin_failing_to_import_is_an_error_and_the_others_still_work(
    site: dict[str, Path],
) -> None:
    code, plugins = _plugins_json(site, "good", "broken")

    assert sorted(plugins) == listed("acme", "teradata")
    broken = plugins["teradata"]
    assert broken["status"] == "error"
    assert broken["distribution"] == "broken-floe-compute"
    assert broken["distribution_version"] == "0.2.0"
    assert "teradata_driver_that_does_not_exist" in broken["reason"]
    assert broken["version"] is None
    _assert_ok(plugins["acme"], ACME)
    _assert_duckdb_ok(plugins["duckdb"])
    assert code == 1


def test_incomplete_plugin_is_an_error_naming_every_missing_method(
    site: dict[str, Path],
) -> None:
    code, plugins = _plugins_json(site, "good", "incomplete")

    incomplete = plugins["halfdone"]
    assert incomplete["status"] == "error"
    assert incomplete["distribution"] == "halfdone-floe-compute"
    reason = incomplete["reason"]
    assert "incomplete" in reason
    for missing in INCOMPLETE.omit:
        assert f"{missing}(" in reason, reason
    for implemented in set(CONTRACT_METHODS) - set(INCOMPLETE.omit):
        assert implemented not in reason, reason
    _assert_ok(plugins["acme"], ACME)
    _assert_duckdb_ok(plugins["duckdb"])
    assert code == 1


def test_plugin_for_a_newer_api_is_incompatible(site: dict[str, Path]) -> None:
    assert FLOE_API_VERSION == "1.0"
    code, plugins = _plugins_json(site, "good", "future")

    future = plugins["future"]
    assert future["status"] == "incompatible"
    assert future["distribution"] == "future-floe-compute"
    assert future["api_version"] == "2.0"
    assert future["version"] == "0.5.0"
    assert "2.0" in future["reason"]
    assert "1.0" in future["reason"]
    _assert_ok(plugins["acme"], ACME)
    _assert_duckdb_ok(plugins["duckdb"])
    assert code == 1


def test_plugin_whose_metadata_property_raises_is_an_error(site: dict[str, Path]) -> None:
    code, plugins = _plugins_json(site, "good", "shaky")

    shaky = plugins["shaky"]
    assert shaky["status"] == "error"
    assert shaky["distribution"] == "shaky-floe-compute"
    assert "PackageNotFoundError" in shaky["reason"]
    assert "shaky-compute" in shaky["reason"]
    _assert_ok(plugins["acme"], ACME)
    _assert_duckdb_ok(plugins["duckdb"])
    assert code == 1


@pytest.mark.parametrize(("twin", "plugin"), [("twin_one", TWIN_ONE), ("twin_two", TWIN_TWO)])
def test_each_twin_alone_is_usable(site: dict[str, Path], twin: str, plugin: FakePlugin) -> None:
    """The conflict test's premise: neither twin is broken by itself."""
    code, plugins = _plugins_json(site, "good", twin)

    _assert_ok(plugins["twin"], plugin)
    assert code == 0


def test_two_distributions_claiming_one_engine_name_conflict(site: dict[str, Path]) -> None:
    code, plugins = _plugins_json(site, "good", "twin_one", "twin_two")

    assert sorted(plugins) == listed("acme", "twin")
    twin = plugins["twin"]
    assert twin["status"] == "conflict"
    assert set(twin["distribution"].split(", ")) == {TWIN_ONE.distribution, TWIN_TWO.distribution}
    assert TWIN_ONE.distribution in twin["reason"]
    assert TWIN_TWO.distribution in twin["reason"]
    assert twin["version"] is None
    _assert_ok(plugins["acme"], ACME)
    _assert_duckdb_ok(plugins["duckdb"])
    assert code == 1


def test_text_format_shows_the_same_information(site: dict[str, Path]) -> None:
    everything = list(SCENARIOS)
    code, plugins = _plugins_json(site, *everything)
    done = _floe_gate(site, everything)

    assert done.stderr == ""
    assert done.returncode == code == 1
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["NAME", "VERSION", "API", "DISTRIBUTION", "STATUS"]
    rows = {line.split()[0]: line.split() for line in lines[1 : 1 + len(plugins)]}
    assert sorted(rows) == sorted(plugins)
    assert sorted(plugins) == listed("acme", "future", "halfdone", "shaky", "teradata", "twin")
    for name, entry in plugins.items():
        row = rows[name]
        assert row[1] == (entry["version"] or "-"), row
        assert row[2] == (entry["api_version"] or "-"), row
        assert row[-1] == entry["status"], row
        for registration in entry["distribution"].split(", "):
            assert registration in row, row
    assert rows["acme"][3:5] == ["acme-floe-compute", "3.1.4"]
    reasons = lines[1 + len(plugins) :]
    assert sorted(reasons) == sorted(
        f"{name}: {entry['reason']}" for name, entry in plugins.items() if entry["reason"]
    )
    assert {line.split(":")[0] for line in reasons} == {
        "future",
        "halfdone",
        "shaky",
        "teradata",
        "twin",
    }


def test_text_format_of_a_healthy_installation(site: dict[str, Path]) -> None:
    done = _floe_gate(site, ["good"])

    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["NAME", "VERSION", "API", "DISTRIBUTION", "STATUS"]
    assert [line.split()[0] for line in lines[1:]] == listed("acme")
    assert lines[1].split() == ["acme", "3.1.4+acme", "1.0", "acme-floe-compute", "3.1.4", "ok"]


LOAD_ALL = """
import importlib.util, json, sys
from floe_gate.registry import PluginRegistry
records = PluginRegistry().records()
print(json.dumps({
    "statuses": {r.name: r.status.value for r in records},
    "driver_importable": importlib.util.find_spec("duckdb") is not None,
    "plugin_module_loaded": "floe_compute_duckdb" in sys.modules,
    "driver_loaded": "duckdb" in sys.modules,
}))
"""


def test_loading_every_plugin_does_not_import_the_duckdb_driver(site: dict[str, Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", LOAD_ALL], env=_env(site.values()), cwd=site["good"].parent,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)

    assert seen["statuses"]["duckdb"] == "ok"
    assert seen["statuses"]["acme"] == "ok"
    assert seen["driver_importable"], "duckdb is not installed: this test would prove nothing"
    assert seen["plugin_module_loaded"]
    assert not seen["driver_loaded"]


def test_unknown_engine_names_the_installed_ones(
    site: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(site["good"]))
    registry = PluginRegistry()
    assert registry.names() == listed("acme")

    with pytest.raises(PluginLoadError) as raised:
        registry.get("nope")

    message = str(raised.value)
    assert "'nope'" in message
    assert f"installed: {', '.join(listed('acme'))}" in message
    assert raised.value.record.status == "error"
    assert "acme_compute" not in sys.modules, "asking for another engine loaded acme"
