"""The located YAML loader: where each value was written, and FG001 for what is not YAML."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import tracemalloc

import pytest
from conftest import Platform
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from floe_gate.load.yaml_document import MAX_DEPTH, MAX_NODES, YamlDocument, load_yaml
from floe_gate.problems import Problem, ProblemsFound, Severity

FILE = "targets/duckdb.yaml"


def problem_of(content: bytes) -> Problem:
    """The one problem ``load_yaml`` finds in ``content``."""
    with pytest.raises(ProblemsFound) as raised:
        load_yaml(FILE, content)
    problems = raised.value.problems
    assert len(problems) == 1
    problem = problems[0]
    assert problem.file == FILE
    assert problem.rule == "FG001"
    assert problem.severity is Severity.ERROR
    assert problem.as_text() in str(raised.value)
    return problem


# --- locations ------------------------------------------------------------------------------

NESTED = b"""\
compute:
  targets:
    duckdb:
      memory_limit: 4GB
      extensions:
        - httpfs
        -   iceberg
      attach: [{path: 'iceberg:cat', alias: lake}]
  "quoted key":   value
"""


def test_value_and_key_locations_of_nested_mappings_and_list_items() -> None:
    document = load_yaml(FILE, NESTED)
    duckdb = ("compute", "targets", "duckdb")
    assert document.file == FILE
    assert document.data["compute"]["targets"]["duckdb"]["extensions"] == ["httpfs", "iceberg"]
    assert document.locations[()] == (1, 1)
    assert document.locations[("compute",)] == (2, 3)
    assert document.key_locations[("compute",)] == (1, 1)
    assert document.key_locations[("compute", "targets")] == (2, 3)
    assert document.key_locations[(*duckdb, "memory_limit")] == (4, 7)
    assert document.locations[(*duckdb, "memory_limit")] == (4, 21)
    assert document.locations[(*duckdb, "extensions")] == (6, 9)  # the first "-"
    assert document.locations[(*duckdb, "extensions", 0)] == (6, 11)
    assert document.locations[(*duckdb, "extensions", 1)] == (7, 13)
    assert document.locations[(*duckdb, "attach")] == (8, 15)
    assert document.locations[(*duckdb, "attach", 0)] == (8, 16)
    assert document.key_locations[(*duckdb, "attach", 0, "path")] == (8, 17)
    assert document.locations[(*duckdb, "attach", 0, "path")] == (8, 23)
    assert document.key_locations[(*duckdb, "attach", 0, "alias")] == (8, 38)
    assert document.locations[(*duckdb, "attach", 0, "alias")] == (8, 45)
    assert document.key_locations[("compute", "quoted key")] == (9, 3)
    assert document.locations[("compute", "quoted key")] == (9, 19)


def test_locate_falls_back_to_the_nearest_located_ancestor() -> None:
    document = load_yaml(FILE, NESTED)
    duckdb = ("compute", "targets", "duckdb")
    assert document.locate((*duckdb, "memory_limit")) == (4, 21)
    assert document.locate((*duckdb, "memory_limit"), key=True) == (4, 7)
    assert document.locate((*duckdb, "threads")) == (4, 7)  # not written: its mapping
    assert document.locate((*duckdb, "threads"), key=True) == (4, 7)
    assert document.locate((*duckdb, "extensions", 5)) == (6, 9)
    assert YamlDocument(file=FILE, data=None).locate(("anything",)) == (1, 1)


def test_locations_of_a_top_level_list_and_multi_line_scalars() -> None:
    document = load_yaml(FILE, b"- a\n- |\n  two\n  lines\n- {b: 1}\n")
    assert document.data == ["a", "two\nlines\n", {"b": 1}]
    assert document.locations[(0,)] == (1, 3)
    assert document.locations[(1,)] == (2, 3)
    assert document.locations[(2,)] == (5, 3)
    assert document.key_locations[(2, "b")] == (5, 4)


def test_columns_count_characters_not_bytes() -> None:
    document = load_yaml(FILE, "é: ü\nnote: ‘x’\n".encode())
    assert document.locations[("é",)] == (1, 4)
    assert document.locations[("note",)] == (2, 7)


def test_only_plain_data_is_built() -> None:
    document = load_yaml(FILE, b"a: 1\nb: 1.5\nc: true\nd: null\ne: '1'\nf: 2020-01-01\n")
    assert document.data["a"] == 1
    assert document.data["b"] == 1.5
    assert document.data["c"] is True
    assert document.data["d"] is None
    assert document.data["e"] == "1"
    assert str(document.data["f"]) == "2020-01-01"


# --- what is not YAML -----------------------------------------------------------------------


def test_duplicate_keys_are_found_at_the_second_naming_the_first_line() -> None:
    problem = problem_of(b"threads: 4\nmemory_limit: 4GB\nthreads: 8\n")
    assert (problem.line, problem.column) == (3, 1)
    assert "duplicate key 'threads'" in problem.message
    assert "first written at line 1" in problem.message


def test_nested_and_flow_duplicate_keys() -> None:
    problem = problem_of(b"a:\n  x: 1\n  y: 2\n  x: 3\n")
    assert (problem.line, problem.column) == (4, 3)
    assert "first written at line 2" in problem.message
    problem = problem_of(b"a: 1\nb: {c: 1,\n  c: 2}\n")
    assert (problem.line, problem.column) == (3, 3)
    assert "first written at line 2" in problem.message


def test_a_syntax_error_is_located() -> None:
    problem = problem_of(b"a: 1\nb: c: d\n")
    assert (problem.line, problem.column) == (2, 5)
    assert problem.message.startswith("invalid YAML: mapping values are not allowed")
    problem = problem_of(b"a: [1, 2\nb: 3\n")
    assert (problem.line, problem.column) == (2, 2)
    assert "did not find expected ',' or ']'" in problem.message


def test_an_undefined_alias_is_located() -> None:
    problem = problem_of(b"a: 1\nb: *nowhere\n")
    assert (problem.line, problem.column) == (2, 4)
    assert "undefined alias" in problem.message


def test_more_than_one_document_is_refused() -> None:
    problem = problem_of(b"a: 1\n---\nb: 2\n")
    assert problem.line == 2


def test_non_utf8_bytes_are_located_at_the_bad_byte() -> None:
    problem = problem_of(b"a: 1\nb: \xff\n")
    assert (problem.line, problem.column) == (2, 4)
    assert problem.message == "file is not valid UTF-8"
    problem = problem_of(b"\xfe")
    assert (problem.line, problem.column) == (1, 1)
    problem = problem_of(b"a: 1\r\nb: ok\r\nc: x\xc3(\r\n")  # a truncated two-byte sequence
    assert (problem.line, problem.column) == (3, 5)


def test_the_column_of_a_bad_byte_counts_characters() -> None:
    # The column is that of YAML marks and editors: "é" is one column, not two bytes.
    problem = problem_of("a: 1\nb: é".encode() + b"\xff\n")
    assert (problem.line, problem.column) == (2, 5)


def test_a_control_character_is_located() -> None:
    # libyaml's reader error has no mark, only an offset: it used to land at 1:1.
    problem = problem_of(b"a: 1\nb: x\x00y\n")
    assert (problem.line, problem.column) == (2, 5)
    assert "#x0000" in problem.message
    problem = problem_of("a: 1\nb: éé\x07\n".encode())
    assert (problem.line, problem.column) == (2, 6)


def test_a_utf8_bom_is_accepted() -> None:
    document = load_yaml(FILE, b"\xef\xbb\xbfmemory_limit: 4GB\n")
    assert document.data == {"memory_limit": "4GB"}
    assert document.key_locations[("memory_limit",)] == (1, 1)
    assert document.locations[("memory_limit",)] == (1, 15)


BILLION_LAUGHS = b'lol0: &lol0 "lol"\n' + b"".join(
    b"lol%d: &lol%d [%s]\n" % (level, level, b", ".join([b"*lol%d" % (level - 1)] * 9))
    for level in range(1, 10)
)


def test_an_alias_bomb_ends_as_a_problem_quickly() -> None:
    assert BILLION_LAUGHS.count(b"*lol") == 81  # 9 levels of 9 aliases: 9**9 "lol"s
    started = time.perf_counter()
    problem = problem_of(BILLION_LAUGHS)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0
    assert f"more than {MAX_NODES} values after expanding aliases" in problem.message
    assert problem.line >= 1
    assert problem.column >= 1


def test_an_alias_bomb_ends_in_bounded_memory() -> None:
    tracemalloc.start()
    try:
        with pytest.raises(ProblemsFound):
            load_yaml(FILE, BILLION_LAUGHS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b"a: &a [*a]\n", (1, 4)),
        (b"a: &a {b: *a}\n", (1, 8)),
        (b"&top\n- x\n- *top\n", (2, 3)),  # the first value found too deep: "x"
    ],
)
def test_a_recursive_alias_is_refused(content: bytes, where: tuple[int, int]) -> None:
    problem = problem_of(content)
    assert f"nesting deeper than {MAX_DEPTH}" in problem.message
    assert (problem.line, problem.column) == where


def test_nesting_up_to_max_depth_is_accepted() -> None:
    deepest = b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)  # the root is depth 0
    data = load_yaml(FILE, deepest).data
    for _ in range(MAX_DEPTH):
        assert isinstance(data, list)
        data = data[0]
    assert data == []


@pytest.mark.parametrize(
    ("content", "column"),
    [
        (b"[" * (MAX_DEPTH + 2) + b"]" * (MAX_DEPTH + 2), MAX_DEPTH + 2),
        # the key "a" inside the (MAX_DEPTH + 1)th "{" is the first value too deep
        (b"{a: " * (MAX_DEPTH + 2) + b"1" + b"}" * (MAX_DEPTH + 2), 4 * MAX_DEPTH + 2),
    ],
)
def test_nesting_deeper_than_max_depth_is_refused(content: bytes, column: int) -> None:
    # Located at the first value deeper than MAX_DEPTH (the root is at depth 0).
    problem = problem_of(content)
    assert problem.message == f"nesting deeper than {MAX_DEPTH}"
    assert (problem.line, problem.column) == (1, column)


def test_a_scalar_below_max_depth_is_refused() -> None:
    problem = problem_of(b"[" * (MAX_DEPTH + 1) + b"x" + b"]" * (MAX_DEPTH + 1))
    assert problem.message == f"nesting deeper than {MAX_DEPTH}"
    assert (problem.line, problem.column) == (1, MAX_DEPTH + 2)


# Whichever limit triggers first, ours (MAX_DEPTH, checked on parse events) or the one newer
# libyaml builds have in their scanner (1,000 flow levels): both refuse the file, located.
DEPTH_REFUSAL = re.compile(
    rf"deep\.yaml:2:(\d+): error FG001 "
    rf"(nesting deeper than {MAX_DEPTH}|invalid YAML: exceeded maximum nesting depth)"
)


def test_very_deep_nesting_is_refused_without_crashing() -> None:
    # libyaml's composer recurses in C: a hundred thousand "[" used to kill the process
    # (SIGSEGV). A child process, so that a regression fails this test and not the run.
    script = (
        "from floe_gate.load.yaml_document import load_yaml\n"
        "from floe_gate.problems import ProblemsFound\n"
        "for n in (100_000, 1_000_000):\n"
        "    try:\n"
        "        content = b'a:\\n  - ' + b'[' * n + b']' * n\n"
        "        load_yaml('deep.yaml', content, max_bytes=len(content))\n"
        "    except ProblemsFound as found:\n"
        "        print(len(found.problems), found.problems[0].as_text())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2, result.stdout
    for line in lines:
        count, text = line.split(" ", 1)
        assert count == "1"
        refused = DEPTH_REFUSAL.fullmatch(text)
        assert refused, text
        # located on the line of the nesting, inside the run of "[" (it starts at column 5)
        assert 5 <= int(refused.group(1)) <= 5 + 1_000 + 2


def test_very_deep_nesting_in_a_product_fails_check_located(platform: Platform) -> None:
    deep = b"a:\n  - " + b"[" * 100_000 + b"]" * 100_000 + b"\n"
    platform.write("products/revenue/floe.yaml", deep)
    result = platform.cli("check")
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    assert re.search(
        r"^products/revenue/floe\.yaml:2:\d+: error FG001 "
        rf"(nesting deeper than {MAX_DEPTH}|invalid YAML: exceeded maximum nesting depth)",
        result.stdout,
        re.MULTILINE,
    ), result.stdout


def test_merge_keys_are_refused() -> None:
    problem = problem_of(b"base: &base {threads: 4}\ntarget:\n  <<: *base\n  path: x\n")
    assert (problem.line, problem.column) == (3, 3)
    assert "merge keys (<<) are not supported" in problem.message


@pytest.mark.parametrize("content", [b"", b"\n\n", b"# only a comment\n", b"---\n", b"--- \n..."])
def test_an_empty_document_is_none(content: bytes) -> None:
    assert load_yaml(FILE, content).data is None


def test_explicit_null_is_not_empty() -> None:
    assert load_yaml(FILE, b"~\n").data is None
    assert load_yaml(FILE, b"{}\n").data == {}


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b"? [a, b]\n: 1\n", (1, 3)),
        (b"{[a]: 1}\n", (1, 2)),
        (b"x:\n  ? {a: 1}\n  : 2\n", (2, 5)),
    ],
)
def test_non_scalar_keys_are_refused(content: bytes, where: tuple[int, int]) -> None:
    problem = problem_of(content)
    assert problem.message == "keys must be scalars"
    assert (problem.line, problem.column) == where


@pytest.mark.parametrize(
    ("content", "where", "tag"),
    [
        (b"a: !!int abc\n", (1, 4), "int"),
        (b"a: !!float abc\n", (1, 4), "float"),
        (b"a: !!int\n", (1, 4), "int"),  # an IndexError in PyYAML
        (b"a: !!bool hunter2\n", (1, 4), "bool"),
        (b"a:\n  - !!timestamp x\n", (2, 5), "timestamp"),
        (b"a: " + b"9" * 5000 + b"\n", (1, 4), "int"),  # past Python's int() digit limit
    ],
)
def test_a_scalar_the_constructor_cannot_build_is_located(
    content: bytes, where: tuple[int, int], tag: str
) -> None:
    # These used to escape as a bare ValueError, KeyError or AttributeError.
    problem = problem_of(content)
    assert (problem.line, problem.column) == where
    assert problem.message == f"invalid value for the tag tag:yaml.org,2002:{tag}"
    assert "hunter2" not in problem.message


def test_python_tags_build_nothing() -> None:
    problem = problem_of(b"a: !!python/object/apply:os.system 'echo hi'\n")
    assert (problem.line, problem.column) == (1, 4)
    assert problem.message.startswith("invalid value: could not determine a constructor")


# --- nothing but a document or located problems -------------------------------------------

SEEDS = [
    NESTED,
    BILLION_LAUGHS[:200],
    b"a: &x [1, 2]\nb: *x\nc: {d: [e, {f: g}]}\n",
    b"- !!binary aGVsbG8=\n- !!set {a, b}\n- 0x1F\n- 1_000\n- .inf\n",
    b"- 2001-12-14t21:59:43.10-05:00\n- !!omap [a: 1]\n- !!float 1e3\n- 0o17\n",
    b"key: |\n  block\n  text\nfolded: >-\n  a\n  b\n'q': \"\\u00e9\\x41\"\n",
    "é: ü\n".encode(),
    b"\xef\xbb\xbfa: 1\r\nb: [1,\r\n 2]\r\n",
]


@st.composite
def mutated_seeds(draw: st.DrawFn) -> bytes:
    content = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        position = draw(st.integers(min_value=0, max_value=len(content)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        if action == "insert":
            content[position:position] = draw(st.binary(min_size=1, max_size=4))
        elif action == "delete":
            del content[position : position + draw(st.integers(min_value=1, max_value=8))]
        elif action == "replace" and position < len(content):
            content[position] = draw(st.integers(min_value=0, max_value=255))
        else:
            content[position:position] = content[position : position + 12]
    return bytes(content)


YAMLISH = "abcxyz019 .-:_,[]{}&*!|>'\"#?%@`\\~<=+\n\n\t  \r\x00\x07\x85\xa0\u2028\ufeffé€😀"
yamlish_text = st.one_of(
    st.text(YAMLISH, max_size=120),
    st.lists(
        st.sampled_from(
            [
                "a:",
                " b",
                "- ",
                "[",
                "]",
                "{",
                "}",
                ", ",
                "&x ",
                "*x",
                "<<: ",
                "? ",
                ": ",
                "!!int ",
                "!!str ",
                "!!python/name:os ",
                "!!timestamp ",
                "!!binary ",
                "|\n",
                ">-\n",
                "'",
                '"',
                "\n",
                "\n  ",
                "---\n",
                "...\n",
                "#c\n",
                "%YAML 1.1\n",
                "%TAG ! tag:x,2000:\n",
                "9" * 40,
                "1e3",
                ".nan",
                "~",
                "yes",
                "é",
                "\t",
            ]
        ),
        max_size=40,
    ).map("".join),
)
candidates = st.one_of(
    st.binary(max_size=200),
    mutated_seeds(),
    yamlish_text.map(lambda text: text.encode("utf-8", "surrogatepass")),
)


def last_line(content: bytes) -> int:
    """An upper bound on the line of any mark in ``content``.

    Every YAML line break counts (``\r`` too), plus one: at the end of the stream libyaml
    moves its mark to a new line, so "[" is found unclosed at 2:1.
    """
    text = content.decode("utf-8", "replace")
    breaks = sum(text.count(brk) for brk in ("\n", "\r", "\x85", "\u2028", "\u2029"))
    return breaks + 2


@settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(content=candidates)
def test_load_yaml_returns_a_document_or_located_problems(content: bytes) -> None:
    problems: list[Problem] = []
    try:
        document = load_yaml(FILE, content)  # anything but ProblemsFound fails the test
    except ProblemsFound as found:
        problems = found.problems
    else:
        assert isinstance(document, YamlDocument)
        for line, column in [*document.locations.values(), *document.key_locations.values()]:
            assert 1 <= line <= last_line(content)
            assert column >= 1
        return
    assert problems
    for problem in problems:
        assert problem.file == FILE
        assert problem.rule == "FG001"
        assert 1 <= problem.line <= last_line(content)
        assert problem.column >= 1


def test_problem_messages_are_one_line_where_libyaml_gives_one() -> None:
    problem = problem_of(b"a: 1\nb: x\x01\n")
    assert "\n" not in problem.message
    assert re.search(r"#x0001", problem.message)


def test_an_unfinished_flow_sequence_is_located_where_it_starts() -> None:
    # Seven lines; PyYAML's problem mark says 8:1, a line GitHub cannot annotate.
    text = b"a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\nmodels: [orders, customers\n"
    with pytest.raises(ProblemsFound) as found:
        load_yaml("f.yaml", text)
    (problem,) = found.value.problems
    assert (problem.line, problem.column) == (7, 9)
    assert problem.message == "invalid YAML: did not find expected ',' or ']'"


def test_an_error_at_the_end_without_a_context_is_on_the_last_line() -> None:
    with pytest.raises(ProblemsFound) as found:
        load_yaml("f.yaml", b"a: 1\nmodels: [orders,\n")
    (problem,) = found.value.problems
    assert (problem.line, problem.column) == (2, 1)


def test_a_tag_error_is_one_line() -> None:
    with pytest.raises(ProblemsFound) as found:
        load_yaml("f.yaml", b"a: 1\nb: 2\nc: !secret x\n")
    (problem,) = found.value.problems
    assert (problem.line, problem.column) == (3, 4)
    assert problem.message == (
        "invalid value: could not determine a constructor for the tag '!secret'"
    )
