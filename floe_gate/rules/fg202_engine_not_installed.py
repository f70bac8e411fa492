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

from floe_gate.context import Context
from floe_gate.problems import Problem, located
from floe_gate.resolve.hierarchy import Origin

ID = "FG202"
TITLE = "engine not installed"


def check(context: Context) -> Iterator[Problem]:
    manifest = context.repository.manifest
    for index, engine in enumerate(manifest.model.compute.approved):
        reason = context.unusable(engine)
        if reason:
            yield located(Origin.of(manifest.document, ("compute", "approved", index)), ID, reason)
    for product in context.products:
        for transform in product.transforms:
            if transform.transform is not None and transform.transform.compute is not None:
                reason = context.unusable(transform.engine)
                if reason:
                    yield located(
                        transform.origin, ID, reason, subject=f"{product.name}:{transform.name}"
                    )
