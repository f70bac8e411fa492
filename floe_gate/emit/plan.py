"""What ``compile`` emits for one environment, worked out before any text is rendered.

For each data product: one dbt output per engine it may use (its effective approved
list), each from the engine's effective settings for the product's chain and the
environment, validated by the engine's plugin and rendered by it; and for each of
its models (listed in ``transforms:`` or not) the engine, the pod
resources and the statement timeout.

Problems that make an artifact impossible (possible only when a gate error was
waived: an engine without a usable plugin, settings the plugin refuses, names that
cannot be directories on every file system) are collected and raised together.
"""

from __future__ import annotations

import posixpath
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from floe_gate.compute import ComputeConfig, ComputePlugin, ResourceSpec
from floe_gate.config.models import Transform
from floe_gate.context import Context
from floe_gate.load.validation import describe_error
from floe_gate.registry import PluginStatus
from floe_gate.resolve.engines import ResolvedProduct, ResolvedTransform
from floe_gate.resolve.resources import transform_resources
from floe_gate.resolve.settings import effective_settings
from floe_gate.telemetry import record_profile_generation

SAFE_DIRECTORY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


class CompileError(Exception):
    """Artifacts cannot be produced; ``messages`` says why, one reason each."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class TransformPlan:
    name: str
    engine: str
    listed: bool
    workload: str
    resources: ResourceSpec
    timeout_seconds: int
    package: str | None = None
    """The installed dbt package (``dbt_packages/``) defining it; None for the project's own."""


@dataclass(frozen=True)
class ProductPlan:
    name: str
    profile: str
    dbt_project: str
    """Directory of the product's ``dbt_project.yml``, relative to the repository's top."""
    schema: str
    target: str
    """The product's default engine: its models' unless a transform names another."""
    outputs: dict[str, dict[str, Any]]
    """Engine name → dbt output, sorted by engine."""
    transforms: tuple[TransformPlan, ...]
    """Sorted by name."""
    configs: dict[str, ComputeConfig] = field(default_factory=dict, compare=False)
    """Engine → its validated settings for this product and environment."""

    @property
    def engines(self) -> set[str]:
        """Engines this product runs on: its default and each transform's."""
        return {self.target, *(transform.engine for transform in self.transforms)}


@dataclass(frozen=True)
class EnvironmentPlan:
    name: str
    branch: str
    products: tuple[ProductPlan, ...]
    """Sorted by name."""


def plan_environments(context: Context, environments: Iterable[str]) -> list[EnvironmentPlan]:
    """Every requested environment's plan; ``CompileError`` lists every obstacle found."""
    errors = list(_naming_errors(context))
    plans = []
    for environment in environments:
        planner = _Planner(context, environment)
        plans.append(planner.plan())
        errors.extend(message for message in planner.errors if message not in errors)
    errors.extend(message for message in _crossing_errors(context, plans) if message not in errors)
    if errors:
        raise CompileError(errors)
    return plans


def _crossing_errors(context: Context, plans: list[EnvironmentPlan]) -> Iterator[str]:
    from floe_gate.emit.crossings import crossing_errors

    repository = context.repository
    nodes = {node.product.model.name: node for node in repository.products}
    storage = repository.manifest.model.compute.shared_storage
    for plan in plans:
        yield from crossing_errors(nodes, plan.products, storage, context.registry)


def dbt_packages(context: Context, plans: Iterable[EnvironmentPlan]) -> dict[str, list[str]]:
    """Engine → the dbt packages a job image needs for every configuration it runs with.

    Engines something runs on: each product's default and its transforms' engines.
    """
    packages: dict[str, list[str]] = {}
    errors: list[str] = []
    for plan in plans:
        for product in plan.products:
            for engine in sorted(product.engines):
                needed = _packages_of(context, engine, product.configs.get(engine), errors)
                packages[engine] = list(dict.fromkeys([*packages.get(engine, []), *needed]))
    if errors:
        raise CompileError(list(dict.fromkeys(errors)))
    return dict(sorted(packages.items()))


def _packages_of(
    context: Context, engine: str, config: ComputeConfig | None, errors: list[str]
) -> list[str]:
    try:
        plugin = context.registry.get(engine)
        if config is None:
            return list(plugin.get_required_dbt_packages())
        return list(plugin.dbt_packages_for(config))
    except Exception as error:  # plugin code: a failure is reported, not a traceback
        errors.append(
            f"engine {engine}: its plugin failed to name its dbt packages: "
            f"{type(error).__name__}: {error}"
        )
        return []


def _naming_errors(context: Context) -> Iterator[str]:
    manifest = context.repository.manifest
    environments = [(name, manifest.file) for name in manifest.model.environments]
    yield from _directory_errors("environment", environments)
    products = [
        (node.product.model.name, node.product.file) for node in context.repository.products
    ]
    yield from _directory_errors("data product", products)
    resolved = {product.name for product in context.products}
    for node in context.repository.products:
        if node.product.model.name not in resolved:
            yield (
                f"{node.product.file}: the domain {node.product.model.domain!r} of data product "
                f"{node.product.model.name} does not resolve (no policy, or an invalid one)"
            )


def _directory_errors(kind: str, names: list[tuple[str, str]]) -> Iterator[str]:
    """Names that become directories must be safe and distinct on case-insensitive systems.

    ``names`` pairs each name with the file that defines it.
    """
    seen: dict[str, tuple[str, str]] = {}
    for name, file in names:
        if not SAFE_DIRECTORY.fullmatch(name) or name.lower() == "requirements-dbt.txt":
            yield (
                f"{file}: {kind} name {name!r} cannot be an artifact directory "
                "(letters, digits, '_', '-' and '.', not starting with '.' or '-')"
            )
        elif name.lower() in seen:
            other, other_file = seen[name.lower()]
            yield (
                f"{file}: {kind} {name!r} would share an artifact directory with {other!r} "
                f"({other_file}); names must differ in more than letter case"
            )
        else:
            seen[name.lower()] = (name, file)


class _Planner:
    """Plans one environment, noting what stands in the way instead of stopping."""

    def __init__(self, context: Context, environment: str) -> None:
        self.context = context
        self.environment = environment
        self.errors: list[str] = []
        self._configs: dict[tuple[str, str], ComputeConfig] = {}
        """(engine, repr of the settings) → the plugin's validated (frozen) config: most
        products of an environment share their engines' settings."""

    def plan(self) -> EnvironmentPlan:
        manifest = self.context.repository.manifest.model
        products = sorted(self.context.products, key=lambda product: product.name)
        planned = [plan for product in products if (plan := self._product(product))]
        return EnvironmentPlan(
            self.environment, manifest.environments[self.environment].branch, tuple(planned)
        )

    def _product(self, product: ResolvedProduct) -> ProductPlan | None:
        model = product.node.product.model
        outputs = self._outputs(product, model.schema_name or model.name)
        if outputs is None:
            return None
        planned = [self._transform(t, outputs[t.engine][0]) for t in product.transforms]
        transforms = [transform for transform in planned if transform is not None]
        if len(transforms) < len(planned):
            return None
        limited = self._with_model_timeouts(product.name, outputs, transforms)
        if limited is None:
            return None
        return ProductPlan(
            name=model.name,
            profile=_profile_name(product),
            dbt_project=_dbt_directory(product),
            schema=model.schema_name or model.name,
            target=product.level.default,
            outputs=limited,
            transforms=tuple(sorted(transforms, key=lambda t: t.name)),
            configs={engine: config for engine, (config, _) in outputs.items()},
        )

    def _with_model_timeouts(
        self,
        product: str,
        outputs: dict[str, tuple[ComputeConfig, dict[str, Any]]],
        transforms: list[TransformPlan],
    ) -> dict[str, dict[str, Any]] | None:
        """Each engine's output, limiting transforms whose timeout is not the engine's."""
        limited = {}
        for engine, (config, output) in outputs.items():
            timeouts = {
                transform.name: transform.timeout_seconds
                for transform in transforms
                if transform.engine == engine
                and transform.timeout_seconds != config.timeout_seconds
            }
            try:
                limited[engine] = self._plugin(engine).apply_model_timeouts(output, timeouts)
            except Exception as error:  # plugin code: a failure is reported, not a traceback
                self.errors.append(f"data product {product}: {error}")
                return None
        return limited

    def _outputs(
        self, product: ResolvedProduct, schema: str
    ) -> dict[str, tuple[ComputeConfig, dict[str, Any]]] | None:
        """Engine → (config, dbt output) for every usable approved engine, sorted by engine.

        None when an engine the product runs on has no output: an approved engine
        without a usable plugin is only left out when nothing of the product needs it.
        """
        needed = {product.level.default, *(t.engine for t in product.transforms)}
        outputs: dict[str, tuple[ComputeConfig, dict[str, Any]]] = {}
        for engine in sorted(set(product.level.approved) | needed):
            if not self._usable(engine, needed=engine in needed):
                continue
            config = self._config(product, engine)
            output = self._output(engine, config, schema) if config is not None else None
            if config is not None and output is not None:
                outputs[engine] = (config, output)
        return outputs if needed <= set(outputs) else None

    def _usable(self, engine: str, *, needed: bool) -> bool:
        registry = self.context.registry
        if engine in self.context.installed_engines:
            record = registry.record(engine)
            if record.status is PluginStatus.OK:
                return True
            reason = record.reason
        else:
            reason = "no installed compute plugin provides it"
        if needed:
            self.errors.append(f"engine {engine}: {reason}")
        return False

    def _plugin(self, engine: str) -> ComputePlugin[Any]:
        return self.context.registry.get(engine)

    def _config(self, product: ResolvedProduct, engine: str) -> ComputeConfig | None:
        manifest = self.context.repository.manifest.model
        settings = effective_settings(product.chain, engine, self.environment)
        values = {"timeout_seconds": manifest.compute.timeout_seconds, **settings.values}
        plugin = self._plugin(engine)
        known = (engine, repr(values))
        if known in self._configs:
            return self._configs[known]
        try:
            config: ComputeConfig = plugin.parse_config(values)
        except ValidationError as error:
            self.errors.append(
                f"data product {product.name}: {engine} settings in environment "
                f"{self.environment} are invalid ({_describe(error, plugin.config_model, values)})"
            )
            return None
        self._configs[known] = config
        return config

    def _output(self, engine: str, config: ComputeConfig, schema: str) -> dict[str, Any] | None:
        try:
            started = time.perf_counter()
            output = self._plugin(engine).generate_dbt_profile(config)
            record_profile_generation(engine, (time.perf_counter() - started) * 1000)
        except Exception as error:  # plugin code: a failure is reported, not a traceback
            self.errors.append(
                f"engine {engine}: its plugin failed to generate a dbt profile: "
                f"{type(error).__name__}: {error}"
            )
            return None
        return with_schema(output, schema)

    def _transform(
        self, resolved: ResolvedTransform, config: ComputeConfig
    ) -> TransformPlan | None:
        plugin = self._plugin(resolved.engine)
        transform: Transform | None = resolved.transform
        try:
            resources = transform_resources(plugin, transform)
        except Exception as error:  # plugin code too (its presets)
            reason = (
                _describe(error, ResourceSpec, None)
                if isinstance(error, ValidationError)
                else str(error)
            )
            self.errors.append(
                f"data product {resolved.product}: resources of {resolved.name}: {reason}"
            )
            return None
        override = transform.timeout_seconds if transform is not None else None
        return TransformPlan(
            name=resolved.name,
            engine=resolved.engine,
            listed=resolved.listed,
            workload=(transform.workload if transform else None) or plugin.default_workload,
            resources=resources,
            timeout_seconds=override or config.timeout_seconds,
            package=resolved.package,
        )


def with_schema(output: dict[str, Any], schema: str) -> dict[str, Any]:
    """The output with ``schema:`` right after ``type:`` (a plugin's own schema is replaced)."""
    rest = {key: value for key, value in output.items() if key not in {"type", "schema"}}
    head = {"type": output["type"]} if "type" in output else {}
    return {**head, "schema": schema, **rest}


def _profile_name(product: ResolvedProduct) -> str:
    dbt = product.node.dbt
    return (dbt.profile if dbt is not None else None) or product.name


def _dbt_directory(product: ResolvedProduct) -> str:
    dbt = product.node.dbt
    if dbt is not None:
        return dbt.directory or "."
    loaded = product.node.product
    return posixpath.normpath(
        posixpath.join(posixpath.dirname(loaded.file), loaded.model.dbt_project)
    )


def _describe(error: ValidationError, model: type[BaseModel], values: object) -> str:
    """The validation errors, one clause each; input values stay out (they may be secrets)."""
    return "; ".join(
        describe_error(detail, model, values)[2].removeprefix("document: ")
        for detail in error.errors(include_input=False, include_url=False)
    )
