"""Start-up cost of the commands the git hook runs, against the unavoidable floor.

    .venv/bin/python benchmarks/startup.py [--runs 15]

Each command runs as a fresh process, as a hook does, the commands interleaved (one
of each, then again) so that a change in the machine's load moves all alike; the
median wall time is reported. The floor is importing the libraries every command
needs. `check` is measured against the same floor by benchmarks/check_scale.py.
"""

from __future__ import annotations

import argparse
import os
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
# Bytecode as an installed package has it (compiled once), even where the developer's
# environment says not to write it.
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=ENVIRONMENT)
    return time.perf_counter() - started


def medians(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    for command in commands.values():  # warm the file cache, write the bytecode caches
        seconds(command)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(seconds(command))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    results = medians(COMMANDS, runs)
    floor = next(iter(results.values()))
    print(f"| command | median ({runs} runs) | × floor |")
    print("| --- | ---: | ---: |")
    for name, seconds in results.items():
        print(f"| `{name}` | {seconds * 1000:.0f} ms | {seconds / floor:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
