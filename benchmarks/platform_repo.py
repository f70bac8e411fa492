"""Generate a synthetic platform repository: N products × M transforms, with dbt projects.

    .venv/bin/python benchmarks/platform_repo.py DIR --products 1000 --transforms 10

Domains: 10 domains with 3 sub-domains each; every product has a dbt project whose
models are exactly its transforms. The repository is a git repository (files
added), as the gate finds files through git.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

MANIFEST = """apiVersion: floe/v1
kind: Manifest
environments: {dev: {branch: dev}, staging: {branch: staging}, prod: {branch: main}}
compute:
  approved: [duckdb]
  default: duckdb
  targets:
    duckdb: {path: warehouse/dev.duckdb, memory_limit: 1GB, threads: 2}
  environments:
    prod: {duckdb: {memory_limit: 2GB}}
"""
POLICY = "apiVersion: floe/v1\nkind: Policy\ncompute:\n  approved: [duckdb]\n  default: duckdb\n"


def generate(root: Path, products: int, transforms: int) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "manifest.yaml").write_text(MANIFEST)
    domains = []
    for d in range(10):
        domains.append(f"d{d}")
        _write(root / "policies" / f"d{d}" / "policy.yaml", POLICY)
        for s in range(3):
            domains.append(f"d{d}/s{s}")
            _write(root / "policies" / f"d{d}" / f"s{s}" / "policy.yaml", POLICY)
    for p in range(products):
        _product(
            root / "products" / f"p{p:05d}", f"p{p:05d}", domains[p % len(domains)], transforms
        )
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)


def _product(directory: Path, name: str, domain: str, transforms: int) -> None:
    lines = [
        "apiVersion: floe/v1", "kind: DataProduct", f"name: {name}", f"domain: {domain}",
        "transforms:",
    ]  # fmt: skip
    for t in range(transforms):
        lines += [f"  - name: m{t:03d}", "    workload: medium"]
        _write(directory / "models" / f"m{t:03d}.sql", "select 1 as x\n")
    _write(directory / "floe.yaml", "\n".join(lines) + "\n")
    _write(directory / "dbt_project.yml", f"name: {name}\nprofile: {name}\nconfig-version: 2\n")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--transforms", type=int, default=10)
    args = parser.parse_args()
    generate(args.directory, args.products, args.transforms)
    return 0


if __name__ == "__main__":
    sys.exit(main())
