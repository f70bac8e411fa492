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
    product_misfits: dict[tuple[str, str | None], dict[str, list[str]]] = field(
        default_factory=dict
    )
    """For the product being checked: (engine, workload) → the misfits of a transform
    without resource overrides, each with its environments (they share one chain)."""


def check(context: Context) -> Iterator[Problem]:
    environments = list(context.repository.manifest.model.environments)
    memo = _Memo()
    for product in context.products:
        reported: set[tuple[str, str]] = set()
        memo.product_misfits.clear()
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
    preset = _preset(resolved)
    by_message = memo.product_misfits.get(preset) if preset is not None else None
    if by_message is None:
        by_message = _measured(context, product, resolved, environments, memo)
        if preset is not None:
            memo.product_misfits[preset] = by_message
    for message, where in by_message.items():
        scope = (
            f"transform {resolved.name}"
            if resolved.listed
            else f"models {product.name} does not list (default workload)"
        )
        yield f"{scope} on {resolved.engine} in {', '.join(where)}: {message}"


def _measured(
    context: Context,
    product: ResolvedProduct,
    resolved: ResolvedTransform,
    environments: list[str],
    memo: _Memo,
) -> dict[str, list[str]]:
    """The transform's misfits by message; none when its engine cannot be used or its pod
    cannot be sized (FG202, FG303 and FG304 say why)."""
    if context.unusable(resolved.engine):
        return {}
    plugin = context.registry.get(resolved.engine)
    try:
        resources = _resources(plugin, resolved, memo)
    except Exception:
        return {}
    return _by_message(context, product, resolved.engine, resources, environments, memo)


def _by_message(  # noqa: PLR0917 - what one transform's misfits depend on
    context: Context,
    product: ResolvedProduct,
    engine: str,
    resources: ResourceSpec,
    environments: list[str],
    memo: _Memo,
) -> dict[str, list[str]]:
    """Each misfit of ``resources`` on ``engine`` → the environments it happens in."""
    plugin = context.registry.get(engine)
    by_message: dict[str, list[str]] = {}
    for environment in environments:
        config = context.engine_config(product.chain, engine, environment)
        if config is None:
            continue
        key = (id(config), resources)
        if key not in memo.fits:
            memo.fits[key] = list(plugin.resource_fit(config, resources))
        for message in memo.fits[key]:
            by_message.setdefault(message, []).append(environment)
    return by_message


def _resources(
    plugin: ComputePlugin[Any], resolved: ResolvedTransform, memo: _Memo
) -> ResourceSpec:
    key = _preset(resolved)
    if key is None:
        return transform_resources(plugin, resolved.transform)
    if key not in memo.presets:
        memo.presets[key] = transform_resources(plugin, resolved.transform)
    return memo.presets[key]


def _preset(resolved: ResolvedTransform) -> tuple[str, str | None] | None:
    """(engine, workload) of a transform without resource overrides; None with them."""
    transform = resolved.transform
    if transform is not None and transform.resources is not None:
        return None
    return (resolved.engine, transform.workload if transform else None)


def _origin(product: ResolvedProduct, resolved: ResolvedTransform) -> Origin:
    document = product.node.product.document
    if resolved.index is None:
        return Origin.of(document, ("name",))
    transform = resolved.transform
    field = "workload" if transform is not None and transform.workload else "name"
    return Origin.of(document, ("transforms", resolved.index, field))
