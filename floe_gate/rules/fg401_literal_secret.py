"""FG401 — a literal secret where a credential belongs.

Committed configuration never holds secrets. A setting whose name marks it as a
credential (``password``, ``token``, ``secret``, ``private_key``, ``key_id``,
``access_key``, ``credential``, …) must be an environment reference, rendered
into profiles as ``{{ env_var('NAME') }}``::

    targets:
      snowflake:
        password: hunter2                   # FG401
        password: {env: SNOWFLAKE_PASSWORD} # fine

A setting the engine's plugin declares as a plain value is not a credential,
whatever its name (DuckDB's ``attach[].secret`` is the *name* of a secret). The
value itself is never printed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from floe_gate.context import Context
from floe_gate.load.yaml_document import KeyPath, YamlDocument
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Origin
from floe_gate.resolve.secrets import is_literal_secret

ID = "FG401"
TITLE = "literal secret"


def check(context: Context) -> Iterator[Problem]:
    repository = context.repository
    manifest = repository.manifest.document
    yield from _scan(context, manifest, ("compute", "targets"))  # targets.ENGINE
    yield from _scan(context, manifest, ("compute", "environments"), 1)  # environments.ENV.ENGINE
    for node in repository.policies.values():
        yield from _scan(context, node.policy.document, ("compute", "targets"))


def _scan(
    context: Context, document: YamlDocument, base: KeyPath, skip: int = 0
) -> Iterator[Problem]:
    value: Any = document.data
    for part in base:
        value = value.get(part) if isinstance(value, dict) else None
    yield from _walk(context, document, base, value, len(base) + skip)


def _walk(
    context: Context, document: YamlDocument, path: KeyPath, value: Any, engine_at: int
) -> Iterator[Problem]:
    """Literal secrets in ``value`` at ``path``, where ``path[engine_at]`` names the engine."""
    if isinstance(value, dict):
        model = _model(context, path, engine_at)
        for key, item in value.items():
            if is_literal_secret(key, item, path[engine_at + 1 :], model):
                yield located(
                    Origin.of(document, (*path, key)),
                    ID,
                    f"{'.'.join(str(p) for p in (*path, key))} holds a literal secret; "
                    "write an environment reference {env: NAME} instead",
                )
            else:
                yield from _walk(context, document, (*path, key), item, engine_at)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(context, document, (*path, index), item, engine_at)


def _model(context: Context, path: KeyPath, engine_at: int) -> type[BaseModel] | None:
    """The config model of the engine whose settings ``path`` is in, if its plugin is usable."""
    engine = path[engine_at] if len(path) > engine_at else None
    if not isinstance(engine, str) or context.unusable(engine):
        return None
    return context.registry.get(engine).config_model
