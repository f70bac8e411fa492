"""Spark health with the native driver (PyHive over Thrift), bounded in time.

``method: thrift``, in order, each failure with what to do about it:

1. the driver (PyHive, thrift, thrift-sasl) is installed;
2. every ``{env: NAME}`` the profile references is set (dbt would stop rendering it);
3. the server's port accepts a TCP connection (refused, unknown host or silence are
   told apart);
4. a session opens with the profile's own session settings and answers ``SELECT 1``;
5. with an Iceberg catalog: ``SHOW NAMESPACES IN <catalog>`` answers. The engine
   works without it, so a catalog that cannot load (most often: the
   iceberg-spark-runtime jar is not on the server's classpath) degrades the target.

``method: session`` starts no JVM (that takes 10-20 s): it checks that pyspark and
Java are installed, and, with a catalog, that an Iceberg runtime jar is available.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import socket
import time
from pathlib import Path
from typing import Any

from floe_compute_spark.config import SparkConfig
from floe_compute_spark.profile import session_settings
from floe_gate.compute import ConnectionResult, ConnectionStatus
from floe_gate.compute.health import elapsed_ms, unhealthy

DRIVER_MISSING = (
    "the Spark Thrift driver is not installed: pip install 'floe-compute-spark[driver]' "
    "(or 'floe-gate[spark]')"
)
SOCKET_TIMEOUT_SECONDS = 4.0
ENV_TEMPLATE = re.compile(r"\{\{ env_var\('([A-Za-z_][A-Za-z0-9_]*)'\) \}\}")
SERVER_MESSAGE = re.compile(
    r"infoMessages=\[['\"]\*?(?:[\w.$]+Exception:)?(?P<message>.*?)(?::\d+:\d+)?['\"],"
)
ICEBERG_JAR = re.compile(r"^iceberg-spark-runtime.*\.jar$")


class MissingVariable(LookupError):
    pass


def check_spark(config: SparkConfig) -> ConnectionResult:
    started = time.perf_counter()
    if config.method == "session":
        return _check_session(config, started)
    try:
        from pyhive import hive
        from thrift.transport import TSocket, TTransport
    except ImportError:
        return unhealthy(started, DRIVER_MISSING)
    try:
        settings = {key: resolve(value) for key, value in session_settings(config).items()}
        password = resolve(config.password.as_dbt_template()) if config.password else None
    except MissingVariable as missing:
        return unhealthy(
            started,
            f"environment variable {missing} is not set: dbt cannot render the Spark profile",
        )
    where = f"Spark Thrift server {config.host}:{config.port}"
    problem = _unreachable(str(config.host), config.port)
    if problem is not None:
        return unhealthy(started, f"cannot reach the {where}: {problem}")
    transport = _transport(config, password, TSocket, TTransport)
    try:
        connection = hive.connect(
            thrift_transport=transport, username=config.user, configuration=settings
        )
    except Exception as error:
        transport_security = "SSL" if config.use_ssl else "no SSL"
        return unhealthy(
            started,
            f"the {where} refused a session (auth {config.auth}, {transport_security}): "
            f"{_first_line(error)}; auth must match the server's "
            "hive.server2.authentication, and use_ssl its hive.server2.use.SSL",
        )
    try:
        return _query(connection, config, where, started)
    finally:
        with contextlib.suppress(Exception):  # a broken session must not hide the answer
            connection.close()


def resolve(text: str) -> str:
    """``text`` with its ``{{ env_var('NAME') }}`` references filled, as dbt renders them."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise MissingVariable(name)
        return os.environ[name]

    return ENV_TEMPLATE.sub(value, text)


def _unreachable(host: str, port: int) -> str | None:
    try:
        with socket.create_connection((host, port), timeout=SOCKET_TIMEOUT_SECONDS):
            return None
    except socket.gaierror as error:
        return f"host {host!r} does not resolve ({error.strerror})"
    except ConnectionRefusedError:
        return (
            f"connection refused on port {port}: no Thrift server listens there "
            "(is HiveThriftServer2 running, on this port?)"
        )
    except TimeoutError:
        return f"no answer on port {port} within {SOCKET_TIMEOUT_SECONDS:g} s (firewall?)"
    except OSError as error:
        return error.strerror or type(error).__name__


def _transport(config: SparkConfig, password: str | None, tsocket: Any, ttransport: Any) -> Any:
    """A transport like PyHive's own, whose socket gives up instead of waiting forever."""
    if config.use_ssl:
        import ssl

        from thrift.transport.TSSLSocket import TSSLSocket

        # As dbt-spark connects: TLS without certificate verification.
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        sock: Any = TSSLSocket(config.host, config.port, ssl_context=context)
    else:
        sock = tsocket.TSocket(config.host, config.port)
    sock.setTimeout(SOCKET_TIMEOUT_SECONDS * 1000)
    if config.auth == "NOSASL":
        return ttransport.TBufferedTransport(sock)
    import thrift_sasl
    from pyhive.hive import get_installed_sasl

    mechanism = "GSSAPI" if config.auth == "KERBEROS" else "PLAIN"
    return thrift_sasl.TSaslClientTransport(
        lambda: get_installed_sasl(
            host=config.host,
            sasl_auth=mechanism,
            service=config.kerberos_service_name,
            username=config.user,
            password=password or "x",  # NONE: any non-empty password
        ),
        mechanism,
        sock,
    )


def _query(connection: Any, config: SparkConfig, where: str, started: float) -> ConnectionResult:
    cursor = connection.cursor()
    try:
        cursor.execute("SELECT 1")
        cursor.fetchall()
    except Exception as error:
        failure = _first_line(error)
        return unhealthy(started, f"the {where} opened a session but SELECT 1 failed: {failure}")
    if config.catalog is None:
        return ConnectionResult(
            status=ConnectionStatus.HEALTHY,
            latency_ms=elapsed_ms(started),
            message=f"the {where} answered",
        )
    name = config.catalog.catalog_name
    try:
        cursor.execute(f"SHOW NAMESPACES IN `{name}`")
        cursor.fetchall()
    except Exception as error:
        warning = _catalog_problem(name, _first_line(error))
        return ConnectionResult(
            status=ConnectionStatus.DEGRADED,
            latency_ms=elapsed_ms(started),
            message=f"the {where} answered, but {warning}",
            warnings=(warning,),
        )
    return ConnectionResult(
        status=ConnectionStatus.HEALTHY,
        latency_ms=elapsed_ms(started),
        message=f"the {where} answered; Iceberg catalog {name} answered",
    )


def _catalog_problem(name: str, error: str) -> str:
    if "PLUGIN_CLASS_NOT_FOUND" in error or "ClassNotFoundException" in error:
        return (
            f"Iceberg catalog {name} cannot load: org.apache.iceberg.spark.SparkCatalog is "
            "not on the Thrift server's classpath; start the server with the "
            "iceberg-spark-runtime jar (--jars or --packages) and "
            "spark.sql.extensions=org.apache.iceberg.spark.extensions."
            "IcebergSparkSessionExtensions"
        )
    return f"Iceberg catalog {name} did not answer SHOW NAMESPACES: {error}"


def _check_session(config: SparkConfig, started: float) -> ConnectionResult:
    spec = importlib.util.find_spec("pyspark")
    if spec is None or spec.origin is None:
        return unhealthy(
            started,
            "method session runs Spark inside dbt, but pyspark is not installed: "
            "pip install 'floe-compute-spark[session]'",
        )
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home, "bin", "java")) if java_home else shutil.which("java")
    if java is None or not os.access(java, os.X_OK):
        return unhealthy(
            started,
            "method session starts a JVM, but no java was found (JAVA_HOME or PATH): "
            "install Java 17 or newer",
        )
    message = f"pyspark and {java} are installed; the Spark session starts with dbt"
    if config.catalog is not None and not _iceberg_runtime_available(config, spec.origin):
        warning = (
            f"Iceberg catalog {config.catalog.catalog_name}: no iceberg-spark-runtime jar in "
            "pyspark's jars and no spark.jars / spark.jars.packages in spark_conf; the "
            "catalog cannot load"
        )
        return ConnectionResult(
            status=ConnectionStatus.DEGRADED,
            latency_ms=elapsed_ms(started),
            message=f"{message}, but {warning}",
            warnings=(warning,),
        )
    return ConnectionResult(
        status=ConnectionStatus.HEALTHY, latency_ms=elapsed_ms(started), message=message
    )


def _iceberg_runtime_available(config: SparkConfig, pyspark_init: str) -> bool:
    for key in ("spark.jars", "spark.jars.packages"):
        if "iceberg-spark-runtime" in str(config.spark_conf.get(key, "")):
            return True
    jars = Path(pyspark_init).parent / "jars"
    return jars.is_dir() and any(ICEBERG_JAR.fullmatch(jar.name) for jar in jars.iterdir())


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    # PyHive hands server errors over as a Thrift struct; its first message is the cause:
    # '*org.apache.hive.service.cli.HiveSQLException:Error running query: ...:43:42'.
    found = SERVER_MESSAGE.search(text)
    if found:
        text = found.group("message")
    return text.splitlines()[0] if text else type(error).__name__
