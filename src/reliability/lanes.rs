//! Crude Monte Carlo 64 samples at a time: bit `l` of a word is sample `l`
//! of a block. Drawing every component bit by bit with its own uniform is
//! the cost the scalar sampler paid (about 300 ns a sample on 30 edges, half
//! of it union-find), so here each component's 64 Bernoulli bits come from
//! a bit-serial comparison with `q` (about 7 random words whatever `q`), and
//! two- and all-terminal connectivity is label propagation with bitwise
//! AND/OR to a fixed point. Other criteria check each lane with [`Checker`].

use super::Criterion;
use super::eval::Checker;
use crate::static_model::StaticModel;
use rand::Rng;

/// Samples per word.
pub const LANES: u64 = 64;

/// 64 independent Bernoulli(`q`) bits: lane `l` is set when a uniform
/// `U_l` in [0, 1) is below `q`. `U_l`'s binary digits are drawn one word
/// at a time (bit `l` of each word is a digit of `U_l`) and compared with
/// `q`'s, most significant first; a lane is decided at its first digit that
/// differs, so after `k` words about `64 / 2^k` lanes are left. The digits of
/// `q` come from doubling it, exact in floating point, so the probability is
/// `q` itself (not `q` rounded to a grid of uniforms).
pub fn bernoulli64<R: Rng + ?Sized>(q: f64, rng: &mut R) -> u64 {
    if q >= 1.0 {
        return !0;
    }
    if q <= 0.0 {
        return 0;
    }
    let mut x = q;
    let mut undecided = !0u64;
    let mut below = 0u64;
    while undecided != 0 && x > 0.0 {
        let r = rng.next_u64();
        x *= 2.0;
        // All ones when q's next digit is 1: lanes whose digit is 0 are
        // below q; otherwise lanes whose digit is 1 are above it.
        let one = if x >= 1.0 {
            x -= 1.0;
            !0u64
        } else {
            0
        };
        below |= undecided & !r & one;
        undecided &= !(r ^ one);
    }
    // Lanes still undecided equal q's digits so far and q has no more: U >= q.
    below
}

/// One model's components as words: draws 64 failure states at once.
pub struct WordSampler<'a> {
    model: &'a StaticModel,
    nodes: Vec<(u32, f64)>,
    edges: Vec<(u32, f64)>,
    /// Bit `l` set: the node (edge) is down in lane `l`.
    pub node_down: Vec<u64>,
    pub edge_down: Vec<u64>,
}

impl<'a> WordSampler<'a> {
    pub fn new(model: &'a StaticModel) -> WordSampler<'a> {
        let failing = |qs: &[f64]| -> Vec<(u32, f64)> {
            (qs.iter().enumerate())
                .filter(|&(_, &q)| q > 0.0)
                .map(|(i, &q)| (i as u32, q))
                .collect()
        };
        WordSampler {
            model,
            nodes: failing(&model.node_q),
            edges: failing(&model.edge_q),
            node_down: vec![0; model.n_nodes()],
            edge_down: vec![0; model.n_edges()],
        }
    }

    /// Draws the next 64 states: nodes, then edges, then shocks, in model
    /// order (the stream layout of a crude batch).
    pub fn draw<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        if !self.model.shocks.is_empty() {
            // Shocks may have downed components that never fail alone.
            self.node_down.fill(0);
            self.edge_down.fill(0);
        }
        for &(i, q) in &self.nodes {
            self.node_down[i as usize] = bernoulli64(q, rng);
        }
        for &(i, q) in &self.edges {
            self.edge_down[i as usize] = bernoulli64(q, rng);
        }
        for s in &self.model.shocks {
            let hit = bernoulli64(s.prob, rng);
            if hit != 0 {
                for &v in &s.nodes {
                    self.node_down[v as usize] |= hit;
                }
                for &e in &s.edges {
                    self.edge_down[e as usize] |= hit;
                }
            }
        }
    }
}

/// A criterion checked on 64 states at once.
pub struct WordChecker<'a> {
    kind: Kind<'a>,
}

enum Kind<'a> {
    /// Reach from `s` (two-terminal) or from node 0 (all-terminal) by
    /// propagation over `edges`, sorted by their distance from the source.
    Propagate {
        terminal: Option<(u32, u32)>,
        edges: Vec<(u32, u32, u32)>,
        ok: Vec<u64>,
        reach: Vec<u64>,
    },
    /// Every lane on its own with the scalar checker.
    PerLane {
        checker: Checker<'a>,
        node_down: Vec<bool>,
        edge_down: Vec<bool>,
    },
}

impl<'a> WordChecker<'a> {
    pub fn new(model: &'a StaticModel, criterion: &'a Criterion) -> WordChecker<'a> {
        let terminal = match *criterion {
            Criterion::TwoTerminal { s, t } => Some((s, t)),
            Criterion::AllTerminal => None,
            _ => {
                return WordChecker {
                    kind: Kind::PerLane {
                        checker: Checker::new(model, criterion),
                        node_down: vec![false; model.n_nodes()],
                        edge_down: vec![false; model.n_edges()],
                    },
                };
            }
        };
        let source = terminal.map_or(0, |(s, _)| s);
        let edges = sweep_order(model, source);
        WordChecker {
            kind: Kind::Propagate {
                terminal,
                ok: vec![0; edges.len()],
                edges,
                reach: vec![0; model.n_nodes()],
            },
        }
    }

    /// The lanes (of `valid`) in which the system is up.
    pub fn up(&mut self, node_down: &[u64], edge_down: &[u64], valid: u64) -> u64 {
        match &mut self.kind {
            Kind::Propagate {
                terminal,
                edges,
                ok,
                reach,
            } => propagate(*terminal, edges, ok, reach, node_down, edge_down, valid),
            Kind::PerLane {
                checker,
                node_down: nd,
                edge_down: ed,
            } => {
                let mut up = 0u64;
                for l in 0..LANES {
                    if valid >> l & 1 == 0 {
                        continue;
                    }
                    for (d, w) in nd.iter_mut().zip(node_down) {
                        *d = w >> l & 1 == 1;
                    }
                    for (d, w) in ed.iter_mut().zip(edge_down) {
                        *d = w >> l & 1 == 1;
                    }
                    if checker.is_up(nd, ed) {
                        up |= 1 << l;
                    }
                }
                up
            }
        }
    }
}

/// Edges as `(edge, near end, far end)`, by the breadth-first distance of
/// their near end from `source`: one forward sweep then carries reach as
/// far as the intact graph would, so few sweeps reach the fixed point.
fn sweep_order(model: &StaticModel, source: u32) -> Vec<(u32, u32, u32)> {
    let n = model.n_nodes();
    let mut adj = vec![Vec::new(); n];
    for &(a, b) in &model.edges {
        adj[a as usize].push(b);
        adj[b as usize].push(a);
    }
    let mut dist = vec![u32::MAX; n];
    let mut queue = std::collections::VecDeque::new();
    if (source as usize) < n {
        dist[source as usize] = 0;
        queue.push_back(source);
    }
    while let Some(v) = queue.pop_front() {
        for &w in &adj[v as usize] {
            if dist[w as usize] == u32::MAX {
                dist[w as usize] = dist[v as usize] + 1;
                queue.push_back(w);
            }
        }
    }
    let mut edges: Vec<(u32, u32, u32)> = (model.edges.iter().enumerate())
        .map(|(e, &(a, b))| {
            let (near, far) = if dist[a as usize] <= dist[b as usize] {
                (a, b)
            } else {
                (b, a)
            };
            (e as u32, near, far)
        })
        .collect();
    edges.sort_by_key(|&(e, near, _)| (dist[near as usize], e));
    edges
}

/// Label propagation: `reach[v]` holds the lanes in which `v` is joined to
/// the source through up edges and up nodes; sweeps alternate direction
/// until the terminal (every node, for all-terminal) is reached in every
/// candidate lane or a sweep changes nothing.
fn propagate(
    terminal: Option<(u32, u32)>,
    edges: &[(u32, u32, u32)],
    ok: &mut [u64],
    reach: &mut [u64],
    node_down: &[u64],
    edge_down: &[u64],
    valid: u64,
) -> u64 {
    // Candidate lanes: the terminals (all nodes) are up.
    let candidates = match terminal {
        Some((s, t)) => valid & !node_down[s as usize] & !node_down[t as usize],
        None => node_down.iter().fold(valid, |acc, &d| acc & !d),
    };
    if candidates == 0 || reach.is_empty() {
        return candidates;
    }
    for (o, &(e, a, b)) in ok.iter_mut().zip(edges) {
        *o = !edge_down[e as usize] & !node_down[a as usize] & !node_down[b as usize];
    }
    reach.fill(0);
    let source = terminal.map_or(0, |(s, _)| s) as usize;
    reach[source] = candidates;
    let reached = |reach: &[u64]| match terminal {
        Some((_, t)) => reach[t as usize],
        None => reach.iter().fold(candidates, |acc, &r| acc & r),
    };
    let mut forward = true;
    loop {
        let mut changed = 0u64;
        let mut step = |i: usize| {
            let (_, a, b) = edges[i];
            let (ra, rb) = (reach[a as usize], reach[b as usize]);
            let flow = (ra ^ rb) & ok[i];
            if flow != 0 {
                reach[a as usize] = ra | flow;
                reach[b as usize] = rb | flow;
                changed |= flow;
            }
        };
        if forward {
            (0..edges.len()).for_each(&mut step);
        } else {
            (0..edges.len()).rev().for_each(&mut step);
        }
        let up = reached(reach);
        if up == candidates || changed == 0 {
            return up;
        }
        forward = !forward;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Lane frequencies of [`bernoulli64`] match `q` (within 5 standard
    /// errors over 2^20 bits), for dyadic, decimal, tiny and near-1 `q`, and
    /// two lanes of one word are independent.
    #[test]
    fn bernoulli_bits_have_probability_q() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let words = 1u64 << 14;
        for q in [0.5, 0.375, 0.3, 0.1, 1e-3, 0.999, 1e-9, 2f64.powi(-40)] {
            let mut ones = 0u64;
            let mut both = 0u64;
            for _ in 0..words {
                let w = bernoulli64(q, &mut rng);
                ones += u64::from(w.count_ones());
                both += w & (w >> 17) & 1;
            }
            let n = (words * LANES) as f64;
            let se = (q * (1.0 - q) / n).sqrt();
            let got = ones as f64 / n;
            assert!((got - q).abs() <= 5.0 * se + 1e-12, "q {q}: {got}");
            // Lanes 0 and 17 are both set with probability q^2.
            let pair = both as f64 / words as f64;
            let se2 = (q * q * (1.0 - q * q) / words as f64).sqrt();
            assert!(
                (pair - q * q).abs() <= 5.0 * se2 + 1e-12,
                "q {q}: pair {pair}"
            );
        }
        assert_eq!(bernoulli64(0.0, &mut rng), 0);
        assert_eq!(bernoulli64(1.0, &mut rng), !0);
        // The tiniest positive q never shows in 2^20 bits.
        assert_eq!(bernoulli64(f64::MIN_POSITIVE, &mut rng), 0);
    }

    fn random_model(rng: &mut Xoshiro256PlusPlus) -> StaticModel {
        let n = rng.random_range(1..9u32);
        let mut edges = Vec::new();
        for _ in 0..rng.random_range(0..14) {
            let (a, b) = (rng.random_range(0..n), rng.random_range(0..n));
            if a != b {
                edges.push((a, b));
            }
        }
        let mut m = StaticModel::graph(n as usize, &edges, 0.0);
        for q in m.edge_q.iter_mut() {
            *q = [0.0, 0.2, 0.5, 0.9, 1.0][rng.random_range(0..5)];
        }
        for q in m.node_q.iter_mut() {
            *q = [0.0, 0.0, 0.1, 0.5][rng.random_range(0..4)];
        }
        for i in 0..rng.random_range(0..3) {
            m.shocks.push(crate::static_model::Shock {
                name: format!("shock {i}"),
                cause: crate::static_model::Cause::SharedRisk,
                prob: 0.3,
                nodes: vec![rng.random_range(0..n)],
                edges: (!edges.is_empty())
                    .then(|| rng.random_range(0..edges.len() as u32))
                    .into_iter()
                    .collect(),
            });
        }
        m
    }

    /// Word-parallel propagation says "up" in exactly the lanes where the
    /// scalar union-find checker does, on random multigraphs with node,
    /// edge and shock failures, for two- and all-terminal criteria.
    #[test]
    fn word_checker_agrees_with_the_scalar_checker_in_every_lane() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let mut down_lanes = 0u64;
        for case in 0..3000 {
            let m = random_model(&mut rng);
            let n = m.n_nodes() as u32;
            let criterion = if case % 3 == 0 {
                Criterion::AllTerminal
            } else {
                Criterion::TwoTerminal {
                    s: rng.random_range(0..n),
                    t: rng.random_range(0..n),
                }
            };
            let mut sampler = WordSampler::new(&m);
            let mut words = WordChecker::new(&m, &criterion);
            let mut scalar = Checker::new(&m, &criterion);
            sampler.draw(&mut rng);
            let valid = rng.next_u64() | 1;
            let up = words.up(&sampler.node_down, &sampler.edge_down, valid);
            assert_eq!(up & !valid, 0, "case {case}: up outside the valid lanes");
            for l in 0..LANES {
                let nd: Vec<bool> = sampler.node_down.iter().map(|w| w >> l & 1 == 1).collect();
                let ed: Vec<bool> = sampler.edge_down.iter().map(|w| w >> l & 1 == 1).collect();
                let want = valid >> l & 1 == 1 && scalar.is_up(&nd, &ed);
                assert_eq!(
                    up >> l & 1 == 1,
                    want,
                    "case {case} lane {l}: {m:?} {criterion:?}"
                );
                down_lanes += u64::from(valid >> l & 1 == 1 && !want);
            }
        }
        // The cases are not all trivially up.
        assert!(down_lanes > 10_000, "{down_lanes}");
    }
}
