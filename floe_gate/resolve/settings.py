"""An engine's effective target settings: manifest, then each policy down the chain
(deep-merged), then the environment's overrides. Every leaf remembers its origin.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from floe_gate.load.yaml_document import KeyPath, YamlDocument
from floe_gate.resolve.hierarchy import Level, Origin


@dataclass
class SettingsLayer:
    """One place that sets an engine's settings: a document and the path of the mapping."""

    document: YamlDocument
    path: KeyPath

    @property
    def values(self) -> Any:
        data: Any = self.document.data
        for part in self.path:
            if not isinstance(data, dict) or part not in data:
                return None
            data = data[part]
        return data


@dataclass
class EffectiveSettings:
    values: dict[str, Any] = field(default_factory=dict)
    layers: list[SettingsLayer] = field(default_factory=list)
    configured: bool = True
    """False when no layer sets the engine: ``layers`` is then the manifest's ``targets``."""

    def writes(self, path: KeyPath) -> bool:
        """Whether a layer writes the setting at ``path`` (relative to the settings)."""
        return any(_contains(layer.values, path) for layer in self.layers)

    def origin(self, path: KeyPath, *, key: bool = False) -> Origin:
        """Where the setting at ``path`` (relative to the settings) was written."""
        for end in range(len(path), 0, -1):
            for layer in reversed(self.layers):
                if _contains(layer.values, path[:end]):
                    return Origin.of(layer.document, (*layer.path, *path[:end]), key=key)
        layer = self.layers[-1]
        return Origin.of(layer.document, layer.path, key=True)


def _contains(values: Any, path: KeyPath) -> bool:
    for part in path:
        if isinstance(values, list) and isinstance(part, int) and 0 <= part < len(values):
            values = values[part]
            continue
        if isinstance(values, dict) and part in values:
            values = values[part]
        else:
            return False
    return True


def engine_layers(
    chain: tuple[Level, ...], engine: str, environment: str | None
) -> Iterator[SettingsLayer]:
    manifest = chain[0].document
    yield SettingsLayer(manifest, ("compute", "targets", engine))
    for level in chain[1:]:
        if level.kind == "policy":
            yield SettingsLayer(level.document, ("compute", "targets", engine))
    if environment is not None:
        yield SettingsLayer(manifest, ("compute", "environments", environment, engine))


def effective_settings(
    chain: tuple[Level, ...], engine: str, environment: str | None = None
) -> EffectiveSettings:
    effective = EffectiveSettings()
    for layer in engine_layers(chain, engine, environment):
        if isinstance(layer.values, dict):
            effective.layers.append(layer)
            effective.values = deep_merge(effective.values, layer.values)
    if not effective.layers:
        effective.layers.append(SettingsLayer(chain[0].document, ("compute", "targets")))
        effective.configured = False
    return effective


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and "env" not in value:
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
