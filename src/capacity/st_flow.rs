//! Monte Carlo distribution of the maximum s-t flow of a [`StaticModel`]
//! under random failures (`drsim capacity --from A --to B`). Batches are
//! drawn and merged as in `capacity/batch.rs`; within a batch each distinct
//! failure pattern is solved once, and a pattern that fails no edge carrying
//! the intact optimum's flow keeps the intact flow without a solve (see
//! docs/internals.md, "capacity/st_flow.rs").

use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

pub use super::batch::BATCH_SIZE;
use super::batch::{BatchStats, PatternCache, SamplingCost, sample_batches};
pub use super::tail::{DEFAULT_TAIL_RE, FEW_EVENTS, p_zero_static, refine_tail};
use crate::graph::maxflow::warm::WarmStart;
use crate::graph::maxflow::{FlowNetwork, MaxFlow};
use crate::static_model::StaticModel;
pub use crate::stats::{Percentiles, Proportion, ValueStats};

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CapacityError {
    #[error("node {node} does not exist (the network has {n} nodes)")]
    NoSuchNode { node: u32, n: usize },
    #[error(
        "the failure model is inconsistent: an edge or shock names a node or edge that does not exist, or per-edge lists differ in length"
    )]
    Inconsistent,
    #[error("source and destination are the same node ({0})")]
    SameTerminal(u32),
    #[error("edge {edge} ('{name}') has capacity {capacity}; capacities must be finite and >= 0")]
    BadCapacity {
        edge: usize,
        name: String,
        capacity: f64,
    },
    #[error("{what} = {value} is not a probability in [0, 1]")]
    BadProbability { what: String, value: f64 },
    #[error("the number of samples must be at least 1")]
    NoSamples,
    #[error("threshold {0} must be finite and > 0")]
    BadThreshold(f64),
    #[error("target relative error {0} must be finite and > 0")]
    BadTargetRe(f64),
    #[error("rare-event estimation failed: {0}")]
    RareEventFailed(String),
    /// P(flow = 0) asked of the static engine, which refused.
    #[error("rare-event estimation failed: {0}")]
    StaticEngine(crate::reliability::EstimateError),
    #[error(
        "{} samples x {} sites, links and shock members, each drawn and solved for \
         every sample, is more than the {:.0e} a capacity run may plan; use fewer samples (at \
         most {} fit) or model the network coarser",
        .0.samples, .0.size, super::work::MAX_CAPACITY_WORK, .0.max_samples
    )]
    TooMuchWork(crate::static_model::Overwork),
    #[error(
        "the rare-event estimate needs {} samples (its cross-entropy pilots and a first \
         round) x {} sites, links and shock members, more than the {:.0e} a capacity run may \
         plan ({} fit); ask for no target relative error or model the network coarser",
        .0.samples, .0.size, super::work::MAX_CAPACITY_WORK, .0.max_samples
    )]
    RareTooMuchWork(crate::static_model::Overwork),
}

#[derive(Clone, Debug)]
pub struct CapacityOptions {
    pub samples: u64,
    pub seed: u64,
    /// With a threshold F, also estimate P(flow < F).
    pub threshold: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CapacityReport {
    pub intact_flow: f64,
    pub mean_flow: f64,
    pub mean_flow_std_error: f64,
    pub percentiles: Percentiles,
    pub p_zero: f64,
    pub p_zero_ci95_low: f64,
    pub p_zero_ci95_high: f64,
    /// "crude" (Clopper-Pearson interval), "exact" (two-terminal
    /// unreliability, interval of zero width) or "turnip" (normal interval
    /// from the reported standard error).
    pub p_zero_method: &'static str,
    pub p_zero_std_error: f64,
    /// P(flow < intact flow).
    pub p_degraded: f64,
    pub p_degraded_ci95_low: f64,
    pub p_degraded_ci95_high: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_below_threshold: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_below_threshold_ci95_low: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_below_threshold_ci95_high: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_below_threshold_method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_below_threshold_std_error: Option<f64>,
    /// Set when the rare-event estimate of P(flow = 0) stopped above the
    /// relative error asked of it (or was over the work budget, and the
    /// crude value stands).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_zero_stopped_short: Option<super::work::StoppedShort>,
    /// The same for P(flow < threshold).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_below_threshold_stopped_short: Option<super::work::StoppedShort>,
    /// Samples drawn by the rare-event estimators (turnip, importance
    /// sampling without its pilots); absent when none ran or P(flow = 0)
    /// was computed exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rare_event_samples: Option<u64>,
    #[serde(flatten)]
    pub cost: SamplingCost,
    /// Every distinct flow value seen with its sample count, ascending.
    #[serde(skip)]
    pub distribution: Vec<(f64, u64)>,
}

/// One thread's precomputed view of the model for sampling failure states.
///
/// Only edges that lie on some simple s-t path can ever carry s-t flow
/// (and failures only remove edges), so the others are dropped up front:
/// the max-flow graph is smaller, those edges are never drawn, and patterns
/// that differ only outside the relevant set share one cache entry.
pub(crate) struct Sampler<'a> {
    pub(crate) model: &'a StaticModel,
    /// The relevant edges in compact numbering.
    pub(crate) net: FlowNetwork,
    pub(crate) s: u32,
    pub(crate) t: u32,
    /// `(index, threshold)`: the component fails when the top 53 bits of a
    /// draw are below the threshold, i.e. with probability exactly q
    /// rounded to 2^-53; components with q = 0 draw nothing. Edge indices
    /// here are compact.
    node_thr: Vec<(u32, u64)>,
    edge_thr: Vec<(u32, u64)>,
    shock_thr: Vec<(usize, u64)>,
    /// Compact index of each model edge, [`IRRELEVANT`] for the others.
    pub(crate) edge_map: Vec<u32>,
    pub(crate) base_caps: Vec<f64>,
    /// Relevant incident edges of each node (CSR, compact indices).
    inc_start: Vec<u32>,
    inc: Vec<u32>,
    pub(crate) words: usize,
    /// Bit `k` of `supports[e]`: the `k`-th of several intact optima
    /// (at most 64) uses edge `e`. A failure pattern that misses one of
    /// them keeps the intact flow.
    supports: Vec<u64>,
    /// The bits of all of them.
    all_supports: u64,
    /// The intact optimum each failure state is solved from.
    warm: WarmStart,
    pub(crate) intact: f64,
}

pub(crate) const IRRELEVANT: u32 = u32::MAX;

fn threshold(q: f64) -> u64 {
    (q * (1u64 << 53) as f64).ceil() as u64
}

fn draw(rng: &mut Xoshiro256PlusPlus, thr: u64) -> bool {
    (rng.next_u64() >> 11) < thr
}

/// Edges on at least one simple s-t path: with a virtual edge s-t added,
/// exactly the edges of the biconnected block that holds it (Tarjan).
pub fn relevant_edges(n: usize, edges: &[(u32, u32)], s: u32, t: u32) -> Vec<bool> {
    struct Dfs {
        adj: Vec<Vec<(u32, u32)>>,
        disc: Vec<u32>,
        low: Vec<u32>,
        time: u32,
        stack: Vec<u32>,
        relevant: Vec<bool>,
        virtual_edge: u32,
    }
    impl Dfs {
        fn discover(&mut self, u: usize) {
            self.time += 1;
            self.disc[u] = self.time;
            self.low[u] = self.time;
        }

        /// Tarjan's depth-first search from `root` with an explicit stack of
        /// (node, edge from its parent, next neighbour): a chain of 100,000
        /// sites overflowed the thread's stack when this recursed.
        fn visit(&mut self, root: usize) {
            self.discover(root);
            let mut path: Vec<(usize, u32, usize)> = vec![(root, u32::MAX, 0)];
            while let Some(&mut (u, parent_edge, ref mut k)) = path.last_mut() {
                if let Some(&(v, e)) = self.adj[u].get(*k) {
                    *k += 1;
                    let v = v as usize;
                    if e == parent_edge {
                        continue;
                    }
                    if self.disc[v] == 0 {
                        self.stack.push(e);
                        self.discover(v);
                        path.push((v, e, 0));
                    } else if self.disc[v] < self.disc[u] {
                        self.stack.push(e);
                        self.low[u] = self.low[u].min(self.disc[v]);
                    }
                    continue;
                }
                path.pop();
                let Some(&(p, _, _)) = path.last() else {
                    break;
                };
                // Back in `p` from its child `u` through `parent_edge`.
                self.low[p] = self.low[p].min(self.low[u]);
                if self.low[u] >= self.disc[p] {
                    // Pop the block closed by that edge.
                    let at = self
                        .stack
                        .iter()
                        .rposition(|&x| x == parent_edge)
                        .expect("on stack");
                    let block = self.stack.split_off(at);
                    if block.contains(&self.virtual_edge) {
                        for x in block {
                            if x != self.virtual_edge {
                                self.relevant[x as usize] = true;
                            }
                        }
                    }
                }
            }
        }
    }
    let m = edges.len();
    let mut d = Dfs {
        adj: vec![Vec::new(); n],
        disc: vec![0; n],
        low: vec![0; n],
        time: 0,
        stack: Vec::new(),
        relevant: vec![false; m],
        virtual_edge: m as u32,
    };
    if s == t {
        return d.relevant;
    }
    for (i, &(a, b)) in edges.iter().chain(std::iter::once(&(s, t))).enumerate() {
        if a != b {
            d.adj[a as usize].push((b, i as u32));
            d.adj[b as usize].push((a, i as u32));
        }
    }
    d.visit(s as usize);
    d.relevant
}

/// Optimal flows found with different edge orders route differently; each
/// one's edge set is a certificate that a pattern missing it keeps the
/// intact flow. Duplicates are dropped. Returned with each edge set: the
/// flow on each edge (positive from its first end), a warm start.
fn intact_supports(
    n: usize,
    edges: &[(u32, u32)],
    caps: &[f64],
    s: u32,
    t: u32,
    words: usize,
) -> Vec<(Vec<u64>, Vec<f64>)> {
    const ORDERS: u64 = 32;
    let mut out: Vec<(Vec<u64>, Vec<f64>)> = Vec::new();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x5eed);
    let mut order: Vec<usize> = (0..edges.len()).collect();
    for k in 0..ORDERS {
        if k > 0 {
            // Fisher-Yates with a fixed seed: deterministic certificates.
            for i in (1..order.len()).rev() {
                let j = (rng.next_u64() % (i as u64 + 1)) as usize;
                order.swap(i, j);
            }
        }
        let pe: Vec<(u32, u32)> = order.iter().map(|&e| edges[e]).collect();
        let pc: Vec<f64> = order.iter().map(|&e| caps[e]).collect();
        let net = FlowNetwork::new(n, &pe, &pc);
        let mut mf = MaxFlow::new(&net);
        mf.solve(&net, &pc, s, t);
        let mut sup = vec![0u64; words];
        let mut flow = vec![0.0; edges.len()];
        for (i, &e) in order.iter().enumerate() {
            flow[e] = mf.edge_flow(&net, i);
            if flow[e] != 0.0 {
                sup[e / 64] |= 1 << (e % 64);
            }
        }
        if !out.iter().any(|(known, _)| *known == sup) {
            out.push((sup, flow));
        }
    }
    out
}

/// Merges chains of relevant edges through non-terminal nodes of degree 2
/// into one super-edge each: the chain carries at most its smallest
/// capacity, either way, and is cut when any member or interior node
/// fails. Returns the super-edge of each model edge ([`IRRELEVANT`] for
/// dropped ones), super-edge endpoints and capacities.
fn contract_series(
    n: usize,
    edges: &[(u32, u32)],
    caps: &[f64],
    relevant: &[bool],
    s: u32,
    t: u32,
) -> (Vec<u32>, Vec<(u32, u32)>, Vec<f64>) {
    let m = edges.len();
    let mut at: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (e, &(a, b)) in edges.iter().enumerate() {
        if relevant[e] {
            at[a as usize].push(e as u32);
            at[b as usize].push(e as u32);
        }
    }
    let interior = |v: u32| v != s && v != t && at[v as usize].len() == 2;
    // Edges joined through interior (degree-2, non-terminal) nodes form one
    // series class.
    let mut classes = crate::graph::UnionFind::new(m);
    for v in 0..n as u32 {
        if interior(v) {
            classes.union(at[v as usize][0], at[v as usize][1]);
        }
    }
    let mut class = vec![IRRELEVANT; m];
    let mut edge_map = vec![IRRELEVANT; m];
    let mut ends: Vec<(u32, u32)> = Vec::new();
    let mut cap: Vec<f64> = Vec::new();
    for e in 0..m {
        if !relevant[e] {
            continue;
        }
        let r = classes.find(e as u32) as usize;
        if class[r] == IRRELEVANT {
            class[r] = ends.len() as u32;
            ends.push((IRRELEVANT, IRRELEVANT));
            cap.push(f64::INFINITY);
        }
        let c = class[r] as usize;
        edge_map[e] = c as u32;
        cap[c] = cap[c].min(caps[e]);
        let (a, b) = edges[e];
        for x in [a, b] {
            if !interior(x) {
                if ends[c].0 == IRRELEVANT {
                    ends[c].0 = x;
                } else {
                    ends[c].1 = x;
                }
            }
        }
    }
    // A relevant chain always has two outer ends; guard anyway so a
    // malformed chain becomes a harmless self-loop rather than a panic.
    for e in &mut ends {
        if e.0 == IRRELEVANT {
            *e = (s, s);
        } else if e.1 == IRRELEVANT {
            e.1 = e.0;
        }
    }
    (edge_map, ends, cap)
}

/// Outcome of one sampled failure state.
enum State {
    TerminalDown,
    Intact,
    /// The failed-edge bitset is in the sampler's buffer.
    Failed,
}

impl<'a> Sampler<'a> {
    pub(crate) fn new(model: &'a StaticModel, s: u32, t: u32) -> Sampler<'a> {
        let n = model.n_nodes();
        let relevant = relevant_edges(n, &model.edges, s, t);
        let (edge_map, kept, base_caps) =
            contract_series(n, &model.edges, &model.edge_capacity, &relevant, s, t);
        let net = FlowNetwork::new(n, &kept, &base_caps);
        let node_thr = model
            .node_q
            .iter()
            .enumerate()
            .filter(|(_, q)| **q > 0.0)
            .map(|(i, &q)| (i as u32, threshold(q)))
            .collect();
        let edge_thr = model
            .edge_q
            .iter()
            .enumerate()
            .filter(|&(e, q)| *q > 0.0 && edge_map[e] != IRRELEVANT)
            .map(|(e, &q)| (edge_map[e], threshold(q)))
            .collect();
        let shock_thr = model
            .shocks
            .iter()
            .enumerate()
            .filter(|(_, sh)| sh.prob > 0.0)
            .map(|(i, sh)| (i, threshold(sh.prob)))
            .collect();
        // A node takes down every super-edge it is an end or interior of.
        let mut at: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (e, &(a, b)) in model.edges.iter().enumerate() {
            let c = edge_map[e];
            if c != IRRELEVANT {
                for x in [a, b] {
                    if !at[x as usize].contains(&c) {
                        at[x as usize].push(c);
                    }
                }
            }
        }
        let mut inc_start = vec![0u32; n + 1];
        for u in 0..n {
            inc_start[u + 1] = inc_start[u] + at[u].len() as u32;
        }
        let inc: Vec<u32> = at.concat();
        let words = kept.len().div_ceil(64).max(1);
        let mut warm = WarmStart::new(&net, &base_caps, s, t);
        let intact = warm.intact();
        let optima = intact_supports(n, &kept, &base_caps, s, t, words);
        // The first order is the network's own: the warm start has it.
        for (_, flow) in optima.iter().skip(1) {
            warm.add_optimum(&net, flow);
        }
        let mut supports = vec![0u64; kept.len()];
        for (k, (sup, _)) in optima.iter().enumerate() {
            for (e, at) in supports.iter_mut().enumerate() {
                *at |= (sup[e / 64] >> (e % 64) & 1) << k;
            }
        }
        // No optimum (none found) certifies nothing.
        let all_supports = u64::MAX.checked_shr(64 - optima.len() as u32).unwrap_or(0);
        Sampler {
            model,
            net,
            s,
            t,
            node_thr,
            edge_thr,
            shock_thr,
            edge_map,
            base_caps,
            inc_start,
            inc,
            words,
            supports,
            all_supports,
            warm,
            intact,
        }
    }

    /// Marks model edge `e` failed (a no-op for irrelevant edges).
    #[inline]
    pub(crate) fn fail_edge(&self, failed: &mut [u64], e: u32) {
        let c = self.edge_map[e as usize];
        if c != IRRELEVANT {
            failed[c as usize / 64] |= 1 << (c % 64);
        }
    }

    /// Fails every edge at node `v`; true if `v` is a terminal.
    #[inline]
    pub(crate) fn kill_node(&self, failed: &mut [u64], v: u32) -> bool {
        let u = v as usize;
        for &c in &self.inc[self.inc_start[u] as usize..self.inc_start[u + 1] as usize] {
            failed[c as usize / 64] |= 1 << (c % 64);
        }
        v == self.s || v == self.t
    }

    /// True when no failed edge carries intact flow: the intact optimum
    /// is still feasible, so the flow is the intact flow.
    #[inline]
    pub(crate) fn keeps_intact(&self, failed: &[u64]) -> bool {
        let mut hit = 0;
        for (k, &word) in failed.iter().enumerate() {
            let mut b = word;
            while b != 0 {
                hit |= self.supports[k * 64 + b.trailing_zeros() as usize];
                b &= b - 1;
                if hit == self.all_supports {
                    return false;
                }
            }
        }
        true
    }

    /// The max flow with the edges in `failed` down, through the cache.
    /// Returns the flow and whether the solver ran.
    pub(crate) fn flow_of(
        &self,
        failed: &[u64],
        mf: &mut MaxFlow,
        cache: &mut PatternCache,
    ) -> (f64, bool) {
        if let Some(&f) = cache.get(failed) {
            return (f, false);
        }
        let f = self.solve(failed, mf);
        cache.insert(failed.to_vec().into_boxed_slice(), f);
        (f, true)
    }

    /// The max flow with the edges in `failed` down, always solved (from
    /// the intact optimum).
    pub(crate) fn solve(&self, failed: &[u64], mf: &mut MaxFlow) -> f64 {
        self.warm.solve(&self.net, mf, failed)
    }

    /// Draws one failure state into `failed` (compact edge bitset) using
    /// `node_down` as scratch. Draw order is fixed: nodes, edges, shocks.
    fn sample(
        &self,
        rng: &mut Xoshiro256PlusPlus,
        failed: &mut [u64],
        node_down: &mut Vec<u32>,
    ) -> State {
        failed.fill(0);
        node_down.clear();
        for &(i, thr) in &self.node_thr {
            if draw(rng, thr) {
                node_down.push(i);
            }
        }
        for &(c, thr) in &self.edge_thr {
            if draw(rng, thr) {
                failed[c as usize / 64] |= 1 << (c % 64);
            }
        }
        for &(k, thr) in &self.shock_thr {
            if draw(rng, thr) {
                let sh = &self.model.shocks[k];
                node_down.extend_from_slice(&sh.nodes);
                for &e in &sh.edges {
                    self.fail_edge(failed, e);
                }
            }
        }
        let mut terminal = false;
        for &v in node_down.iter() {
            terminal |= self.kill_node(failed, v);
        }
        if terminal {
            State::TerminalDown
        } else if self.keeps_intact(failed) {
            State::Intact
        } else {
            State::Failed
        }
    }
}

fn run_batch(
    sm: &Sampler<'_>,
    mut rng: Xoshiro256PlusPlus,
    n: u64,
    threshold: Option<f64>,
) -> BatchStats {
    let mut mf = MaxFlow::new(&sm.net);
    let mut cache = PatternCache::default();
    let mut failed = vec![0u64; sm.words];
    let mut node_down = Vec::new();
    let mut st = BatchStats::default();
    let degraded_below = sm.intact * (1.0 - 1e-9);
    for _ in 0..n {
        let flow = match sm.sample(&mut rng, &mut failed, &mut node_down) {
            State::TerminalDown => 0.0,
            State::Intact => sm.intact,
            State::Failed => {
                let (f, solved) = sm.flow_of(&failed, &mut mf, &mut cache);
                st.solves += u64::from(solved);
                f
            }
        };
        st.push(flow, flow < degraded_below, threshold);
    }
    st
}

/// Checks the parts of the model the flow analysis relies on.
pub fn check_model(model: &StaticModel, s: u32, t: u32) -> Result<(), CapacityError> {
    let n = model.n_nodes();
    for node in [s, t] {
        if node as usize >= n {
            return Err(CapacityError::NoSuchNode { node, n });
        }
    }
    if s == t {
        return Err(CapacityError::SameTerminal(s));
    }
    check_failure_model(model)
}

/// [`check_model`], and a sampling run must draw at least one sample.
pub fn check_sampling(
    model: &StaticModel,
    s: u32,
    t: u32,
    samples: u64,
) -> Result<(), CapacityError> {
    check_model(model, s, t)?;
    if samples == 0 {
        return Err(CapacityError::NoSamples);
    }
    Ok(())
}

/// Checks sizes, capacities and probabilities of a failure model.
pub fn check_failure_model(model: &StaticModel) -> Result<(), CapacityError> {
    let n = model.n_nodes();
    let m = model.n_edges();
    let sizes_ok = model.edge_capacity.len() == m
        && model.edge_q.len() == m
        && model
            .edges
            .iter()
            .all(|&(a, b)| (a as usize) < n && (b as usize) < n)
        && model.shocks.iter().all(|sh| {
            sh.nodes.iter().all(|&v| (v as usize) < n) && sh.edges.iter().all(|&e| (e as usize) < m)
        });
    if !sizes_ok {
        return Err(CapacityError::Inconsistent);
    }
    for (e, &c) in model.edge_capacity.iter().enumerate() {
        if !(c.is_finite() && c >= 0.0) {
            return Err(CapacityError::BadCapacity {
                edge: e,
                name: model.edge_names.get(e).cloned().unwrap_or_default(),
                capacity: c,
            });
        }
    }
    let probs = model
        .node_q
        .iter()
        .enumerate()
        .map(|(i, &q)| (format!("failure probability of node {i}"), q))
        .chain(
            model
                .edge_q
                .iter()
                .enumerate()
                .map(|(i, &q)| (format!("failure probability of edge {i}"), q)),
        )
        .chain(
            model
                .shocks
                .iter()
                .map(|sh| (format!("probability of shock '{}'", sh.name), sh.prob)),
        );
    for (what, value) in probs {
        if !(0.0..=1.0).contains(&value) {
            return Err(CapacityError::BadProbability { what, value });
        }
    }
    Ok(())
}

/// The intact max flow from `s` to `t` (no failures).
pub fn intact_flow(model: &StaticModel, s: u32, t: u32) -> Result<f64, CapacityError> {
    check_model(model, s, t)?;
    let net = FlowNetwork::new(model.n_nodes(), &model.edges, &model.edge_capacity);
    Ok(MaxFlow::new(&net).solve(&net, &model.edge_capacity, s, t))
}

/// Crude Monte Carlo over `opts.samples` failure states, on the current
/// rayon pool. Results depend only on the model, terminals and seed.
pub fn simulate(
    model: &StaticModel,
    s: u32,
    t: u32,
    opts: &CapacityOptions,
) -> Result<CapacityReport, CapacityError> {
    check_sampling(model, s, t, opts.samples)?;
    super::work::check_samples(model, opts.samples)?;
    if let Some(f) = opts.threshold
        && !(f.is_finite() && f > 0.0)
    {
        return Err(CapacityError::BadThreshold(f));
    }
    let started = Instant::now();
    let sm = Sampler::new(model, s, t);
    let sum = sample_batches(
        opts.seed,
        opts.samples,
        opts.threshold,
        started,
        |rng, n| run_batch(&sm, rng, n, opts.threshold),
    );
    let nf = sum.n as f64;
    let (zero, degraded, below) = (sum.zero, sum.degraded, sum.below);
    Ok(CapacityReport {
        intact_flow: sm.intact,
        mean_flow: sum.mean,
        mean_flow_std_error: sum.mean_std_error,
        percentiles: sum.percentiles,
        p_zero: zero.p,
        p_zero_ci95_low: zero.low,
        p_zero_ci95_high: zero.high,
        p_zero_method: "crude",
        p_zero_std_error: (zero.p * (1.0 - zero.p) / nf).sqrt(),
        p_degraded: degraded.p,
        p_degraded_ci95_low: degraded.low,
        p_degraded_ci95_high: degraded.high,
        threshold: opts.threshold,
        p_below_threshold: below.map(|b| b.p),
        p_below_threshold_ci95_low: below.map(|b| b.low),
        p_below_threshold_ci95_high: below.map(|b| b.high),
        p_below_threshold_method: below.map(|_| "crude"),
        p_below_threshold_std_error: below.map(|b| (b.p * (1.0 - b.p) / nf).sqrt()),
        rare_event_samples: None,
        p_zero_stopped_short: None,
        p_below_threshold_stopped_short: None,
        cost: sum.cost,
        distribution: sum.distribution,
    })
}

#[cfg(test)]
mod tests {
    use super::relevant_edges;

    #[test]
    fn pendant_edges_and_side_cycles_are_irrelevant() {
        // s=0 .. t=3 via 0-1-3 and 0-2-3 (parallel 2-3); pendant 1-4; side
        // triangle 2-5-6 hanging off 2; self-loop at 1.
        let edges = [
            (0, 1),
            (1, 3),
            (0, 2),
            (2, 3),
            (2, 3),
            (1, 4),
            (2, 5),
            (5, 6),
            (6, 2),
            (1, 1),
        ];
        let r = relevant_edges(7, &edges, 0, 3);
        assert_eq!(
            r,
            [
                true, true, true, true, true, false, false, false, false, false
            ]
        );
        // Disconnected terminals: nothing is relevant.
        assert!(
            relevant_edges(4, &[(0, 1), (2, 3)], 0, 3)
                .iter()
                .all(|x| !x)
        );
        // A bridge between two cycles is on every s-t path.
        let edges = [(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 5), (5, 3)];
        assert!(relevant_edges(6, &edges, 0, 5).iter().all(|&x| x));
        assert_eq!(
            relevant_edges(6, &edges, 0, 1),
            [true, true, true, false, false, false, false]
        );
    }
}
