"""DuckDB target settings, as a manifest writes them under ``compute.targets.duckdb``.

dbt-duckdb silently ignores profile keys it does not know, so every key is declared
here and anything else is rejected before dbt ever sees it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from floe_compute_duckdb.catalog import DuckDBCatalog
from floe_gate.compute import AttachConfig, ComputeConfig, EnvRef
from floe_gate.compute.models import MAX_STRING_LENGTH, no_items
from floe_gate.compute.secrets import is_credential_name, literal_credentials
from floe_gate.compute.sizes import parse_duckdb_size

IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"

# Settings with a key of their own; writing them under ``settings`` would be ambiguous.
DEDICATED_SETTINGS = frozenset(
    {"memory_limit", "threads", "temp_directory", "max_temp_directory_size"}
)


def _duckdb_size(value: str) -> str:
    parse_duckdb_size(value)
    return value


DuckDBSize = Annotated[str, AfterValidator(_duckdb_size)]
SettingValue = str | int | float | bool


class DuckDBSecret(BaseModel):
    """A DuckDB secret (``CREATE SECRET``), e.g. S3 keys; credentials as ``{env: NAME}``."""

    model_config = ConfigDict(
        frozen=True, extra="allow", hide_input_in_errors=True, defer_build=True, strict=True,
        str_max_length=MAX_STRING_LENGTH,
    )  # fmt: skip

    type: str = Field(pattern=IDENTIFIER, description="s3, gcs, azure, http, iceberg, ...")
    name: str | None = Field(default=None, pattern=IDENTIFIER)

    @model_validator(mode="before")
    @classmethod
    def _parameters_are_safe(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        parsed = dict(data)
        for key, value in data.items():
            if key in cls.model_fields:
                continue
            if not isinstance(key, str) or not _is_identifier(key):
                raise ValueError(f"secret parameter {key!r} is not a DuckDB parameter name")
            if isinstance(value, dict):
                parsed[key] = EnvRef.model_validate(value)
            elif is_credential_name(key):
                raise ValueError(
                    f"secret parameter {key!r} is a credential: write it as an environment "
                    "reference {env: NAME}, never a literal value"
                )
            elif not isinstance(value, str | int | float | bool):
                raise ValueError(f"secret parameter {key!r} must be a scalar or {{env: NAME}}")
            elif isinstance(value, str) and len(value) > MAX_STRING_LENGTH:
                raise ValueError(
                    f"secret parameter {key!r} is longer than {MAX_STRING_LENGTH} characters"
                )
        return parsed

    def parameters(self) -> dict[str, SettingValue | EnvRef]:
        return dict(self.model_extra or {})


def _is_identifier(text: str) -> bool:
    return re.fullmatch(IDENTIFIER, text) is not None


class DuckDBConfig(ComputeConfig):
    """Settings of a DuckDB target (file or in-memory database)."""

    plugin: Literal["duckdb"] = "duckdb"
    path: str = Field(
        default=":memory:",
        min_length=1,
        description="Database file, relative to the dbt project, or :memory:",
    )
    # Defaults fit the default (medium) pod: 4Gi memory, 2 CPUs. See pod_fit.py.
    memory_limit: DuckDBSize = Field(default="3GB", description="e.g. 4GB, 4GiB, 1.5GB")
    threads: int = Field(default=2, ge=1, le=64, description="DuckDB worker threads")
    temp_directory: str | None = Field(
        default=None, min_length=1, description="Where work larger than memory spills"
    )
    max_temp_directory_size: DuckDBSize | None = Field(
        default=None, description="Bound on spilled data, e.g. 20GB"
    )
    extensions: list[str] = Field(default_factory=no_items, description="Extensions to load")
    attach: list[AttachConfig] = Field(default_factory=no_items)
    secrets: list[DuckDBSecret] = Field(default_factory=no_items)
    catalog: DuckDBCatalog | None = Field(
        default=None, description="Iceberg REST catalog attached to every connection"
    )
    extension_directory: str = Field(
        default="duckdb_extensions",
        min_length=1,
        description="Where DuckDB finds extensions offline when a catalog is attached "
        "(relative to the dbt project; fill it with python -m floe_compute_duckdb.extensions)",
    )
    settings: dict[str, SettingValue | EnvRef] = Field(
        default_factory=dict, description="Other DuckDB settings (SET name = value)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if "\x00" in self.path:
            raise ValueError("path must not contain a NUL character")
        for index, extension in enumerate(self.extensions):
            if not _is_extension_name(extension):
                raise ValueError(
                    f"extensions[{index}] is not a DuckDB extension name "
                    "(lowercase letters, digits and _, e.g. httpfs, iceberg)"
                )
        for key in self.settings:
            if key in DEDICATED_SETTINGS:
                raise ValueError(f"settings.{key}: use the top-level key {key} instead")
            if not _is_identifier(key):
                raise ValueError(f"settings.{key}: not a DuckDB setting name")
        for key in literal_credentials(self.settings):
            raise ValueError(
                f"settings.{key} holds a credential: write it as an environment reference "
                "{env: NAME}, never a literal value"
            )
        aliases = [attachment.alias for attachment in self.attach]
        duplicates = sorted({alias for alias in aliases if aliases.count(alias) > 1})
        if duplicates:
            raise ValueError(f"attach aliases must be unique: {', '.join(duplicates)}")
        return self


def _is_extension_name(name: str) -> bool:
    return re.fullmatch(r"[a-z][a-z0-9_]*", name) is not None
