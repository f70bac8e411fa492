"""The compute plugin contract: what floe-gate and its engine plugins exchange."""

from floe_gate.compute.errors import (
    ComputeConfigurationError,
    ComputeConnectionError,
    ComputeError,
    ComputeQueryError,
    ComputeTimeoutError,
)
from floe_gate.compute.models import (
    WORKLOAD_PRESETS,
    AttachConfig,
    CatalogConfig,
    ComputeConfig,
    ConnectionResult,
    ConnectionStatus,
    Credential,
    EnvRef,
    Relation,
    ResourceSpec,
)
from floe_gate.compute.plugin import (
    FLOE_API_VERSION,
    ComputePlugin,
    IncompletePluginError,
    PluginMetadata,
    api_incompatibility,
)

__all__ = [
    "FLOE_API_VERSION",
    "WORKLOAD_PRESETS",
    "AttachConfig",
    "CatalogConfig",
    "ComputeConfig",
    "ComputeConfigurationError",
    "ComputeConnectionError",
    "ComputeError",
    "ComputePlugin",
    "ComputeQueryError",
    "ComputeTimeoutError",
    "ConnectionResult",
    "ConnectionStatus",
    "Credential",
    "EnvRef",
    "IncompletePluginError",
    "PluginMetadata",
    "Relation",
    "ResourceSpec",
    "api_incompatibility",
]
