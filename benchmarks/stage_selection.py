"""What selecting one stage's nodes costs dbt, by project size: node lists against run's way.

    .venv/bin/python benchmarks/stage_selection.py [--sizes 300 600 1200]

A multi-engine product's stage is one `dbt build` of the stage's nodes. For each
size, a generated DuckDB project (as benchmarks/run_overhead.py writes) is parsed
once in process; then dbt selects half its models (every other one, as a stage
might) with `dbt ls` on the parsed manifest, interleaved: once as one `fqn:`
selector per node (what run did), once with `floe_gate.run.dbt.stage_selection`
(one `config.meta` selector over nodes marked in the in-memory manifest). Prints
the seconds of each and their growth from the smallest size.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from floe_gate.run.dbt import ParsedProject, stage_selection
from floe_gate.run.graph import DbtGraph

PROFILE = "bench:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: ':memory:'}\n"


def write_project(root: Path, models: int) -> Path:
    sys.path.insert(0, str(Path(__file__).parent))
    from run_overhead import generate

    generate(root, models)
    (root / "profiles.yml").write_text(PROFILE)
    return root / "products" / "bench"


def seconds_to_list(project: Path, profiles: Path, manifest: object, selection: list[str]) -> float:
    from dbt.cli.main import dbtRunner

    started = time.perf_counter()
    done = dbtRunner(manifest=manifest).invoke([
        "ls", "--project-dir", str(project), "--profiles-dir", str(profiles),
        "--log-level", "none", "--output", "json", "--output-keys", "unique_id", *selection,
    ])  # fmt: skip
    if not done.success:
        raise SystemExit(f"dbt ls failed: {done.exception}")
    return time.perf_counter() - started


def measure(models: int) -> tuple[float, float]:
    from dbt.cli.main import dbtRunner

    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        project = write_project(root, models)
        parsed = dbtRunner().invoke(
            ["parse", "--project-dir", str(project), "--profiles-dir", str(root),
             "--log-level", "none"]
        )  # fmt: skip
        manifest = parsed.result
        half = [uid for uid in sorted(manifest.nodes) if uid.startswith("model.")][::2]
        fqns = ["fqn:" + ".".join(manifest.nodes[uid].fqn) for uid in half]
        by_list = ["--select", *fqns, "--indirect-selection", "cautious"]
        by_stage = stage_selection(ParsedProject(DbtGraph(), manifest), half, "stage1")
        listed = seconds_to_list(project, root, manifest, by_list)
        staged = seconds_to_list(project, root, manifest, by_stage)
        return listed, staged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 600, 1200])
    sizes = parser.parse_args().sizes
    results = {size: measure(size) for size in sizes}
    first_list, first_stage = results[sizes[0]]
    print("models  fqn: list (s)  growth  stage_selection (s)  growth")
    for size, (listed, staged) in results.items():
        print(
            f"{size:6}  {listed:13.2f}  {listed / first_list:5.1f}x  "
            f"{staged:19.2f}  {staged / first_stage:5.1f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
