"""Databricks target settings, as a manifest writes them under ``compute.targets.databricks``.

dbt-databricks silently ignores profile keys it does not know, so every key is declared
here and anything else is rejected before dbt ever sees it.
"""

from __future__ import annotations

import re
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from floe_gate.compute import ComputeConfig, Credential
from floe_gate.compute.secrets import is_credential_name

HOSTNAME = r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$"
WAREHOUSE_PATH = re.compile(r"^/?sql/1\.0/(warehouses|endpoints)/[A-Za-z0-9]+$")
CLUSTER_PATH = re.compile(r"^/?sql/protocolv1/o/[0-9]+/[A-Za-z0-9-]+$")
PROPERTY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
STATEMENT_TIMEOUT = "STATEMENT_TIMEOUT"
# dbt-databricks reserves these connection parameters; the plugin writes the rest.
RESERVED_PROPERTIES = frozenset({STATEMENT_TIMEOUT.lower(), "databricks.catalog"})

SessionValue = str | int | bool


class DatabricksConfig(ComputeConfig):
    """Settings of a Databricks target: a SQL warehouse or an all-purpose cluster."""

    plugin: Literal["databricks"] = "databricks"
    host: str = Field(
        pattern=HOSTNAME, description="Workspace host name, e.g. dbc-a1b2.cloud.databricks.com"
    )
    http_path: str = Field(
        description="/sql/1.0/warehouses/<id> (SQL warehouse) or "
        "sql/protocolv1/o/<workspace>/<cluster> (cluster)"
    )
    catalog: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="Unity Catalog catalog (default hive_metastore)",
    )
    token: Credential | None = Field(default=None, description="Personal access token")
    client_id: Credential | None = Field(default=None, description="OAuth M2M client id")
    client_secret: Credential | None = Field(default=None, description="OAuth M2M secret")
    connect_retries: int = Field(
        default=1, ge=0, le=100, description="Connection attempts after the first"
    )
    connect_timeout: int | None = Field(
        default=None, ge=1, le=3600, description="Seconds between connection attempts"
    )
    retry_all: bool = Field(default=False, description="Retry on every connection error")
    socket_timeout: int = Field(
        default=600, ge=1, le=86400, description="Seconds a socket waits for the server"
    )
    session_properties: dict[str, SessionValue] = Field(
        default_factory=dict, description="Session settings (SET key = value)"
    )

    @property
    def on_sql_warehouse(self) -> bool:
        return WAREHOUSE_PATH.fullmatch(self.http_path) is not None

    @field_validator("http_path")
    @classmethod
    def _warehouse_or_cluster(cls, http_path: str) -> str:
        if not (WAREHOUSE_PATH.fullmatch(http_path) or CLUSTER_PATH.fullmatch(http_path)):
            raise ValueError(
                "neither a SQL warehouse (/sql/1.0/warehouses/<id>) nor a cluster "
                "(sql/protocolv1/o/<workspace>/<cluster>)"
            )
        return http_path

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.credentials:
            raise ValueError("credentials: Databricks takes token, or client_id and client_secret")
        oauth = (self.client_id is not None, self.client_secret is not None)
        if oauth in ((True, False), (False, True)):
            raise ValueError("OAuth M2M needs both client_id and client_secret")
        if (self.token is not None) == all(oauth):
            raise ValueError(
                "authenticate with token (a personal access token), or with client_id and "
                "client_secret (OAuth M2M): exactly one of them"
            )
        for key, value in self.session_properties.items():
            if not PROPERTY.fullmatch(key):
                raise ValueError(f"session_properties.{key}: not a session setting name")
            if key.lower() in RESERVED_PROPERTIES:
                hint = "timeout_seconds" if key.lower() == "statement_timeout" else "catalog"
                raise ValueError(f"session_properties.{key}: set {hint} instead")
            if is_credential_name(key) and not isinstance(value, bool):
                raise ValueError(
                    f"session_properties.{key} looks like a credential: session settings are "
                    "sent in clear to the warehouse and logged; keep secrets out of them"
                )
        return self
