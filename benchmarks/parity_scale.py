"""How `floe-gate parity` scales: 1,000 products × 10 transforms × 3 environment branches.

    .venv/bin/python benchmarks/parity_scale.py [--runs 5] [--products 1000]

The generated repository (benchmarks/platform_repo.py) is committed on main and
branched to dev and staging; one transform's engine differs on dev (a pending
promotion), and the working tree is a change into staging. Each run is a fresh
`floe-gate parity --base-ref staging` process, which reads the working tree and the
three branches (from git objects) and compares 10,000 transforms at each point.
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
IDENTITY = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *IDENTITY, "-C", str(root), *args], check=True, capture_output=True)


def prepare(root: Path, products: int) -> None:
    """The repository with branches main, staging and dev (dev one change ahead)."""
    generate(root, products, 10)
    manifest = (root / "manifest.yaml").read_text()
    (root / "manifest.yaml").write_text(manifest.replace("[duckdb]", "[duckdb, spark]"))
    _git(root, "checkout", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "platform")
    _git(root, "branch", "staging")
    _git(root, "checkout", "-q", "-b", "dev")
    floe = root / "products" / "p00000" / "floe.yaml"
    floe.write_text(
        floe.read_text().replace("  - name: m000\n", "  - name: m000\n    compute: spark\n")
    )
    _git(root, "commit", "-q", "-am", "spark on dev")
    _git(root, "checkout", "-q", "staging")


def median_seconds(command: list[str], runs: int) -> tuple[float, int]:
    samples, code = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        code = subprocess.run(command, check=False, capture_output=True).returncode
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--products", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "platform"
        prepare(root, args.products)
        command = [str(BIN / "floe-gate"), "parity", "--repo", str(root), "--base-ref", "staging"]
        check, _ = median_seconds([str(BIN / "floe-gate"), "check", "--repo", str(root)], args.runs)
        parity, code = median_seconds(command, args.runs)
    transforms = args.products * 10
    print(f"| case ({transforms} transforms) | median ({args.runs} runs) |")
    print("| --- | ---: |")
    print(f"| `check` (one point, for scale) | {check * 1000:.0f} ms |")
    print(f"| `parity --base-ref staging` (working tree + 3 branches; exit {code}) "
          f"| {parity * 1000:.0f} ms |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
