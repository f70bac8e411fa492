"""`floe-gate health` against `dbt debug` on the same DuckDB target, each a fresh process.

    .venv/bin/python benchmarks/health_vs_dbt_debug.py [--runs 5]

Both check the bundled example's dev target (a DuckDB file) from a scratch
directory: floe-gate through the DuckDB plugin's native check, dbt through the
profile `floe-gate compile` generates for the orders product. Median wall time.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def median_seconds(command: list[str], cwd: Path, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        (work / "warehouse").mkdir()
        example = ["--repo", str(REPO), "--manifest", "examples/manifest.yaml"]
        floe_gate = str(BIN / "floe-gate")
        subprocess.run([floe_gate, "compile", *example, "--env", "dev", "--out", "artifacts"],
                       cwd=work, check=True, capture_output=True)  # fmt: skip
        commands = {
            "floe-gate health --env dev": [floe_gate, "health", *example, "--env", "dev"],
            "dbt debug (same target)": [
                str(BIN / "dbt"), "debug", "--project-dir",
                str(REPO / "examples" / "products" / "orders"),
                "--profiles-dir", "artifacts/dev/orders", "--target", "duckdb",
            ],
        }  # fmt: skip
        results = {name: median_seconds(cmd, work, runs) for name, cmd in commands.items()}
    print(f"| command | median ({runs} runs) |")
    print("| --- | ---: |")
    for name, seconds in results.items():
        print(f"| `{name}` | {seconds * 1000:.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
