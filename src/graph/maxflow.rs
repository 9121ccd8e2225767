//! Dinic max-flow on a compact residual graph that is built once per network
//! and reused for every failure state: the Monte Carlo loops solve millions
//! of max-flows on one graph with different capacities, so nothing allocates
//! after construction ([`FlowNetwork`] holds the CSR structure, [`MaxFlow`]
//! the residuals and scratch). An undirected link is one residual pair of
//! arcs; docs/internals.md, "graph/maxflow.rs", says why that is exact.

mod two_sided;
pub mod warm;

/// The structure of an undirected multigraph as a CSR adjacency of arcs.
#[derive(Clone, Debug)]
pub struct FlowNetwork {
    n_nodes: usize,
    /// `adj[start[u]..start[u+1]]` are the arcs leaving `u`.
    start: Vec<u32>,
    adj: Vec<u32>,
    /// `adj_head[k]` is the head of arc `adj[k]`, stored in adjacency order
    /// for the searches that walk a node's arcs.
    adj_head: Vec<u32>,
    /// Head node of each arc; arc `2e` goes `edges[e].0 -> edges[e].1`.
    head: Vec<u32>,
    /// Flow increments below this are rounding noise: with `f64` capacities,
    /// a residual of 1e-16 must not open an augmenting path forever.
    eps: f64,
    /// One-way edges (empty when all are undirected): their reverse arc
    /// starts with no residual, so they carry flow `a -> b` only.
    directed: Vec<bool>,
}

impl FlowNetwork {
    /// `edges` are undirected `(a, b)` pairs on nodes `0..n_nodes`; self-loops
    /// are kept (they can never carry s-t flow) so edge indices stay aligned.
    ///
    /// # Panics
    /// If an endpoint is `>= n_nodes` (callers pass a validated model).
    pub fn new(n_nodes: usize, edges: &[(u32, u32)], capacities: &[f64]) -> FlowNetwork {
        Self::with_directed(n_nodes, edges, capacities, &[])
    }

    /// As [`FlowNetwork::new`], with `directed[e]` making edge `e` one-way
    /// `edges[e].0 -> edges[e].1` (super-source and super-sink arcs, where
    /// an undirected arc would let flow cut through the virtual node).
    /// An empty `directed` means all undirected.
    ///
    /// # Panics
    /// As [`FlowNetwork::new`], or if `directed` is non-empty and not one
    /// flag per edge.
    pub fn with_directed(
        n_nodes: usize,
        edges: &[(u32, u32)],
        capacities: &[f64],
        directed: &[bool],
    ) -> FlowNetwork {
        assert!(directed.is_empty() || directed.len() == edges.len());
        assert_eq!(edges.len(), capacities.len());
        let mut deg = vec![0u32; n_nodes + 1];
        for &(a, b) in edges {
            assert!((a as usize) < n_nodes && (b as usize) < n_nodes);
            deg[a as usize] += 1;
            deg[b as usize] += 1;
        }
        let mut start = vec![0u32; n_nodes + 1];
        for u in 0..n_nodes {
            start[u + 1] = start[u] + deg[u];
        }
        let mut fill = start.clone();
        let mut adj = vec![0u32; 2 * edges.len()];
        let mut head = vec![0u32; 2 * edges.len()];
        for (e, &(a, b)) in edges.iter().enumerate() {
            let fwd = 2 * e as u32;
            head[fwd as usize] = b;
            head[fwd as usize + 1] = a;
            adj[fill[a as usize] as usize] = fwd;
            fill[a as usize] += 1;
            adj[fill[b as usize] as usize] = fwd + 1;
            fill[b as usize] += 1;
        }
        let max_cap = capacities
            .iter()
            .copied()
            .filter(|c| c.is_finite())
            .fold(0.0f64, f64::max);
        let adj_head = adj.iter().map(|&a| head[a as usize]).collect();
        FlowNetwork {
            n_nodes,
            start,
            adj,
            adj_head,
            head,
            eps: (max_cap * 1e-12).max(f64::MIN_POSITIVE),
            directed: if directed.iter().any(|&d| d) {
                directed.to_vec()
            } else {
                Vec::new()
            },
        }
    }

    pub fn n_nodes(&self) -> usize {
        self.n_nodes
    }
    pub fn n_edges(&self) -> usize {
        self.head.len() / 2
    }
}

/// Residual state and Dinic scratch space for one thread.
#[derive(Clone, Debug, Default)]
pub struct MaxFlow {
    res: Vec<f64>,
    level: Vec<u32>,
    iter: Vec<u32>,
    queue: Vec<u32>,
    /// The descent's explicit stack (see [`MaxFlow::dfs`]).
    frames: Vec<Frame>,
    /// Minimum cuts of the last failure states solved from a warm start.
    learned: warm::Cuts,
    /// The two-sided search's trees (`two_sided.rs`).
    trees: two_sided::Trees,
}

/// One level of the blocking-flow descent: the node, what it may push and
/// what it has pushed so far.
#[derive(Clone, Copy, Debug, Default)]
struct Frame {
    u: u32,
    limit: f64,
    pushed: f64,
}

const UNSEEN: u32 = u32::MAX;

impl MaxFlow {
    pub fn new(net: &FlowNetwork) -> MaxFlow {
        MaxFlow {
            res: vec![0.0; 2 * net.n_edges()],
            level: vec![UNSEEN; net.n_nodes],
            iter: vec![0; net.n_nodes],
            queue: Vec::with_capacity(net.n_nodes),
            frames: Vec::new(),
            learned: warm::Cuts::default(),
            trees: two_sided::Trees::new(net.n_nodes),
        }
    }

    /// The maximum `s -> t` flow when edge `e` has capacity `capacity[e]`
    /// (0 for a failed edge). `s == t` gives 0: there is nothing to carry.
    pub fn solve(&mut self, net: &FlowNetwork, capacity: &[f64], s: u32, t: u32) -> f64 {
        self.load(net, capacity);
        if s == t {
            return 0.0;
        }
        self.augment(net, s, t, 0.0, f64::INFINITY)
    }

    /// Zero flow under `capacity` in the residuals.
    fn load(&mut self, net: &FlowNetwork, capacity: &[f64]) {
        debug_assert_eq!(capacity.len(), net.n_edges());
        for (e, &c) in capacity.iter().enumerate() {
            self.res[2 * e] = c;
            self.res[2 * e + 1] = c;
        }
        for (e, &d) in net.directed.iter().enumerate() {
            if d {
                self.res[2 * e + 1] = 0.0;
            }
        }
    }

    /// Dinic phases from the flow already in the residuals, whose value is
    /// `total`, until no augmenting path is left or `total` reaches
    /// `upper` (a cut's capacity: nothing more can fit). Returns the total.
    pub(crate) fn augment(
        &mut self,
        net: &FlowNetwork,
        s: u32,
        t: u32,
        mut total: f64,
        upper: f64,
    ) -> f64 {
        while total < upper - net.eps && self.bfs(net, s, t) {
            self.iter.copy_from_slice(&net.start[..net.n_nodes]);
            loop {
                let f = self.dfs(net, s, t, f64::INFINITY);
                if f <= net.eps {
                    break;
                }
                total += f;
            }
        }
        total
    }

    /// Net flow on edge `e` after [`MaxFlow::solve`], positive in the
    /// direction `edges[e].0 -> edges[e].1`.
    pub fn edge_flow(&self, net: &FlowNetwork, e: usize) -> f64 {
        if net.directed.get(e).copied().unwrap_or(false) {
            self.res[2 * e + 1]
        } else {
            (self.res[2 * e + 1] - self.res[2 * e]) / 2.0
        }
    }

    /// Nodes on the source side of a minimum cut after [`MaxFlow::solve`]
    /// (reachable from `s` in the residual graph).
    pub fn source_side(&mut self, net: &FlowNetwork, s: u32) -> Vec<bool> {
        self.bfs(net, s, u32::MAX);
        self.level.iter().map(|&l| l != UNSEEN).collect()
    }

    /// Nodes on the source side of the minimum cut nearest `t` after
    /// [`MaxFlow::solve`]: those that cannot reach `t` in the residual graph.
    pub fn sink_side(&mut self, net: &FlowNetwork, t: u32) -> Vec<bool> {
        self.search::<true>(net, t, u32::MAX);
        self.level.iter().map(|&l| l == UNSEEN).collect()
    }

    fn bfs(&mut self, net: &FlowNetwork, s: u32, t: u32) -> bool {
        self.search::<false>(net, s, t)
    }

    /// Breadth-first levels from `s` along arcs with residual capacity,
    /// until `t` is reached. `BACKWARD` follows arcs into each node instead
    /// (the partner of an arc out of it), reaching the nodes that can reach
    /// `s`.
    fn search<const BACKWARD: bool>(&mut self, net: &FlowNetwork, s: u32, t: u32) -> bool {
        self.level.fill(UNSEEN);
        self.queue.clear();
        self.level[s as usize] = 0;
        self.queue.push(s);
        let mut i = 0;
        while i < self.queue.len() {
            let u = self.queue[i] as usize;
            i += 1;
            let lu = self.level[u];
            for k in net.start[u]..net.start[u + 1] {
                let a = net.adj[k as usize] as usize;
                let v = net.head[a];
                let res = if BACKWARD {
                    self.res[a ^ 1]
                } else {
                    self.res[a]
                };
                if res > net.eps && self.level[v as usize] == UNSEEN {
                    self.level[v as usize] = lu + 1;
                    if v == t {
                        // Deeper levels cannot lie on a shortest path.
                        return true;
                    }
                    self.queue.push(v);
                }
            }
        }
        t != u32::MAX && self.level[t as usize] != UNSEEN
    }

    /// Pushes up to `limit` from `s` towards `t` along level-increasing
    /// arcs, as much as it can in one descent (multi-path blocking flow).
    ///
    /// The recursive descent written with an explicit stack: a path may be
    /// as long as the graph (a 100,000-node chain overflowed the thread's
    /// stack). Each frame does exactly what a recursive call did, in the
    /// same order, so flows are bit-identical to the recursive version.
    fn dfs(&mut self, net: &FlowNetwork, s: u32, t: u32, limit: f64) -> f64 {
        let lt = self.level[t as usize];
        self.frames.clear();
        self.frames.push(Frame {
            u: s,
            limit,
            pushed: 0.0,
        });
        // What the frame above returned, for the arc at `iter[u]`.
        let mut returned: Option<f64> = None;
        loop {
            let top = self.frames.len() - 1;
            let Frame { u, limit, .. } = self.frames[top];
            let u = u as usize;
            if let Some(d) = returned.take() {
                let a = net.adj[self.iter[u] as usize] as usize;
                if d > net.eps {
                    self.res[a] -= d;
                    self.res[a ^ 1] += d;
                    self.frames[top].pushed += d;
                    if limit - self.frames[top].pushed <= net.eps {
                        // Out of supply: this arc may still have room.
                        let p = self.frames[top].pushed;
                        self.frames.pop();
                        if self.frames.is_empty() {
                            return p;
                        }
                        returned = Some(p);
                        continue;
                    }
                }
                // The arc is saturated or leads to a blocked subtree.
                self.iter[u] += 1;
            }
            let end = net.start[u + 1];
            let pushed = self.frames[top].pushed;
            let mut child = None;
            while self.iter[u] < end {
                let a = net.adj[self.iter[u] as usize] as usize;
                let v = net.head[a];
                let lv = self.level[v as usize];
                if self.res[a] > net.eps && lv == self.level[u] + 1 && (lv < lt || v == t) {
                    child = Some((v, (limit - pushed).min(self.res[a])));
                    break;
                }
                self.iter[u] += 1;
            }
            match child {
                // Reaching `t` returns the limit at once.
                Some((v, lim)) if v == t => returned = Some(lim),
                Some((v, lim)) => self.frames.push(Frame {
                    u: v,
                    limit: lim,
                    pushed: 0.0,
                }),
                None => {
                    self.frames.pop();
                    if self.frames.is_empty() {
                        return pushed;
                    }
                    returned = Some(pushed);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_disjoint_paths_and_a_parallel_pair() {
        // 0-1-3 with capacity 2, 0-2-3 with capacity 3 via two parallel 1.5s.
        let edges = [(0, 1), (1, 3), (0, 2), (2, 3), (2, 3)];
        let caps = [2.0, 2.0, 3.0, 1.5, 1.5];
        let net = FlowNetwork::new(4, &edges, &caps);
        let mut mf = MaxFlow::new(&net);
        assert_eq!(mf.solve(&net, &caps, 0, 3), 5.0);
        // Undirected: the reverse direction carries the same.
        assert_eq!(mf.solve(&net, &caps, 3, 0), 5.0);
        assert_eq!(mf.solve(&net, &[2.0, 0.0, 3.0, 1.5, 1.5], 0, 3), 3.0);
        assert_eq!(mf.solve(&net, &caps, 0, 0), 0.0);
    }

    #[test]
    fn directed_arcs_carry_one_way_only() {
        // 0 -> 1 one-way (cap 4), 1 - 2 undirected (cap 3), 2 -> 0 one-way.
        let edges = [(0, 1), (1, 2), (2, 0)];
        let caps = [4.0, 3.0, 5.0];
        let net = FlowNetwork::with_directed(3, &edges, &caps, &[true, false, true]);
        let mut mf = MaxFlow::new(&net);
        assert_eq!(mf.solve(&net, &caps, 0, 2), 3.0);
        assert_eq!(mf.edge_flow(&net, 0), 3.0);
        assert_eq!(mf.edge_flow(&net, 1), 3.0);
        // 2 -> 0 directly (5), and 2 -> 1 cannot continue against 0 -> 1.
        assert_eq!(mf.solve(&net, &caps, 2, 0), 5.0);
        assert_eq!(mf.solve(&net, &caps, 1, 0), 3.0);
        assert_eq!(mf.edge_flow(&net, 2), 3.0);
    }
}
