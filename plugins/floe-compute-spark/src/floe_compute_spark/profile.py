"""The dbt-spark profile output for a Spark target.

Session settings reach Spark through dbt-spark's ``server_side_parameters``. Over
Thrift they are sent when the session opens, and a Spark Thrift server applies only
keys written ``set:hiveconf:<key>``: a plain ``spark.sql.shuffle.partitions`` is
accepted and silently ignored (measured against Spark 4.3's HiveThriftServer2). With
``method: session`` they configure the in-process ``SparkSession`` and are plain keys.
"""

from __future__ import annotations

from typing import Any

from floe_compute_spark.config import QUERY_TIMEOUT_CONF, ConfValue, SparkConfig
from floe_gate.compute import CatalogConfig, EnvRef

THRIFT_SESSION_PREFIX = "set:hiveconf:"
ICEBERG_CATALOG_CLASS = "org.apache.iceberg.spark.SparkCatalog"
ICEBERG_EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
# The schema every profile starts with; `floe-gate compile` replaces it by the product's.
DEFAULT_SCHEMA = "default"


def build_profile(config: SparkConfig) -> dict[str, Any]:
    """One ``outputs:`` entry; secrets appear only as ``{{ env_var('NAME') }}``."""
    profile: dict[str, Any] = {
        "type": "spark",
        "method": config.method,
        "schema": DEFAULT_SCHEMA,
        "threads": config.threads,
    }
    if config.method == "thrift":
        profile.update(_thrift_connection(config))
    else:
        profile["host"] = "localhost"  # required by dbt-spark, unused by the session method
    profile["server_side_parameters"] = session_settings(config)
    return profile


def _thrift_connection(config: SparkConfig) -> dict[str, Any]:
    connection: dict[str, Any] = {
        "host": config.host,
        "port": config.port,
        "user": config.user,
        "auth": config.auth,
    }
    if config.password is not None:
        connection["password"] = config.password.as_dbt_template()
    if config.kerberos_service_name is not None:
        connection["kerberos_service_name"] = config.kerberos_service_name
    if config.use_ssl:
        connection["use_ssl"] = True
    connection.update(
        connect_retries=config.connect_retries,
        connect_timeout=config.connect_timeout,
        retry_all=config.retry_all,
        # dbt-spark's own bound: it stops waiting for a statement after this long.
        query_timeout=config.timeout_seconds,
        query_retries=config.query_retries,
        poll_interval=config.poll_interval,
    )
    return connection


def session_settings(config: SparkConfig) -> dict[str, str]:
    """``server_side_parameters``: the Spark settings of every dbt session, as strings."""
    settings: dict[str, ConfValue] = {}
    if config.method == "thrift":
        # dbt-spark turns ANSI mode off for its macros, but as a plain key, which a
        # Thrift server ignores; the server cancels statements running longer than
        # the timeout (state TIMEDOUT), unlike query_timeout which only stops waiting.
        settings["spark.sql.ansi.enabled"] = False
        settings[QUERY_TIMEOUT_CONF] = f"{config.timeout_seconds}s"
    if config.catalog is not None:
        if config.method == "session":
            # A static setting: only a session being built can take it.
            settings["spark.sql.extensions"] = ICEBERG_EXTENSIONS
        settings.update(catalog_settings(config.catalog, config.catalog_properties))
    settings.update(config.spark_conf)
    prefix = THRIFT_SESSION_PREFIX if config.method == "thrift" else ""
    return {prefix + key: _rendered(value) for key, value in settings.items()}


def catalog_settings(
    catalog: CatalogConfig, properties: dict[str, ConfValue] | None = None
) -> dict[str, ConfValue]:
    """The ``spark.sql.catalog.<name>*`` settings of an Iceberg catalog."""
    base = f"spark.sql.catalog.{catalog.catalog_name}"
    settings: dict[str, ConfValue] = {
        base: ICEBERG_CATALOG_CLASS,
        f"{base}.type": catalog.catalog_type,
        f"{base}.uri": catalog.catalog_uri,
    }
    if catalog.warehouse is not None:
        settings[f"{base}.warehouse"] = catalog.warehouse
    if catalog.catalog_type == "rest":
        settings.update(_rest_authentication(base, catalog))
    for key, value in (properties or {}).items():
        settings[f"{base}.{key}"] = value
    return settings


def _rest_authentication(base: str, catalog: CatalogConfig) -> dict[str, ConfValue]:
    credentials = catalog.credentials
    settings: dict[str, ConfValue] = {}
    if "token" in credentials:
        settings[f"{base}.token"] = credentials["token"]
    elif "client_id" in credentials:
        # Iceberg's REST catalog takes OAuth2 client credentials as "id:secret".
        settings[f"{base}.credential"] = (
            credentials["client_id"].as_dbt_template()
            + ":"
            + credentials["client_secret"].as_dbt_template()
        )
        settings[f"{base}.oauth2-server-uri"] = catalog.oauth2_server_uri or (
            catalog.catalog_uri.rstrip("/") + "/v1/oauth/tokens"
        )
        settings[f"{base}.scope"] = catalog.oauth2_scope
    if catalog.access_delegation == "vended_credentials":
        settings[f"{base}.header.X-Iceberg-Access-Delegation"] = "vended-credentials"
    return settings


def _rendered(value: ConfValue) -> str:
    if isinstance(value, EnvRef):
        return value.as_dbt_template()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
