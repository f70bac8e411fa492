"""The exit codes of every floe-gate command."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    """Nothing stands in the way: no errors (or, per command, healthy, up to date)."""
    PROBLEMS = 1
    """The gate judged and found errors (or a failed node, an unhealthy target, …)."""
    CANNOT_JUDGE = 2
    """The run cannot be judged at all: no repository, no manifest, bad usage."""
