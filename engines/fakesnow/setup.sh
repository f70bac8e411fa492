#!/usr/bin/env bash
# The fakesnow server (a Snowflake emulator on DuckDB) in its own environment,
# .engines/fakesnow: fakesnow needs duckdb 2.x, floe-gate's .venv pins duckdb 1.5.5.
# fakesnow 0.12.1 imports snowflake.connector.converter, which connector 5 removed.
# Idempotent: does nothing when the environment already holds exactly these pins.
# Used by plugins/floe-compute-snowflake/tests (server: .engines/fakesnow/bin/fakesnow -s).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ENV_DIR=${FLOE_ENGINE_DIR:-.engines/fakesnow}
# shellcheck source=engines/lock.sh
source engines/lock.sh
engine_lock fakesnow
REQUIREMENTS=("fakesnow[server]==0.12.1" "snowflake-connector-python>=4,<5")
STAMP="$ENV_DIR/.floe-requirements"
WANTED="${REQUIREMENTS[*]} $LOCK_DIGEST"

if [ -x "$ENV_DIR/bin/fakesnow" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$WANTED" ]; then
  exit 0
fi
rm -rf "$ENV_DIR"
"${VENV_PYTHON:-python3.11}" -m venv "$ENV_DIR"
"$ENV_DIR/bin/python" -m pip install --quiet --quiet --disable-pip-version-check "${REQUIREMENTS[@]}"
"$ENV_DIR/bin/python" -c "import fakesnow, fakesnow.server"
echo "$WANTED" >"$STAMP"
