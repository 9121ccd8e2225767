#!/usr/bin/env bash
# The same split as parallel.sh with nothing but bash: every shard as a
# background job on this machine, then the merge. Useful where GNU parallel
# is not installed, and as the smallest illustration of the protocol.
#
#   TOPOLOGY=topologies/global-messaging.toml SHARDS=4 examples/cluster/shell-loop.sh
set -euo pipefail
SHARDS="${SHARDS:-4}"
# shellcheck source=settings.sh
. "$(dirname "${BASH_SOURCE[0]}")/settings.sh"

pids=()
for ((i = 0; i < SHARDS; i++)); do
  "$DRSIM" run "$TOPOLOGY" --trials "$TRIALS" --seed "$SEED" --threads 1 \
    --shard "$i/$SHARDS" --out "$PARTS/part-$i.json" &
  pids+=("$!")
done
for pid in "${pids[@]}"; do
  wait "$pid" # a failed shard stops the script here (set -e)
done
"$DRSIM" merge "$PARTS"/part-*.json --format json --out "$RESULT"
