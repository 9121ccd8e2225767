//! Failure states solved from the intact optimum. A failure only drops edges
//! to capacity 0, so an intact max-flow, decomposed into s-t paths, minus the
//! paths through failed edges is a feasible flow of the failure state: Dinic
//! continues from it instead of from zero (from the optimum, of a few, that
//! keeps the most). Cuts bound the state's max-flow from above: the two
//! stars, the intact minimum cuts, and the last minimum cuts this scratch
//! found; when the flow reaches the lowest, no augmenting path is searched
//! for. The value is the max-flow either way (the property test holds it to
//! [`MaxFlow::solve`]); docs/internals.md has the argument.

use super::two_sided::Guide;
use super::{FlowNetwork, MaxFlow, UNSEEN};

/// Intact optima of one network and terminal pair, for solving its
/// failure states ([`WarmStart::solve`]).
#[derive(Clone, Debug)]
pub struct WarmStart {
    s: u32,
    t: u32,
    /// 64-bit words per edge bitset.
    words: usize,
    caps: Vec<f64>,
    intact: f64,
    optima: Vec<Paths>,
    /// The intact network's cuts.
    cuts: Cuts,
    /// The order the two-sided search tries arcs in.
    guide: Guide,
}

/// One intact optimum as s-t paths.
#[derive(Clone, Debug, Default)]
struct Paths {
    /// Residuals of the path flow under the intact capacities.
    res: Vec<f64>,
    /// Path `p` is the arcs `arcs[start[p]..start[p + 1]]` carrying
    /// `amount[p]`; `edges[p * words..]` is its edge set.
    start: Vec<u32>,
    arcs: Vec<u32>,
    amount: Vec<f64>,
    edges: Vec<u64>,
}

/// Edge sets (`edges[c * words..]`) of s-t cuts with their intact
/// capacities (s side to t side).
#[derive(Clone, Debug, Default)]
pub(super) struct Cuts {
    edges: Vec<u64>,
    cap: Vec<f64>,
    /// Where the next learned cut goes once the pool is full.
    next: usize,
}

/// Minimum cuts a scratch remembers from the states it solved.
const LEARNED: usize = 2;

/// Augmenting paths a state takes from the two-sided search before Dinic
/// takes over (a few is the usual need; Dinic bounds the rest).
const TWO_SIDED: usize = 16;

/// Most optima a warm start chooses from per state.
pub const MAX_OPTIMA: usize = 8;

/// Takes the smallest flow on `arcs` off each of them, and returns it.
fn cancel(flow: &mut [f64], arcs: &[u32]) -> f64 {
    let d = arcs
        .iter()
        .map(|&a| flow[a as usize])
        .fold(f64::INFINITY, f64::min);
    for &a in arcs {
        flow[a as usize] -= d;
    }
    d
}

fn meets(a: &[u64], b: &[u64]) -> bool {
    a.iter().zip(b).any(|(x, y)| x & y != 0)
}

fn bits(set: &[u64]) -> impl Iterator<Item = usize> + '_ {
    set.iter().enumerate().flat_map(|(k, &w)| {
        let mut b = w;
        std::iter::from_fn(move || {
            (b != 0).then(|| {
                let e = k * 64 + b.trailing_zeros() as usize;
                b &= b - 1;
                e
            })
        })
    })
}

impl Cuts {
    fn add(&mut self, set: Vec<u64>, cap: f64, words: usize, limit: usize) {
        if self.edges.chunks(words).any(|c| c == set) {
            return;
        }
        if self.cap.len() < limit {
            self.edges.extend(set);
            self.cap.push(cap);
        } else {
            let c = self.next % limit;
            self.edges[c * words..(c + 1) * words].copy_from_slice(&set);
            self.cap[c] = cap;
            self.next = c + 1;
        }
    }

    /// The lowest capacity of these cuts with the edges in `failed` down.
    fn lowest(&self, failed: &[u64], caps: &[f64], words: usize) -> f64 {
        let mut upper = f64::INFINITY;
        for (set, &cap) in self.edges.chunks(words).zip(&self.cap) {
            let mut lost = 0.0;
            for (k, (&x, &f)) in set.iter().zip(failed).enumerate() {
                let mut b = x & f;
                while b != 0 {
                    lost += caps[k * 64 + b.trailing_zeros() as usize];
                    b &= b - 1;
                }
            }
            upper = upper.min(cap - lost);
        }
        upper
    }
}

impl Paths {
    fn arcs_of(&self, p: usize) -> &[u32] {
        &self.arcs[self.start[p] as usize..self.start[p + 1] as usize]
    }

    /// The flow of the paths that miss `failed` (+0 for none: an empty
    /// `f64` sum is -0, which would print as a flow of "-0"), and whether
    /// every path does.
    fn kept(&self, failed: &[u64], words: usize) -> (f64, bool) {
        let (mut kept, mut whole) = (0.0, true);
        if let [f] = failed {
            // One word (up to 64 edges), the common case, without a loop
            // per path.
            for (&set, &d) in self.edges.iter().zip(&self.amount) {
                if set & f == 0 {
                    kept += d;
                } else {
                    whole = false;
                }
            }
            return (kept, whole);
        }
        for (set, &d) in self.edges.chunks_exact(words).zip(&self.amount) {
            if meets(set, failed) {
                whole = false;
            } else {
                kept += d;
            }
        }
        (kept, whole)
    }
}

impl WarmStart {
    /// Solves the intact network (`caps`) once and keeps its optimum.
    ///
    /// # Panics
    /// If `s` or `t` is not a node, or `caps` is not one per edge.
    pub fn new(net: &FlowNetwork, caps: &[f64], s: u32, t: u32) -> WarmStart {
        let mut mf = MaxFlow::new(net);
        let intact = mf.solve(net, caps, s, t);
        let words = net.n_edges().div_ceil(64).max(1);
        let mut w = WarmStart {
            s,
            t,
            words,
            caps: caps.to_vec(),
            intact,
            optima: Vec::new(),
            cuts: Cuts::default(),
            guide: Guide::new(net, s, t),
        };
        if s == t {
            return w;
        }
        let mut sides = vec![mf.source_side(net, s), mf.sink_side(net, t)];
        sides.push((0..net.n_nodes).map(|v| v == s as usize).collect());
        sides.push((0..net.n_nodes).map(|v| v != t as usize).collect());
        for side in &sides {
            let (set, cap) = w.cut_of(net, |v| side[v]);
            w.cuts.add(set, cap, words, usize::MAX);
        }
        let flow: Vec<f64> = (0..net.n_edges()).map(|e| mf.edge_flow(net, e)).collect();
        w.add_optimum(net, &flow);
        w
    }

    /// Adds another intact optimum to start from: `flow[e]` is edge `e`'s
    /// net flow, positive from its first end to its second (as
    /// [`MaxFlow::edge_flow`] gives it). Beyond [`MAX_OPTIMA`], and for a
    /// flow that is not an optimum, this does nothing.
    pub fn add_optimum(&mut self, net: &FlowNetwork, flow: &[f64]) {
        if self.optima.len() >= MAX_OPTIMA || self.s == self.t {
            return;
        }
        let mut arc_flow: Vec<f64> = (0..2 * net.n_edges())
            .map(|a| {
                if a % 2 == 0 {
                    flow[a / 2]
                } else {
                    -flow[a / 2]
                }
            })
            .map(|f| if f > net.eps { f } else { 0.0 })
            .collect();
        let mut paths = Paths {
            start: vec![0],
            ..Paths::default()
        };
        self.decompose(net, &mut arc_flow, &mut paths);
        let value: f64 = paths.amount.iter().sum();
        if value < self.intact - net.eps * (1 + paths.amount.len()) as f64 {
            return;
        }
        let mut res: Vec<f64> = (0..2 * net.n_edges())
            .map(|a| self.initial_res(net, a))
            .collect();
        for p in 0..paths.amount.len() {
            for &a in paths.arcs_of(p) {
                res[a as usize] -= paths.amount[p];
                res[a as usize ^ 1] += paths.amount[p];
            }
        }
        paths.res = res;
        self.optima.push(paths);
    }

    /// The intact max-flow.
    pub fn intact(&self) -> f64 {
        self.intact
    }

    /// Residual of arc `a` with no flow: a one-way edge's reverse has none.
    fn initial_res(&self, net: &FlowNetwork, a: usize) -> f64 {
        if a % 2 == 1 && net.directed.get(a / 2).copied().unwrap_or(false) {
            0.0
        } else {
            self.caps[a / 2]
        }
    }

    /// The edges from the nodes `in_side` to the others, and their intact
    /// capacity.
    fn cut_of(&self, net: &FlowNetwork, in_side: impl Fn(usize) -> bool) -> (Vec<u64>, f64) {
        let mut set = vec![0u64; self.words];
        let mut cap = 0.0;
        for a in 0..2 * net.n_edges() {
            let (from, to) = (net.head[a ^ 1] as usize, net.head[a] as usize);
            if in_side(from) && !in_side(to) && self.initial_res(net, a) > 0.0 {
                set[a / 128] |= 1 << (a / 2 % 64);
                cap += self.caps[a / 2];
            }
        }
        (set, cap)
    }

    /// Splits the arc flows `flow` (consumed) into s-t paths; cycles and
    /// rounding crumbs are dropped, so the paths are a max-flow's worth
    /// of s-t flow and nothing else.
    fn decompose(&self, net: &FlowNetwork, flow: &mut [f64], paths: &mut Paths) {
        let n = net.n_nodes;
        let mut pos = vec![UNSEEN; n];
        let mut nodes: Vec<u32> = vec![self.s];
        let mut arcs: Vec<u32> = Vec::new();
        pos[self.s as usize] = 0;
        loop {
            let u = *nodes.last().expect("the path holds s") as usize;
            if u == self.t as usize {
                let d = cancel(flow, &arcs);
                self.record(&arcs, d, paths);
            } else if let Some(a) = (net.start[u]..net.start[u + 1])
                .map(|k| net.adj[k as usize])
                .find(|&a| flow[a as usize] > net.eps)
            {
                let v = net.head[a as usize];
                if pos[v as usize] == UNSEEN {
                    pos[v as usize] = nodes.len() as u32;
                    nodes.push(v);
                    arcs.push(a);
                    continue;
                }
                // A cycle back to `v`: cancel it and go on from `v`.
                let from = pos[v as usize] as usize;
                let cycle: Vec<u32> = arcs[from..].iter().copied().chain([a]).collect();
                cancel(flow, &cycle);
                for &x in &nodes[from + 1..] {
                    pos[x as usize] = UNSEEN;
                }
                nodes.truncate(from + 1);
                arcs.truncate(from);
                continue;
            } else if u == self.s as usize {
                return;
            } else {
                // Flow into a dead end is rounding noise: drop the arc in.
                let a = arcs.last().copied().expect("u is not s") as usize;
                flow[a] = 0.0;
            }
            for &x in &nodes[1..] {
                pos[x as usize] = UNSEEN;
            }
            nodes.truncate(1);
            arcs.clear();
        }
    }

    fn record(&self, arcs: &[u32], amount: f64, paths: &mut Paths) {
        paths.arcs.extend_from_slice(arcs);
        paths.start.push(paths.arcs.len() as u32);
        paths.amount.push(amount);
        let mut set = vec![0u64; self.words];
        for &a in arcs {
            set[a as usize / 128] |= 1 << (a as usize / 2 % 64);
        }
        paths.edges.extend(set);
    }

    /// The max-flow with the edges in `failed` (a bitset over edges) down
    /// and every other edge at its intact capacity. `mf` keeps the last
    /// minimum cuts it found, as bounds for the next states.
    pub fn solve(&self, net: &FlowNetwork, mf: &mut MaxFlow, failed: &[u64]) -> f64 {
        let w = self.words;
        // The optimum that keeps the most flow; one that keeps all of it
        // is the answer.
        let mut best: Option<(&Paths, f64)> = None;
        for o in &self.optima {
            let (kept, whole) = o.kept(failed, w);
            if whole {
                return self.intact;
            }
            if best.is_none_or(|(_, k)| kept > k) {
                best = Some((o, kept));
            }
        }
        let Some((o, kept)) = best else {
            return self.intact;
        };
        let upper = self
            .cuts
            .lowest(failed, &self.caps, w)
            .min(mf.learned.lowest(failed, &self.caps, w));
        if kept >= upper - net.eps {
            // A cut is full: no residual needed.
            return kept;
        }
        mf.res.copy_from_slice(&o.res);
        for (p, set) in o.edges.chunks(w).enumerate() {
            if meets(set, failed) {
                let d = o.amount[p];
                for &a in o.arcs_of(p) {
                    mf.res[a as usize] += d;
                    mf.res[a as usize ^ 1] -= d;
                }
            }
        }
        for e in bits(failed) {
            mf.res[2 * e] = 0.0;
            mf.res[2 * e + 1] = 0.0;
        }
        let (total, done) =
            mf.augment_two_sided(net, (self.s, self.t), kept, upper, (&self.guide, TWO_SIDED));
        let total = if done {
            total
        } else {
            mf.augment(net, self.s, self.t, total, upper)
        };
        if total < upper - net.eps {
            // The last search found no path: its reach is a minimum cut.
            let (set, cap) = if done {
                self.cut_of(net, |v| mf.trees.on_source_side(v))
            } else {
                self.cut_of(net, |v| mf.level[v] != UNSEEN)
            };
            if !self.cuts.edges.chunks(w).any(|c| c == set) {
                mf.learned.add(set, cap, w, LEARNED);
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An edge: ends, capacity (non-integers included, so rounding shows)
    /// and whether it is one-way.
    type Edge = (u32, u32, f64, bool);

    fn rev<T: Copy>(v: &[T]) -> Vec<T> {
        v.iter().rev().copied().collect()
    }

    fn network() -> impl Strategy<Value = (usize, Vec<Edge>, u32, u32)> {
        (2usize..9).prop_flat_map(|n| {
            let caps = prop::sample::select(vec![0.0, 0.155, 1.0, 2.5, 10.0, 100.0]);
            let edge = (0..n as u32, 0..n as u32, caps, prop::bool::weighted(0.2));
            (
                Just(n),
                prop::collection::vec(edge, 0..20),
                0..n as u32,
                0..n as u32,
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// On random multigraphs, terminals and failure sets (several per
        /// network, through one scratch that learns their cuts), the warm
        /// start from two optima gives the max-flow Dinic finds from zero.
        #[test]
        fn warm_start_agrees_with_dinic_from_zero(
            (n, edges, s, t) in network(),
            downs in prop::collection::vec(prop::collection::vec(prop::bool::weighted(0.3), 20), 6),
        ) {
            let ends: Vec<(u32, u32)> = edges.iter().map(|e| (e.0, e.1)).collect();
            let caps: Vec<f64> = edges.iter().map(|e| e.2).collect();
            let directed: Vec<bool> = edges.iter().map(|e| e.3).collect();
            let net = FlowNetwork::with_directed(n, &ends, &caps, &directed);
            let mut warm = WarmStart::new(&net, &caps, s, t);
            let (mut mf, mut reference) = (MaxFlow::new(&net), MaxFlow::new(&net));
            prop_assert_eq!(warm.intact(), reference.solve(&net, &caps, s, t));
            // A second optimum, from the edges in reverse order.
            let rnet = FlowNetwork::with_directed(n, &rev(&ends), &rev(&caps), &rev(&directed));
            reference.solve(&rnet, &rev(&caps), s, t);
            let m = ends.len();
            let flow: Vec<f64> = (0..m).map(|e| reference.edge_flow(&rnet, m - 1 - e)).collect();
            warm.add_optimum(&net, &flow);
            for down in downs {
                let mut failed = vec![0u64; 1];
                let mut left = caps.clone();
                for (e, c) in left.iter_mut().enumerate() {
                    if down[e] {
                        failed[0] |= 1 << e;
                        *c = 0.0;
                    }
                }
                let want = reference.solve(&net, &left, s, t);
                let got = warm.solve(&net, &mut mf, &failed);
                prop_assert!((got - want).abs() <= 1e-9 * want.max(1.0), "warm {} vs {}", got, want);
                prop_assert!(got.is_sign_positive(), "a flow of {}", got);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The two-sided search from zero flow, stopped after `budget`
        /// paths (3: never) and finished by Dinic, gives Dinic's max-flow;
        /// when it settles the network itself, the side it reports is a
        /// cut whose capacity is that flow.
        #[test]
        fn two_sided_search_agrees_with_dinic((n, edges, s, t) in network(), budget in 0usize..4) {
            let ends: Vec<(u32, u32)> = edges.iter().map(|e| (e.0, e.1)).collect();
            let caps: Vec<f64> = edges.iter().map(|e| e.2).collect();
            let directed: Vec<bool> = edges.iter().map(|e| e.3).collect();
            let net = FlowNetwork::with_directed(n, &ends, &caps, &directed);
            let want = MaxFlow::new(&net).solve(&net, &caps, s, t);
            let mut mf = MaxFlow::new(&net);
            mf.load(&net, &caps);
            let budget = if budget == 3 { usize::MAX } else { budget };
            let guide = Guide::new(&net, s, t);
            let (mut got, done) = mf.augment_two_sided(&net, (s, t), 0.0, f64::INFINITY, (&guide, budget));
            if done && s != t {
                let side: Vec<bool> = (0..n).map(|v| mf.trees.on_source_side(v)).collect();
                prop_assert!(side[s as usize] && !side[t as usize]);
                let cut: f64 = (0..2 * ends.len())
                    .filter(|&a| side[net.head[a ^ 1] as usize] && !side[net.head[a] as usize])
                    .filter(|&a| a % 2 == 0 || !directed[a / 2])
                    .map(|a| caps[a / 2])
                    .sum();
                prop_assert!((cut - got).abs() <= 1e-9 * got.max(1.0), "cut {} vs flow {}", cut, got);
            } else if !done {
                got = mf.augment(&net, s, t, got, f64::INFINITY);
            }
            prop_assert!((got - want).abs() <= 1e-9 * want.max(1.0), "two-sided {} vs {}", got, want);
        }
    }

    #[test]
    fn a_failed_cut_edge_is_settled_by_the_cut() {
        // s=0 -> 1 -> 3 and 0 -> 2 -> 3; the cut at t is {1-3, 2-3}.
        let edges = [(0, 1), (1, 3), (0, 2), (2, 3)];
        let caps = [5.0, 2.0, 5.0, 3.0];
        let net = FlowNetwork::new(4, &edges, &caps);
        let warm = WarmStart::new(&net, &caps, 0, 3);
        assert_eq!(warm.intact(), 5.0);
        assert_eq!(warm.optima[0].amount.len(), 2);
        let mut mf = MaxFlow::new(&net);
        assert_eq!(warm.cuts.lowest(&[0b0010], &caps, 1), 3.0);
        assert_eq!(warm.solve(&net, &mut mf, &[0b0010]), 3.0);
        assert_eq!(warm.solve(&net, &mut mf, &[0b0101]), 0.0);
        assert_eq!(warm.solve(&net, &mut mf, &[0]), 5.0);
    }
}
