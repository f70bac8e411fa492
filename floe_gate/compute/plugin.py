"""The contract every compute plugin implements (FR-001…FR-004a).

A compute plugin turns a target's settings into a dbt profile, names the dbt
packages a job image needs, checks the engine's health with its native driver,
sizes the dbt job's pod and, where the engine can, says how to attach an Iceberg
catalog. It never runs transformation SQL itself: dbt does.

Importing a plugin must stay cheap: drivers are imported inside the methods that
need them, so the git hook can load every plugin without loading any engine.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

from floe_gate.compute.errors import ComputeConfigurationError
from floe_gate.compute.models import (
    WORKLOAD_PRESETS,
    CatalogConfig,
    ComputeConfig,
    ConnectionResult,
    Relation,
    ResourceSpec,
)

FLOE_API_VERSION = "1.0"
"""The plugin API this floe-gate provides. Plugins declare the version they target."""

ConfigT = TypeVar("ConfigT", bound=ComputeConfig)


def api_incompatibility(plugin_api_version: str) -> str | None:
    """Why a plugin targeting ``plugin_api_version`` cannot load here, or None if it can.

    Same major version, and a minor version no newer than ours: a plugin built for
    1.0 works with a gate providing 1.3, not the other way round.
    """
    ours = tuple(int(part) for part in FLOE_API_VERSION.split("."))
    try:
        major, minor = (int(part) for part in plugin_api_version.split("."))
    except ValueError:
        return (
            f"floe_api_version {plugin_api_version!r} is not of the form MAJOR.MINOR "
            f"(this floe-gate provides {FLOE_API_VERSION})"
        )
    if major != ours[0] or minor > ours[1]:
        return (
            f"it targets floe plugin API {plugin_api_version}, but this floe-gate provides "
            f"{FLOE_API_VERSION} (compatible: {ours[0]}.0 to {FLOE_API_VERSION}); "
            "install a plugin release built for this API or upgrade floe-gate"
        )
    return None


class IncompletePluginError(TypeError):
    """A plugin class was instantiated without implementing the whole contract."""

    def __init__(self, plugin_class: type, missing: list[str]) -> None:
        described = ", ".join(_describe_member(name) for name in missing)
        super().__init__(
            f"compute plugin {plugin_class.__module__}.{plugin_class.__qualname__} is "
            f"incomplete: it does not implement {described}. Every ComputePlugin must "
            "implement these (see docs/plugins.md)."
        )
        self.missing = missing


def _describe_member(name: str) -> str:
    member = getattr(ComputePlugin, name, None)
    if isinstance(member, property) or member is None:
        return f"{name} (property)"
    signature = inspect.signature(member)
    params = ", ".join(p for p in signature.parameters if p != "self")
    return f"{name}({params})"


class PluginMetadata(ABC):
    """Who a plugin is: its engine name, its own version, and the API it targets."""

    @property
    @abstractmethod
    def name(self) -> str:
        """Engine name, as manifests write it (``duckdb``)."""

    @property
    @abstractmethod
    def version(self) -> str:
        """The plugin's own version."""

    @property
    @abstractmethod
    def floe_api_version(self) -> str:
        """The floe plugin API version the plugin was written for (``1.0``)."""


class ComputePlugin(PluginMetadata, Generic[ConfigT]):
    """Base class of compute plugins, registered in the ``floe.computes`` entry-point group."""

    config_model: ClassVar[type[ComputeConfig]] = ComputeConfig
    """The model a target's settings are validated with; unknown keys are errors."""

    resource_presets: ClassVar[Mapping[str, ResourceSpec]] = WORKLOAD_PRESETS
    """Workload sizes this engine's pods come in."""

    default_workload: ClassVar[str] = "medium"
    """The preset of a transform that names no workload."""

    per_model_timeouts: ClassVar[bool] = False
    """Whether ``apply_model_timeouts`` can limit statements of single dbt models.

    Every plugin maps ``config.timeout_seconds`` (the default per-statement timeout)
    onto its engine's native setting in ``generate_dbt_profile`` where one exists. A
    transform's own ``timeout_seconds`` needs more: a per-model mechanism. Without
    one, the gate reports such an override (FG205) instead of ignoring it.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> ComputePlugin[ConfigT]:
        missing = sorted(getattr(cls, "__abstractmethods__", ()))
        if missing:
            raise IncompletePluginError(cls, missing)
        return super().__new__(cls)

    @abstractmethod
    def generate_dbt_profile(self, config: ConfigT) -> dict[str, Any]:
        """One dbt profile output (the mapping under ``outputs:``) for this target."""

    @abstractmethod
    def get_required_dbt_packages(self) -> list[str]:
        """Requirement strings of the dbt adapter (first) and what the profile needs."""

    @abstractmethod
    def validate_connection(self, config: ConfigT) -> ConnectionResult:
        """Check the engine with its native driver; never raises, answers within 5 s."""

    def get_resource_requirements(self, workload_size: str) -> ResourceSpec:
        """Requests and limits of the dbt job pod for a workload size.

        The named entry of ``resource_presets`` by default; a plugin sets those
        presets rather than overriding this.
        """
        return self.preset(workload_size)

    @abstractmethod
    def get_catalog_attachment_sql(self, catalog_config: CatalogConfig) -> list[str] | None:
        """SQL attaching the engine to an Iceberg catalog, or None if it cannot."""

    def resource_fit(self, config: ConfigT, resources: ResourceSpec) -> list[str]:
        """Why these settings cannot run inside a pod of ``resources`` (empty if they can).

        Engines running inside the dbt job's pod (DuckDB) override this: a memory
        limit above the pod's makes the kernel kill the pod instead of the engine
        failing gracefully.
        """
        return []

    def dbt_packages_for(self, config: ConfigT) -> list[str]:
        """The dbt packages a job running ``config``'s profile needs.

        ``get_required_dbt_packages`` by default; a plugin whose profile needs more
        for some settings (DuckDB's extensions for an Iceberg catalog) adds them here.
        """
        return self.get_required_dbt_packages()

    def apply_model_timeouts(
        self, output: dict[str, Any], timeouts: Mapping[str, int]
    ) -> dict[str, Any]:
        """``output`` limiting each named dbt model's statements to its seconds.

        ``timeouts`` maps dbt model names to seconds; only models whose transform
        overrides the default appear. Plugins that set ``per_model_timeouts``
        override this; the base refuses, so an override is never silently dropped.
        """
        if not timeouts:
            return output
        raise ComputeConfigurationError(
            f"engine {self.name} cannot limit single dbt models "
            f"(per-transform timeout_seconds on: {', '.join(sorted(timeouts))})",
            plugin_name=self.name,
        )

    def export_sql(self, config: ConfigT, relation: Relation, location: str) -> list[str] | None:
        """Statements writing ``relation`` as Parquet files into the directory ``location``.

        How data leaves this engine for a downstream model on another engine
        (``compute.shared_storage``). ``floe-gate run`` executes them through dbt on
        this engine's target, one statement at a time. None: this engine cannot.
        """
        return None

    def import_sql(self, config: ConfigT, relation: Relation, location: str) -> list[str] | None:
        """Statements making the Parquet files in ``location`` readable as ``relation``.

        Run on this engine's target before a stage whose models read a model built
        on another engine, so that their ``ref()`` resolves. None: this engine cannot.
        """
        return None

    def local_directories(self, config: ConfigT) -> list[tuple[str, str]]:
        """Directories on the machine running dbt that the engine writes into but never
        creates, each with the setting naming it: ``("warehouse", "path")``.

        ``floe-gate run`` creates the relative ones (under the directory it runs in,
        where dbt resolves them) before dbt starts; for an absolute one that does not
        exist it refuses the product, as health does. Empty: the engine needs none.
        """
        return []

    def parse_config(self, settings: Mapping[str, Any]) -> ConfigT:
        """Validate a target's settings with this plugin's config model."""
        config = self.config_model.model_validate({**settings, "plugin": self.name})
        return config  # type: ignore[return-value]

    def preset(self, workload_size: str) -> ResourceSpec:
        """The named resource preset, or a configuration error listing the known ones."""
        try:
            return self.resource_presets[workload_size]
        except KeyError:
            known = ", ".join(self.resource_presets)
            raise ComputeConfigurationError(
                f"unknown workload size {workload_size!r} (known: {known})",
                plugin_name=self.name,
                validation_errors=[f"workload must be one of: {known}"],
            ) from None
