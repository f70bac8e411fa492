"""A bounded fuzzing harness: seeded random mutations of the example platform's YAML.

Each run mutates one YAML file of a copy of ``examples/`` (and its policy tree) — wrong
types, odd keys, deleted, repeated and swapped lines, broken indentation, stray YAML
syntax, flipped bytes, truncation — and runs ``check`` in-process through click's
``CliRunner``. Every run must end with exit 0, 1 or 2 and no traceback: on exit 1 each
problem is one line located at ``file:line:col`` of a file of the repository, on exit 2
the reason is one ``error:`` line. The seeds are fixed, so a failure names its seed and
can be replayed; the number of runs keeps the whole harness within about 20 seconds.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from floe_gate.cli import cli

ROOT = Path(__file__).resolve().parents[2]
RUNS = 200
MANIFEST = "examples/manifest.yaml"
PROBLEM = re.compile(
    r"(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (error|warning|note) FG\d{3} \S.*"
)
SUMMARY = re.compile(r"\d+ error\(s\), \d+ warning\(s\), \d+ note\(s\)")

VALUES = [
    "true", "'30'", "10.0", "~", ".nan", "-.inf", "1e999", "!!binary aGVsbG8=", "2024-01-01",
    "[duckdb, duckdb]", "{}", "[]", "-1", "0", "99999999999999999999999", "x" * 5000,
    "{env: X}", "&a [1, 2]", "*a", "!!int abc", "!!python/object:os.system ls", "'\\x00'",
    "\"\\e[2J::error::x\"", "yes", "0x1F", "{a: {b: {c: {d: [1, [2, [3]]]}}}}",
]  # fmt: skip
KEYS = ["~", ".nan", "1", "yes", "2024-01-01", "!!binary aGk=", "<<", "? [a]", "k" * 2000, "name"]
SYNTAX = [":", "- ", "[", "]", "{", "}", "&x ", "*x", "! ", "%YAML 1.1\n", "---\n", "\t", "\x00",
          "\x85", "\ufeff", "'", '"', "|", ">", "#", "\n", "  ", "<<: *x\n"]  # fmt: skip


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) or [""]


def replace_value(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    head, colon, _ = lines[index].partition(": ")
    lines[index] = f"{head}{colon or ': '}{rng.choice(VALUES)}\n"
    return "".join(lines)


def replace_key(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    line = lines[index]
    indent = line[: len(line) - len(line.lstrip(" -"))]
    _, colon, rest = line.partition(":")
    value = rest if colon else " x\n"
    lines[index] = f"{indent}{rng.choice(KEYS)}:{value}"
    return "".join(lines)


def delete_line(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    del lines[rng.randrange(len(lines))]
    return "".join(lines)


def repeat_line(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    lines.insert(index, lines[index])
    return "".join(lines)


def swap_lines(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    first, second = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[first], lines[second] = lines[second], lines[first]
    return "".join(lines)


def reindent(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    lines[index] = " " * rng.choice([0, 1, 3, 8]) + lines[index].lstrip(" ")
    return "".join(lines)


def insert_syntax(rng: random.Random, text: str) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + rng.choice(SYNTAX) + text[at:]


def truncate(rng: random.Random, text: str) -> str:
    return text[: rng.randrange(len(text) + 1)]


MUTATIONS: list[Callable[[random.Random, str], str]] = [
    replace_value, replace_key, delete_line, repeat_line, swap_lines, reindent, insert_syntax,
    truncate,
]  # fmt: skip


def flip_bytes(rng: random.Random, content: bytes) -> bytes:
    mutated = bytearray(content)
    for _ in range(rng.randint(1, 4)):
        if mutated:
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
    return bytes(mutated)


def mutate(rng: random.Random, content: bytes) -> bytes:
    """One to three mutations of ``content``; now and then raw bytes instead of text."""
    if rng.random() < 0.1:
        return flip_bytes(rng, content)
    text = content.decode("utf-8")
    for _ in range(rng.randint(1, 3)):
        text = rng.choice(MUTATIONS)(rng, text)
    return text.encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example platform (``examples/`` and ``policies/``) in a git repository."""
    root = tmp_path_factory.mktemp("fuzz") / "platform"
    shutil.copytree(ROOT / "examples", root / "examples")
    shutil.copytree(ROOT / "policies", root / "policies")
    subprocess.run(["git", "init", "--quiet", str(root)], check=True)
    return root


def yaml_files(root: Path) -> list[str]:
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.suffix in (".yaml", ".yml") and ".git" not in path.parts
    )


def judge(root: Path) -> tuple[int, str, str, BaseException | None]:
    result = CliRunner().invoke(
        cli, ["check", "--repo", str(root), "--manifest", MANIFEST, "--format", "text"]
    )
    return result.exit_code, result.stdout, result.stderr, result.exception


def assert_well_ended(root: Path, code: int, out: str, err: str) -> None:
    assert "Traceback" not in out + err
    assert code in (0, 1, 2)
    lines = out.splitlines()
    if code == 2:
        assert err.startswith("error: "), err
        return
    assert lines, err
    assert SUMMARY.fullmatch(lines[-1]), lines[-1]
    for line in lines[:-1]:
        located = PROBLEM.fullmatch(line)
        assert located, line
        assert int(located["line"]) >= 1
        assert int(located["col"]) >= 1
        assert (root / located["file"]).exists(), line


def test_the_example_platform_is_clean(example: Path) -> None:
    code, out, err, exception = judge(example)
    assert exception is None
    assert code == 0, out + err


def test_every_mutation_ends_in_a_located_verdict(example: Path) -> None:
    files = yaml_files(example)
    originals = {name: (example / name).read_bytes() for name in files}
    codes: set[int] = set()
    for seed in range(RUNS):
        rng = random.Random(seed)
        name = rng.choice(files)
        mutated = mutate(rng, originals[name])
        (example / name).write_bytes(mutated)
        try:
            code, out, err, exception = judge(example)
            context = f"seed {seed}: {name} mutated to {mutated[:300]!r}\n{out}{err}"
            assert exception is None or isinstance(exception, SystemExit), (
                f"{context}\n{exception!r}"
            )
            try:
                assert_well_ended(example, code, out, err)
            except AssertionError as error:
                raise AssertionError(f"{context}\n{error}") from None
            codes.add(code)
        finally:
            (example / name).write_bytes(originals[name])
    assert 1 in codes  # the mutations do find problems
