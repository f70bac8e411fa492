"""FG001 — invalid YAML.

A configuration file (manifest, policy, waivers, ``floe.yaml``, ``dbt_project.yml``)
must be one valid YAML document in UTF-8. Reported at the exact position:

* syntax errors, and bytes that are not UTF-8;
* duplicate keys — YAML keeps the last silently, the gate refuses both::

      compute:
        default: duckdb
        default: spark        # FG001 duplicate key 'default' (first written at line 2)

* a file larger than 1 MB (1,048,576 bytes), refused at ``1:1`` before it is read
  or parsed — any YAML file the gate reads, dbt properties files included. The
  manifest's top-level ``max_file_bytes`` sets another bound (1 KiB to 64 MiB); the
  manifest itself is always held to the default::

      max_file_bytes: 4194304   # manifest.yaml: allow configuration files up to 4 MiB

* a dbt model (``.sql``, ``.py``), macro or snapshot file larger than 16 MiB
  (16,777,216 bytes, a fixed bound), refused at ``1:1`` without reading it: the
  scan of the project would not know its config;
* more than 200,000 values (``too many values``, at the first one past the bound),
  nesting deeper than 64 levels, or more than 200,000 values once aliases are
  expanded (an "alias bomb");
* merge keys (``<<:``) and non-scalar keys, which hide where a value came from.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from floe_gate.problems import Problem

if TYPE_CHECKING:  # the loaders import ID: the rule cannot import what loads
    from floe_gate.context import Context

ID = "FG001"
TITLE = "invalid YAML"


def check(context: Context) -> Iterator[Problem]:
    yield from (p for p in context.repository.problems if p.rule == ID)
