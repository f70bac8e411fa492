"""What every rule sees: the loaded repository, its resolution and the installed plugins.

Also what several rules ask of it (whether an engine can be used, which keys of an
environment's settings would choose another adapter), so that rules never import each
other. ``emit`` and ``health`` read the same resolution.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from floe_gate.load.dbt_project import DbtProject
from floe_gate.load.repository import ProductNode, Repository
from floe_gate.registry import PluginRegistry, PluginStatus
from floe_gate.resolve.engines import ResolvedProduct, ResolvedTransform, resolve_product
from floe_gate.resolve.hierarchy import Hierarchy, Level
from floe_gate.resolve.secrets import redact_literal_secrets
from floe_gate.resolve.settings import effective_settings

ADAPTER_KEYS = frozenset({"plugin", "type"})
"""Keys of an engine's settings that would choose another engine or adapter."""


@dataclass
class Context:
    repository: Repository
    registry: PluginRegistry
    today: date = field(default_factory=date.today)
    _configs: dict[tuple[tuple[str, ...], str, str | None], Any] = field(
        default_factory=dict, repr=False
    )

    @cached_property
    def hierarchy(self) -> Hierarchy:
        return Hierarchy(self.repository)

    @cached_property
    def products(self) -> list[ResolvedProduct]:
        """Products whose domain is known, resolved."""
        resolved = (resolve_product(self.hierarchy, node) for node in self.repository.products)
        return [product for product in resolved if product is not None]

    def listed_models(self) -> Iterator[tuple[ResolvedProduct, ResolvedTransform, int]]:
        """``(product, transform, its index in transforms:)`` for each listed transform that
        selects dbt models (``transform.models``): what the rules about models judge."""
        for product in self.products:
            for transform in product.transforms:
                if transform.listed and transform.index is not None and transform.models:
                    yield product, transform, transform.index

    def dbt_projects(self) -> Iterator[tuple[ProductNode, DbtProject]]:
        """Each dbt project once, with the first data product using it (several may)."""
        seen: set[str] = set()
        for node in self.repository.products:
            if node.dbt is not None and node.dbt.file not in seen:
                seen.add(node.dbt.file)
                yield node, node.dbt

    @cached_property
    def installed_engines(self) -> frozenset[str]:
        return frozenset(self.registry.names())

    def engine_config(
        self, chain: tuple[Level, ...], engine: str, environment: str | None
    ) -> Any | None:
        """The engine's validated config along ``chain`` in ``environment``; None if invalid.

        Cached: many transforms, and every product of a domain, share the settings.
        FG203 reports why a config is invalid;
        literal secrets (FG401) are read as references, so they hide no other problem.
        """
        # A product's level sets no engine settings: its products share their domain's.
        files = tuple(level.file for level in chain if level.kind != "product")
        key = (files, engine, environment)
        if key not in self._configs:
            settings = effective_settings(chain, engine, environment)
            try:
                plugin = self.registry.get(engine)
                values = redact_literal_secrets(
                    {"timeout_seconds": self.timeout_seconds, **settings.values},
                    model=plugin.config_model,
                )
                self._configs[key] = plugin.parse_config(values)
            except Exception:
                self._configs[key] = None
        return self._configs[key]

    @staticmethod
    def approved_along(chain: tuple[Level, ...]) -> tuple[str, ...]:
        """The engines every level of ``chain`` approves: those its products may use.

        An engine a level approves beyond its parent is FG101's; no other rule judges
        it there (its settings, say), since nothing can run on it.
        """
        return tuple(
            engine for engine in chain[-1].approved if all(engine in lv.approved for lv in chain)
        )

    @property
    def timeout_seconds(self) -> int:
        return self.repository.manifest.model.compute.timeout_seconds

    def unusable(self, engine: str) -> str | None:
        """Why ``engine`` cannot be used here (FG202 reports it), or None."""
        if engine not in self.installed_engines:
            return (
                f"engine {engine!r} has no installed compute plugin "
                f"(installed: {options(self.installed_engines)}); install its plugin, "
                "e.g. in the hook's additional_dependencies"
            )
        record = self.registry.record(engine)
        if record.status is not PluginStatus.OK:
            return f"the compute plugin for {engine!r} cannot be used: {record.reason}"
        return None

    def times_out_models(self, engine: str) -> bool:
        """Whether ``engine`` is usable and can limit single dbt models (per-transform
        ``timeout_seconds``, FG205; its statement guard and dbt's query comment, FG305)."""
        return self.unusable(engine) is None and self.registry.get(engine).per_model_timeouts

    def adapter_overrides(self, environment: str, engine: str) -> list[str]:
        """The keys of ``compute.environments.<environment>.<engine>`` that would choose
        another adapter (FG204 refuses them), sorted."""
        environments = self.repository.manifest.model.compute.environments
        settings = environments.get(environment, {}).get(engine)
        return sorted(ADAPTER_KEYS & set(settings)) if isinstance(settings, dict) else []


def options(values: Iterable[str]) -> str:
    listed = sorted(set(values))
    return ", ".join(listed) if listed else "none"
