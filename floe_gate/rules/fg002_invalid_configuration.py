"""FG002 — invalid configuration.

Each file must match its schema (``floe-gate schema`` writes them for editors):
required keys present, values of the right type, and **no unknown keys** — a typo
would otherwise be silently ignored. Unknown keys come with a did-you-mean::

    compute:
      aproved: [duckdb]     # FG002 unknown key 'compute.aproved'; did you mean 'approved'?

The values of credential settings are never repeated in messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from floe_gate.problems import Problem

if TYPE_CHECKING:  # the loaders import ID: the rule cannot import what loads
    from floe_gate.context import Context

ID = "FG002"
TITLE = "invalid configuration"


def check(context: Context) -> Iterator[Problem]:
    yield from (p for p in context.repository.problems if p.rule == ID)
