"""`floe-gate run` against plain `dbt build` on a generated single-engine DuckDB product.

    .venv/bin/python benchmarks/run_overhead.py [--models 1200] [--runs 3]

One data product whose dbt project has MODELS models (each reading up to two
earlier ones, a test on every fourth), on DuckDB. Plain dbt uses the profile
`floe-gate compile` generates for it; `run` writes the same profile itself. Each
command runs once to warm dbt's partial parsing, then RUNS times, the two
interleaved so that the machine's load moves both alike; each in its own scratch
directory (its own DuckDB file). Prints the median wall times and their ratio.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
MANIFEST = """apiVersion: floe/v1
kind: Manifest
environments: {dev: {branch: dev}}
compute:
  approved: [duckdb]
  default: duckdb
  targets:
    duckdb: {path: warehouse/bench.duckdb, memory_limit: 1GB, threads: 2}
"""
POLICY = "apiVersion: floe/v1\nkind: Policy\ncompute:\n  approved: [duckdb]\n  default: duckdb\n"
PRODUCT = """apiVersion: floe/v1
kind: DataProduct
name: bench
domain: bench
dbt_project: .
transforms:
  - name: m0000
    timeout_seconds: 600
"""


def generate(root: Path, models: int) -> None:
    """The platform repository: manifest, one policy, one product of ``models`` models."""
    randomness = random.Random(7)
    product = root / "products" / "bench"
    (product / "models").mkdir(parents=True)
    (root / "policies" / "bench").mkdir(parents=True)
    (root / "manifest.yaml").write_text(MANIFEST)
    (root / "policies" / "bench" / "policy.yaml").write_text(POLICY)
    (product / "floe.yaml").write_text(PRODUCT)
    (product / "dbt_project.yml").write_text(
        "name: bench\nprofile: bench\nconfig-version: 2\n"
        "models:\n  bench:\n    +materialized: view\n"
    )
    for index in range(models):
        parents = randomness.sample(range(index), min(index, 2))
        body = " union all ".join(f"select x from {{{{ ref('m{p:04d}') }}}}" for p in parents)
        (product / "models" / f"m{index:04d}.sql").write_text((body or "select 1 as x") + "\n")
    tested = "".join(
        f"  - name: m{index:04d}\n    columns:\n      - name: x\n        data_tests: [not_null]\n"
        for index in range(0, models, 4)
    )
    (product / "models" / "schema.yml").write_text("models:\n" + tested)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)


def commands(repo: Path, scratch: Path) -> dict[str, tuple[list[str], Path]]:
    artifacts = scratch / "artifacts"
    subprocess.run(
        [str(BIN / "floe-gate"), "compile", "--repo", str(repo), "--out", str(artifacts)],
        check=True, capture_output=True,
    )  # fmt: skip
    places = {name: scratch / name for name in ("dbt", "run")}
    for place in places.values():
        (place / "warehouse").mkdir(parents=True)  # plain dbt does not create it
    return {
        "dbt build": (
            [str(BIN / "dbt"), "build", "--project-dir", str(repo / "products" / "bench"),
             "--profiles-dir", str(artifacts / "dev" / "bench" / "duckdb"),
             "--target-path", str(places["dbt"] / "target"),
             "--log-path", str(places["dbt"] / "logs"), "--vars", "{floe_env: dev}"],
            places["dbt"],
        ),
        "floe-gate run": (
            [str(BIN / "floe-gate"), "run", "--repo", str(repo), "--env", "dev",
             "--work-dir", str(places["run"] / ".floe")],
            places["run"],
        ),
    }  # fmt: skip


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:2])} failed:\n{done.stdout[-3000:]}")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=1200)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        scratch = Path(directory)
        repo = scratch / "repo"
        generate(repo, options.models)
        planned = commands(repo, scratch)
        for command, cwd in planned.values():
            timed(command, cwd)  # warm-up: partial parsing, bytecode
        samples: dict[str, list[float]] = {name: [] for name in planned}
        for _ in range(options.runs):
            for name, (command, cwd) in planned.items():
                samples[name].append(timed(command, cwd))
    medians = {name: statistics.median(times) for name, times in samples.items()}
    for name, times in samples.items():
        shown = ", ".join(f"{t:.1f}" for t in times)
        print(f"{name:14} median {medians[name]:6.1f} s  ({shown})")
    ratio = medians["floe-gate run"] / medians["dbt build"]
    print(f"run / dbt build: {ratio:.2f}x ({options.models} models, {options.runs} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
