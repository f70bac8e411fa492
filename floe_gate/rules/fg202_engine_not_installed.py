"""FG202 — an engine is named but no usable plugin provides it.

Every engine the manifest approves and every engine a transform names needs an
installed compute plugin (a distribution registering it in the ``floe.computes``
entry-point group), or the gate cannot validate its settings. In a pre-commit
hook, add the plugin to the hook's ``additional_dependencies``; in the Action, to
its ``plugins`` input. A plugin that is installed but fails to load (import error,
incomplete, incompatible API, name conflict) is reported with its reason.
"""

from __future__ import annotations

from collections.abc import Iterator

from floe_gate.problems import Problem
from floe_gate.registry import PluginStatus
from floe_gate.resolve.hierarchy import Origin
from floe_gate.rules.context import Context, located, options

ID = "FG202"
TITLE = "engine not installed"


def check(context: Context) -> Iterator[Problem]:
    manifest = context.repository.manifest
    for index, engine in enumerate(manifest.model.compute.approved):
        reason = unusable(context, engine)
        if reason:
            yield located(Origin.of(manifest.document, ("compute", "approved", index)), ID, reason)
    for product in context.products:
        for transform in product.transforms:
            if transform.transform is not None and transform.transform.compute is not None:
                reason = unusable(context, transform.engine)
                if reason:
                    yield located(
                        transform.origin, ID, reason, subject=f"{product.name}:{transform.name}"
                    )


def unusable(context: Context, engine: str) -> str | None:
    """Why ``engine`` cannot be used here, or None."""
    if engine not in context.installed_engines:
        return (
            f"engine {engine!r} has no installed compute plugin "
            f"(installed: {options(context.installed_engines)}); install its plugin, "
            "e.g. in the hook's additional_dependencies"
        )
    record = context.registry.record(engine)
    if record.status is not PluginStatus.OK:
        return f"the compute plugin for {engine!r} cannot be used: {record.reason}"
    return None
