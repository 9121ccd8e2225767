#!/usr/bin/env python3
"""Crude static Monte Carlo on the dodecahedron as a networkx user writes it,
the baseline of drsim's crude estimator (README, `drsim reliability`).

    python3 scripts/crude_baseline.py toml > /tmp/dodecahedron.toml
    drsim reliability /tmp/dodecahedron.toml --from n1 --to n20 \
        --link-failure 0.01 --method crude --samples 10000000
    python3 scripts/crude_baseline.py run 0.01 100000

`run Q N`: N samples, each link down with probability Q, up when n1 and n20
are joined (`nx.has_path`); prints the estimate and samples per CPU-second.
"""

import random
import sys
import time

# The dodecahedron of src/reliability/instances.rs (1-based nodes; 1 and 20
# are antipodal).
EDGES = [
    (1, 2), (1, 3), (1, 4), (2, 6), (2, 7), (3, 8), (3, 9), (4, 5), (4, 10),
    (5, 6), (7, 8), (9, 10), (5, 11), (6, 12), (7, 13), (8, 14), (9, 15),
    (10, 16), (11, 16), (12, 13), (14, 15), (11, 17), (12, 17), (13, 18),
    (14, 18), (15, 19), (16, 19), (17, 20), (18, 20), (19, 20),
]


def toml():
    print('[topology]\nname = "dodecahedron"\n')
    for v in range(1, 21):
        print(f'[[site]]\nid = "n{v}"\ncapacity_rps = 1\n')
    for i, (a, b) in enumerate(EDGES):
        print(f'[[link]]\nid = "l{i}"\na = "n{a}"\nb = "n{b}"\ncapacity_gbps = 1\n')


def run(q, n, seed=1):
    import networkx as nx

    rng = random.Random(seed)
    start = time.process_time()
    down = 0
    for _ in range(n):
        g = nx.Graph()
        g.add_nodes_from(range(1, 21))
        g.add_edges_from(e for e in EDGES if rng.random() >= q)
        if not nx.has_path(g, 1, 20):
            down += 1
    cpu = time.process_time() - start
    u = down / n
    se = (u * (1 - u) / n) ** 0.5
    print(f"networkx {nx.__version__}: u = {u:.4e} +- {se:.1e}, {n} samples, "
          f"{cpu:.2f} CPU-s, {n / cpu:.0f} samples per CPU-second")


if __name__ == "__main__":
    if sys.argv[1:2] == ["toml"]:
        toml()
    elif sys.argv[1:2] == ["run"] and len(sys.argv) == 4:
        run(float(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(__doc__)
