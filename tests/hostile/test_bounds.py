"""Bounds: huge files, long strings, loose types and odd keys end in located problems.

Every case is a real repository in ``tmp_path`` judged by the real console script:
exit 1 with ``file:line:col``, one line per problem, never a traceback, and within
bounded time and memory (a 50 MB file is refused by its size, never read).
"""

from __future__ import annotations

import re
import resource
import subprocess
import time
from pathlib import Path

import pytest
from conftest import FLOE_GATE, CliResult, Platform, only, where, without_correlation_ids

from floe_gate.cli import main
from floe_gate.load import repository
from floe_gate.load.git_objects import GitObjects
from floe_gate.load.repository import load_repository
from floe_gate.load.sources import WorkingTree
from floe_gate.load.yaml_document import MAX_NODES

PRODUCT = "products/revenue/floe.yaml"
PROBLEM_LINE = re.compile(r"[^\s:]+:\d+:\d+: (error|warning|note) FG\d{3} \S.*")
FIFTY_MB = 50 * 1024 * 1024


def problem_lines(done: CliResult) -> list[str]:
    """The problem lines of a text report, each shown to be one line of its own."""
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    lines = done.stdout.splitlines()
    assert lines
    assert re.fullmatch(r"\d+ error\(s\), \d+ warning\(s\), \d+ note\(s\)", lines[-1])
    for line in lines[:-1]:
        assert PROBLEM_LINE.fullmatch(line), line
    return lines[:-1]


def check(platform: Platform) -> list[str]:
    done = platform.cli("check", "--format", "text")
    assert done.returncode == 1, done.stdout + done.stderr
    return problem_lines(done)


def huge_product(platform: Platform, size: int = FIFTY_MB) -> Path:
    head = b"apiVersion: floe/v1\nkind: DataProduct\nname: revenue\ndomain: finance\n# "
    path = platform.root / PRODUCT
    with path.open("wb") as file:
        file.write(head)
        file.truncate(size)  # a sparse file: NUL bytes after the comment, never parsed
    return path


# --- item 10: huge YAML -------------------------------------------------------------------------


def test_a_50_mb_floe_yaml_is_refused_by_its_size_at_once(platform: Platform) -> None:
    huge_product(platform)
    lines = check(platform)
    assert lines == [
        f"{PRODUCT}:1:1: error FG001 file of 52,428,800 bytes is over the limit of "
        "1,048,576 bytes (the manifest's max_file_bytes)"
    ]


def test_a_50_mb_file_of_values_is_refused_in_bounded_memory(platform: Platform) -> None:
    """The issue's case: 50 MB of values once took 102 s and 7.4 GB, then a MemoryError."""
    with (platform.root / PRODUCT).open("wb") as file:
        file.write(b"apiVersion: floe/v1\nkind: DataProduct\nname: revenue\nx: [")
        file.write(b"0," * (FIFTY_MB // 2) + b"]\n")
    platform.add()

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1024 * 1024 * 1024,) * 2)

    started = time.perf_counter()
    done = subprocess.run(
        [str(FLOE_GATE), "check"], cwd=platform.root, capture_output=True, text=True,
        preexec_fn=limit_memory, timeout=60, check=False,
    )  # fmt: skip
    assert time.perf_counter() - started < 10
    assert done.returncode == 1, done.stdout + done.stderr
    assert problem_lines(CliResult(done.returncode, done.stdout, done.stderr)) == [
        f"{PRODUCT}:1:1: error FG001 file of 52,428,858 bytes is over the limit of "
        "1,048,576 bytes (the manifest's max_file_bytes)"
    ]


def test_a_huge_file_is_never_read(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    huge_product(platform)
    read: list[str] = []
    original = WorkingTree.read

    def recording(self: WorkingTree, path: str) -> bytes:
        read.append(path)
        return original(self, path)

    monkeypatch.setattr(WorkingTree, "read", recording)
    platform.add()
    started = time.perf_counter()
    problem = only(platform.problems(), "FG001")
    assert time.perf_counter() - started < 1.0
    assert where(problem) == f"{PRODUCT}:1:1"
    assert "manifest.yaml" in read  # the others were read,
    assert PRODUCT not in read  # the huge one never


def test_a_huge_file_on_a_git_ref_is_refused_without_reading_its_blob(platform: Platform) -> None:
    huge_product(platform)
    platform.add()
    subprocess.run(
        ["git", "-C", str(platform.root), "-c", "user.name=t", "-c", "user.email=t@t",
         "commit", "--quiet", "-m", "huge"],
        check=True,
    )  # fmt: skip
    with GitObjects(platform.root) as objects:
        ref = objects.ref("main")
        started = time.perf_counter()
        repository = load_repository(ref)
        assert time.perf_counter() - started < 1.0
        assert [where(p) for p in repository.problems if p.rule == "FG001"] == [f"{PRODUCT}:1:1"]
        assert all(len(blob) < 1024 * 1024 for blob in objects._blobs.values())


def test_the_limit_is_the_manifests_max_file_bytes(platform: Platform) -> None:
    platform.write("manifest.yaml", platform.read("manifest.yaml") + "max_file_bytes: 2048\n")
    platform.write(PRODUCT, platform.read(PRODUCT) + "#" * 3000 + "\n")
    assert check(platform) == [
        f"{PRODUCT}:1:1: error FG001 file of 3,180 bytes is over the limit of 2,048 bytes "
        "(the manifest's max_file_bytes)"
    ]
    # The same file fits a larger bound.
    platform.write("manifest.yaml", platform.read("manifest.yaml").replace("2048", "4096"))
    done = platform.cli("check", "--format", "text")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("value", ["100", "1073741824", "true", "'2048'"])
def test_max_file_bytes_is_bounded_and_strictly_an_integer(platform: Platform, value: str) -> None:
    platform.write("manifest.yaml", platform.read("manifest.yaml") + f"max_file_bytes: {value}\n")
    (line,) = check(platform)  # an unusable manifest: its own problems, exit 1
    assert line.startswith("manifest.yaml:12:17: error FG002 max_file_bytes: "), line


def test_a_large_dbt_properties_file_is_a_problem_not_silently_skipped(platform: Platform) -> None:
    platform.write(
        "products/revenue/models/schema.yml",
        "version: 2\nmodels:\n  - name: stg_orders\n" + "#" * (1024 * 1024) + "\n",
    )
    assert check(platform) == [
        "products/revenue/models/schema.yml:1:1: error FG001 file of 1,048,617 bytes is over "
        "the limit of 1,048,576 bytes (the manifest's max_file_bytes)"
    ]


def test_a_50_mb_model_is_refused_by_its_size_unread(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model once took 1-4 s and 130 MB to scan at 50 MB; the bound is fixed at 16 MiB."""
    model = platform.root / "products/revenue/models/huge.sql"
    with model.open("wb") as file:
        file.write(b"{{ config(enabled=false) }}\nselect 1 as id\n-- ")
        file.truncate(FIFTY_MB)
    started = time.perf_counter()
    assert check(platform) == [
        "products/revenue/models/huge.sql:1:1: error FG001 file of 52,428,800 bytes is over "
        "the limit of 16,777,216 bytes for a dbt model, macro or snapshot: not read, so its "
        "config is not judged"
    ]
    assert time.perf_counter() - started < 10
    read: list[str] = []
    original = WorkingTree.read

    def recording(self: WorkingTree, path: str) -> bytes:
        read.append(path)
        return original(self, path)

    monkeypatch.setattr(WorkingTree, "read", recording)
    load_repository(WorkingTree(platform.root))
    assert "products/revenue/models/stg_orders.sql" in read  # the others were read,
    assert "products/revenue/models/huge.sql" not in read  # the huge one never


def test_a_model_at_the_bound_is_read_one_byte_over_is_not(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = b"{{ config(enabled=false) }} select 1 as id\n"
    platform.write("products/revenue/models/at_bound.sql", text)
    platform.write("products/revenue/models/over_bound.sql", text + b" ")
    platform.add()
    monkeypatch.setattr(repository, "MAX_MODEL_BYTES", len(text))
    loaded = load_repository(WorkingTree(platform.root))
    [node] = loaded.products
    assert node.dbt is not None
    enabled = {m.name: m.is_enabled for m in node.dbt.scan.models}
    assert enabled["at_bound"] is False  # its config was read
    assert enabled["over_bound"] is True  # not read: its config is unknown,
    assert [(where(p), p.rule) for p in loaded.problems] == [
        ("products/revenue/models/over_bound.sql:1:1", "FG001")  # and that is an error
    ]


def test_a_dbt_manifest_over_256_mib_cannot_be_judged_unread(
    platform: Platform, tmp_path: Path
) -> None:
    huge = tmp_path / "manifest.json"
    with huge.open("wb") as file:
        file.write(b'{"nodes": {}, ')
        file.truncate(300 * 1024 * 1024)  # sparse: never read
    started = time.perf_counter()
    done = platform.cli("check", "--dbt-manifest", str(huge))
    assert time.perf_counter() - started < 10
    assert done.returncode == 2, done.stdout + done.stderr
    assert without_correlation_ids(done.stderr).strip() == (
        f"error: --dbt-manifest {huge}: file of 314,572,800 bytes is over the limit of "
        "268,435,456 bytes for a dbt manifest"
    )


def test_too_many_values_without_aliases_says_so(platform: Platform) -> None:
    platform.write(PRODUCT, "[" + ",".join(["0"] * (MAX_NODES + 10)) + "]\n")
    started = time.perf_counter()
    lines = check(platform)
    assert time.perf_counter() - started < 10
    # The sequence is value 1, item i value i + 2: the first past the bound is item 199,999.
    column = 2 + 2 * (MAX_NODES - 1)
    assert lines == [f"{PRODUCT}:1:{column}: error FG001 too many values (more than {MAX_NODES})"]
    assert "alias" not in lines[0]


# --- item 12: long strings ----------------------------------------------------------------------


def test_a_100000_character_product_name_fails_check_at_the_name(
    platform: Platform, tmp_path: Path
) -> None:
    platform.write(
        PRODUCT, platform.read(PRODUCT).replace("name: revenue", "name: " + "r" * 100_000)
    )
    assert check(platform) == [
        f"{PRODUCT}:3:7: error FG002 name: String should have at most 128 characters"
    ]
    out = tmp_path / "out"
    done = platform.cli("compile", "--out", str(out))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_a_huge_schema_fails_check_and_compile_writes_nothing(
    platform: Platform, tmp_path: Path
) -> None:
    platform.write(PRODUCT, platform.read(PRODUCT) + "schema: " + "s" * 1_000_000 + "\n")
    assert check(platform) == [
        f"{PRODUCT}:11:9: error FG002 schema: String should have at most 4096 characters"
    ]
    out = tmp_path / "out"
    done = platform.cli("compile", "--out", str(out))
    assert done.returncode == 1, done.stdout + done.stderr
    assert not out.exists()


def test_a_long_transform_name_is_located(platform: Platform) -> None:
    platform.write(
        PRODUCT, platform.read(PRODUCT).replace("- name: stg_orders", "- name: " + "t" * 129)
    )
    assert (
        f"{PRODUCT}:7:11: error FG002 transforms.0.name: String should have at most 128 characters"
    ) in check(platform)


def test_a_long_engine_setting_is_located_at_its_value(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        platform.read("manifest.yaml").replace("warehouse/dev.duckdb", "w" * 5000),
    )
    assert (
        "manifest.yaml:11:20: error FG203 duckdb settings: path: String should have at most "
        "4096 characters"
    ) in check(platform)


def test_a_long_key_is_located(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        platform.read("manifest.yaml").replace(
            "dev: {branch: dev}", "? " + "k" * 5000 + "\n  : {branch: dev}"
        ),  # an explicit key: YAML itself bounds implicit keys at 1024 characters
    )
    assert check(platform) == [
        "manifest.yaml:4:5: error FG002 environments: a key of 5000 characters is longer than 4096"
    ]


# --- item 13: no silent coercion ----------------------------------------------------------------

MANIFEST_TIMEOUT = "  default: duckdb\n"


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("manifest.yaml", MANIFEST_TIMEOUT, MANIFEST_TIMEOUT + "  timeout_seconds: true\n",
         "manifest.yaml:10:20: error FG002 compute.timeout_seconds: Input should be a valid "
         "integer"),
        ("manifest.yaml", MANIFEST_TIMEOUT, MANIFEST_TIMEOUT + "  timeout_seconds: '30'\n",
         "manifest.yaml:10:20: error FG002 compute.timeout_seconds: Input should be a valid "
         "integer"),
        ("manifest.yaml", MANIFEST_TIMEOUT, MANIFEST_TIMEOUT + "  timeout_seconds: 10.0\n",
         "manifest.yaml:10:20: error FG002 compute.timeout_seconds: Input should be a valid "
         "integer"),
        ("manifest.yaml", "threads: 1", "threads: true",
         "manifest.yaml:11:70: error FG203 duckdb settings: threads: Input should be a valid "
         "integer"),
        ("manifest.yaml", "memory_limit: 1GB", "memory_limit: !!binary MUdC",
         "manifest.yaml:11:56: error FG203 duckdb settings: memory_limit: Input should be a "
         "valid string"),
        (PRODUCT, "name: revenue", "name: !!binary cmV2ZW51ZQ==",
         f"{PRODUCT}:3:7: error FG002 name: Input should be a valid string"),
        (PRODUCT, "workload: medium", "workload: medium\n    timeout_seconds: true",
         f"{PRODUCT}:11:22: error FG002 transforms.1.timeout_seconds: Input should be a valid "
         "integer"),
        ("manifest.yaml", "approved: [duckdb]", "approved: [duckdb, duckdb]",
         "manifest.yaml:8:22: error FG002 compute.approved.1: duckdb is listed already (item 0)"),
        ("policies/finance/policy.yaml", "approved: [duckdb]", "approved:\n    - duckdb\n"
         "    - duckdb",
         "policies/finance/policy.yaml:6:7: error FG002 compute.approved.1: duckdb is listed "
         "already (item 0)"),
    ],
)  # fmt: skip
def test_no_value_is_silently_coerced(
    platform: Platform, file: str, old: str, new: str, expected: str
) -> None:
    assert old in platform.read(file)
    platform.write(file, platform.read(file).replace(old, new))
    assert expected in check(platform)


# --- item 15: keys that are not strings, one-line messages --------------------------------------


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("~", "null"),
        (".nan", "a number"),
        ("1", "a number"),
        ("yes", "a boolean"),
        ("2024-01-01", "a date"),
        ("!!binary aGk=", "binary data"),
    ],
)
def test_a_key_that_is_not_a_string_is_located_at_the_key(
    platform: Platform, key: str, kind: str
) -> None:
    platform.write(
        PRODUCT, platform.read(PRODUCT) + f"compute:\n  approved: [duckdb]\n  {key}: x\n"
    )
    assert check(platform) == [
        f"{PRODUCT}:13:3: error FG002 compute: a key must be a string, not {kind} "
        "(quote it to mean the text)"
    ]


def test_a_top_level_key_that_is_not_a_string_is_located(platform: Platform) -> None:
    platform.write(PRODUCT, platform.read(PRODUCT) + "~: x\n")
    assert check(platform) == [
        f"{PRODUCT}:11:1: error FG002 document: a key must be a string, not null "
        "(quote it to mean the text)"
    ]


def test_a_non_string_key_in_engine_settings_is_located(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        platform.read("manifest.yaml").replace("threads: 1}", "settings: {.nan: 1}}"),
    )
    done = platform.cli("check", "--format", "text")
    assert done.returncode == 1, done.stdout + done.stderr
    assert problem_lines(done) == [
        "manifest.yaml:11:72: error FG002 compute.targets.duckdb.settings: a key must be a "
        "string, not a number (quote it to mean the text)"
    ]


def test_compile_describes_invalid_settings_in_one_plain_line(
    platform: Platform, tmp_path: Path
) -> None:
    """A waived FG203 still stops compile; its reason has no ``(: Value error, …)``."""
    platform.write(
        "manifest.yaml",
        platform.read("manifest.yaml").replace(
            "threads: 1}", "threads: 1, attach: [{path: a.duckdb, alias: a}, {path: b, alias: a}]}"
        ),
    )
    platform.write(
        "policies/waivers.yaml",
        "apiVersion: floe/v1\nkind: Waivers\nwaivers:\n"
        "  - {rule: FG203, subject: manifest.yaml, reason: migrating, expires: 2999-01-01}\n",
    )
    done = platform.cli("compile", "--out", str(tmp_path / "out"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    stderr = without_correlation_ids(done.stderr)
    invalid = [line for line in stderr.splitlines() if "are invalid" in line]
    assert invalid, done.stderr
    for line in invalid:
        assert line.endswith("are invalid (attach aliases must be unique: a)"), line
    assert "Value error" not in done.stderr


def test_running_out_of_memory_anyway_cannot_be_judged_without_a_traceback(
    platform: Platform, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(repository, "load_yaml", exhausted)
    platform.add()
    assert main(["check", "--repo", str(platform.root)]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert without_correlation_ids(captured.err) == (
        "error: out of memory: the run cannot be judged within this machine's memory\n"
    )
