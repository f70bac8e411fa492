"""How `floe-gate compile` scales with data products whose models cross engines.

    .venv/bin/python benchmarks/compile_scale.py [--runs 5] [--products 250 1000 3000]

Each generated repository has 3 environments and N products, each a dbt project of
three models: ``stg`` and ``daily`` on DuckDB (the default), ``heavy`` on Spark
reading ``stg``, and ``daily`` reading ``heavy`` — two crossings per product, so
compile scans every model's ``ref()`` calls and asks both plugins for their Parquet
hand-off. For 1,000 products compile writes 6,007 files in 9,004 directories
(``ENV/PRODUCT/ENGINE/profiles.yml``, and per environment ``compiled.json`` and
``resources.yaml``).

Each run is two fresh processes: a first compile into a new, empty ``--out``
("first"), then the same compile again, which reads and compares every file and
writes none ("again": what a CI job with committed artifacts does). The best and the
median of ``--runs`` are shown, wall and CPU time (CPU: the process and the git it
runs, user and system), with the load average before and after. On a shared machine
compare CPU time (wall time there moves with other jobs' load). The output goes under
``TMPDIR``: ``TMPDIR=/dev/shm`` (tmpfs) measures compile itself; a disk's directory
(ext4: ``TMPDIR=/tmp``) adds what making 9,000 directories costs there. Results:
docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
MANIFEST = """apiVersion: floe/v1
kind: Manifest
environments: {dev: {branch: dev}, staging: {branch: staging}, prod: {branch: main}}
compute:
  approved: [duckdb, spark]
  default: duckdb
  shared_storage: warehouse/shared
  targets:
    duckdb: {path: warehouse/dev.duckdb, memory_limit: 1GB, threads: 2}
    spark: {method: session, threads: 2}
  environments:
    prod: {duckdb: {memory_limit: 2GB}}
"""
POLICY = "apiVersion: floe/v1\nkind: Policy\ncompute:\n  approved: [duckdb, spark]\n"
MODELS = {
    "stg": "select 1 as x\n",
    "heavy": "select x from {{ ref('stg') }}\n",
    "daily": "select x from {{ ref('heavy') }}\n",
}


def generate(root: Path, products: int) -> None:
    _write(root / "manifest.yaml", MANIFEST)
    _write(root / "policies" / "markets" / "policy.yaml", POLICY)
    for p in range(products):
        name = f"p{p:05d}"
        directory = root / "products" / name
        _write(
            directory / "floe.yaml",
            f"apiVersion: floe/v1\nkind: DataProduct\nname: {name}\ndomain: markets\n"
            "transforms:\n  - name: stg\n  - name: heavy\n    compute: spark\n"
            "    workload: small\n  - name: daily\n",
        )
        _write(directory / "dbt_project.yml", f"name: {name}\nprofile: {name}\n")
        for model, sql in MODELS.items():
            _write(directory / "models" / f"{model}.sql", sql)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def compile_once(root: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one compile of every environment into ``out``."""
    command = [str(BIN / "floe-gate"), "compile", "--repo", str(root), "--out", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu


def first_and_again(root: Path, run: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """A first compile into a new ``--out``, then a recompile that finds it up to date.

    Each run writes a directory of its own, removed only after the last run: on ext4
    without a journal (this machine's disk) the inode allocator skips, one by one, the
    inodes freed in the last minute (five minutes until written back: ``recently_deleted``),
    so making 15,000 right after removing as many measured the removal. ``sync`` first,
    so no run waits on the previous one's write-back.
    """
    out = root.parent / f"{root.name}-out{run}"
    os.sync()
    first = compile_once(root, out)
    return first, compile_once(root, out)


def _pair(seconds: list[float]) -> str:
    return f"{min(seconds) * 1000:,.0f} / {statistics.median(seconds) * 1000:,.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="compiles of each repository")
    parser.add_argument("--products", type=int, nargs="+", default=[250, 1000, 3000])
    options = parser.parse_args()
    scratch_dir = tempfile.gettempdir()
    print(f"output under {scratch_dir}; load average {_load()}")
    print("| case | wall (best / median) | CPU (best / median) | best wall per product |")
    print("| --- | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as scratch:
        for products in options.products:
            root = Path(scratch) / f"p{products}"
            generate(root, products)
            runs = [first_and_again(root, run) for run in range(options.runs)]
            for label, timings in (
                ("first", [r[0] for r in runs]),
                ("again", [r[1] for r in runs]),
            ):
                walls, cpus = [w for w, _ in timings], [c for _, c in timings]
                print(
                    f"| `compile` ({label}), {products:,} crossing products × 3 environments "
                    f"| {_pair(walls)} | {_pair(cpus)} | {min(walls) / products * 1000:.2f} ms |"
                )
    print(f"load average {_load()}")
    return 0


def _load() -> str:
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
