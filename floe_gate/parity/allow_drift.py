"""``--allow-drift PRODUCT:TRANSFORM`` entries, as ``parity`` and ``ci`` take them."""

from __future__ import annotations

import re
from collections.abc import Sequence

_SEPARATORS = re.compile(r"[\s,]+")


def allowed_drift(options: Sequence[str], from_environment: str = "") -> tuple[str, ...]:
    """The options' entries, then the environment's (comma- or space-separated), once each."""
    entries = [*options, *_SEPARATORS.split(from_environment)]
    return tuple(dict.fromkeys(entry.strip() for entry in entries if entry.strip()))


def malformed(entries: Sequence[str]) -> list[str]:
    """The entries that are not ``PRODUCT:TRANSFORM`` (one colon, a name on each side)."""
    return [entry for entry in entries if entry.count(":") != 1 or ":" in (entry[0], entry[-1])]
