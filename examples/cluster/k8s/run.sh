#!/usr/bin/env bash
# Runs a sharded drsim study on the current kubectl context:
#
#   docker build -t drsim:latest -f examples/cluster/Dockerfile .   # and push or `kind load`
#   examples/cluster/k8s/run.sh topologies/global-messaging.toml
#
# Creates the topology ConfigMap, starts the Indexed Job, waits for every
# index, then runs the merge and prints its log.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
topology="${1:?usage: run.sh TOPOLOGY_FILE}"
kubectl create configmap drsim-topology --from-file=topology.toml="$topology" \
  --dry-run=client -o yaml | kubectl apply -f -
kubectl delete job drsim-shards drsim-merge --ignore-not-found
# Parts of an earlier study with another shard count would be refused by the
# merge (it names them): empty the volume between studies.
kubectl apply -f "$here/shards.yaml"
kubectl wait --for=condition=complete --timeout=24h job/drsim-shards
kubectl apply -f "$here/merge.yaml"
kubectl wait --for=condition=complete --timeout=1h job/drsim-merge
kubectl logs job/drsim-merge
