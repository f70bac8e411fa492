# Sourced by engines/*/setup.sh. `engine_lock NAME` makes pip install exactly the versions
# in engines/NAME/lock.txt (PIP_CONSTRAINT reaches build environments too) and sets
# LOCK_DIGEST for the script's stamp. With FLOE_UNLOCKED=1 (./dev.sh lock) the script's
# own ranges resolve instead, into FLOE_ENGINE_DIR.
engine_lock() {
  local lock=$PWD/engines/$1/lock.txt
  if [ "${FLOE_UNLOCKED:-}" = 1 ]; then
    unset PIP_CONSTRAINT
    LOCK_DIGEST=unlocked
  else
    export PIP_CONSTRAINT=$lock
    LOCK_DIGEST=$(sha256sum "$lock" | cut -d' ' -f1)
  fi
}
