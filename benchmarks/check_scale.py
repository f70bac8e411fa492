"""How `floe-gate check` scales: 100 / 1,000 / 10,000 transforms, and the floor.

    .venv/bin/python benchmarks/check_scale.py [--runs 5]

Each size is a generated repository (benchmarks/platform_repo.py) with 10 transforms
per product; each run is a fresh `floe-gate check` process (cold, like a hook).
"""

from __future__ import annotations

import argparse
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


def median_seconds(command: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=False, capture_output=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    floor = median_seconds([sys.executable, "-c", "import pydantic, yaml, click"], runs)
    example = median_seconds(
        [
            str(BIN / "floe-gate"),
            "check",
            "--repo",
            str(REPO),
            "--manifest",
            "examples/manifest.yaml",
        ],
        runs,
    )
    print(f"| case | median ({runs} runs) | × floor |")
    print("| --- | ---: | ---: |")
    print(f"| floor: `python -c 'import pydantic, yaml, click'` | {floor * 1000:.0f} ms | 1.00 |")
    print(f"| `check` of the bundled example | {example * 1000:.0f} ms | {example / floor:.2f} |")
    with tempfile.TemporaryDirectory() as scratch:
        for products in (10, 100, 1000):
            root = Path(scratch) / f"p{products}"
            generate(root, products, 10)
            seconds = median_seconds([str(BIN / "floe-gate"), "check", "--repo", str(root)], runs)
            print(
                f"| `check`, {products} products × 10 transforms ({products * 10} transforms) "
                f"| {seconds * 1000:.0f} ms | {seconds / floor:.2f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
