"""`floe-gate health` against `dbt debug` on the same DuckDB target, each a fresh process.

    .venv/bin/python benchmarks/health_vs_dbt_debug.py [--runs 5]

Both check the bundled example's dev target (a DuckDB file) from a scratch
directory: floe-gate through the DuckDB plugin's native check, dbt through the
profile `floe-gate compile` generates for the orders product. Median wall time, the
two commands interleaved.
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


def medians(commands: dict[str, list[str]], cwd: Path, runs: int) -> dict[str, float]:
    """Median wall seconds of each command, runs interleaved so load moves all alike."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, cwd=cwd, check=True, capture_output=True)
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(times) for name, times in samples.items()}


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
            "floe-gate health --env dev --target duckdb": [
                floe_gate, "health", *example, "--env", "dev", "--target", "duckdb",
            ],
            "dbt debug (same target)": [
                str(BIN / "dbt"), "debug", "--project-dir",
                str(REPO / "examples" / "products" / "orders"),
                "--profiles-dir", "artifacts/dev/orders", "--target", "duckdb",
            ],
        }  # fmt: skip
        results = medians(commands, work, runs)
    print(f"| command | median ({runs} runs) |")
    print("| --- | ---: |")
    for name, seconds in results.items():
        print(f"| `{name}` | {seconds * 1000:.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
