"""Whether an in-process Spark session (``method: session``) fits the dbt job's pod.

With ``method: session`` the pod is the Spark driver: a JVM whose heap is
``spark.driver.memory`` (default 1g) plus off-heap overhead
(``spark.driver.memoryOverhead``, default max(384 MiB, 10% of the heap)), next to the
Python process running dbt. If that exceeds the pod's memory limit the kernel kills
the pod instead of Spark spilling or failing the query. Over Thrift the pod runs only
dbt and nothing here applies.
"""

from __future__ import annotations

import re

from floe_compute_spark.config import SparkConfig
from floe_gate.compute import ResourceSpec
from floe_gate.compute.quantities import parse_quantity

MIB = 2**20
DBT_PROCESS_BYTES = 512 * MIB  # Python, dbt and its manifest, next to the JVM
MINIMUM_OVERHEAD_BYTES = 384 * MIB
OVERHEAD_FACTOR = 0.10
DEFAULT_DRIVER_MEMORY = "1g"
# Spark's JVM memory strings: a number and an optional unit; no unit means MiB here.
_JVM_SIZE = re.compile(r"^\s*(?P<number>[0-9]+)\s*(?P<unit>[kmgtp]?)b?\s*$", re.IGNORECASE)
_UNITS = {"": MIB, "k": 2**10, "m": MIB, "g": 2**30, "t": 2**40, "p": 2**50}


def parse_jvm_size(text: str) -> int:
    """Bytes in a Spark memory setting (``4g``, ``512m``, ``2048``: MiB)."""
    match = _JVM_SIZE.match(text)
    if match is None:
        raise ValueError("not a Spark memory size (examples: 512m, 4g, 2048)")
    return int(match["number"]) * _UNITS[match["unit"].lower()]


def pod_fit_problems(config: SparkConfig, resources: ResourceSpec) -> list[str]:
    if config.method != "session":
        return []
    driver_memory = str(config.spark_conf.get("spark.driver.memory", DEFAULT_DRIVER_MEMORY))
    overhead_setting = config.spark_conf.get("spark.driver.memoryOverhead")
    key = "spark.driver.memory"
    try:
        heap = parse_jvm_size(driver_memory)
        key = "spark.driver.memoryOverhead"
        overhead = (
            parse_jvm_size(str(overhead_setting))
            if overhead_setting is not None
            else max(MINIMUM_OVERHEAD_BYTES, int(heap * OVERHEAD_FACTOR))
        )
    except ValueError as error:
        return [f"spark_conf.{key}: {error}"]
    needed = heap + overhead + DBT_PROCESS_BYTES
    pod = int(parse_quantity(resources.memory_limit))
    if needed <= pod:
        return []
    largest = _largest_heap(pod - DBT_PROCESS_BYTES, overhead if overhead_setting else None)
    return [
        f"spark.driver.memory {driver_memory} needs {needed // MIB}MiB with the JVM's "
        f"off-heap overhead ({overhead // MIB}MiB) and dbt's process "
        f"({DBT_PROCESS_BYTES // MIB}MiB), above the pod's memory limit "
        f"{resources.memory_limit}: the kernel would kill the pod; lower "
        f"spark.driver.memory to at most {largest // MIB}m "
        "or choose a larger workload"
    ]


def _largest_heap(available: int, fixed_overhead: int | None) -> int:
    """The largest heap whose overhead (fixed, or Spark's default) fits in ``available``."""
    if fixed_overhead is not None:
        return max(0, available - fixed_overhead)
    with_minimum = available - MINIMUM_OVERHEAD_BYTES
    if with_minimum * OVERHEAD_FACTOR <= MINIMUM_OVERHEAD_BYTES:
        return max(0, with_minimum)
    return int(available / (1 + OVERHEAD_FACTOR))
