"""The pod of a transform's dbt job: its workload preset, then its ``resources:`` overrides."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from floe_gate.compute import ComputeConfigurationError, ComputePlugin, ResourceSpec
from floe_gate.config.models import Transform


def transform_resources(plugin: ComputePlugin[Any], transform: Transform | None) -> ResourceSpec:
    """``ComputeConfigurationError`` for an unknown preset, ``ValidationError`` for overrides."""
    workload = transform.workload if transform and transform.workload else plugin.default_workload
    if workload not in plugin.resource_presets:  # never size a pod from another preset
        known = ", ".join(plugin.resource_presets)
        raise ComputeConfigurationError(
            f"unknown workload size {workload!r} (known: {known})",
            plugin_name=plugin.name,
            validation_errors=[f"workload must be one of: {known}"],
        )
    spec = plugin.get_resource_requirements(workload)
    if transform is None or transform.resources is None:
        return spec
    overrides = transform.resources.model_dump(exclude_none=True)
    return ResourceSpec.model_validate({**spec.model_dump(), **overrides})


__all__ = ["ComputeConfigurationError", "ValidationError", "transform_resources"]
