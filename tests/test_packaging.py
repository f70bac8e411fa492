"""What pre-commit and the Action do: `pip install .` into a fresh environment.

Also: each plugin directory builds and installs as its own distribution.
"""

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
PLUGINS = sorted(p for p in (REPO / "plugins").iterdir() if (p / "pyproject.toml").exists())


def pip(python: Path, *args: str) -> None:
    subprocess.run(
        [str(python), "-m", "pip", "--quiet", "--quiet", "--disable-pip-version-check", *args],
        check=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def hook_environment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with `pip install <repo>`, as a hook would have."""
    where = tmp_path_factory.mktemp("hook-venv")
    venv.create(where, with_pip=True)
    python = where / "bin" / "python"
    # No wheel cache: pip keeps the wheels it built from the plugins' `file:` URLs, and a
    # cached one would hide a change to a plugin.
    pip(python, "install", "--no-cache-dir", str(REPO))
    return python


def test_root_install_registers_every_first_party_plugin(hook_environment: Path) -> None:
    bin_dir = hook_environment.parent
    listing = subprocess.run(
        [str(bin_dir / "floe-gate"), "plugins", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert listing.returncode == 0, listing.stderr
    plugins = {p["name"]: p for p in json.loads(listing.stdout)["plugins"]}
    expected = {path.name.removeprefix("floe-compute-") for path in PLUGINS}
    assert set(plugins) == expected
    for path in PLUGINS:
        record = plugins[path.name.removeprefix("floe-compute-")]
        assert record["status"] == "ok"
        assert record["distribution"] == path.name


def test_hook_install_is_light(hook_environment: Path) -> None:
    listed = subprocess.run(
        [str(hook_environment), "-m", "pip", "list", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    names = {p["name"].lower() for p in json.loads(listed.stdout)} - {"pip", "setuptools"}
    # Every first-party plugin (a few kB, no dependencies of its own) and no engine.
    plugins = {n for n in names if n.startswith("floe-compute-")}
    assert plugins == {f"floe-compute-{p.name.removeprefix('floe-compute-')}" for p in PLUGINS}
    assert len(names - plugins) < 11, sorted(names)
    assert not {n for n in names if n.startswith(("dbt", "duckdb", "opentelemetry-sdk"))}
    drivers = ("snowflake", "google-cloud", "pyspark", "pyhive", "databricks")
    assert not {n for n in names if n.startswith(drivers)}


@pytest.mark.parametrize("plugin_dir", PLUGINS, ids=lambda p: p.name)
def test_each_plugin_builds_as_its_own_distribution(plugin_dir: Path, tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path),
            str(plugin_dir),
        ],
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        entry_text = archive.read(entry_points).decode()
        requires = [
            Requirement(line.split(":", 1)[1].strip())
            for line in archive.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist:")
        ]
    engine = plugin_dir.name.removeprefix("floe-compute-")
    assert "[floe.computes]" in entry_text
    assert f"{engine} = " in entry_text
    assert any(r.name == "floe-gate" and not r.marker for r in requires)
    assert not any(name.startswith("floe_gate/") for name in names), "no copy of the gate"


def test_plugin_installs_next_to_an_installed_gate(hook_environment: Path) -> None:
    """Re-installing a plugin from its own directory keeps one registration."""
    pip(hook_environment, "install", "--no-deps", "--force-reinstall", str(PLUGINS[0]))
    listing = subprocess.run(
        [str(hook_environment.parent / "floe-gate"), "plugins", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert listing.returncode == 0, listing.stdout
    statuses = [p["status"] for p in json.loads(listing.stdout)["plugins"]]
    assert statuses == ["ok"] * len(PLUGINS)


PLUGIN_MODULES = sorted(p.name.replace("-", "_") for p in PLUGINS)
IMPORTS = "".join(f"import {module}\n" for module in PLUGIN_MODULES)
A_PLUGIN_AUTHORS_MODULE = f"""\
from floe_gate.compute import ComputeConfig, ComputePlugin
{IMPORTS}

class PostgresConfig(ComputeConfig):
    host: str


def first_party() -> list[type[ComputePlugin[ComputeConfig]]]:
    return []
"""


def test_a_plugin_author_type_checks_against_the_installed_gate(
    hook_environment: Path, tmp_path: Path
) -> None:
    """`mypy --strict` on a plugin finds floe_gate's and every plugin's types (py.typed)."""
    site_packages = Path(
        subprocess.run(
            [str(hook_environment), "-c", "import floe_gate; print(floe_gate.__path__[0])"],
            capture_output=True,
            text=True,
            cwd=tmp_path,  # not the checkout: the installed package
            check=True,
        ).stdout.strip()
    ).parent
    for package in ("floe_gate", *PLUGIN_MODULES):
        assert (site_packages / package / "py.typed").is_file(), package
    module = tmp_path / "floe_compute_postgres.py"
    module.write_text(A_PLUGIN_AUTHORS_MODULE, encoding="utf-8")
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--python-executable",
            str(hook_environment),
            str(module),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
