"""Our DuckDB size grammar, held to DuckDB's own parser.

DuckDB is the oracle twice over: ``duckdb.connect(config={"memory_limit": s})`` says
whether a size is accepted, and ``parse_formatted_bytes(s)`` (the same parser, exposed
as a function: it raises the very same "Unknown unit for memory" errors) gives its
exact bytes. ``current_setting('memory_limit')`` only prints a rounded size such as
``3.7 GiB``; it is compared with DuckDB's own ``format_bytes`` of our byte count.

Every size gets a connection of its own: a tiny limit breaks the connection it is set on.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from floe_gate.compute.sizes import LIMIT_BYTES, MINIMUM_BYTES, parse_duckdb_size

KB, MB, GB, TB = 10**3, 10**6, 10**9, 10**12
KIB, MIB, GIB, TIB = 2**10, 2**20, 2**30, 2**40

# DuckDB's white space: the six ASCII characters of its CharacterIsSpace.
DUCKDB_SPACE = " \t\n\r\x0b\x0c"
# Unicode white space Python's str.isspace() knows and DuckDB does not.
OTHER_SPACE = "\u00a0\u2003\u3000\x1c\x1d\x1e\x1f\x85"

UNIT_WORDS = {
    "b": 1, "byte": 1, "bytes": 1,
    "k": KB, "kb": KB, "kilobyte": KB, "kilobytes": KB,
    "m": MB, "mb": MB, "megabyte": MB, "megabytes": MB,
    "g": GB, "gb": GB, "gigabyte": GB, "gigabytes": GB,
    "t": TB, "tb": TB, "terabyte": TB, "terabytes": TB,
    "kib": KIB, "mib": MIB, "gib": GIB, "tib": TIB,
}  # fmt: skip
NOT_UNITS = ["", "pb", "pib", "gi", "mi", "gig", "kilo", "%", "e", "eb", "bit", "gbs", "g b"]


@pytest.fixture(scope="module")
def oracle() -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection without a tiny limit, to ask DuckDB's parser and formatter."""
    connection = duckdb.connect()
    yield connection
    connection.close()


def duckdb_memory_limit(text: str) -> str:
    """``current_setting('memory_limit')`` of a fresh connection given ``text``."""
    connection = duckdb.connect(config={"memory_limit": text})
    try:
        row = connection.sql("SELECT current_setting('memory_limit')").fetchone()
    finally:
        connection.close()
    assert row is not None
    return str(row[0])


def duckdb_bytes(oracle: duckdb.DuckDBPyConnection, text: str) -> int:
    """The exact bytes of ``text`` by DuckDB's memory-size parser."""
    row = oracle.execute("SELECT parse_formatted_bytes(?)", [text]).fetchone()
    assert row is not None
    return int(row[0])


def duckdb_formatted(oracle: duckdb.DuckDBPyConnection, size: int) -> str:
    """``size`` written the way ``current_setting('memory_limit')`` writes it."""
    row = oracle.execute("SELECT format_bytes(?::BIGINT)", [size]).fetchone()
    assert row is not None
    return str(row[0])


def assert_duckdb_agrees(oracle: duckdb.DuckDBPyConnection, text: str, size: int) -> None:
    """DuckDB accepts ``text`` as a memory limit, and reads it as ``size`` bytes."""
    reported = duckdb_memory_limit(text)
    assert duckdb_bytes(oracle, text) == size
    if size < 2**63:  # format_bytes takes a BIGINT
        assert reported == duckdb_formatted(oracle, size)


# --- (a) common forms: ours and DuckDB's agree to the byte -------------------------------

ACCEPTED = [
    ("4GB", 4 * GB),
    ("4 GB", 4 * GB),
    ("4gb", 4 * GB),
    ("4Gb", 4 * GB),
    ("4GiB", 4 * GIB),
    ("4 gib", 4 * GIB),
    ("1.5GB", 1_500_000_000),
    ("1.5 GiB", 3 * 2**29),
    ("500MB", 500 * MB),
    ("500mb", 500 * MB),
    (".5GB", 500 * MB),
    ("4.GB", 4 * GB),
    ("04GB", 4 * GB),
    ("4 gigabytes", 4 * GB),
    ("1 gigabyte", GB),
    ("2 megabytes", 2 * MB),
    ("2TiB", 2 * TIB),
    ("1TB", TB),
    ("512 MiB", 512 * MIB),
    ("1MiB", MIB),
    ("1024KiB", MIB),
    ("1048576 bytes", MIB),
    ("1048576B", MIB),
    ("2000 kilobytes", 2 * MB),
    ("4g", 4 * GB),
    ("4 M", 4 * MB),
    ("1 t", TB),
    (" 4GB ", 4 * GB),
    ("\t4\tGB\n", 4 * GB),
    ("4  GB", 4 * GB),
    ("1.9999999999999999999GB", 2 * GB),  # DuckDB's double arithmetic, to the byte
    ("0.1GB", 100 * MB),
    ("2.01GB", 2_009_999_999),  # 2.01 * 1e9 is 2009999999.9999998 as a double: truncated
]


@pytest.mark.parametrize(("text", "size"), ACCEPTED)
def test_common_forms_parse_as_duckdb_parses_them(
    oracle: duckdb.DuckDBPyConnection, text: str, size: int
) -> None:
    assert parse_duckdb_size(text) == size
    assert_duckdb_agrees(oracle, text, size)


def test_current_setting_is_rounded_but_consistent(oracle: duckdb.DuckDBPyConnection) -> None:
    # Why the exact comparison goes through parse_formatted_bytes: the setting is rounded.
    assert duckdb_memory_limit("4GB") == "3.7 GiB"
    assert duckdb_memory_limit("4GiB") == "4.0 GiB"
    assert duckdb_formatted(oracle, parse_duckdb_size("4GB")) == "3.7 GiB"


def test_the_largest_sizes_duckdb_can_hold(oracle: duckdb.DuckDBPyConnection) -> None:
    largest = f"{2**64 - 2048} bytes"  # the largest double below 2^64
    assert parse_duckdb_size(largest) == 2**64 - 2048
    assert_duckdb_agrees(oracle, largest, 2**64 - 2048)
    assert parse_duckdb_size("16777215TiB") == 16777215 * TIB


# --- (b) rejected forms -------------------------------------------------------------------

NOT_A_SIZE = "not a size DuckDB accepts"
TOO_SMALL = "is too small for DuckDB to run a query"
TOO_LARGE = "too large"

# What DuckDB makes of each: it rejects it too, reads it as "no limit", cannot run a
# query under it, or silently ignores what follows the unit.
REJECTED = [
    ("lots", NOT_A_SIZE, "rejects"),
    ("4", NOT_A_SIZE, "rejects"),
    ("4PB", NOT_A_SIZE, "rejects"),
    ("80%", NOT_A_SIZE, "rejects"),
    ("4Gi", NOT_A_SIZE, "rejects"),
    ("4 gig", NOT_A_SIZE, "rejects"),
    ("", NOT_A_SIZE, "rejects"),
    ("GB", NOT_A_SIZE, "rejects"),
    ("+4GB", NOT_A_SIZE, "rejects"),
    ("1_000MB", NOT_A_SIZE, "rejects"),
    ("4.5.6GB", NOT_A_SIZE, "rejects"),
    ("4GB\x00", NOT_A_SIZE, "rejects"),
    ("4\u00a0GB", NOT_A_SIZE, "rejects"),  # no-break space: Unicode, not DuckDB, space
    ("4\u2003GB", NOT_A_SIZE, "rejects"),
    ("4\x1cGB", NOT_A_SIZE, "rejects"),
    ("-1", NOT_A_SIZE, "no limit"),
    ("-4GB", NOT_A_SIZE, "no limit"),
    ("none", NOT_A_SIZE, "no limit"),
    ("4e3MB", NOT_A_SIZE, "accepts"),  # DuckDB reads exponents; we keep to plain decimals
    ("4 G B", NOT_A_SIZE, "accepts"),  # DuckDB ignores what follows the unit
    ("4GB of RAM", NOT_A_SIZE, "accepts"),
    ("0GB", TOO_SMALL, "cannot run"),
    ("4KB", TOO_SMALL, "cannot run"),
    ("4b", TOO_SMALL, "cannot run"),
    ("1000000B", TOO_SMALL, "accepts"),  # 976.5 KiB: below our 1 MiB floor
    ("1048575 bytes", TOO_SMALL, "accepts"),
    ("17592186044416 MiB", TOO_LARGE, "cannot run"),  # 2^64 bytes: DuckDB wraps it to 0
    ("18446744073709551616B", TOO_LARGE, "cannot run"),
    ("99999999999TB", TOO_LARGE, "rejects"),
    ("9" * 400 + "GB", TOO_LARGE, "rejects"),  # an infinite double: was an OverflowError
]


@pytest.mark.parametrize(("text", "reason", "duckdb_says"), REJECTED)
def test_rejected_forms_have_clear_messages(text: str, reason: str, duckdb_says: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)) as raised:
        parse_duckdb_size(text)
    message = str(raised.value)
    # A value that is no size may be a secret: never echoed; a size that parsed may be.
    assert (repr(text) in message) == (reason == TOO_SMALL)
    assert reason in message
    if reason == NOT_A_SIZE:
        assert "4GB" in message
        assert "KiB/MiB/GiB/TiB" in message
    if reason == TOO_SMALL:
        assert "1MiB" in message


@pytest.mark.parametrize(("text", "reason", "duckdb_says"), REJECTED)
def test_what_duckdb_makes_of_the_rejected_forms(text: str, reason: str, duckdb_says: str) -> None:
    if duckdb_says == "rejects":
        with pytest.raises(duckdb.Error, match=r"(?i)memory"):
            duckdb_memory_limit(text)
    elif duckdb_says == "no limit":
        assert duckdb_memory_limit(text) == duckdb_memory_limit_default()
    elif duckdb_says == "cannot run":
        with pytest.raises(duckdb.Error, match=r"(?i)out of memory"):
            duckdb_memory_limit(text)
    else:
        duckdb_memory_limit(text)


def duckdb_memory_limit_default() -> str:
    connection = duckdb.connect()
    try:
        row = connection.sql("SELECT current_setting('memory_limit')").fetchone()
    finally:
        connection.close()
    assert row is not None
    return str(row[0])


# --- (c) properties -----------------------------------------------------------------------


@st.composite
def any_case(draw: st.DrawFn, words: st.SearchStrategy[str]) -> str:
    word = draw(words)
    flags = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.upper() if up else c for c, up in zip(word, flags, strict=True))


plain_numbers = st.one_of(
    st.integers(min_value=0, max_value=10**22).map(str),
    st.integers(min_value=0, max_value=22).flatmap(  # every order of magnitude alike
        lambda digits: st.integers(min_value=10**digits, max_value=10 ** (digits + 1)).map(str)
    ),
    st.from_regex(r"[0-9]{1,12}\.[0-9]{0,12}", fullmatch=True),
    st.from_regex(r"\.[0-9]{1,12}", fullmatch=True),
)
odd_numbers = st.one_of(
    st.text("0123456789.eE+-_", max_size=12),
    st.from_regex(r"[0-9]{18,30}(\.[0-9]*)?", fullmatch=True),  # around DuckDB's 2^64 limit
    st.just("9" * 400),
)
duckdb_spaces = st.text(DUCKDB_SPACE, max_size=3)
odd_spaces = st.text(DUCKDB_SPACE + OTHER_SPACE, min_size=1, max_size=3)
known_units = any_case(st.sampled_from(sorted(UNIT_WORDS)))
odd_units = any_case(st.sampled_from(NOT_UNITS)) | st.text(string.ascii_letters, max_size=8)


@st.composite
def size_like(draw: st.DrawFn) -> str:
    """A size of DuckDB's grammar, or one with one part of it made odd."""
    odd = draw(st.sampled_from(["nothing", "nothing", "nothing", "space", "number", "unit"]))
    parts = [
        draw(odd_spaces if odd == "space" else duckdb_spaces),
        draw(odd_numbers if odd == "number" else plain_numbers),
        draw(odd_spaces if odd == "space" else duckdb_spaces),
        draw(odd_units if odd == "unit" else known_units),
        draw(duckdb_spaces),
    ]
    return "".join(parts)


candidates = st.one_of(
    size_like(),
    size_like(),
    size_like(),
    st.tuples(size_like(), st.text(max_size=6)).map("".join),
    st.text(max_size=16),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=candidates)
def test_whatever_we_accept_duckdb_accepts_as_the_same_bytes(
    oracle: duckdb.DuckDBPyConnection, text: str
) -> None:
    try:
        size = parse_duckdb_size(text)
    except ValueError:  # and never any other exception
        return
    assert MINIMUM_BYTES <= size < LIMIT_BYTES
    assert_duckdb_agrees(oracle, text, size)


@st.composite
def well_formed_sizes(draw: st.DrawFn) -> str:
    """A well-formed size of at least 1 MiB (and at most about 1 EiB)."""
    unit = draw(st.sampled_from(sorted(UNIT_WORDS)))
    multiplier = UNIT_WORDS[unit]
    whole = draw(
        st.integers(min_value=math.ceil(MINIMUM_BYTES / multiplier), max_value=10**18 // multiplier)
    )
    leading_zeros = draw(st.sampled_from(["", "0", "00"]))
    fraction = draw(st.sampled_from(["", "."]) | st.from_regex(r"\.[0-9]{1,9}", fullmatch=True))
    text = [
        draw(st.text(DUCKDB_SPACE, max_size=2)),
        f"{leading_zeros}{whole}{fraction}",
        draw(st.text(DUCKDB_SPACE, max_size=2)),
        draw(any_case(st.just(unit))),
        draw(st.text(DUCKDB_SPACE, max_size=2)),
    ]
    return "".join(text)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=well_formed_sizes())
def test_well_formed_sizes_of_a_mebibyte_or_more_are_accepted_by_both(
    oracle: duckdb.DuckDBPyConnection, text: str
) -> None:
    size = parse_duckdb_size(text)
    assert size >= MINIMUM_BYTES
    assert_duckdb_agrees(oracle, text, size)
