"""Start-up cost of the commands the git hook runs, against the unavoidable floor.

    .venv/bin/python benchmarks/startup.py [--runs 15]

Each command runs as a fresh process, as a hook does; the median wall time is
reported. The floor is importing the libraries every command needs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
COMMANDS = {
    "floor: import pydantic, yaml, click": [sys.executable, "-c", "import pydantic, yaml, click"],
    "python -c 'import floe_gate.cli'": [sys.executable, "-c", "import floe_gate.cli"],
    "floe-gate --version": [str(BIN / "floe-gate"), "--version"],
    "floe-gate plugins": [str(BIN / "floe-gate"), "plugins"],
    "floe-gate profile duckdb": [str(BIN / "floe-gate"), "profile", "duckdb"],
}


def median_seconds(command: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    results = {name: median_seconds(command, runs) for name, command in COMMANDS.items()}
    floor = next(iter(results.values()))
    print(f"| command | median ({runs} runs) | × floor |")
    print("| --- | ---: | ---: |")
    for name, seconds in results.items():
        print(f"| `{name}` | {seconds * 1000:.0f} ms | {seconds / floor:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
