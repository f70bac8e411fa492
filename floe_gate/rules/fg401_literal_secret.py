"""FG401 — a literal secret where a credential belongs.

Committed configuration never holds secrets. A setting whose name marks it as a
credential (``password``, ``token``, ``secret``, ``private_key``, ``key_id``,
``access_key``, ``credential``, …) must be an environment reference, rendered
into profiles as ``{{ env_var('NAME') }}``::

    targets:
      snowflake:
        password: hunter2                   # FG401
        password: {env: SNOWFLAKE_PASSWORD} # fine

The value itself is never printed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from floe_gate.load.yaml_document import Path, YamlDocument
from floe_gate.problems import Problem
from floe_gate.resolve.hierarchy import Origin
from floe_gate.rules.context import Context, located
from floe_gate.rules.secrets import is_literal, is_secret_key

ID = "FG401"
TITLE = "literal secret"


def check(context: Context) -> Iterator[Problem]:
    repository = context.repository
    manifest = repository.manifest.document
    yield from _scan(manifest, ("compute", "targets"))
    yield from _scan(manifest, ("compute", "environments"))
    for node in repository.policies.values():
        yield from _scan(node.policy.document, ("compute", "targets"))


def _scan(document: YamlDocument, base: Path) -> Iterator[Problem]:
    value: Any = document.data
    for part in base:
        value = value.get(part) if isinstance(value, dict) else None
    yield from _walk(document, base, value)


def _walk(document: YamlDocument, path: Path, value: Any) -> Iterator[Problem]:
    if isinstance(value, dict):
        for key, item in value.items():
            if is_secret_key(key) and is_literal(item):
                yield located(
                    Origin.of(document, (*path, key)),
                    ID,
                    f"{'.'.join(str(p) for p in (*path, key))} holds a literal secret; "
                    "write an environment reference {env: NAME} instead",
                )
            else:
                yield from _walk(document, (*path, key), item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(document, (*path, index), item)
