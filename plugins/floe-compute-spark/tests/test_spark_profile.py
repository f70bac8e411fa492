"""The dbt-spark profile the plugin generates, what its config refuses, and dbt-spark's verdict."""

from typing import Any

import pytest
from pydantic import ValidationError

from floe_compute_spark import SparkComputePlugin
from floe_gate.compute import ComputeConfigurationError, ConnectionStatus
from floe_gate.testing.dbt_profiles import validate_with_adapter

plugin = SparkComputePlugin()
CATALOG = {
    "catalog_type": "rest",
    "catalog_uri": "http://polaris:8181/api/catalog",
    "catalog_name": "lake",
    "warehouse": "floe_wh",
    "credentials": {"client_id": {"env": "LAKE_ID"}, "client_secret": {"env": "LAKE_SECRET"}},
}


def profile(**settings: Any) -> dict[str, Any]:
    return plugin.generate_dbt_profile(plugin.parse_config(settings))


def test_thrift_defaults_map_timeouts_and_retries() -> None:
    assert profile(host="spark-thrift", timeout_seconds=900, connect_retries=2) == {
        "type": "spark",
        "method": "thrift",
        "schema": "default",
        "threads": 4,
        "host": "spark-thrift",
        "port": 10000,
        "user": "floe",
        "auth": "NONE",
        "connect_retries": 2,
        "connect_timeout": 10,
        "retry_all": False,
        "query_timeout": 900,
        "query_retries": 1,
        "poll_interval": 5,
        "server_side_parameters": {
            "set:hiveconf:spark.sql.ansi.enabled": "false",
            "set:hiveconf:spark.sql.thriftServer.queryTimeout": "900s",
        },
    }


def test_ldap_password_and_kerberos_render_as_the_adapter_names_them() -> None:
    ldap = profile(host="h", auth="LDAP", password={"env": "SPARK_PASSWORD"})
    assert ldap["password"] == "{{ env_var('SPARK_PASSWORD') }}"
    assert ldap["auth"] == "LDAP"
    kerberos = profile(host="h", auth="KERBEROS", kerberos_service_name="hive", use_ssl=True)
    assert kerberos["kerberos_service_name"] == "hive"
    assert kerberos["use_ssl"] is True
    assert "password" not in kerberos


def test_iceberg_catalog_becomes_thrift_session_settings() -> None:
    output = profile(
        host="h",
        catalog=CATALOG,
        catalog_properties={
            "io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
            "s3.secret-access-key": {"env": "S3"},
        },
        spark_conf={"spark.sql.defaultCatalog": "lake", "spark.sql.adaptive.enabled": True},
    )
    prefix = "set:hiveconf:spark.sql.catalog.lake"
    assert output["server_side_parameters"] == {
        "set:hiveconf:spark.sql.ansi.enabled": "false",
        "set:hiveconf:spark.sql.thriftServer.queryTimeout": "3600s",
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.type": "rest",
        f"{prefix}.uri": "http://polaris:8181/api/catalog",
        f"{prefix}.warehouse": "floe_wh",
        f"{prefix}.credential": "{{ env_var('LAKE_ID') }}:{{ env_var('LAKE_SECRET') }}",
        f"{prefix}.oauth2-server-uri": "http://polaris:8181/api/catalog/v1/oauth/tokens",
        f"{prefix}.scope": "PRINCIPAL_ROLE:ALL",
        f"{prefix}.header.X-Iceberg-Access-Delegation": "vended-credentials",
        f"{prefix}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        f"{prefix}.s3.secret-access-key": "{{ env_var('S3') }}",
        "set:hiveconf:spark.sql.defaultCatalog": "lake",
        "set:hiveconf:spark.sql.adaptive.enabled": "true",
    }


def test_session_method_uses_plain_keys_and_the_iceberg_extensions() -> None:
    token_catalog = {
        **CATALOG,
        "credentials": {"token": {"env": "LAKE_TOKEN"}},
        "access_delegation": "none",
    }
    output = profile(method="session", catalog=token_catalog, threads=1)
    assert output["method"] == "session"
    assert output["host"] == "localhost"
    assert "query_timeout" not in output  # dbt-spark bounds statements only over Thrift
    assert output["server_side_parameters"] == {
        "spark.sql.extensions": (
            "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
        ),
        "spark.sql.catalog.lake": "org.apache.iceberg.spark.SparkCatalog",
        "spark.sql.catalog.lake.type": "rest",
        "spark.sql.catalog.lake.uri": "http://polaris:8181/api/catalog",
        "spark.sql.catalog.lake.warehouse": "floe_wh",
        "spark.sql.catalog.lake.token": "{{ env_var('LAKE_TOKEN') }}",
    }


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, "host is required with method thrift"),
        ({"host": "h", "hots": "x"}, "hots"),
        ({"host": "h", "method": "odbc"}, "'thrift' or 'session'"),
        ({"host": "h", "port": 0}, "greater than or equal to 1"),
        ({"host": "h", "auth": "LDAP"}, "password is needed with auth LDAP"),
        ({"host": "h", "password": {"env": "P"}}, "password is needed with auth LDAP"),
        ({"host": "h", "auth": "LDAP", "password": "hunter2"}, "environment reference"),
        ({"host": "h", "auth": "KERBEROS"}, "kerberos_service_name is needed"),
        ({"method": "session", "host": "h"}, "host is for method thrift"),
        ({"host": "h", "credentials": {"x": {"env": "X"}}}, "credentials: Spark takes"),
        ({"host": "h", "spark_conf": {"sql.shuffle": 1}}, "not a Spark setting name"),
        ({"host": "h", "spark_conf": {"spark.a.secret": "hunter2"}}, "holds a credential"),
        (
            {"host": "h", "spark_conf": {"spark.sql.thriftServer.queryTimeout": 5}},
            "set timeout_seconds instead",
        ),
        (
            {"host": "h", "catalog": CATALOG, "spark_conf": {"spark.sql.catalog.lake.uri": "u"}},
            "set it under catalog",
        ),
        (
            {"host": "h", "catalog_properties": {"io-impl": "x"}},
            "catalog_properties need a catalog",
        ),
        (
            {"host": "h", "catalog": CATALOG, "catalog_properties": {"uri": "x"}},
            "written from catalog",
        ),
        (
            {"host": "h", "catalog": CATALOG, "catalog_properties": {"token": "hunter2"}},
            "written from catalog",
        ),
        (
            {"host": "h", "catalog": CATALOG, "catalog_properties": {"client.secret": "hunter2"}},
            "holds a credential",
        ),
        ({"host": "h", "catalog": {**CATALOG, "catalog_type": "glue"}}, "supported: rest, hive"),
        ({"host": "h", "catalog": {**CATALOG, "catalog_name": "a.b"}}, "not a Spark catalog"),
        (
            {"host": "h", "catalog": {**CATALOG, "credentials": {"client_id": {"env": "A"}}}},
            "do not fit together",
        ),
        (
            {"host": "h", "catalog": {**CATALOG, "catalog_type": "hive"}},
            "a hive catalog takes none",
        ),
        ({"host": "h", "timeout_seconds": 0}, "greater than or equal to 1"),
    ],
)
def test_invalid_settings_fail_here_not_in_dbt(settings: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError) as raised:
        plugin.parse_config(settings)
    assert expected in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_presets_size_a_spark_driver_pod() -> None:
    small = plugin.get_resource_requirements("small")
    assert (small.memory_request, small.memory_limit) == ("2Gi", "3Gi")
    large = plugin.get_resource_requirements("large")
    assert (large.cpu_limit, large.memory_limit, large.ephemeral_storage_limit) == (
        "8",
        "16Gi",
        "100Gi",
    )
    with pytest.raises(ComputeConfigurationError, match="small, medium, large"):
        plugin.get_resource_requirements("huge")


def test_no_catalog_sql_and_no_per_model_timeouts() -> None:
    from floe_gate.compute import CatalogConfig

    catalog = CatalogConfig.model_validate({**CATALOG, "credentials": {}})
    assert plugin.get_catalog_attachment_sql(catalog) is None
    assert plugin.per_model_timeouts is False
    with pytest.raises(ComputeConfigurationError, match="cannot limit single dbt models"):
        plugin.apply_model_timeouts(profile(host="h"), {"fct_revenue": 60})


def test_required_packages_are_satisfied_by_what_is_installed_here() -> None:
    from importlib.metadata import version

    from packaging.requirements import Requirement

    for requirement in map(Requirement, plugin.get_required_dbt_packages()):
        installed = version(requirement.name)
        assert requirement.specifier.contains(installed), f"{requirement} vs {installed}"


# -- dbt-spark's own credentials validation ------------------------------------------------


def adapter_credentials(output: dict[str, Any], env: dict[str, str] | None = None) -> Any:
    return validate_with_adapter(output, env or {})


def test_dbt_spark_reads_the_thrift_profile_as_generated() -> None:
    from dbt.adapters.spark.connections import SparkConnectionManager

    output = profile(
        host="spark-thrift",
        port=10001,
        auth="LDAP",
        password={"env": "SPARK_PASSWORD"},
        timeout_seconds=120,
        connect_retries=4,
        connect_timeout=7,
        retry_all=True,
        query_retries=2,
        poll_interval=1,
        catalog=CATALOG,
    )
    env = {"SPARK_PASSWORD": "pw", "LAKE_ID": "id", "LAKE_SECRET": "s3cr3t"}
    credentials = adapter_credentials(output, env)
    assert (credentials.method, credentials.host, credentials.port) == (
        "thrift",
        "spark-thrift",
        10001,
    )
    assert (credentials.user, credentials.auth, credentials.password) == ("floe", "LDAP", "pw")
    assert (credentials.connect_retries, credentials.connect_timeout) == (4, 7)
    assert credentials.retry_all is True
    assert (credentials.query_timeout, credentials.query_retries) == (120, 2)
    assert credentials.poll_interval == 1
    parameters = credentials.server_side_parameters
    assert parameters["set:hiveconf:spark.sql.thriftServer.queryTimeout"] == "120s"
    assert parameters["set:hiveconf:spark.sql.catalog.lake.credential"] == "id:s3cr3t"
    # What dbt-spark checks when it opens a Thrift connection.
    SparkConnectionManager.validate_creds(credentials, ["host", "port", "user", "schema"])


def test_dbt_spark_reads_the_session_profile_as_generated() -> None:
    credentials = adapter_credentials(profile(method="session", spark_conf={"spark.x.y": 1}))
    assert credentials.method == "session"
    assert credentials.server_side_parameters["spark.x.y"] == "1"


def test_dbt_spark_would_refuse_what_the_config_refuses() -> None:
    """The config's reasons are the adapter's own: without them dbt fails later, or worse."""
    from floe_gate.testing.dbt_profiles import AdapterRejectedProfile

    output = profile(host="h")
    del output["host"]
    with pytest.raises(AdapterRejectedProfile, match="Must specify `host`"):
        adapter_credentials(output)


# -- health that needs no server ---------------------------------------------------------


def test_health_without_the_driver_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyhive", None)  # import pyhive: ImportError
    result = plugin.validate_connection(plugin.parse_config({"host": "127.0.0.1"}))
    assert result.status is ConnectionStatus.UNHEALTHY
    assert "pip install 'floe-compute-spark[driver]'" in result.message


def test_health_names_an_unset_password_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLOE_TEST_SPARK_PASSWORD", raising=False)
    settings = {
        "host": "127.0.0.1",
        "auth": "LDAP",
        "password": {"env": "FLOE_TEST_SPARK_PASSWORD"},
    }
    result = plugin.validate_connection(plugin.parse_config(settings))
    assert result.status is ConnectionStatus.UNHEALTHY
    assert result.message == (
        "environment variable FLOE_TEST_SPARK_PASSWORD is not set: dbt cannot render the Spark "
        "profile"
    )


def test_session_health_finds_pyspark_and_java_without_starting_a_jvm() -> None:
    result = plugin.validate_connection(plugin.parse_config({"method": "session"}))
    assert result.status is ConnectionStatus.HEALTHY, result.message
    assert result.message.startswith("pyspark and ")
    assert result.latency_ms < 2000


def test_session_health_degrades_without_an_iceberg_runtime_jar() -> None:
    catalog = {**CATALOG, "credentials": {}}
    result = plugin.validate_connection(
        plugin.parse_config({"method": "session", "catalog": catalog})
    )
    assert result.status is ConnectionStatus.DEGRADED
    [warning] = result.warnings
    assert "no iceberg-spark-runtime jar" in warning
    jars = {"spark.jars.packages": "org.apache.iceberg:iceberg-spark-runtime-4.0_2.13:1.10.0"}
    with_jars = plugin.parse_config({"method": "session", "catalog": catalog, "spark_conf": jars})
    assert plugin.validate_connection(with_jars).status is ConnectionStatus.HEALTHY


def test_session_health_without_java(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))  # no bin/java there
    result = plugin.validate_connection(plugin.parse_config({"method": "session"}))
    assert result.status is ConnectionStatus.UNHEALTHY
    assert "no java was found" in result.message


# -- pod fit (method session: the pod is the Spark driver) ----------------------------------


def test_default_session_fits_every_preset_and_thrift_is_never_checked() -> None:
    session = plugin.parse_config({"method": "session"})
    for size in plugin.resource_presets:
        assert plugin.resource_fit(session, plugin.get_resource_requirements(size)) == []
    thrift = plugin.parse_config({"host": "h", "spark_conf": {"spark.driver.memory": "64g"}})
    assert plugin.resource_fit(thrift, plugin.get_resource_requirements("small")) == []


def test_a_driver_heap_above_the_pod_is_reported_with_the_largest_that_fits() -> None:
    session = plugin.parse_config(
        {"method": "session", "spark_conf": {"spark.driver.memory": "4g"}}
    )
    small = plugin.get_resource_requirements("small")  # 3Gi
    [problem] = plugin.resource_fit(session, small)
    assert problem == (
        "spark.driver.memory 4g needs 5017MiB with the JVM's off-heap overhead (409MiB) and "
        "dbt's process (512MiB), above the pod's memory limit 3Gi: the kernel would kill the "
        "pod; lower spark.driver.memory to at most 2176m or choose a larger workload"
    )
    fits = plugin.parse_config(
        {"method": "session", "spark_conf": {"spark.driver.memory": "2176m"}}
    )
    assert plugin.resource_fit(fits, small) == []
    too_big = {"spark.driver.memory": "2177m"}
    assert plugin.resource_fit(
        plugin.parse_config({"method": "session", "spark_conf": too_big}), small
    )
    medium = plugin.get_resource_requirements("medium")
    assert plugin.resource_fit(session, medium) == []
    large = plugin.get_resource_requirements("large")  # 16Gi: the 10% overhead regime
    at_limit = {"spark.driver.memory": f"{(16 * 1024 - 512) * 10 // 11}m"}
    assert (
        plugin.resource_fit(
            plugin.parse_config({"method": "session", "spark_conf": at_limit}), large
        )
        == []
    )


def test_an_explicit_overhead_and_an_unparsable_size() -> None:
    overhead = {"spark.driver.memory": "2g", "spark.driver.memoryOverhead": "1g"}
    session = plugin.parse_config({"method": "session", "spark_conf": overhead})
    assert len(plugin.resource_fit(session, plugin.get_resource_requirements("small"))) == 1
    odd = plugin.parse_config({"method": "session", "spark_conf": {"spark.driver.memory": "lots"}})
    [problem] = plugin.resource_fit(odd, plugin.get_resource_requirements("small"))
    assert problem.startswith("spark_conf.spark.driver.memory: not a Spark memory size")
