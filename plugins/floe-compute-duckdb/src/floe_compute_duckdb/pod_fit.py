"""Whether DuckDB's settings fit the dbt job's pod.

DuckDB runs inside the pod. Its ``memory_limit`` covers the buffer manager, not
the whole process (Python, dbt, allocations outside the buffer pool), so it must
stay well under the pod's limit — about 75% — or the kernel's OOM killer ends the
pod before DuckDB can fail the query gracefully or spill to disk. More worker
threads than the pod's CPU limit only adds throttling. Spilled data
(``max_temp_directory_size`` bounds it) lives on the pod's ephemeral storage: a bound
above the pod's ephemeral-storage limit lets the kubelet evict the pod before
DuckDB reports that it ran out of spill space.
"""

from __future__ import annotations

import math

from floe_compute_duckdb.config import DuckDBConfig
from floe_gate.compute import ResourceSpec
from floe_gate.compute.quantities import parse_quantity
from floe_gate.compute.sizes import parse_duckdb_size

MEMORY_SHARE = 0.75


def pod_fit_problems(config: DuckDBConfig, resources: ResourceSpec) -> list[str]:
    memory_limit, threads = config.memory_limit, config.threads
    problems = []
    pod_memory = int(parse_quantity(resources.memory_limit))
    allowed = int(pod_memory * MEMORY_SHARE)
    if parse_duckdb_size(memory_limit) > allowed:
        problems.append(
            f"memory_limit {memory_limit} exceeds {MEMORY_SHARE:.0%} of the pod's memory limit "
            f"{resources.memory_limit}: the kernel would kill the pod instead of DuckDB failing "
            f"gracefully; set memory_limit to at most {_mib(allowed)} or choose a larger workload"
        )
    cpus = math.ceil(parse_quantity(resources.cpu_limit))
    if threads > cpus:
        problems.append(
            f"threads {threads} exceeds the pod's CPU limit {resources.cpu_limit}; "
            f"set threads to at most {cpus} or choose a larger workload"
        )
    problems.extend(_spill_problems(config, resources))
    return problems


def _spill_problems(config: DuckDBConfig, resources: ResourceSpec) -> list[str]:
    bound = config.max_temp_directory_size
    storage = resources.ephemeral_storage_limit
    if bound is None or parse_duckdb_size(bound) <= parse_quantity(storage):
        return []
    return [
        f"max_temp_directory_size {bound} exceeds the pod's ephemeral-storage limit {storage}: "
        "the kubelet would evict the pod before DuckDB reports running out of spill space; "
        f"set it to at most {_mib(int(parse_quantity(storage)))} or choose a larger workload"
    ]


def _mib(size: int) -> str:
    return f"{size // 2**20}MiB"
