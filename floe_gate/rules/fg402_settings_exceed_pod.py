"""FG402 — engine settings that cannot fit the transform's pod.

An engine running inside the dbt job's pod must stay within the pod's limits. For
DuckDB, ``memory_limit`` above about 75% of the pod's memory limit means the
kernel kills the pod (OOMKilled) instead of DuckDB failing the query gracefully
or spilling to disk; more ``threads`` than the pod's CPU limit only throttles::

    targets: {duckdb: {memory_limit: 8GB}}
    transforms:
      - name: fct_orders
        workload: small          # FG402: 8GB does not fit a 512Mi pod

Checked for every environment's effective settings. Fix the settings, or choose a
larger ``workload`` / ``resources``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from floe_gate.compute import ComputePlugin, ResourceSpec
from floe_gate.context import Context
from floe_gate.problems import Problem, located
from floe_gate.resolve.engines import ResolvedProduct, ResolvedTransform
from floe_gate.resolve.hierarchy import Origin
from floe_gate.resolve.resources import transform_resources

ID = "FG402"
TITLE = "engine settings exceed the pod"


@dataclass
class _Memo:
    """Thousands of transforms share a few configs (Context caches them) and workloads."""

    fits: dict[tuple[int, ResourceSpec], list[str]] = field(default_factory=dict)
    """(id of a validated config, the pod's resources) → the plugin's misfits."""
    presets: dict[tuple[str, str | None], ResourceSpec] = field(default_factory=dict)
    """(engine, workload) → the pod of a transform without resource overrides."""


def check(context: Context) -> Iterator[Problem]:
    environments = list(context.repository.manifest.model.environments)
    memo = _Memo()
    for product in context.products:
        reported: set[tuple[str, str]] = set()
        for resolved in product.transforms:
            for message in _misfits(context, product, resolved, environments, memo):
                where = _origin(product, resolved)
                if (where.file + str(where.line), message) in reported:
                    continue
                reported.add((where.file + str(where.line), message))
                yield located(
                    where,
                    ID,
                    message,
                    subject=f"{product.name}:{resolved.name}",
                    related=[level.file for level in product.chain],
                )


def _misfits(
    context: Context,
    product: ResolvedProduct,
    resolved: ResolvedTransform,
    environments: list[str],
    memo: _Memo,
) -> Iterator[str]:
    if context.unusable(resolved.engine):
        return
    plugin = context.registry.get(resolved.engine)
    try:
        resources = _resources(plugin, resolved, memo)
    except Exception:
        return
    by_message: dict[str, list[str]] = {}
    for environment in environments:
        config = context.engine_config(product.chain, resolved.engine, environment)
        if config is None:
            continue
        key = (id(config), resources)
        if key not in memo.fits:
            memo.fits[key] = list(plugin.resource_fit(config, resources))
        for message in memo.fits[key]:
            by_message.setdefault(message, []).append(environment)
    for message, where in by_message.items():
        scope = (
            f"transform {resolved.name}"
            if resolved.listed
            else f"models {product.name} does not list (default workload)"
        )
        yield f"{scope} on {resolved.engine} in {', '.join(where)}: {message}"


def _resources(
    plugin: ComputePlugin[Any], resolved: ResolvedTransform, memo: _Memo
) -> ResourceSpec:
    transform = resolved.transform
    if transform is not None and transform.resources is not None:
        return transform_resources(plugin, transform)
    key = (resolved.engine, transform.workload if transform else None)
    if key not in memo.presets:
        memo.presets[key] = transform_resources(plugin, transform)
    return memo.presets[key]


def _origin(product: ResolvedProduct, resolved: ResolvedTransform) -> Origin:
    document = product.node.product.document
    if resolved.index is None:
        return Origin.of(document, ("name",))
    transform = resolved.transform
    field = "workload" if transform is not None and transform.workload else "name"
    return Origin.of(document, ("transforms", resolved.index, field))
