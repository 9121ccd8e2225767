//! Augmenting paths searched from both terminals at once: a tree grows from
//! the source along residual arcs and one from the sink against them, the
//! smaller tree first, each depth-first towards the other terminal, until
//! they touch (a path) or one runs dry (a minimum cut, that tree's side). A
//! warm-started failure state usually lacks a path or two and its cut sits
//! near the failures, so this visits far fewer nodes than Dinic's
//! breadth-first search, which sweeps all the source reaches to prove it is
//! done. It is a plain augmenting-path method: callers bound the paths it
//! takes and hand the rest to Dinic ([`MaxFlow::augment`]), whose bound holds.

use super::{FlowNetwork, MaxFlow};

/// Scratch of the two trees, one entry per node.
#[derive(Clone, Debug, Default)]
pub(super) struct Trees {
    /// `2 * epoch` for a node of the source tree of the current search,
    /// `2 * epoch + 1` for one of the sink tree; anything else is unseen.
    mark: Vec<u32>,
    /// The arc into a source-tree node from its parent; the arc out of a
    /// sink-tree node to its parent.
    parent: Vec<u32>,
    /// Nodes of each tree (source's, sink's) still to expand.
    todo: [Vec<u32>; 2],
    /// The arcs of the path being pushed.
    path: Vec<u32>,
    epoch: u32,
    /// Whether the last search that failed ran dry on the source side.
    source_dry: bool,
}

/// Each node's arcs in the order the search tries them: the source tree
/// takes the arc whose head is nearest the sink (in hops of the intact
/// network) first, the sink tree the one nearest the source, so each tree
/// heads for the other terminal and they meet after few nodes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Guide {
    /// Arcs out of each node (CSR as the network's) for the source tree,
    /// farthest from the sink first (the search's stack then pops the
    /// nearest first), and for the sink tree by distance from the source.
    arcs: [Vec<u32>; 2],
    /// The head of each of those arcs.
    heads: [Vec<u32>; 2],
}

impl Guide {
    pub(crate) fn new(net: &FlowNetwork, s: u32, t: u32) -> Guide {
        let order = |from: u32| {
            let hops = hops_from(net, from);
            let mut arcs = net.adj.clone();
            for u in 0..net.n_nodes {
                let k = net.start[u] as usize..net.start[u + 1] as usize;
                arcs[k].sort_by_key(|&a| std::cmp::Reverse(hops[net.head[a as usize] as usize]));
            }
            let heads = arcs.iter().map(|&a| net.head[a as usize]).collect();
            (arcs, heads)
        };
        let ((to_t, to_t_head), (to_s, to_s_head)) = (order(t), order(s));
        Guide {
            arcs: [to_t, to_s],
            heads: [to_t_head, to_s_head],
        }
    }
}

/// Hops from `from` to every node over edges of any capacity (`u32::MAX`
/// for the unreachable).
fn hops_from(net: &FlowNetwork, from: u32) -> Vec<u32> {
    let mut hops = vec![u32::MAX; net.n_nodes];
    let mut queue = std::collections::VecDeque::from([from]);
    hops[from as usize] = 0;
    while let Some(u) = queue.pop_front() {
        let u = u as usize;
        for k in net.start[u] as usize..net.start[u + 1] as usize {
            let v = net.adj_head[k] as usize;
            if hops[v] == u32::MAX {
                hops[v] = hops[u] + 1;
                queue.push_back(v as u32);
            }
        }
    }
    hops
}

/// What one search found.
enum Search {
    /// Arc `a` joins the source tree (its tail) to the sink tree (its head).
    Path(usize),
    /// No augmenting path: the trees' marks hold a minimum cut.
    Cut,
}

impl Trees {
    pub(super) fn new(n: usize) -> Trees {
        Trees {
            mark: vec![0; n],
            parent: vec![0; n],
            todo: [Vec::with_capacity(n), Vec::with_capacity(n)],
            path: Vec::new(),
            epoch: 0,
            source_dry: false,
        }
    }

    /// A fresh search on `n` nodes: every node unseen without touching them
    /// all (a scratch made by `MaxFlow::default` grows here once).
    fn next_epoch(&mut self, n: usize) {
        if self.mark.len() < n {
            *self = Trees::new(n);
        }
        if self.epoch >= u32::MAX / 2 - 1 {
            self.mark.fill(0);
            self.epoch = 0;
        }
        self.epoch += 1;
    }

    /// After [`MaxFlow::augment_two_sided`] reported no path left: whether
    /// node `v` is on the source side of the minimum cut it found.
    pub(super) fn on_source_side(&self, v: usize) -> bool {
        if self.source_dry {
            self.mark[v] == 2 * self.epoch
        } else {
            self.mark[v] != 2 * self.epoch + 1
        }
    }
}

impl MaxFlow {
    /// Augments the flow already in the residuals (value `total`) along
    /// paths from [`MaxFlow::search_two_sided`] until none is left, `total`
    /// reaches `upper`, or `budget` paths were taken. Returns the total and
    /// whether it is final (no path left, or `upper` reached).
    pub(super) fn augment_two_sided(
        &mut self,
        net: &FlowNetwork,
        (s, t): (u32, u32),
        mut total: f64,
        upper: f64,
        (guide, budget): (&Guide, usize),
    ) -> (f64, bool) {
        if s == t {
            return (total, true);
        }
        for _ in 0..budget {
            if total >= upper - net.eps {
                return (total, true);
            }
            match self.search_two_sided(net, guide, s, t) {
                Search::Cut => return (total, true),
                Search::Path(a) => total += self.push_path(net, (s, t), a),
            }
        }
        (total, total >= upper - net.eps)
    }

    /// Grows both trees, one node at a time from the smaller, until an arc
    /// joins them or a side has no node left to expand. Each side is a
    /// stack over the guide's order, so it heads for the other terminal.
    fn search_two_sided(&mut self, net: &FlowNetwork, guide: &Guide, s: u32, t: u32) -> Search {
        let MaxFlow { res, trees, .. } = self;
        trees.next_epoch(net.n_nodes);
        // Side 0 is the source's tree, side 1 the sink's.
        let tag = [2 * trees.epoch, 2 * trees.epoch + 1];
        let Trees {
            mark, parent, todo, ..
        } = trees;
        let mut size = [1usize, 1];
        for (side, root) in [s, t].into_iter().enumerate() {
            mark[root as usize] = tag[side];
            todo[side].clear();
            todo[side].push(root);
        }
        loop {
            if todo[0].is_empty() || todo[1].is_empty() {
                trees.source_dry = todo[0].is_empty();
                return Search::Cut;
            }
            let side = usize::from(size[1] < size[0]);
            let u = todo[side].pop().expect("not empty") as usize;
            let arcs = net.start[u] as usize..net.start[u + 1] as usize;
            let heads = &guide.heads[side][arcs.clone()];
            for (&out, &v) in guide.arcs[side][arcs].iter().zip(heads) {
                // The sink tree follows arcs into `u`: the partner of each
                // arc out of it.
                let arc = out as usize ^ side;
                if res[arc] <= net.eps {
                    continue;
                }
                let m = mark[v as usize];
                if m == tag[1 - side] {
                    return Search::Path(arc);
                }
                if m != tag[side] {
                    mark[v as usize] = tag[side];
                    parent[v as usize] = arc as u32;
                    todo[side].push(v);
                    size[side] += 1;
                }
            }
        }
    }

    /// Pushes the bottleneck along the path through the joining arc `join`
    /// and returns it.
    fn push_path(&mut self, net: &FlowNetwork, (s, t): (u32, u32), join: usize) -> f64 {
        let tr = &mut self.trees;
        tr.path.clear();
        tr.path.push(join as u32);
        let mut x = net.head[join ^ 1];
        while x != s {
            let a = tr.parent[x as usize];
            tr.path.push(a);
            x = net.head[a as usize ^ 1];
        }
        let mut y = net.head[join];
        while y != t {
            let a = tr.parent[y as usize];
            tr.path.push(a);
            y = net.head[a as usize];
        }
        let d = (tr.path.iter())
            .map(|&a| self.res[a as usize])
            .fold(f64::INFINITY, f64::min);
        for &a in &tr.path {
            self.res[a as usize] -= d;
            self.res[a as usize ^ 1] += d;
        }
        d
    }
}
