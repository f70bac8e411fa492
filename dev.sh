#!/usr/bin/env bash
# Developer entry points. On a fresh machine:
#   ./dev.sh demo   set up .venv and run the main job on the bundled example
#   ./dev.sh test   set up .venv and run lint, type checks and the whole test suite
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
VENV=${FLOE_VENV:-.venv}

python_for_venv() {
  for candidate in python3.11 python3 python; do
    if command -v "$candidate" >/dev/null &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      echo "$candidate"; return
    fi
  done
  echo "floe-gate needs Python >= 3.11" >&2; exit 2
}

setup() {
  [ -x "$VENV/bin/python" ] || "$(python_for_venv)" -m venv "$VENV"
  local pip=("$VENV/bin/python" -m pip --quiet --quiet --disable-pip-version-check)
  "${pip[@]}" install --upgrade pip
  # The root pulls the first-party plugins by path; the second step makes them editable.
  "${pip[@]}" install -e '.[dbt,dev]'
  for plugin in plugins/*/; do "${pip[@]}" install --no-deps -e "$plugin"; done
}

# Engines that cannot share .venv (fakesnow needs duckdb 2.x, ...) get their own
# environments under .engines/, each built by engines/<name>/setup.sh (idempotent).
setup_engines() {
  local script started
  for script in engines/*/setup.sh; do
    [ -e "$script" ] || continue
    started=$SECONDS
    VENV_PYTHON="$(python_for_venv)" bash "$script"
    echo "== engine environment $(basename "$(dirname "$script")"): $((SECONDS - started)) s"
  done
}

demo() {
  setup
  local work=build/demo artifacts=build/demo/artifacts bin
  bin=$(cd "$VENV/bin" && pwd)
  rm -rf "$work" && mkdir -p "$work/warehouse"
  echo "== installed compute plugins"
  "$VENV/bin/floe-gate" plugins
  echo "== floe-gate check: governance of the example platform (examples/manifest.yaml)"
  "$VENV/bin/floe-gate" check --manifest examples/manifest.yaml
  echo "== floe-gate compile: profiles, pod resources, compiled.json, dbt packages"
  "$VENV/bin/floe-gate" compile --manifest examples/manifest.yaml --out "$artifacts"
  echo "== the dev profile of the orders product ($artifacts/dev/orders/profiles.yml)"
  cat "$artifacts/dev/orders/profiles.yml"
  echo "== floe-gate run --env dev: every product's dbt models on their engines (DuckDB, no service)"
  (cd "$work" && "$bin/floe-gate" run --repo ../.. --manifest examples/manifest.yaml --env dev)
  echo "== results in $work/warehouse/platform.duckdb"
  "$VENV/bin/python" - "$work/warehouse/platform.duckdb" <<'PY'
import sys

import duckdb

QUERIES = {
    "orders.customer_revenue (DuckDB)": "select * from orders.customer_revenue order by 1",
    "markets.daily_notional (DuckDB, from notionals computed on Spark)":
        "select * from markets.daily_notional order by symbol, traded_on",
}
with duckdb.connect(sys.argv[1], read_only=True) as db:
    for title, query in QUERIES.items():
        cursor = db.execute(query)
        print(f"-- {title}")
        print(" | ".join(column[0] for column in cursor.description))
        for row in cursor.fetchall():
            print(" | ".join(str(value) for value in row))
PY
}

test_all() {
  local started=$SECONDS
  setup
  echo "== setup: $((SECONDS - started)) s"
  setup_engines
  echo "== ruff"; "$VENV/bin/ruff" check . && "$VENV/bin/ruff" format --check .
  echo "== mypy (strict)"; "$VENV/bin/mypy"
  echo "== pytest"; started=$SECONDS
  "$VENV/bin/pytest" "$@"
  echo "== pytest: $((SECONDS - started)) s"
}

case "${1:-}" in
  setup) setup ;;
  demo) demo ;;
  test) shift; test_all "$@" ;;
  *) echo "usage: ./dev.sh setup|demo|test [pytest args]" >&2; exit 2 ;;
esac
