#!/usr/bin/env bash
# Split a `drsim run` into SHARDS parts with GNU parallel on one or more
# machines, then merge them into exactly the unsharded result.
#
#   TOPOLOGY=topologies/global-messaging.toml SHARDS=8 TRIALS=200000 \
#     examples/cluster/parallel.sh
#
# Across machines, add `-S host1,host2 --sshdelay 0.1` to parallel and point
# PARTS at a directory every host can see (NFS); the topology path must
# also be the same on every host.
set -euo pipefail
SHARDS="${SHARDS:-8}"
# shellcheck source=settings.sh
. "$(dirname "${BASH_SOURCE[0]}")/settings.sh"

# The one-liner: one shard per job, then the merge.
seq 0 $((SHARDS - 1)) | parallel --halt now,fail=1 -j "${JOBS:-100%}" \
  "$DRSIM" run "$TOPOLOGY" --trials "$TRIALS" --seed "$SEED" --threads 1 \
  --shard {}/"$SHARDS" --out "$PARTS"/part-{}.json &&
  "$DRSIM" merge "$PARTS"/part-*.json --format json --out "$RESULT"
