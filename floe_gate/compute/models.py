"""The typed models exchanged between floe-gate and compute plugins.

Credentials only ever appear as environment references (``{env: NAME}``): a plugin
renders them as ``{{ env_var('NAME') }}`` and never sees a secret value. Every model
rejects unknown keys, because the dbt adapters downstream silently ignore them.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from floe_gate.compute.quantities import parse_quantity
from floe_gate.compute.secrets import literal_credentials

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_STRING_LENGTH = 4096
"""The longest string any configuration value (or key) may be, in characters."""


def no_items() -> list[Any]:
    """``default_factory=list`` for less: pydantic reads a factory's signature, and Python
    parses ``list``'s from text, compiling tokenize's patterns (~3 ms of a cold run)."""
    return []


class _Frozen(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", hide_input_in_errors=True, defer_build=True
    )


class Configuration(_Frozen):
    """A model of settings written in YAML: strict types, bounded strings.

    Strict: ``true`` is not ``1``, ``'30'`` not ``30``, ``10.0`` not ``10`` and
    ``!!binary`` data not a string; a YAML mistake is reported, never silently coerced.
    """

    model_config = ConfigDict(strict=True, str_max_length=MAX_STRING_LENGTH)


class EnvRef(Configuration):
    """A reference to an environment variable holding a secret: ``{env: NAME}``."""

    env: str = Field(pattern=ENV_NAME.pattern, description="Environment variable name")

    def as_dbt_template(self) -> str:
        """The reference as dbt renders it at run time."""
        return "{{ env_var('" + self.env + "') }}"


def _refuse_literal_secret(value: Any) -> Any:
    # The value itself is never echoed: it may be the secret.
    if isinstance(value, str | int | float | bytes):
        raise ValueError(
            "a credential must be an environment reference {env: NAME}, never a literal value"
        )
    return value


Credential = Annotated[EnvRef, BeforeValidator(_refuse_literal_secret)]


class ComputeConfig(Configuration):
    """Settings of one compute target, as a plugin receives them.

    Each plugin subclasses this with the keys its engine understands.
    """

    plugin: str = Field(min_length=1, description="Compute plugin name, e.g. duckdb")
    timeout_seconds: int = Field(
        default=3600, ge=1, le=86400, description="Per-statement timeout in seconds"
    )
    threads: int = Field(default=4, ge=1, le=64, description="Parallel threads")
    credentials: dict[str, Credential] = Field(
        default_factory=dict, description="Secrets as {env: NAME} references"
    )


class ConnectionStatus(StrEnum):
    """Health of a compute target."""

    HEALTHY = "healthy"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"


class ConnectionResult(_Frozen):
    """What ``validate_connection`` found."""

    status: ConnectionStatus
    latency_ms: float = Field(ge=0)
    message: str = ""
    warnings: tuple[str, ...] = ()


def _quantity(value: str) -> str:
    parse_quantity(value)
    return value


Quantity = Annotated[str, AfterValidator(_quantity)]


class ResourceSpec(Configuration):
    """Kubernetes requests and limits of a dbt job pod."""

    cpu_request: Quantity = "100m"
    cpu_limit: Quantity = "1000m"
    memory_request: Quantity = "256Mi"
    memory_limit: Quantity = "1Gi"
    ephemeral_storage_request: Quantity = "100Mi"
    ephemeral_storage_limit: Quantity = "1Gi"

    @model_validator(mode="after")
    def _requests_within_limits(self) -> Self:
        pairs = (
            ("cpu", self.cpu_request, self.cpu_limit),
            ("memory", self.memory_request, self.memory_limit),
            ("ephemeral_storage", self.ephemeral_storage_request, self.ephemeral_storage_limit),
        )
        for resource, request, limit in pairs:
            if parse_quantity(request) > parse_quantity(limit):
                raise ValueError(
                    f"{resource}_request {request} exceeds {resource}_limit {limit}: "
                    "Kubernetes rejects a request above its limit"
                )
        return self

    def as_kubernetes(self) -> dict[str, dict[str, str]]:
        """The ``resources:`` block of a Kubernetes container."""
        return {
            "requests": {
                "cpu": self.cpu_request,
                "memory": self.memory_request,
                "ephemeral-storage": self.ephemeral_storage_request,
            },
            "limits": {
                "cpu": self.cpu_limit,
                "memory": self.memory_limit,
                "ephemeral-storage": self.ephemeral_storage_limit,
            },
        }


WORKLOAD_PRESETS: dict[str, ResourceSpec] = {
    "small": ResourceSpec(
        cpu_request="100m", cpu_limit="500m",
        memory_request="256Mi", memory_limit="512Mi",
        ephemeral_storage_request="100Mi", ephemeral_storage_limit="500Mi",
    ),
    "medium": ResourceSpec(
        cpu_request="500m", cpu_limit="2000m",
        memory_request="1Gi", memory_limit="4Gi",
        ephemeral_storage_request="500Mi", ephemeral_storage_limit="2Gi",
    ),
    "large": ResourceSpec(
        cpu_request="2000m", cpu_limit="8000m",
        memory_request="4Gi", memory_limit="16Gi",
        ephemeral_storage_request="1Gi", ephemeral_storage_limit="5Gi",
    ),
}  # fmt: skip
"""The seeds' workload presets for single-process engines such as DuckDB."""


CatalogAuth = Literal["oauth2", "bearer", "none"]
CATALOG_CREDENTIALS: dict[CatalogAuth, frozenset[str]] = {
    "oauth2": frozenset({"client_id", "client_secret"}),
    "bearer": frozenset({"token"}),
    "none": frozenset(),
}
"""Which credentials each way of authenticating to a catalog takes."""


# A warehouse engine (Snowflake, BigQuery) does the work; the dbt job pod is a thin
# client. Memory goes to dbt itself (the parsed project, introspection results), CPU to
# its threads.
WAREHOUSE_CLIENT_PRESETS: dict[str, ResourceSpec] = {
    "small": ResourceSpec(
        cpu_request="100m", cpu_limit="500m",
        memory_request="384Mi", memory_limit="768Mi",
        ephemeral_storage_request="100Mi", ephemeral_storage_limit="500Mi",
    ),
    "medium": ResourceSpec(
        cpu_request="250m", cpu_limit="1000m",
        memory_request="512Mi", memory_limit="1Gi",
        ephemeral_storage_request="200Mi", ephemeral_storage_limit="1Gi",
    ),
    "large": ResourceSpec(
        cpu_request="500m", cpu_limit="2000m",
        memory_request="1Gi", memory_limit="2Gi",
        ephemeral_storage_request="500Mi", ephemeral_storage_limit="2Gi",
    ),
}  # fmt: skip


class CatalogConfig(Configuration):
    """An Iceberg catalog a compute engine attaches to; defaults follow Apache Polaris.

    How the engine authenticates follows from ``credentials``: ``client_id`` and
    ``client_secret`` (OAuth2 client credentials), ``token`` (a bearer token), or
    none at all; each one an ``{env: NAME}`` reference.
    """

    catalog_type: str = Field(default="rest", min_length=1, description="rest, glue, ...")
    catalog_uri: str = Field(
        min_length=1, description="Catalog API root, e.g. http://polaris:8181/api/catalog"
    )
    catalog_name: str = Field(
        min_length=1, description="Name the catalog is attached under (the dbt database)"
    )
    warehouse: str | None = Field(
        default=None, min_length=1, description="Warehouse (Polaris: catalog) to open"
    )
    credentials: dict[str, Credential] = Field(
        default_factory=dict,
        description="client_id + client_secret (OAuth2), token (bearer), or none",
    )
    oauth2_server_uri: str | None = Field(
        default=None,
        min_length=1,
        description="OAuth2 token endpoint; default catalog_uri + /v1/oauth/tokens (Polaris)",
    )
    oauth2_scope: str = Field(
        default="PRINCIPAL_ROLE:ALL", min_length=1, description="OAuth2 scope (Polaris)"
    )
    access_delegation: Literal["vended_credentials", "none"] = Field(
        default="vended_credentials",
        description="vended_credentials: the catalog hands out storage credentials; "
        "none: the engine reaches storage with its own",
    )

    @model_validator(mode="after")
    def _one_way_to_authenticate(self) -> Self:
        given = frozenset(self.credentials)
        if given not in CATALOG_CREDENTIALS.values():
            ways = "client_id + client_secret (OAuth2), token (bearer token), or none"
            unknown = sorted(given - {"client_id", "client_secret", "token"})
            if unknown:
                raise ValueError(
                    f"catalog credentials {', '.join(unknown)} are not understood (use {ways})"
                )
            raise ValueError(
                f"catalog credentials {', '.join(sorted(given))} do not fit together: use {ways}"
            )
        return self

    @property
    def auth(self) -> CatalogAuth:
        """How the engine authenticates to the catalog."""
        given = frozenset(self.credentials)
        return next(way for way, keys in CATALOG_CREDENTIALS.items() if keys == given)

    @property
    def token_endpoint(self) -> str:
        """Where OAuth2 tokens come from (Polaris serves them under the API root)."""
        return self.oauth2_server_uri or self.catalog_uri.rstrip("/") + "/v1/oauth/tokens"


class AttachConfig(Configuration):
    """A database attached to a DuckDB connection (dbt-duckdb's ``attach`` block)."""

    path: str = Field(min_length=1, description="e.g. iceberg:catalog or a .duckdb file")
    alias: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="Database alias")
    type: str = Field(default="iceberg", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    read_only: bool = False
    secret: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    options: dict[str, str | int | bool | EnvRef] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _no_literal_credentials(self) -> Self:
        literal = literal_credentials(self.options)
        if literal:
            raise ValueError(
                f"attach options {', '.join(literal)} hold credentials: write them as "
                "environment references {env: NAME}, never literal values"
            )
        return self


class Relation(_Frozen):
    """A table or view a dbt model built: where another engine finds its data."""

    schema_name: str = Field(min_length=1, description="dbt schema of the relation")
    identifier: str = Field(min_length=1, description="dbt alias (by default the model name)")
    database: str | None = Field(default=None, description="dbt database, where engines have one")
