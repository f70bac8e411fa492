#!/usr/bin/env bash
# The bqemulator server (a BigQuery emulator on DuckDB) in its own environment,
# .engines/bqemulator: its server stack (grpcio-tools<1.81, sqlglot, FastAPI, the
# OpenTelemetry SDK and exporters) does not belong in floe-gate's .venv.
# Offline, DuckDB cannot download the spatial extension bqemulator loads, so it
# comes from the duckdb-extension-spatial wheel, which needs duckdb of the same
# version; bqemulator registers its UDFs through numpy, which it does not declare.
# The extension is installed into .engines/bqemulator/home/.duckdb/extensions, DuckDB's
# default extension directory when the server runs with HOME=.engines/bqemulator/home.
# Idempotent: does nothing when the environment already holds these pins.
# Used by plugins/floe-compute-bigquery/tests: HOME=.engines/bqemulator/home
# BQEMU_ENABLE_FORMAT_EXTENSIONS=false .engines/bqemulator/bin/bqemulator start ...
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ENV_DIR=${FLOE_ENGINE_DIR:-.engines/bqemulator}
# shellcheck source=engines/lock.sh
source engines/lock.sh
engine_lock bqemulator
REQUIREMENTS=("bqemulator==1.4.0" "duckdb==1.5.5" "duckdb-extension-spatial==1.5.5" "numpy>=1.26")
STAMP="$ENV_DIR/.floe-requirements"
WANTED="${REQUIREMENTS[*]} $LOCK_DIGEST"
ENGINE_HOME="$ENV_DIR/home"

if [ -x "$ENV_DIR/bin/bqemulator" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$WANTED" ] &&
  compgen -G "$ENGINE_HOME/.duckdb/extensions/v*/*/spatial.duckdb_extension" >/dev/null; then
  exit 0
fi
rm -rf "$ENV_DIR"
"${VENV_PYTHON:-python3.11}" -m venv "$ENV_DIR"
"$ENV_DIR/bin/python" -m pip install --quiet --quiet --disable-pip-version-check "${REQUIREMENTS[@]}"
"$ENV_DIR/bin/bqemulator" --help >/dev/null
mkdir -p "$ENGINE_HOME"
HOME="$(cd "$ENGINE_HOME" && pwd)" "$ENV_DIR/bin/python" - <<'PY'
from pathlib import Path

import duckdb
import duckdb_extension_spatial

wheel = Path(duckdb_extension_spatial.__file__).parent
[extension] = list(wheel.glob(f"extensions/v{duckdb.__version__}/spatial.duckdb_extension"))
offline = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
with duckdb.connect(config=offline) as connection:
    connection.execute(f"INSTALL '{extension}'")
with duckdb.connect(config=offline) as connection:
    connection.execute("LOAD spatial")
PY
echo "$WANTED" >"$STAMP"
