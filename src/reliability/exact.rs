//! Exact unreliability: shocks by conditioning on which of them occurred,
//! then two- and all-terminal problems by a frontier decomposition over an
//! edge order (Hardy-Lucet-Limnios), whose cost grows with the partitions of
//! the frontier rather than 2^edges; the service criterion by enumeration
//! when small. Down-mass is summed directly, never as 1 - up, so 1e-18
//! keeps full precision. More in docs/internals.md, "reliability/exact.rs".

use super::eval::Checker;
use super::{Criterion, EstimateError};
use crate::static_model::StaticModel;
use std::collections::HashMap;

/// Most shocks conditioned on (2^k subproblems).
pub const MAX_SHOCKS: usize = 20;
/// Most random components plus shocks for enumerating the service criterion.
pub const MAX_ENUM_BITS: usize = 22;
/// Most frontier states before giving up.
pub const MAX_STATES: usize = 4_000_000;

const DOWN: u8 = u8::MAX;

/// Is the exact method fast for this instance (used by `auto`)?
pub fn is_cheap(model: &StaticModel, criterion: &Criterion) -> bool {
    let shocks = random_shocks(model).len();
    match criterion {
        Criterion::Service { .. } | Criterion::Dependent(_) => {
            shocks + random_components(model) <= 16
        }
        Criterion::TwoTerminal { s, .. } => {
            let forced = Forced::none(model);
            shocks <= 8 && Order::new(model, &forced, *s).width <= 11
        }
        Criterion::AllTerminal => {
            let forced = Forced::none(model);
            shocks <= 8 && Order::new(model, &forced, 0).width <= 11
        }
    }
}

/// Exact unreliability, or an error saying why the instance is too large.
pub fn unreliability(model: &StaticModel, criterion: &Criterion) -> Result<f64, EstimateError> {
    let shocks = random_shocks(model);
    if shocks.len() > MAX_SHOCKS {
        return Err(EstimateError::ExactUnsupported(format!(
            "{} shocks with probability strictly between 0 and 1; conditioning on all subsets \
             is limited to {MAX_SHOCKS}; use --method pmc",
            shocks.len()
        )));
    }
    if let Criterion::Service { .. } | Criterion::Dependent(_) = criterion {
        let bits = shocks.len() + random_components(model);
        if bits > MAX_ENUM_BITS {
            return Err(EstimateError::ExactUnsupported(format!(
                "the service criterion is solved by enumeration, limited to {MAX_ENUM_BITS} random \
                 components and shocks; this model has {bits}; use --method pmc"
            )));
        }
    }
    let mut total = 0.0;
    for mask in 0u64..(1u64 << shocks.len()) {
        let mut w = 1.0;
        let mut forced = Forced::none(model);
        for s in &model.shocks {
            if s.prob >= 1.0 {
                forced.apply(s);
            }
        }
        for (j, &si) in shocks.iter().enumerate() {
            let s = &model.shocks[si];
            if mask >> j & 1 == 1 {
                w *= s.prob;
                forced.apply(s);
            } else {
                w *= 1.0 - s.prob;
            }
        }
        if w == 0.0 {
            continue;
        }
        total += w * conditional(model, criterion, &forced)?;
    }
    Ok(total.clamp(0.0, 1.0))
}

fn random_shocks(model: &StaticModel) -> Vec<usize> {
    (0..model.shocks.len())
        .filter(|&i| model.shocks[i].prob > 0.0 && model.shocks[i].prob < 1.0)
        .collect()
}

fn random_components(model: &StaticModel) -> usize {
    let r = |q: &f64| *q > 0.0 && *q < 1.0;
    model.node_q.iter().filter(|q| r(q)).count() + model.edge_q.iter().filter(|q| r(q)).count()
}

/// Components down for sure in one shock subset (or with probability 1).
#[derive(Clone)]
struct Forced {
    node: Vec<bool>,
    edge: Vec<bool>,
}

impl Forced {
    fn none(model: &StaticModel) -> Forced {
        Forced {
            node: model.node_q.iter().map(|&q| q >= 1.0).collect(),
            edge: model.edge_q.iter().map(|&q| q >= 1.0).collect(),
        }
    }
    fn apply(&mut self, s: &crate::static_model::Shock) {
        for &v in &s.nodes {
            self.node[v as usize] = true;
        }
        for &e in &s.edges {
            self.edge[e as usize] = true;
        }
    }
}

fn conditional(
    model: &StaticModel,
    criterion: &Criterion,
    forced: &Forced,
) -> Result<f64, EstimateError> {
    match criterion {
        Criterion::Service { .. } | Criterion::Dependent(_) => {
            Ok(enumerate(model, criterion, forced))
        }
        Criterion::AllTerminal => {
            if forced.node.iter().any(|&d| d) {
                return Ok(1.0);
            }
            // All nodes must be up; given that, only edges matter.
            let log_up: f64 = model.node_q.iter().map(|&q| (-q).ln_1p()).sum();
            let p_nodes_down = -log_up.exp_m1();
            let edges_down = frontier(model, forced, None)?;
            Ok(p_nodes_down + (1.0 - p_nodes_down) * edges_down)
        }
        Criterion::TwoTerminal { s, t } => {
            let (s, t) = (*s, *t);
            if forced.node[s as usize] || forced.node[t as usize] {
                return Ok(1.0);
            }
            if s == t {
                return Ok(model.node_q[s as usize]);
            }
            frontier(model, forced, Some((s, t)))
        }
    }
}

/// Exhaustive enumeration of the random components (service criterion).
fn enumerate(model: &StaticModel, criterion: &Criterion, forced: &Forced) -> f64 {
    let mut comps: Vec<(bool, usize, f64)> = Vec::new();
    for (i, &q) in model.node_q.iter().enumerate() {
        if q > 0.0 && !forced.node[i] {
            comps.push((true, i, q));
        }
    }
    for (i, &q) in model.edge_q.iter().enumerate() {
        if q > 0.0 && !forced.edge[i] {
            comps.push((false, i, q));
        }
    }
    let mut checker = Checker::new(model, criterion);
    let mut node_down = forced.node.clone();
    let mut edge_down = forced.edge.clone();
    let mut down = 0.0;
    for mask in 0u64..(1u64 << comps.len()) {
        let mut w = 1.0;
        for (j, &(is_node, i, q)) in comps.iter().enumerate() {
            let d = mask >> j & 1 == 1;
            w *= if d { q } else { 1.0 - q };
            if is_node {
                node_down[i] = d;
            } else {
                edge_down[i] = d;
            }
        }
        if w > 0.0 && !checker.is_up(&node_down, &edge_down) {
            down += w;
        }
    }
    down
}

/// The usable edges in processing order and each vertex's first/last use.
struct Order {
    edges: Vec<(u32, u32, f64)>,
    entry: Vec<usize>,
    exit: Vec<usize>,
    /// Largest frontier along the order (a cost predictor).
    width: usize,
    /// Vertices reachable from the start over usable edges.
    reached: Vec<bool>,
}

impl Order {
    /// Breadth-first vertex order from `start`; edges sorted by their later
    /// endpoint keep the frontier narrow on meshes and rings.
    fn new(model: &StaticModel, forced: &Forced, start: u32) -> Order {
        let n = model.n_nodes();
        let usable: Vec<(u32, u32, f64)> = model
            .edges
            .iter()
            .enumerate()
            .filter(|&(e, &(a, b))| {
                a != b && !forced.edge[e] && !forced.node[a as usize] && !forced.node[b as usize]
            })
            .map(|(e, &(a, b))| (a, b, model.edge_q[e]))
            .collect();
        let mut adj = vec![Vec::new(); n];
        for &(a, b, _) in &usable {
            adj[a as usize].push(b);
            adj[b as usize].push(a);
        }
        let mut pos = vec![usize::MAX; n];
        let mut queue = std::collections::VecDeque::new();
        let mut k = 0;
        if (start as usize) < n {
            pos[start as usize] = 0;
            k = 1;
            queue.push_back(start);
        }
        while let Some(v) = queue.pop_front() {
            for &w in &adj[v as usize] {
                if pos[w as usize] == usize::MAX {
                    pos[w as usize] = k;
                    k += 1;
                    queue.push_back(w);
                }
            }
        }
        let reached: Vec<bool> = pos.iter().map(|&p| p != usize::MAX).collect();
        let mut edges: Vec<(u32, u32, f64)> = usable
            .into_iter()
            .filter(|&(a, _, _)| reached[a as usize])
            .collect();
        let key = |&(a, b, _): &(u32, u32, f64)| {
            let (pa, pb) = (pos[a as usize], pos[b as usize]);
            (pa.max(pb), pa.min(pb))
        };
        edges.sort_by_key(key);
        let mut entry = vec![usize::MAX; n];
        let mut exit = vec![0; n];
        for (i, &(a, b, _)) in edges.iter().enumerate() {
            for v in [a, b] {
                if entry[v as usize] == usize::MAX {
                    entry[v as usize] = i;
                }
                exit[v as usize] = i;
            }
        }
        let mut width = 0;
        let mut live = 0usize;
        for (i, &(a, b, _)) in edges.iter().enumerate() {
            live += [a, b].iter().filter(|&&v| entry[v as usize] == i).count();
            width = width.max(live);
            live -= [a, b].iter().filter(|&&v| exit[v as usize] == i).count();
        }
        Order {
            edges,
            entry,
            exit,
            width: width + 2,
            reached,
        }
    }
}

/// Renumbers blocks in order of first appearance so equal partitions match.
fn canonical(labels: &mut [u8]) {
    let mut map = [DOWN; 256];
    let mut next = 0u8;
    for l in labels.iter_mut() {
        if *l == DOWN {
            continue;
        }
        if map[*l as usize] == DOWN {
            map[*l as usize] = next;
            next += 1;
        }
        *l = map[*l as usize];
    }
}

fn fresh(labels: &[u8]) -> u8 {
    labels
        .iter()
        .filter(|&&l| l != DOWN)
        .map(|&l| l + 1)
        .max()
        .unwrap_or(0)
}

/// One frontier state branched on the entering vertices' own failures: each
/// is down (label `DOWN`) with its probability or up in a block of its own.
fn with_entering(
    labels: Vec<u8>,
    p: f64,
    entering: &[u32],
    node_q: impl Fn(u32) -> f64,
) -> Vec<(Vec<u8>, f64)> {
    let mut variants: Vec<(Vec<u8>, f64)> = vec![(labels, p)];
    for &v in entering {
        let qv = node_q(v);
        let mut out = Vec::with_capacity(variants.len() * 2);
        for (mut l, pv) in variants {
            if qv > 0.0 {
                let mut d = l.clone();
                d.push(DOWN);
                out.push((d, pv * qv));
            }
            if qv < 1.0 {
                let f = fresh(&l);
                l.push(f);
                out.push((l, pv * (1.0 - qv)));
            }
        }
        variants = out;
    }
    variants
}

/// One state branched on the edge between frontier positions `ia` and
/// `ib`: it fails with probability `q`, or joins the two blocks. An edge
/// with a down end or inside one block changes nothing.
fn edge_branches(l: Vec<u8>, pv: f64, (ia, ib): (usize, usize), q: f64) -> Vec<(Vec<u8>, f64)> {
    let (la, lb) = (l[ia], l[ib]);
    let mut branches: Vec<(Vec<u8>, f64)> = Vec::with_capacity(2);
    if la == DOWN || lb == DOWN || la == lb {
        branches.push((l, pv));
    } else {
        if q > 0.0 {
            branches.push((l.clone(), pv * q));
        }
        if q < 1.0 {
            let mut m = l;
            for x in m.iter_mut() {
                if *x == lb {
                    *x = la;
                }
            }
            branches.push((m, pv * (1.0 - q)));
        }
    }
    branches
}

/// Probability that the criterion fails given the forced-down components:
/// `terminals = Some((s, t))` for two-terminal (nodes fail at random),
/// `None` for all-terminal (nodes assumed up; the caller handles them).
fn frontier(
    model: &StaticModel,
    forced: &Forced,
    terminals: Option<(u32, u32)>,
) -> Result<f64, EstimateError> {
    let n = model.n_nodes();
    let start = terminals.map_or(0, |(s, _)| s);
    let order = Order::new(model, forced, start);
    if order.width > 200 {
        return Err(EstimateError::ExactUnsupported(format!(
            "frontier of {} vertices is too wide",
            order.width
        )));
    }
    let node_q = |v: u32| {
        if terminals.is_some() {
            model.node_q[v as usize]
        } else {
            0.0
        }
    };
    let mut down = 0.0;
    let mut front: Vec<u32> = Vec::new();
    let mut states: HashMap<Vec<u8>, f64> = HashMap::new();
    match terminals {
        Some((s, t)) => {
            if !order.reached[t as usize] {
                return Ok(1.0);
            }
            let (qs, qt) = (node_q(s), node_q(t));
            let up = (1.0 - qs) * (1.0 - qt);
            down += qs + qt - qs * qt;
            front = vec![s, t];
            if up > 0.0 {
                states.insert(vec![0, 1], up);
            }
        }
        None => {
            if n == 1 {
                return Ok(0.0);
            }
            if order.reached.iter().any(|&r| !r) {
                return Ok(1.0);
            }
            states.insert(Vec::new(), 1.0);
        }
    }
    let kept = |v: u32| terminals.is_some_and(|(s, t)| v == s || v == t);
    let last = order.edges.len().saturating_sub(1);
    for (i, &(a, b, q)) in order.edges.iter().enumerate() {
        // Vertices entering at this edge.
        let mut entering = Vec::new();
        for v in [a, b] {
            if order.entry[v as usize] == i && !kept(v) && !entering.contains(&v) {
                entering.push(v);
            }
        }
        front.extend(&entering);
        let ia = front.iter().position(|&v| v == a).expect("a in frontier");
        let ib = front.iter().position(|&v| v == b).expect("b in frontier");
        let mut leaving: Vec<usize> = Vec::new();
        for v in [a, b] {
            if order.exit[v as usize] == i && !kept(v) {
                let p = front.iter().position(|&x| x == v).expect("in frontier");
                if !leaving.contains(&p) {
                    leaving.push(p);
                }
            }
        }
        leaving.sort_unstable_by(|x, y| y.cmp(x));
        let mut next: HashMap<Vec<u8>, f64> = HashMap::with_capacity(states.len() * 2);
        // Sorted so that the floating-point sums do not depend on hash order.
        let mut current: Vec<(Vec<u8>, f64)> = states.drain().collect();
        current.sort_unstable_by(|x, y| x.0.cmp(&y.0));
        for (labels, p) in current {
            for (l, pv) in with_entering(labels, p, &entering, node_q) {
                'branch: for (mut m, pb) in edge_branches(l, pv, (ia, ib), q) {
                    for &pos in &leaving {
                        let lab = m.remove(pos);
                        if terminals.is_none() && !m.contains(&lab) {
                            // A finished component: fine only if it is the
                            // whole graph.
                            if !(i == last && m.is_empty()) {
                                down += pb;
                            }
                            continue 'branch;
                        }
                    }
                    if terminals.is_some() && m[0] != DOWN && m[0] == m[1] {
                        continue; // s and t joined: up for good.
                    }
                    canonical(&mut m);
                    *next.entry(m).or_insert(0.0) += pb;
                }
            }
        }
        for &pos in &leaving {
            front.remove(pos);
        }
        if next.len() > MAX_STATES {
            return Err(EstimateError::ExactUnsupported(format!(
                "more than {MAX_STATES} frontier states; use --method pmc"
            )));
        }
        states = next;
    }
    if terminals.is_some() {
        // s and t never joined in what is left.
        let mut rest: Vec<(Vec<u8>, f64)> = states.into_iter().collect();
        rest.sort_unstable_by(|x, y| x.0.cmp(&y.0));
        down += rest.iter().map(|x| x.1).sum::<f64>();
    }
    Ok(down.clamp(0.0, 1.0))
}
