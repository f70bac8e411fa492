"""Spark target settings, as a manifest writes them under ``compute.targets.spark``.

dbt-spark silently ignores profile keys it does not know, and a Spark Thrift server
silently ignores session settings it is not sent the right way, so every key is
declared here and anything else is rejected before dbt ever sees it.
"""

from __future__ import annotations

import re
from typing import Literal, Self

from pydantic import Field, model_validator

from floe_gate.compute import CatalogConfig, ComputeConfig, Credential, EnvRef
from floe_gate.compute.secrets import literal_credentials

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SPARK_CONF_KEY = re.compile(r"^spark\.[A-Za-z0-9_.\-]+$")
CATALOG_PROPERTY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
SUPPORTED_CATALOG_TYPES = ("rest", "hive")

# Properties the plugin writes itself from `catalog`; catalog_properties may not repeat them.
MANAGED_CATALOG_PROPERTIES = frozenset(
    {
        "type",
        "uri",
        "warehouse",
        "catalog-impl",
        "credential",
        "token",
        "scope",
        "oauth2-server-uri",
        "header.X-Iceberg-Access-Delegation",
    }
)
QUERY_TIMEOUT_CONF = "spark.sql.thriftServer.queryTimeout"

ConfValue = str | int | float | bool | EnvRef


class SparkConfig(ComputeConfig):
    """Settings of a Spark target: a Thrift server (HiveThriftServer2) or an in-process session."""

    plugin: Literal["spark"] = "spark"
    method: Literal["thrift", "session"] = Field(
        default="thrift",
        description="thrift: a Spark Thrift server; session: Spark inside the dbt process",
    )
    host: str | None = Field(
        default=None, min_length=1, description="Thrift server host (method thrift)"
    )
    port: int = Field(default=10000, ge=1, le=65535, description="Thrift server port")
    user: str = Field(default="floe", min_length=1, description="User the session runs as")
    auth: Literal["NONE", "NOSASL", "LDAP", "CUSTOM", "KERBEROS"] = Field(
        default="NONE", description="The server's hive.server2.authentication"
    )
    password: Credential | None = Field(default=None, description="auth LDAP or CUSTOM")
    kerberos_service_name: str | None = Field(default=None, min_length=1)
    use_ssl: bool = False
    connect_retries: int = Field(
        default=0, ge=0, le=100, description="Connection attempts after the first"
    )
    connect_timeout: int = Field(
        default=10, ge=1, le=3600, description="Seconds between connection attempts"
    )
    retry_all: bool = Field(default=False, description="Retry on every connection error")
    query_retries: int = Field(
        default=1, ge=0, le=10, description="Retries of a statement whose connection was lost"
    )
    poll_interval: int = Field(
        default=5, ge=1, le=300, description="Seconds between polls of a running statement"
    )
    catalog: CatalogConfig | None = Field(
        default=None, description="An Iceberg catalog, as Spark catalog settings"
    )
    catalog_properties: dict[str, ConfValue] = Field(
        default_factory=dict, description="More Iceberg catalog properties (io-impl, scope, ...)"
    )
    spark_conf: dict[str, ConfValue] = Field(
        default_factory=dict, description="Spark SQL settings of the session (spark.*)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.credentials:
            raise ValueError(
                "credentials: Spark takes password, catalog credentials or spark_conf "
                "references instead"
            )
        if self.method == "thrift" and self.host is None:
            raise ValueError("host is required with method thrift (the Thrift server's host)")
        if self.method == "session":
            for key in ("host", "password", "kerberos_service_name"):
                if getattr(self, key) is not None:
                    raise ValueError(f"{key} is for method thrift; method session has none")
        if (self.password is not None) != (self.auth in ("LDAP", "CUSTOM")):
            raise ValueError("password is needed with auth LDAP or CUSTOM, and only then")
        if (self.kerberos_service_name is not None) != (self.auth == "KERBEROS"):
            raise ValueError("kerberos_service_name is needed with auth KERBEROS, and only then")
        self._check_spark_conf()
        self._check_catalog()
        return self

    def _check_spark_conf(self) -> None:
        for key in self.spark_conf:
            if not SPARK_CONF_KEY.fullmatch(key):
                raise ValueError(f"spark_conf.{key}: not a Spark setting name (spark.…)")
            if key == QUERY_TIMEOUT_CONF:
                raise ValueError(f"spark_conf.{key}: set timeout_seconds instead")
            if key.startswith("spark.sql.catalog.") and self.catalog is not None:
                name = self.catalog.catalog_name
                if key == f"spark.sql.catalog.{name}" or key.startswith(
                    f"spark.sql.catalog.{name}."
                ):
                    raise ValueError(f"spark_conf.{key}: set it under catalog / catalog_properties")
        for key in literal_credentials(self.spark_conf):
            raise ValueError(
                f"spark_conf.{key} holds a credential: write it as an environment reference "
                "{env: NAME}, never a literal value"
            )

    def _check_catalog(self) -> None:
        if self.catalog is None:
            if self.catalog_properties:
                raise ValueError("catalog_properties need a catalog")
            return
        catalog = self.catalog
        if not IDENTIFIER.fullmatch(catalog.catalog_name):
            raise ValueError(
                "catalog.catalog_name is not a Spark catalog name (letters, digits and _)"
            )
        if catalog.catalog_type not in SUPPORTED_CATALOG_TYPES:
            raise ValueError(
                "catalog.catalog_type is not a type the Spark plugin supports "
                f"(supported: {', '.join(SUPPORTED_CATALOG_TYPES)})"
            )
        # CatalogConfig itself admits only token, client_id + client_secret, or none.
        if catalog.catalog_type == "hive" and catalog.credentials:
            raise ValueError("catalog.credentials: a hive catalog takes none")
        for key in self.catalog_properties:
            if not CATALOG_PROPERTY.fullmatch(key):
                raise ValueError(f"catalog_properties.{key}: not an Iceberg property name")
            if key in MANAGED_CATALOG_PROPERTIES:
                raise ValueError(
                    f"catalog_properties.{key}: written from catalog (catalog_type, "
                    "catalog_uri, warehouse, credentials)"
                )
        for key in literal_credentials(self.catalog_properties):
            raise ValueError(
                f"catalog_properties.{key} holds a credential: write it as an environment "
                "reference {env: NAME}, never a literal value"
            )
