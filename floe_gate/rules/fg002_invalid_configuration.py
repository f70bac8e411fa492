"""FG002 — invalid configuration.

Each file must match its schema (``floe-gate schema`` writes them for editors):
required keys present, values of the right type, and **no unknown keys** — a typo
would otherwise be silently ignored. Unknown keys come with a did-you-mean::

    compute:
      aproved: [duckdb]     # FG002 unknown key 'compute.aproved'; did you mean 'approved'?

Types are strict — nothing is silently converted: ``timeout_seconds: true``,
``'30'`` and ``10.0`` are not integers, ``threads: true`` is not a number and
``!!binary`` data is not a name. Keys are names: a key YAML reads as something else
(``~``, ``.nan``, ``2024-01-01``, ``yes``, ``!!binary``) is reported at that key; quote
it to mean the text. Strings are bounded: product, transform and engine names at 128
characters, every other string (and key) at 4,096. An engine is approved once:
``approved: [duckdb, duckdb]`` is an error.

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
