#!/usr/bin/env bash
# Queues SHARDS array tasks and a merge that waits for all of them:
#
#   TOPOLOGY=$PWD/topologies/global-messaging.toml PARTS=$PWD/parts SHARDS=32 \
#     TRIALS=10000000 examples/cluster/slurm/submit.sh
#
# sbatch passes the environment (TOPOLOGY, PARTS, TRIALS, SEED, DRSIM,
# RESULT) on to the jobs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
SHARDS="${SHARDS:-16}"
export TOPOLOGY="${TOPOLOGY:?set TOPOLOGY}" PARTS="${PARTS:?set PARTS}"
mkdir -p "$PARTS"
if compgen -G "$PARTS/part-*.json" >/dev/null; then
  echo "error: $PARTS already holds parts of an earlier run; use an empty directory" >&2
  exit 2
fi
array=$(sbatch --parsable --array=0-$((SHARDS - 1)) "$here/shard.sbatch")
merge=$(sbatch --parsable --dependency=afterok:"${array%%;*}" "$here/merge.sbatch")
echo "shards: job $array (${SHARDS} tasks); merge: job $merge -> ${RESULT:-$PARTS/result.json}"
