"""How far a cold `floe-gate check` is from the floor, and how it scales to 10,000 transforms.

    .venv/bin/python benchmarks/check_scale.py [--runs 5] [--floor-runs 21] [--instructions]

Every run is a fresh process (cold, like a hook). The floor, two references and the
check of the bundled example run interleaved (one of each, then again) so that a change
in the machine's load moves all of them alike; each is the median of ``--floor-runs``.
Beside wall time, the CPU time of the process and of what it ran (git) is shown: on a
shared machine it moves less than wall time. With ``--instructions`` the same four
also run once under valgrind, which counts the instructions the Python process executes
(git's not included): a measure the machine's load does not move at all. The generated
repositories (benchmarks/platform_repo.py, 10 transforms per product) follow, ``--runs``
each.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from platform_repo import generate  # type: ignore[import-not-found]

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[1]
EXAMPLE = "examples/manifest.yaml"
FLOOR = "import pydantic, yaml, click"
ONE_MODEL = "\n".join([
    "import yaml, click",
    "from pydantic import BaseModel",
    "class M(BaseModel):",
    "    x: int",
    "M(x=1)",
])  # fmt: skip
BASELINES = {
    f"floor: `python -c '{FLOOR}'`": [sys.executable, "-c", FLOOR],
    "reference: `import yaml, click; from pydantic import BaseModel`": [
        sys.executable, "-c", "import yaml, click; from pydantic import BaseModel"
    ],
    "reference: the same, then one one-field model built and validated": [
        sys.executable, "-c", ONE_MODEL
    ],
    "`check` of the bundled example": [
        str(BIN / "floe-gate"), "check", "--repo", str(REPO), "--manifest", EXAMPLE
    ],
}  # fmt: skip

# Bytecode as an installed package has it (compiled once), even where the developer's
# environment says not to write it.
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

Timing = tuple[float, float]
"""Median wall time and median CPU time, in seconds."""


def run_once(command: list[str]) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, check=False, capture_output=True, env=ENVIRONMENT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: problems found, still a full check
        raise SystemExit(f"{command} failed:\n{done.stderr.decode()}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu


def interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, Timing]:
    for command in commands.values():  # warm the file cache, write the bytecode caches
        run_once(command)
    samples: dict[str, list[Timing]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(run_once(command))
    return {name: _medians(timings) for name, timings in samples.items()}


def instructions(command: list[str]) -> int:
    """Instructions the process executes, counted by valgrind's callgrind."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        capture_output=True, text=True, check=False,
        env={**ENVIRONMENT, "PYTHONHASHSEED": "0"},
    )  # fmt: skip
    counted = re.search(r"Collected : (\d+)", done.stderr)
    if counted is None:
        raise SystemExit(f"valgrind {command} failed:\n{done.stderr}")
    return int(counted.group(1))


def _medians(timings: list[Timing]) -> Timing:
    return statistics.median(w for w, _ in timings), statistics.median(c for _, c in timings)


def row(name: str, timing: Timing, floor: Timing) -> str:
    (wall, cpu), (floor_wall, floor_cpu) = timing, floor
    return (
        f"| {name} | {wall * 1000:.0f} ms | {wall / floor_wall:.2f} "
        f"| {cpu * 1000:.0f} ms | {cpu / floor_cpu:.2f} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs of each generated repository")
    parser.add_argument("--floor-runs", type=int, default=21, help="runs of floor and example")
    parser.add_argument("--instructions", action="store_true", help="count them with valgrind")
    options = parser.parse_args()
    if options.instructions:
        counts = {name: instructions(command) for name, command in BASELINES.items()}
        floor_count = next(iter(counts.values()))
        print("| case | instructions (valgrind) | × floor |\n| --- | ---: | ---: |")
        for name, count in counts.items():
            print(f"| {name} | {count / 1e6:,.0f} M | {count / floor_count:.2f} |")
        print()
    baselines = interleaved(BASELINES, options.floor_runs)
    floor = next(iter(baselines.values()))
    print("| case | wall (median) | × floor | CPU (median) | × floor |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, timing in baselines.items():
        print(row(name, timing, floor))
    with tempfile.TemporaryDirectory() as scratch:
        for products in (10, 100, 1000):
            root = Path(scratch) / f"p{products}"
            generate(root, products, 10)
            command = [str(BIN / "floe-gate"), "check", "--repo", str(root)]
            timing = _medians([run_once(command) for _ in range(options.runs)])
            name = f"`check`, {products} products × 10 transforms ({products * 10} transforms)"
            print(row(name, timing, floor))
    return 0


if __name__ == "__main__":
    sys.exit(main())
