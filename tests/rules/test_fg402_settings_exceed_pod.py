"""FG402: DuckDB settings that cannot fit the transform's pod, per environment."""

from __future__ import annotations

from conftest import Platform, assert_clean, only, where

from floe_gate.problems import Severity

MANIFEST = """\
apiVersion: floe/v1
kind: Manifest
environments:
  dev: {branch: dev}
  staging: {branch: staging}
  prod: {branch: main}
compute:
  approved: [duckdb]
  default: duckdb
  targets:
    duckdb: {memory_limit: MEMORY, threads: THREADS}
"""
OOM = (
    "exceeds 75% of the pod's memory limit {pod}: the kernel would kill the pod instead of "
    "DuckDB failing gracefully; set memory_limit to at most {most} or choose a larger workload"
)


def manifest(memory: str = "1GB", threads: int = 1, environments: str = "") -> str:
    text = MANIFEST.replace("MEMORY", memory).replace("THREADS", str(threads))
    return text + (f"  environments:\n{environments}" if environments else "")


def test_settings_within_the_pod_are_fine(platform: Platform) -> None:
    platform.write("manifest.yaml", manifest(memory="3GiB", threads=2))  # medium: 4Gi, 2 CPUs
    assert_clean(platform.problems())


def test_memory_limit_above_three_quarters_of_the_pod(platform: Platform) -> None:
    platform.write("manifest.yaml", manifest(memory="3.5GB"))
    problems = platform.problems()
    # Both transforms run in a medium pod (4Gi); the listed one without a workload is
    # reported at its name, the other at its workload.
    assert [(where(p), p.rule, p.severity) for p in problems] == [
        ("products/revenue/floe.yaml:7:11", "FG402", Severity.ERROR),
        ("products/revenue/floe.yaml:10:15", "FG402", Severity.ERROR),
    ]
    assert problems[1].message == (
        "transform fct_revenue on duckdb in dev, staging, prod: memory_limit 3.5GB "
        + OOM.format(pod="4Gi", most="3072MiB")
    )
    assert problems[1].subject == "revenue:fct_revenue"
    assert problems[1].related == {"manifest.yaml", "policies/finance/policy.yaml"}


def test_threads_above_the_pod_cpu_limit(platform: Platform) -> None:
    platform.write("manifest.yaml", manifest(memory="256MB", threads=2))
    platform.write(
        "products/revenue/floe.yaml",
        platform.read("products/revenue/floe.yaml").replace("workload: medium", "workload: small"),
    )
    problem = only(platform.problems())
    assert where(problem) == "products/revenue/floe.yaml:10:15"
    assert problem.message == (
        "transform fct_revenue on duckdb in dev, staging, prod: threads 2 exceeds the pod's CPU "
        "limit 500m; set threads to at most 1 or choose a larger workload"
    )


def test_one_environment_overriding_the_memory_limit(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        manifest(environments="    prod:\n      duckdb: {memory_limit: 12GB}\n"),
    )
    platform.write(
        "products/revenue/floe.yaml",
        """\
        apiVersion: floe/v1
        kind: DataProduct
        name: revenue
        domain: finance
        transforms:
          - name: stg_orders
            workload: large
          - name: fct_revenue
            workload: medium
        """,
    )
    problem = only(platform.problems())
    assert where(problem) == "products/revenue/floe.yaml:9:15"
    assert problem.message == (
        "transform fct_revenue on duckdb in prod: memory_limit 12GB "
        + OOM.format(pod="4Gi", most="3072MiB")
    )


def test_resource_overrides_make_room(platform: Platform) -> None:
    platform.write("manifest.yaml", manifest(memory="6GB", threads=4))
    platform.write(
        "products/revenue/floe.yaml",
        """\
        apiVersion: floe/v1
        kind: DataProduct
        name: revenue
        domain: finance
        transforms:
          - name: stg_orders
            workload: large
          - name: fct_revenue
            resources: {cpu_limit: '4', memory_request: 4Gi, memory_limit: 8Gi}
        """,
    )
    assert_clean(platform.problems())


def test_models_the_product_does_not_list_are_checked_at_the_product_name(
    platform: Platform,
) -> None:
    platform.write("manifest.yaml", manifest(memory="3.5GB"))
    platform.write(
        "products/revenue/floe.yaml",
        """\
        apiVersion: floe/v1
        kind: DataProduct
        name: revenue
        domain: finance
        """,
    )
    problem = only(platform.problems())
    assert where(problem) == "products/revenue/floe.yaml:3:7"
    assert problem.message.startswith(
        "models revenue does not list (default workload) on duckdb in dev, staging, prod: "
        "memory_limit 3.5GB exceeds 75%"
    )


def test_a_literal_secret_does_not_hide_the_misfit(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        manifest(memory="3.5GB").replace("threads: 1}", "threads: 1, credentials: {token: t}}"),
    )
    assert [p.rule for p in platform.problems()] == ["FG401", "FG402", "FG402"]


def test_a_spill_bound_above_the_pod_ephemeral_storage(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        manifest().replace("threads: 1}", "threads: 1, max_temp_directory_size: 3GiB}"),
    )
    problems = platform.problems()
    assert [(where(p), p.rule) for p in problems] == [
        ("products/revenue/floe.yaml:7:11", "FG402"),
        ("products/revenue/floe.yaml:10:15", "FG402"),
    ]
    assert problems[1].message == (
        "transform fct_revenue on duckdb in dev, staging, prod: max_temp_directory_size 3GiB "
        "exceeds the pod's ephemeral-storage limit 2Gi: the kubelet would evict the pod before "
        "DuckDB reports running out of spill space; set it to at most 2048MiB or choose a "
        "larger workload"
    )


def test_a_spill_bound_within_the_pod_is_fine(platform: Platform) -> None:
    platform.write(
        "manifest.yaml",
        manifest().replace("threads: 1}", "threads: 1, max_temp_directory_size: 2GiB}"),
    )
    assert_clean(platform.problems())
