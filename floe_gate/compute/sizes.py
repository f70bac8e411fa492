"""DuckDB memory sizes (``memory_limit``, ``max_temp_directory_size``).

DuckDB accepts ``4GB``, ``4 GB``, ``4GiB``, ``1.5GB``, ``500mb``, ``4 gigabytes``;
KB/MB/GB/TB count in powers of 1000 and KiB/MiB/GiB/TiB in powers of 1024. The
accepted forms here are a subset of what DuckDB's own parser accepts (a test
holds the two together), minus what cannot run a query: zero, sizes below
1 MiB, and the "no limit" spellings ``-1`` and ``none``; and minus sizes of
2^64 bytes or more, which DuckDB refuses as out of range or wraps to zero.
"""

from __future__ import annotations

import re

# re.ASCII: DuckDB's white space is the six ASCII ones, not e.g. a no-break space.
_SIZE = re.compile(
    r"^\s*(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(?P<unit>[A-Za-z]+)\s*$",
    re.ASCII,
)
_DECIMAL_UNITS = {
    "b": 1, "byte": 1, "bytes": 1,
    "k": 10**3, "kb": 10**3, "kilobyte": 10**3, "kilobytes": 10**3,
    "m": 10**6, "mb": 10**6, "megabyte": 10**6, "megabytes": 10**6,
    "g": 10**9, "gb": 10**9, "gigabyte": 10**9, "gigabytes": 10**9,
    "t": 10**12, "tb": 10**12, "terabyte": 10**12, "terabytes": 10**12,
}  # fmt: skip
_BINARY_UNITS = {"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_UNITS = _DECIMAL_UNITS | _BINARY_UNITS
MINIMUM_BYTES = 2**20
LIMIT_BYTES = 2**64
"""Sizes must stay below this: DuckDB holds them in an unsigned 64-bit integer."""


def parse_duckdb_size(text: str) -> int:
    """Bytes in a DuckDB size; ``ValueError`` naming the accepted forms otherwise."""
    match = _SIZE.match(text)
    unit = match["unit"].lower() if match else ""
    if match is None or unit not in _UNITS:
        raise ValueError(
            "not a size DuckDB accepts "
            "(examples: 512MB, 4GB, 4GiB, 1.5GB; units KB/MB/GB/TB or KiB/MiB/GiB/TiB)"
        )
    # The same double arithmetic as DuckDB, so that both agree to the byte.
    product = float(match["number"]) * _UNITS[unit]
    if not product < LIMIT_BYTES:  # also an infinite product of a very long number
        raise ValueError("too large: DuckDB holds sizes below 2^64 bytes")
    size = int(product)
    if size < MINIMUM_BYTES:
        raise ValueError(f"{text!r} is too small for DuckDB to run a query (at least 1MiB)")
    return size
