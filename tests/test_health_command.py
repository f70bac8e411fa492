"""``floe-gate health``: the bundled example, JSON shape, exit codes and the one retry."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import FLOE_GATE, FakeSparkPlugin, Platform

from floe_gate.commands.health import HealthOptions, run_health
from floe_gate.compute import ConnectionResult, ConnectionStatus
from floe_gate.registry import PluginRegistry, Registration

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ("--repo", str(ROOT), "--manifest", "examples/manifest.yaml")


def floe_gate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FLOE_GATE), "health", *args],
        cwd=cwd,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
        env={**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"},
    )


def targets(run: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    document = json.loads(run.stdout)
    assert list(document) == ["targets"]
    return list(document["targets"])


def test_example_is_healthy_when_its_database_can_be_created(tmp_path: Path) -> None:
    # The example's relative path warehouse/platform.duckdb is read from the current directory.
    (tmp_path / "warehouse").mkdir()
    run = floe_gate(*EXAMPLE, "--format", "json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    target, spark = targets(run)
    assert (spark["target"], spark["status"]) == ("spark", "healthy")  # a session: no server
    assert set(target) >= {"target", "env", "status", "latency_ms", "message", "warnings"}
    assert target["target"] == "duckdb"
    assert target["env"] == "dev"  # the first environment in promotion order
    assert target["status"] == "healthy"
    assert isinstance(target["latency_ms"], float)
    assert target["warnings"] == []
    assert target["attempts"] == 1
    assert "does not exist yet" in str(target["message"])
    assert os.listdir(tmp_path / "warehouse") == []  # nothing was created


def test_missing_database_directory_is_unhealthy_after_one_retry(tmp_path: Path) -> None:
    run = floe_gate(*EXAMPLE, "--format", "json", "--target", "duckdb", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    [target] = targets(run)
    assert target["status"] == "unhealthy"
    assert target["attempts"] == 2
    assert "directory warehouse of warehouse/platform.duckdb does not exist" in str(
        target["message"]
    )
    assert "retried once" in str(target["message"])
    assert os.listdir(tmp_path) == []


def test_text_table_and_environment_settings(tmp_path: Path) -> None:
    run = floe_gate(*EXAMPLE, "--env", "prod", "--target", "duckdb", cwd=tmp_path)
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["TARGET", "ENV", "STATUS", "LATENCY", "MESSAGE"]
    assert lines[1].split()[:3] == ["duckdb", "prod", "unhealthy"]
    assert "/data/prod.duckdb" in lines[1]  # the prod override of the manifest
    assert run.returncode == 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--env", "qa"), "unknown environment 'qa'"),
        (("--target", "trino"), "'trino' not approved"),
    ],
)
def test_bad_usage_exits_2(tmp_path: Path, args: tuple[str, ...], needle: str) -> None:
    run = floe_gate(*EXAMPLE, *args, cwd=tmp_path)
    assert run.returncode == 2
    assert needle in run.stderr


def test_no_manifest_exits_2(platform: Platform) -> None:
    run = platform.cli("health", "--manifest", "nope.yaml")
    assert run.returncode == 2
    assert "no manifest" in run.stderr


DEGRADED_MANIFEST = """\
apiVersion: floe/v1
kind: Manifest
environments:
  dev: {branch: dev}
compute:
  approved: [duckdb]
  default: duckdb
  targets:
    duckdb: {path: ":memory:", extensions: [floe_no_such_extension]}
"""


def test_degraded_exits_0_unless_fail_on_degraded(platform: Platform) -> None:
    platform.write("manifest.yaml", DEGRADED_MANIFEST)
    run = platform.cli("health", "--format", "json")
    assert run.returncode == 0, run.stderr
    [target] = run.json()["targets"]
    assert target["status"] == "degraded"
    assert "floe_no_such_extension" in target["message"]
    assert any("INSTALL floe_no_such_extension" in w for w in target["warnings"])
    assert platform.cli("health", "--fail-on", "degraded").returncode == 1


def test_engine_without_plugin_is_unhealthy(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        DEGRADED_MANIFEST.replace("[duckdb]", "[duckdb, floe_no_such_engine]").replace(
            ", extensions: [floe_no_such_extension]", ""
        ),
    )
    run = platform.cli("health", "--format", "json")
    assert run.returncode == 1, run.stderr
    by_target = {t["target"]: t for t in run.json()["targets"]}
    assert by_target["duckdb"]["status"] == "healthy"
    missing = by_target["floe_no_such_engine"]
    assert missing["status"] == "unhealthy"
    assert "no compute plugin for engine 'floe_no_such_engine' is installed" in missing["message"]


# --- in process: the retry, with a plugin that fails once --------------------------------------


class FlakyPlugin(FakeSparkPlugin):
    """Unhealthy on the first call, healthy afterwards: a connection that recovers."""

    name = "spark"
    calls: ClassVar[int] = 0

    def validate_connection(self, config: object) -> ConnectionResult:  # type: ignore[override]
        type(self).calls += 1
        if type(self).calls == 1:
            return ConnectionResult(
                status=ConnectionStatus.UNHEALTHY, latency_ms=1.0, message="connection reset"
            )
        return ConnectionResult(status=ConnectionStatus.HEALTHY, latency_ms=2.0, message="ok")


def test_a_failed_check_is_retried_once_on_a_fresh_connection(
    platform: Platform, capsys: pytest.CaptureFixture[str]
) -> None:
    platform.write("manifest.yaml", DEGRADED_MANIFEST.replace("[duckdb]", "[duckdb, spark]"))
    platform.add()
    FlakyPlugin.calls = 0
    registry = PluginRegistry(
        [Registration("spark", f"{__name__}:FlakyPlugin", "fake-spark", "0.0.1")]
    )
    options = HealthOptions(platform.root, targets=("spark",), output_format="json")
    assert run_health(options, registry) == 0
    [target] = json.loads(capsys.readouterr().out)["targets"]
    assert FlakyPlugin.calls == 2
    assert target["status"] == "healthy"
    assert target["attempts"] == 2
    assert target["message"] == "ok (retried once on a fresh connection: recovered)"


class HangingPlugin(FakeSparkPlugin):
    """A driver call that never answers in time."""

    name = "spark"

    def validate_connection(self, config: object) -> ConnectionResult:  # type: ignore[override]
        time.sleep(10)
        return ConnectionResult(status=ConnectionStatus.HEALTHY, latency_ms=10000.0)


def test_each_attempt_is_bounded_by_the_timeout(
    platform: Platform, capsys: pytest.CaptureFixture[str]
) -> None:
    platform.write("manifest.yaml", DEGRADED_MANIFEST.replace("[duckdb]", "[duckdb, spark]"))
    platform.add()
    registry = PluginRegistry(
        [Registration("spark", f"{__name__}:HangingPlugin", "fake-spark", "0.0.1")]
    )
    options = HealthOptions(
        platform.root, targets=("spark",), output_format="json", timeout_seconds=0.2
    )
    started = time.perf_counter()
    assert run_health(options, registry) == 1
    assert time.perf_counter() - started < 8  # two bounded attempts, not two 10 s calls
    [target] = json.loads(capsys.readouterr().out)["targets"]
    assert target["status"] == "unhealthy"
    assert target["attempts"] == 2
    assert "no answer within 0.2 s" in target["message"]


# --- --watch: polling reports each change of status ------------------------------------------


class FadingPlugin(FakeSparkPlugin):
    """Healthy for the first two calls, then degraded: a connection that degrades."""

    name = "spark"
    calls: ClassVar[int] = 0

    def validate_connection(self, config: object) -> ConnectionResult:  # type: ignore[override]
        type(self).calls += 1
        if type(self).calls <= 2:
            return ConnectionResult(status=ConnectionStatus.HEALTHY, latency_ms=1.0, message="ok")
        return ConnectionResult(
            status=ConnectionStatus.DEGRADED, latency_ms=3.0, message="catalog unreachable"
        )


def test_watch_reports_each_change_of_status_and_exits_on_the_last(
    platform: Platform, capsys: pytest.CaptureFixture[str]
) -> None:
    platform.write("manifest.yaml", DEGRADED_MANIFEST.replace("[duckdb]", "[duckdb, spark]"))
    platform.add()
    FadingPlugin.calls = 0
    registry = PluginRegistry(
        [Registration("spark", f"{__name__}:FadingPlugin", "fake-spark", "0.0.1")]
    )
    options = HealthOptions(
        platform.root,
        targets=("spark",),
        output_format="json",
        fail_on="degraded",
        watch=True,
        interval_seconds=0.1,
        rounds=4,
    )
    assert run_health(options, registry) == 1  # the last poll is degraded
    assert FadingPlugin.calls == 4  # one check per poll: healthy polls need no retry
    first, *changes = capsys.readouterr().out.strip().split("\n{")
    assert json.loads(first)["targets"][0]["status"] == "healthy"
    assert len(changes) == 1  # healthy, healthy, degraded, degraded: one change
    change = json.loads("{" + changes[0])
    assert (change["previous_status"], change["status"]) == ("healthy", "degraded")
    assert change["message"] == "catalog unreachable"


def test_watch_in_text_prints_one_line_per_change(tmp_path: Path) -> None:
    (tmp_path / "warehouse").mkdir()
    run = floe_gate(*EXAMPLE, "--watch", "--interval", "0.1", "--count", "2", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "healthy" in run.stdout
    assert "→" not in run.stdout  # nothing changed between the two polls
