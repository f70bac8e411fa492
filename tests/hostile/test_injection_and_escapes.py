"""Injection and escapes: hostile input ends in a refusal, never in what it asked for.

The Action's ``plugins`` filter runs through the real ``install`` step script of
``action.yml``; ``python3`` is a stand-in there (the real one would reach PyPI) that
records what pip would have been asked to install.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Platform

ROOT = Path(__file__).resolve().parents[2]

FAKE_PYTHON = """\
#!/bin/sh
# python3 -I -c ...: the version check passes; python3 -I -m venv DIR: a venv whose
# python records its arguments instead of running pip.
if [ "$2" = "-m" ] && [ "$3" = "venv" ]; then
  mkdir -p "$4/bin"
  printf '#!/bin/sh\\nprintf "%%s\\\\n" "$@" > "%s/pip-args"\\n' "$4" > "$4/bin/python"
  chmod +x "$4/bin/python"
fi
exit 0
"""


def install_script() -> str:
    action: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    (step,) = [step for step in action["runs"]["steps"] if step.get("id") == "install"]
    script: str = step["run"]
    return script


def run_install(tmp_path: Path, plugins: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    shims = tmp_path / "shims"
    shims.mkdir()
    python = shims / "python3"
    python.write_text(FAKE_PYTHON, encoding="utf-8")
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    env = {
        "PATH": f"{shims}:{os.environ['PATH']}",
        "FLOE_PLUGINS": plugins,
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_ACTION_PATH": str(ROOT),
        "PYTHONSAFEPATH": "1",
    }
    done = subprocess.run(
        ["bash", "-c", install_script()], env=env, capture_output=True, text=True, check=False
    )
    return done, runner_temp / "floe-gate-venv" / "pip-args"


REFUSED_PLUGINS = [
    "evil @ file:///tmp/evil",
    "evil@file:///tmp/evil",
    "git+file:///tmp/evil",
    "FILE:///tmp/evil",
    "File:/tmp/evil",
    "git+https://example.com/evil.git",
    "./plugin",
    "../plugin",
    "/abs/plugin",
    "~/plugin",
    "plugin",
    "-e .",
    "--index-url https://evil.example/simple",
    "acme==1.0 --index-url https://evil.example/simple",
    "http://example.com/evil.whl",
    "https://user:pw@example.com/evil.whl",
    "acme>=1.0",
    "acme==1.0; os_name=='posix'",
]


@pytest.mark.parametrize("plugins", REFUSED_PLUGINS)
def test_the_action_refuses_plugins_that_are_not_pinned_names_or_https_urls(
    tmp_path: Path, plugins: str
) -> None:
    done, pip_args = run_install(tmp_path, f"acme-floe-compute-trino==1.4.0\n{plugins}\n")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "::error title=floe-gate::plugins: line" in done.stdout
    assert not pip_args.exists()  # refused before any venv or pip
    assert not (tmp_path / "runner" / "floe-gate-venv").exists()


def test_the_action_installs_pinned_names_and_https_urls(tmp_path: Path) -> None:
    accepted = [
        "acme-floe-compute-trino==1.4.0",
        "ACME_Floe[extra]==2.0rc1",
        "https://example.com/wheels/acme-1.0-py3-none-any.whl",
        "acme @ HTTPS://example.com/acme-1.0.tar.gz",
    ]
    done, pip_args = run_install(tmp_path, "\n  # a comment\n" + "\n".join(accepted) + "\n")
    assert done.returncode == 0, done.stdout + done.stderr
    args = pip_args.read_text(encoding="utf-8").splitlines()
    assert args[-len(accepted) - 1 :] == [str(ROOT), *accepted]


# --- control characters in text output (item 4) ---------------------------------------------

HOSTILE_DIRECTORY = "products/a\x1b[2J\n::error file=evil.yaml,line=1::fake\u202e"


def test_a_directory_name_cannot_write_escapes_or_lines_into_the_text_format(
    platform: Platform,
) -> None:
    platform.write(f"{HOSTILE_DIRECTORY}/floe.yaml", "apiVersion: floe/v1\nkind: DataProduct\n")
    done = platform.cli("check", "--format", "text")
    assert done.returncode == 1, done.stdout + done.stderr
    for output in (done.stdout, done.stderr):
        assert "\x1b" not in output
        assert "\u202e" not in output
        assert not any(line.startswith("::") for line in output.splitlines())
    assert "products/a\\x1b[2J\\n::error file=evil.yaml,line=1::fake\\u202e/floe.yaml:1:1" in (
        done.stdout
    )


def test_a_waiver_reason_cannot_write_escapes_into_the_text_format(platform: Platform) -> None:
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace("compute: duckdb", "compute: spark"),
    )
    platform.write(
        "policies/waivers.yaml",
        "apiVersion: floe/v1\nkind: Waivers\nwaivers:\n"
        "  - {rule: FG201, subject: revenue, expires: 2999-12-31,\n"
        '     reason: "J-1\\e[2J\\n::error::x"}\n',
    )
    done = platform.cli("check", "--format", "text")
    assert "\x1b" not in done.stdout + done.stderr, done.stdout
    assert "J-1\\x1b[2J\\n::error::x" in done.stdout, done.stdout


# --- symlinks below --out (item 2) ------------------------------------------------------------


@pytest.mark.parametrize("mode", ["compile", "compile --check"])
@pytest.mark.parametrize("link", ["dev/revenue", "dev/revenue/duckdb/profiles.yml", "dev"])
def test_compile_never_follows_a_symlink_below_out(
    platform: Platform, tmp_path: Path, mode: str, link: str
) -> None:
    out = tmp_path / "artifacts"
    first = platform.cli("compile", "--out", str(out))
    assert first.returncode == 0, first.stdout + first.stderr
    victim = tmp_path / "home" / ".dbt"
    victim.mkdir(parents=True)
    (victim / "profiles.yml").write_text("mine: {}\n", encoding="utf-8")
    target = out / link
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink()
    target.symlink_to(victim / "profiles.yml" if link.endswith(".yml") else victim)
    done = platform.cli(*mode.split(), "--out", str(out))
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{target} is a symbolic link" in done.stderr
    assert (victim / "profiles.yml").read_text(encoding="utf-8") == "mine: {}\n"
    assert sorted(path.name for path in victim.iterdir()) == ["profiles.yml"]


# --- reading through symlinks (item 3) --------------------------------------------------------

SECRET_OUTSIDE = "OUTSIDE_SECRET_9f3a"


@pytest.mark.parametrize(
    "name",
    [
        "products/revenue/floe.yaml",
        "products/revenue/dbt_project.yml",
        "policies/finance/policy.yaml",
        "products/revenue/models/stg_orders.sql",
    ],
)
@pytest.mark.parametrize("where", ["out of", "inside"])
def test_a_symlinked_file_is_not_read_and_is_a_located_problem(
    platform: Platform, tmp_path: Path, name: str, where: str
) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(f"name: {SECRET_OUTSIDE}\nprofile: {SECRET_OUTSIDE}\n", encoding="utf-8")
    inside = platform.root / "copy.txt"
    inside.write_text(platform.read(name), encoding="utf-8")
    (platform.root / name).unlink()
    (platform.root / name).symlink_to(outside if where == "out of" else inside)
    for output_format in ("text", "json", "github", "sarif"):
        done = platform.cli("check", "--format", output_format)
        assert done.returncode == 1, done.stdout + done.stderr
        assert SECRET_OUTSIDE not in done.stdout + done.stderr
    done = platform.cli("check", "--format", "text")
    assert (
        f"{name}:1:1: error FG001 not read: a symbolic link {where} the repository" in done.stdout
    )


def test_a_symlink_to_a_fifo_is_never_opened(platform: Platform, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (platform.root / "products/revenue/floe.yaml").unlink()
    (platform.root / "products/revenue/floe.yaml").symlink_to(fifo)
    done = platform.cli("check")  # a read would block until the 60 s timeout
    assert done.returncode == 1, done.stdout + done.stderr
    assert "products/revenue/floe.yaml:1:1: error FG001 not read" in done.stdout


def test_a_policy_tree_outside_the_repository_is_refused_at_its_key(platform: Platform) -> None:
    platform.write("manifest.yaml", "policies: ../../etc\n" + platform.read("manifest.yaml"))
    done = platform.cli("check")
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "manifest.yaml:1:11: error FG002 policies: the policy tree must be inside the repository"
        in done.stdout
    )


def test_git_objects_skip_a_symlink_as_the_working_tree_does(platform: Platform) -> None:
    from floe_gate.load.git_objects import GitObjects
    from floe_gate.load.sources import WorkingTree

    name = "products/revenue/floe.yaml"
    (platform.root / name).unlink()
    (platform.root / name).symlink_to("/etc/passwd")
    platform.add()
    subprocess.run(["git", "-C", str(platform.root), "commit", "-qm", "x"], check=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})  # fmt: skip
    tree = WorkingTree(platform.root)
    with GitObjects(platform.root) as objects:
        ref = objects.ref("HEAD")
        assert ref.files() == tree.files()
        assert name not in ref.files()
        assert set(ref.skipped()) == set(tree.skipped()) == {name}


# --- Jinja in values (item 1) -----------------------------------------------------------------

TEMPLATE = "s_{{ env_var('HOSTILE_7c1') }}_{{ log('LEAKED_BY_JINJA', info=True) }}"


@pytest.mark.parametrize(
    ("name", "old", "new", "where"),
    [
        ("products/revenue/floe.yaml", "dbt_project: .", f'dbt_project: .\nschema: "{TEMPLATE}"',
         "products/revenue/floe.yaml:6:9"),
        ("manifest.yaml", "path: warehouse/dev.duckdb", f'path: "{TEMPLATE}"',
         "manifest.yaml:11:20"),
        ("manifest.yaml", "threads: 1}", "threads: 1, \"{% if x %}\": 1}", "manifest.yaml:11:87"),
        ("policies/finance/policy.yaml", "default: duckdb",
         "default: duckdb\n  targets:\n    duckdb: {temp_directory: \"{# x #}\"}",
         "policies/finance/policy.yaml:7:30"),
    ],
)  # fmt: skip
def test_a_template_in_a_value_is_a_located_error_and_never_reaches_an_artifact(
    platform: Platform, tmp_path: Path, name: str, old: str, new: str, where: str
) -> None:
    platform.write(name, platform.read(name).replace(old, new))
    for output_format in ("text", "json", "github", "sarif"):
        done = platform.cli("check", "--format", output_format)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "HOSTILE_7c1" not in done.stdout + done.stderr
        assert "LEAKED_BY_JINJA" not in done.stdout + done.stderr
    text = platform.cli("check").stdout
    assert f"{where}: error FG403 " in text, text
    out = tmp_path / "artifacts"
    done = platform.cli("compile", "--out", str(out))
    assert done.returncode == 1, done.stdout + done.stderr
    assert not out.exists()


# --- paths outside the work directory (item 16) ----------------------------------------------


@pytest.mark.parametrize(
    ("setting", "where"),
    [
        ("path: /etc/passwd", "manifest.yaml:11:20"),
        ("path: file:///etc/passwd", "manifest.yaml:11:20"),
        ("path: ../../outside.duckdb", "manifest.yaml:11:20"),
        ("path: x.duckdb, temp_directory: ~/.ssh", "manifest.yaml:11:46"),
        ("path: x.duckdb, attach: [{path: /etc/shadow, alias: a}]", "manifest.yaml:11:46"),
    ],
)
def test_a_duckdb_path_outside_the_work_directory_is_a_located_error(
    platform: Platform, setting: str, where: str
) -> None:
    manifest = platform.read("manifest.yaml")
    platform.write("manifest.yaml", manifest.replace("path: warehouse/dev.duckdb", setting))
    done = platform.cli("check")
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{where}: error FG404 " in done.stdout, done.stdout


@pytest.mark.parametrize(
    ("rule", "setting", "where"),
    [
        ("FG403", "path: \"{{ env_var('HOSTILE_7c1') }}.duckdb\"", "manifest.yaml:11:20"),
        ("FG404", "path: /etc/passwd", "manifest.yaml:11:20"),
    ],
)
def test_a_waiver_of_a_template_or_an_outside_path_waives_nothing(
    platform: Platform, rule: str, setting: str, where: str
) -> None:
    manifest = platform.read("manifest.yaml")
    platform.write("manifest.yaml", manifest.replace("path: warehouse/dev.duckdb", setting))
    platform.write(
        "policies/waivers.yaml",
        "apiVersion: floe/v1\nkind: Waivers\nwaivers:\n"
        f"  - {{rule: {rule}, subject: manifest.yaml, reason: just this once,"
        " expires: 2999-12-31}\n",
    )
    done = platform.cli("check")
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{where}: error {rule} " in done.stdout, done.stdout
    assert f"policies/waivers.yaml:4:12: error FG501 {rule} cannot be waived" in done.stdout
    assert "[waived until" not in done.stdout


def test_shared_storage_and_allowed_paths(platform: Platform) -> None:
    manifest = platform.read("manifest.yaml")
    platform.write("manifest.yaml", manifest + "  shared_storage: /srv/handoff\n")
    assert "manifest.yaml:12:19: error FG404 " in platform.cli("check").stdout
    platform.write(
        "manifest.yaml",
        manifest.replace("path: warehouse/dev.duckdb", "path: /srv/db/x.duckdb")
        + "  shared_storage: s3://bucket/handoff\n  allowed_paths: [/srv/db]\n",
    )
    done = platform.cli("check")
    assert done.returncode == 0, done.stdout + done.stderr


# --- names git or a file system would take differently (item 5) ------------------------------


@pytest.mark.parametrize("branch", ["dev\\n", "a/.b", "a.", "HEAD", "x.lock", "-x", "a..b"])
def test_a_branch_name_git_refuses_is_refused_at_its_key(platform: Platform, branch: str) -> None:
    manifest = platform.read("manifest.yaml")
    platform.write(
        "manifest.yaml", manifest.replace("dev: {branch: dev}", f'dev: {{branch: "{branch}"}}')
    )
    problems = platform.problems()
    assert [(p.file, p.line, p.rule) for p in problems] == [("manifest.yaml", 4, "FG002")]


def test_a_product_name_with_a_trailing_newline_is_refused(
    platform: Platform, tmp_path: Path
) -> None:
    product = platform.read("products/revenue/floe.yaml")
    platform.write(
        "products/revenue/floe.yaml", product.replace("name: revenue", 'name: "revenue\\n"')
    )
    done = platform.cli("check")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "products/revenue/floe.yaml:3:7: error FG002 " in done.stdout, done.stdout
    done = platform.cli("compile", "--out", str(tmp_path / "out"))
    assert done.returncode == 1
    assert not (tmp_path / "out").exists()


def test_an_environment_name_with_a_trailing_newline_makes_no_directory(
    platform: Platform, tmp_path: Path
) -> None:
    manifest = platform.read("manifest.yaml")
    platform.write(
        "manifest.yaml", manifest.replace("  dev: {branch: dev}", '  "dev\\n": {branch: dev}')
    )
    out = tmp_path / "out"
    done = platform.cli("compile", "--out", str(out))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "environment name 'dev\\n' cannot be an artifact directory" in done.stderr
    assert not out.exists()
