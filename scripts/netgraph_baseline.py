#!/usr/bin/env python3
"""NetGraph 0.24.1's max-flow on the failure states drsim's capacity bench
solved, the baseline of `drsim capacity`'s max-flow step (README,
`drsim capacity`).

    cargo bench --bench capacity -- step     # writes target/netgraph/*.json
    python3 scripts/netgraph_baseline.py target/netgraph/Geant2012-q0.1.json

Each case file holds the network exactly as drsim's static model has it
(node names, undirected links with capacities in Gbit/s), the source and
sink, the failure states (the indices of the failed links) and drsim's flow
for each state. This builds a NetGraph `Network` of the same nodes and
links (cost 1; NetGraph adds the reverse direction of every link), binds an
analysis context to the two terminals once, and times, in CPU time
(`time.process_time`, one thread), one max-flow per failure state two ways:

- `api`: `ctx.max_flow(excluded_links=...)`, the call a NetGraph user makes;
- `core`: the C++ `Algorithms.max_flow` with the edge masks built before
  the clock starts (NetGraph's own step without its Python wrapper).

Every flow must equal drsim's (relative 1e-9), else the script exits 1.
"""

import json
import sys
import time


def build(case):
    from ngraph import Link, Network, Node, analyze

    net = Network()
    names = [f"n{i}" for i in range(len(case["nodes"]))]
    for name in names:
        net.add_node(Node(name=name))
    link_ids = []
    for a, b, cap in case["edges"]:
        link = Link(source=names[a], target=names[b], capacity=cap, cost=1)
        net.add_link(link)
        link_ids.append(link.id)
    ctx = analyze(net, source=f"^{names[case['s']]}$", sink=f"^{names[case['t']]}$")
    return ctx, link_ids


def check(case, flows, how):
    want = case["drsim_flows"]
    scale = max(max(want), 1.0)
    bad = [i for i, (f, w) in enumerate(zip(flows, want)) if abs(f - w) > 1e-9 * scale]
    if bad:
        i = bad[0]
        sys.exit(f"{how}: {len(bad)} of {len(want)} flows differ from drsim's; "
                 f"state {i} (links {case['states'][i]}): NetGraph {flows[i]}, drsim {want[i]}")


def time_api(ctx, link_ids, states):
    excluded = [{link_ids[e] for e in st} for st in states]
    start = time.process_time()
    flows = [next(iter(ctx.max_flow(excluded_links=x).values())) for x in excluded]
    return flows, time.process_time() - start


def time_core(ctx, link_ids, states):
    import netgraph_core

    algs, handle = ctx.algorithms, ctx.handle
    (src, snk), = ctx._bound_pseudo.pairs.values()
    node_mask = ctx.build_node_mask()
    masks = [ctx.build_edge_mask({link_ids[e] for e in st}) for st in states]
    placement = netgraph_core.FlowPlacement.PROPORTIONAL
    start = time.process_time()
    flows = [
        algs.max_flow(handle, src, snk, flow_placement=placement, shortest_path=False,
                      require_capacity=True, node_mask=node_mask, edge_mask=m)[0]
        for m in masks
    ]
    return flows, time.process_time() - start


def main(path):
    import ngraph

    with open(path) as f:
        case = json.load(f)
    ctx, link_ids = build(case)
    states = case["states"]
    n = len(states)
    print(f"{case['network']} {case['from']}->{case['to']}, q = {case['q']}: "
          f"{len(case['nodes'])} nodes, {len(case['edges'])} links, {n} failure states; "
          f"NetGraph {ngraph.__version__}")
    for how, run in [("api", time_api), ("core", time_core)]:
        flows, cpu = run(ctx, link_ids, states)
        check(case, flows, how)
        print(f"  NetGraph {how:4}: {cpu:.3f} CPU-s, {cpu / n * 1e9:.0f} ns per max-flow step")
    for key, ns in sorted(case.get("drsim_ns_per_step", {}).items()):
        print(f"  drsim {key}: {ns:.0f} ns per step (from the bench)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
