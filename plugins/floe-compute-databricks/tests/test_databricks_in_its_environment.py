"""dbt-databricks' and the Databricks driver's own checks, run in .engines/databricks.

dbt-databricks cannot share .venv (it pins dbt-spark<1.11, pydantic<2.13,
packaging<26; its driver needs thrift 0.24): engines/databricks/setup.sh builds its
environment, and the tests in in_databricks_env/ run there, as a pytest subprocess.
"""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SUITE = Path(__file__).resolve().parent / "in_databricks_env"
PYTHON = ROOT / ".engines" / "databricks" / "bin" / "python"
EXPECTED_PASSED = 23


def test_the_adapter_and_driver_checks_pass_in_the_databricks_environment() -> None:
    assert PYTHON.exists(), (
        f"{PYTHON} is missing: build the Databricks environment with "
        "`VENV_PYTHON=python3.11 bash engines/databricks/setup.sh` (./dev.sh test does)"
    )
    files = sorted(str(path) for path in SUITE.glob("env_*.py"))
    assert len(files) == 3, files
    run = subprocess.run(
        [
            str(PYTHON),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(ROOT),
            *files,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    summary = run.stdout.strip().splitlines()[-1]
    assert re.match(rf"^{EXPECTED_PASSED} passed\b", summary), summary  # none skipped
