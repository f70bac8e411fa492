"""FG204 — a per-environment setting tries to change an engine.

``compute.environments.<env>`` may adjust an engine's *settings* for one
environment (a bigger ``memory_limit`` in prod, another database path), never
which engine runs: that would break parity between environments. Refused:

* keys that choose engines (``default``, ``approved``, ``engine``, ``compute``)
  instead of naming an approved engine;
* an engine that the manifest does not approve;
* ``plugin`` or ``type`` inside an engine's settings;
* an environment the manifest does not define.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.context import Context, options
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Origin

ID = "FG204"
TITLE = "per-environment setting changes an engine"
ENGINE_CHOOSING_KEYS = frozenset({"default", "approved", "engine", "compute"})


def check(context: Context) -> Iterator[Problem]:
    manifest = context.repository.manifest
    compute = manifest.model.compute
    document = manifest.document
    for environment, engines in compute.environments.items():
        base = ("compute", "environments", environment)
        if environment not in manifest.model.environments:
            yield located(
                Origin.of(document, base, key=True),
                ID,
                f"environment {environment!r} is not defined "
                f"(environments: {options(manifest.model.environments)})",
            )
        for name, settings in engines.items():
            origin = Origin.of(document, (*base, name), key=True)
            if name in ENGINE_CHOOSING_KEYS:
                yield located(
                    origin,
                    ID,
                    f"environment {environment} sets {name!r}: per-environment settings may "
                    "change an engine's settings, never the choice of engine (parity); "
                    f"name an approved engine instead (allowed: {options(compute.approved)})",
                )
            elif name not in compute.approved:
                yield located(
                    origin,
                    ID,
                    f"environment {environment} configures engine {name!r}, which the manifest "
                    f"does not approve (allowed: {options(compute.approved)})",
                )
            elif not isinstance(settings, dict):
                yield located(
                    Origin.of(document, (*base, name)),
                    ID,
                    f"environment {environment} must give {name}'s settings as a mapping "
                    "(setting: value)",
                )
            else:
                for key in context.adapter_overrides(environment, name):
                    yield located(
                        Origin.of(document, (*base, name, key), key=True),
                        ID,
                        f"environment {environment} sets {name}.{key}: an environment cannot "
                        "change which engine or adapter runs",
                    )
