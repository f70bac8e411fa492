#!/usr/bin/env bash
# The environment the Databricks plugin's adapter tests run in: .engines/databricks.
#
# dbt-databricks pins dbt-spark<1.11, pydantic<2.13 and packaging<26, and its driver
# (databricks-sql-connector) needs thrift 0.24, while .venv holds dbt-spark 1.11 with
# PyHive (thrift<0.23) and pydantic 2.14. So the Databricks adapter gets an environment
# of its own, next to .venv, instead of bending .venv's pins. Nothing here talks to
# Databricks: no workspace is reachable from this machine (docs/engines.md).
#
# Idempotent: a stamp holds a digest of every input; an unchanged environment is kept.
# Usage: VENV_PYTHON=python3.11 bash engines/databricks/setup.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ENV_DIR=${FLOE_ENGINE_DIR:-.engines/databricks}
# shellcheck source=engines/lock.sh
source engines/lock.sh
engine_lock databricks
PYTHON=${VENV_PYTHON:-python3.11}
STAMP=$ENV_DIR/.floe-setup-digest

digest=$({ cat engines/databricks/setup.sh pyproject.toml plugins/floe-compute-databricks/pyproject.toml
  echo "$LOCK_DIGEST"; } | sha256sum | cut -d' ' -f1)
if [ -x "$ENV_DIR/bin/python" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$digest" ]; then
  echo "engines/databricks: $ENV_DIR is up to date"
  exit 0
fi

rm -rf "$ENV_DIR"
"$PYTHON" -m venv "$ENV_DIR"
pip=("$ENV_DIR/bin/python" -m pip --quiet --quiet --disable-pip-version-check)
# floe-gate with its `databricks` extra (dbt-databricks, the driver; its first-party
# plugins come by path), then the Databricks plugin made editable without touching its
# dependencies: pip refuses the root's path requirement and an editable install of the
# same directory in one command (as in dev.sh).
# hatchling too, so that the lock holds the backend that builds the editable wheels.
"${pip[@]}" install -e '.[databricks]' "pytest>=8" "pytest-timeout>=2.3" "packaging>=23" \
  "hatchling>=1.26"
"${pip[@]}" install --no-deps -e plugins/floe-compute-databricks
"$ENV_DIR/bin/python" -c 'import dbt.adapters.databricks, databricks.sql' # fail here, not in tests
echo "$digest" > "$STAMP"
echo "engines/databricks: built $ENV_DIR"
