"""Models of the configuration files, the single source of both validation and JSON Schema.

Every model forbids unknown keys: a typo is a located problem with a did-you-mean,
never a silently ignored setting. Engine target settings stay plain mappings here;
the engine's plugin validates them with its own config model.
"""

from __future__ import annotations

import functools
import re
import subprocess
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from floe_gate.compute.models import MAX_STRING_LENGTH, no_items
from floe_gate.load.yaml_document import MAX_FILE_BYTES

ENGINE_NAME = r"^[a-z][a-z0-9_]*$"
GIT_BRANCH = re.compile(r"(?!/|.*/\Z|.*\.\.|.*//|.*@\{|.*\.lock\Z|-)[A-Za-z0-9._/-]+")
MAX_NAME_LENGTH = 128
"""Product, transform and engine names: they become directory, file and profile names."""
MAX_FILE_BYTES_SETTING = 64 * 1024 * 1024
"""The most ``max_file_bytes`` may allow: parsing is linear, but not free."""

EngineName = Annotated[
    str,
    Field(pattern=ENGINE_NAME, max_length=MAX_NAME_LENGTH, description="A compute engine name"),
]
TargetSettings = dict[str, Any]


def _each_once(engines: list[str]) -> list[str]:
    """Each engine approved once; a repetition is an error at the repeated item."""
    repeated = [
        InitErrorDetails(
            type=PydanticCustomError(
                "repeated",
                "{engine} is listed already (item {first})",
                {"engine": engine, "first": engines.index(engine)},
            ),
            loc=(index,),
            input=engine,
        )
        for index, engine in enumerate(engines)
        if engine in engines[:index]
    ]
    if repeated:
        raise ValidationError.from_exception_data("approved", repeated)
    return engines


ApprovedEngines = Annotated[list[EngineName], AfterValidator(_each_once)]


@functools.lru_cache(maxsize=256)
def git_accepts_branch(name: str) -> bool:
    """Whether git itself accepts ``name`` as a branch (``git check-ref-format --branch``).

    Asked once per distinct name and run; without git, the pattern above decides alone.
    """
    try:
        done = subprocess.run(
            ["git", "check-ref-format", "--branch", name], capture_output=True, check=False
        )
    except OSError:
        return True
    return done.returncode == 0 and done.stdout.decode("utf-8", "replace").strip() == name


def _branch_name(value: str) -> str:
    if not GIT_BRANCH.fullmatch(value) or not git_accepts_branch(value):
        raise ValueError("not a valid git branch name")
    return value


class _Strict(BaseModel):
    # strict: no silent coercion (true is not 1, '30' not 30, !!binary not a string).
    model_config = ConfigDict(
        extra="forbid", frozen=True, hide_input_in_errors=True, defer_build=True,
        populate_by_name=True, strict=True, str_max_length=MAX_STRING_LENGTH,
    )  # fmt: skip


class Environment(_Strict):
    branch: Annotated[str, AfterValidator(_branch_name)] = Field(
        description="The git branch holding this environment's configuration"
    )


class ManifestCompute(_Strict):
    approved: ApprovedEngines = Field(min_length=1, description="Engines the platform allows")
    default: EngineName = Field(description="Engine of transforms that name none")
    timeout_seconds: int = Field(
        default=3600, ge=1, le=86400, description="Default per-statement timeout in seconds"
    )
    targets: dict[EngineName, TargetSettings] = Field(
        default_factory=dict, description="Engine settings, validated by each engine's plugin"
    )
    # Values stay loose here so that FG204 can explain an attempt to choose an engine
    # ("prod: {default: spark}") better than a type error would.
    environments: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Per-environment engine settings (never the choice of engine)",
    )
    allowed_paths: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list,
        description="Local directories outside the work directory that DuckDB paths, "
        "temp_directory, attach paths and shared_storage may point into (FG404)",
    )
    shared_storage: str | None = Field(
        default=None,
        min_length=1,
        description="Where data crosses engines, as Parquet: a directory shared by every "
        "engine (relative to where dbt runs) or a URL such as s3://bucket/handoff",
    )


class Manifest(_Strict):
    """manifest.yaml: the root of the hierarchy."""

    api_version: Literal["floe/v1"] = Field(alias="apiVersion")
    kind: Literal["Manifest"]
    policies: str = Field(default="policies", description="Policy tree, relative to this file")
    environments: dict[str, Environment] = Field(
        min_length=1, description="Environments in promotion order"
    )
    compute: ManifestCompute
    max_file_bytes: int = Field(
        default=MAX_FILE_BYTES,
        ge=1024,
        le=MAX_FILE_BYTES_SETTING,
        description="Largest configuration file (floe.yaml, policy, waivers, dbt YAML) the "
        "gate reads, in bytes; larger ones are refused (FG001) before they are parsed",
    )


class LevelCompute(_Strict):
    approved: ApprovedEngines | None = Field(
        default=None, description="Must be a subset of the parent's approved engines"
    )
    default: EngineName | None = Field(default=None, description="Must be in approved")


class PolicyCompute(LevelCompute):
    targets: dict[EngineName, TargetSettings] = Field(
        default_factory=dict, description="Engine settings for this subtree (deep-merged)"
    )


class Policy(_Strict):
    """policies/<domain>[/<sub-domain>…]/policy.yaml: a domain narrows its parent."""

    api_version: Literal["floe/v1"] = Field(alias="apiVersion")
    kind: Literal["Policy"]
    compute: PolicyCompute = Field(default_factory=PolicyCompute)


class ResourceOverride(_Strict):
    cpu_request: str | None = None
    cpu_limit: str | None = None
    memory_request: str | None = None
    memory_limit: str | None = None
    ephemeral_storage_request: str | None = None
    ephemeral_storage_limit: str | None = None


class Transform(_Strict):
    name: str = Field(
        min_length=1, max_length=MAX_NAME_LENGTH, description="A dbt model of the product's project"
    )
    compute: EngineName | None = Field(default=None, description="Engine for this model")
    workload: str | None = Field(default=None, description="Resource preset: small, medium, large")
    timeout_seconds: int | None = Field(default=None, ge=1, le=86400)
    resources: ResourceOverride | None = None


class DataProduct(_Strict):
    """floe.yaml: a data product and the engines of its transforms."""

    api_version: Literal["floe/v1"] = Field(alias="apiVersion")
    kind: Literal["DataProduct"]
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$", max_length=MAX_NAME_LENGTH)
    domain: str = Field(min_length=1, description="Path under the policy tree, e.g. finance/risk")
    dbt_project: str = Field(default=".", description="Directory of dbt_project.yml")
    schema_name: str | None = Field(default=None, alias="schema", description="dbt schema")
    compute: LevelCompute = Field(default_factory=LevelCompute)
    transforms: list[Transform] = Field(default_factory=no_items)


class Waiver(_Strict):
    rule: str = Field(pattern=r"^FG[0-9]{3}$")
    subject: str = Field(min_length=1, description="FILE, FILE:LINE, or PRODUCT[:TRANSFORM]")
    reason: str = Field(min_length=1)
    expires: date = Field(strict=False, description="YYYY-MM-DD, quoted or not")


class Waivers(_Strict):
    """policies/waivers.yaml: known problems accepted for a while, as warnings."""

    api_version: Literal["floe/v1"] = Field(alias="apiVersion")
    kind: Literal["Waivers"]
    waivers: list[Waiver] = Field(default_factory=no_items)
