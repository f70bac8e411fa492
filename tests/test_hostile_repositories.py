"""Hostile repositories: whatever a configuration file holds, the gate ends with located problems.

A property test mutates the YAML of a small valid platform — wrong types, deep nesting,
huge scalars, anchors and aliases (an alias bomb too), binary garbage, bytes that are not
UTF-8, random deletions and insertions — and judges it in-process. Every case ends with
problems located at ``line >= 1, col >= 1`` (exit 0 or 1); only a manifest that cannot
be used at all stops the run, and then with its own located problems. Never a traceback.
A few cases go through the console script too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DEFAULT_FILES, Platform
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from floe_gate.gate import judge
from floe_gate.load.repository import ManifestUnusable
from floe_gate.load.sources import WorkingTree
from floe_gate.problems import Problem, Severity
from floe_gate.registry import PluginRegistry

FILES: dict[str, str] = {
    **DEFAULT_FILES,
    "manifest.yaml": DEFAULT_FILES["manifest.yaml"]
    + """\
  environments:
    prod:
      duckdb:
        memory_limit: 2GB
        secrets: [{type: s3, key_id: {env: S3_KEY_ID}, region: eu-west-1}]
        attach: [{path: "s3://lake/db.duckdb", alias: lake, options: {token: {env: T}}}]
""",
    "policies/finance/risk/policy.yaml": (
        "apiVersion: floe/v1\nkind: Policy\ncompute:\n  targets:\n    duckdb: {threads: 1}\n"
    ),
    "policies/waivers.yaml": (
        "apiVersion: floe/v1\nkind: Waivers\nwaivers:\n"
        "  - {rule: FG201, subject: revenue, reason: JIRA-1, expires: 2999-12-31}\n"
    ),
    "products/revenue/floe.yaml": DEFAULT_FILES["products/revenue/floe.yaml"]
    + "    timeout_seconds: 600\n    resources: {cpu_limit: '2', memory_request: 1Gi}\n",
    "products/risk/floe.yaml": (
        "apiVersion: floe/v1\nkind: DataProduct\nname: risk\ndomain: finance/risk\n"
        "dbt_project: ../revenue\ntransforms:\n  - {name: stg_orders, workload: medium}\n"
    ),
}
YAML_FILES = sorted(name for name in FILES if name.endswith((".yaml", ".yml")))
ALIAS_BOMB = "".join(
    f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
    for name, previous in zip("bcdefgh", "abcdefg", strict=True)
)
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + ALIAS_BOMB
TOKENS = [
    ":", "- ", "[", "]", "{", "}", "&x ", "*x", "! ", "!!int ", "!!binary ", "!!timestamp ",
    "!!python/object:os.system ", "!!set ", "%YAML 1.1\n", "---\n", "...\n", "\t", "\x00",
    "\x85", "\ufeff", "<<: ", "? ", "'", '"', "|", ">", "#", "\n", "  ", "~", "0x", "1e999",
    "-.inf", ".nan",
]  # fmt: skip
REGISTRY = PluginRegistry()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Platform:
    platform = Platform(tmp_path_factory.mktemp("hostile") / "repo", FILES)
    platform.add()
    return platform


def gate(platform: Platform, mutated: str) -> tuple[list[Problem], int]:
    """The problems and exit code of ``check``, judged in-process."""
    stopped_by: str | None = None
    try:
        problems = judge(WorkingTree(platform.root), registry=REGISTRY).problems
    except ManifestUnusable as unusable:
        problems = unusable.problems
        stopped_by = mutated
    assert stopped_by in {None, "manifest.yaml"}, "only the manifest can stop the run"
    if stopped_by:
        assert problems, "an unusable manifest says where"
    fails = any(problem.severity is Severity.ERROR for problem in problems)
    return problems, 1 if fails else 0


def assert_located(problems: list[Problem], files: set[str]) -> None:
    for problem in problems:
        assert problem.line >= 1, problem
        assert problem.column >= 1, problem
        assert problem.file in files, problem
        assert re.fullmatch(r"FG\d{3}", problem.rule), problem
        assert isinstance(problem.severity, Severity), problem
        assert problem.message, problem
        problem.as_text()
        problem.as_json()


def test_the_platform_mutated_below_is_valid(hostile: Platform) -> None:
    problems, code = gate(hostile, "")
    assert code == 0
    assert [(p.rule, p.severity) for p in problems] == [("FG501", Severity.NOTE)]  # unused waiver


# --- mutations --------------------------------------------------------------------------------

Draw = Callable[[st.SearchStrategy[Any]], Any]

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["duckdb", "spark", "finance", "../..", "/", "medium", "4GB", "FG201", ""]),
    st.dates(),
    st.binary(max_size=10),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=10), st.integers(), st.none()), children,
                        max_size=4),
    ),
    max_leaves=12,
)  # fmt: skip


def paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*path, index))


def replaced(data: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    data[path[0]] = replaced(data[path[0]], path[1:], new)
    return data


def at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def dumped(data: Any) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6).encode()


def wrong_types(draw: Draw, text: str) -> bytes:
    data = yaml.safe_load(text)
    for _ in range(draw(st.integers(1, 3))):
        data = replaced(data, draw(st.sampled_from(list(paths(data)))), draw(VALUES))
    return dumped(data)


def deep_nesting(draw: Draw, text: str) -> bytes:
    data = yaml.safe_load(text)
    value: Any = draw(SCALARS)
    for _ in range(draw(st.integers(1, 150))):
        value = [value] if draw(st.booleans()) else {"k": value}
    return dumped(replaced(data, draw(st.sampled_from(list(paths(data)))), value))


def huge_scalar(draw: Draw, text: str) -> bytes:
    lines = text.splitlines(keepends=True)
    index = draw(st.integers(0, len(lines) - 1))
    key, colon, _ = lines[index].partition(": ")
    size = draw(st.sampled_from([5000, 100_000, 400_000]))
    scalar = draw(
        st.sampled_from(["x" * size, "9" * size, "'" + "é" * size + "'", "1e" + "9" * 50])
    )
    lines[index] = f"{key}{colon or ': '}{scalar}\n"
    return "".join(lines).encode()


def shared_by_aliases(draw: Draw, text: str) -> bytes:
    # One object in two places: the dumper writes an anchor and an alias.
    data = yaml.safe_load(text)
    candidates = list(paths(data))
    source = at(data, draw(st.sampled_from(candidates)))
    shared = source if isinstance(source, dict | list) else {"value": source}
    return dumped(replaced(data, draw(st.sampled_from(candidates)), shared))


def alias_bomb(draw: Draw, text: str) -> bytes:
    return (ALIAS_BOMB + text if draw(st.booleans()) else text + ALIAS_BOMB).encode()


def binary_garbage(draw: Draw, text: str) -> bytes:
    garbage: bytes = draw(st.binary(min_size=1, max_size=300))
    return garbage if draw(st.booleans()) else text.encode() + garbage


def not_utf8(draw: Draw, text: str) -> bytes:
    encoded = text.encode()
    offset = draw(st.integers(0, len(encoded)))
    bad: bytes = draw(st.sampled_from([b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\x80abc"]))
    choice = draw(st.integers(0, 2))
    if choice == 0:
        return encoded[:offset] + bad + encoded[offset:]
    return text.encode("utf-16" if choice == 1 else "utf-32")


def deletion(draw: Draw, text: str) -> bytes:
    encoded = text.encode()
    start = draw(st.integers(0, len(encoded) - 1))
    end = draw(st.integers(start + 1, min(len(encoded), start + 60)))
    return encoded[:start] + encoded[end:]


def insertion(draw: Draw, text: str) -> bytes:
    for _ in range(draw(st.integers(1, 4))):
        offset = draw(st.integers(0, len(text)))
        text = text[:offset] + draw(st.sampled_from(TOKENS)) + text[offset:]
    return text.encode("utf-8", "surrogatepass")


MUTATIONS = [
    wrong_types, deep_nesting, huge_scalar, shared_by_aliases, alias_bomb, binary_garbage,
    not_utf8, deletion, insertion,
]  # fmt: skip


@st.composite
def mutations(draw: Draw) -> tuple[str, str, bytes]:
    file = draw(st.sampled_from(YAML_FILES))
    mutation = draw(st.sampled_from(MUTATIONS))
    return file, mutation.__name__, mutation(draw, FILES[file])


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=mutations())
def test_every_mutation_ends_with_located_problems(
    hostile: Platform, case: tuple[str, str, bytes]
) -> None:
    file, mutation, content = case
    path = hostile.root / file
    path.write_bytes(content)
    try:
        problems, code = gate(hostile, file)
    finally:
        path.write_text(FILES[file], encoding="utf-8")
    assert code in {0, 1}
    assert_located(problems, set(FILES))
    event(f"{mutation}: exit {code}")


# --- through the console script ---------------------------------------------------------------

CLI_CASES = {
    "alias bomb in the manifest": ("manifest.yaml", (ALIAS_BOMB + FILES["manifest.yaml"]).encode()),
    "binary garbage as a data product": ("products/revenue/floe.yaml", bytes(range(256))),
    "a policy in Latin-1": (
        "policies/finance/policy.yaml",
        ("# Politique de finance, révisée\n" + FILES["policies/finance/policy.yaml"]).encode(
            "latin-1"
        ),
    ),
    "deep nesting in the waivers": ("policies/waivers.yaml", b"w: " + b"[" * 500 + b"]" * 500),
    "an empty manifest": ("manifest.yaml", b""),
    "a manifest that is a list": ("manifest.yaml", b"- apiVersion: floe/v1\n- kind: Manifest\n"),
    "a huge integer in a dbt project": (
        "products/revenue/dbt_project.yml", b"name: revenue\nprofile: x\nversion: " + b"9" * 6000
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_the_console_script_reports_hostile_files_located(platform: Platform, case: str) -> None:
    for name, text in FILES.items():
        platform.write(name, text)
    file, content = CLI_CASES[case]
    platform.write(file, content)
    result = platform.cli("check", "--format", "json")
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    problems = result.json()["problems"]
    assert any(problem["file"] == file for problem in problems)
    for problem in problems:
        assert problem["line"] >= 1
        assert problem["column"] >= 1
        assert problem["file"] in FILES


def test_a_missing_manifest_is_the_only_exit_2(platform: Platform, tmp_path: Path) -> None:
    platform.remove("manifest.yaml")
    result = platform.cli("check")
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
