# Sourced by parallel.sh and shell-loop.sh (each sets its SHARDS default
# first): the settings both read from the environment, and the refusal to
# mix the parts of two runs in one directory.
DRSIM="${DRSIM:-drsim}"
TOPOLOGY="${TOPOLOGY:-topologies/global-messaging.toml}"
TRIALS="${TRIALS:-100000}"
SEED="${SEED:-1}"
PARTS="${PARTS:-drsim-parts}"
RESULT="${RESULT:-drsim-result.json}"
mkdir -p "$PARTS"
if compgen -G "$PARTS/part-*.json" >/dev/null; then
  echo "error: $PARTS already holds parts of an earlier run; use an empty directory" >&2
  exit 2
fi
