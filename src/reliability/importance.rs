//! What takes the system down: Birnbaum and criticality importance of every
//! basic event (a node's or edge's own failure, and every shock), minimal
//! cut sets over those events, and the bridges and articulation points of
//! the intact graph as a structural first pass.
//!
//! Cut sets are over events, not components, so two "redundant" links in
//! one conduit show up as a single-event cut: the conduit shock. With a plan
//! that serves a service, the services are events too (`service:KEY`), and a
//! cut that stops the front end through a dependency carries its chain
//! ([`cut_sets_in`]).

use super::eval::Checker;
use super::{Criterion, EstimateError, EstimateOptions, estimate_with};
use crate::model::Topology;
use crate::sampling::{Progress, Silent, StoppedShort, Under};
use crate::service::{Blame, FailedSet};
use crate::static_model::StaticModel;
use petgraph::graph::UnGraph;

/// A basic event: something that fails on its own with probability `prob`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Event {
    pub name: String,
    /// "node", "edge", "service" or the shock's cause ("shared-risk",
    /// "disaster", ...).
    pub kind: String,
    pub prob: f64,
}

#[derive(Clone, Copy, Debug)]
enum EventRef {
    Node(usize),
    Edge(usize),
    Shock(usize),
}

/// Importance of one event.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Importance {
    pub event: Event,
    /// U(event occurs) - U(event does not occur).
    pub birnbaum: f64,
    /// Share of the unreliability the event is critical for:
    /// birnbaum * prob / U.
    pub criticality: f64,
    /// Why one of the event's two conditional estimates stopped above the
    /// relative error asked (the one with the event down, else up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_short: Option<StoppedShort>,
}

/// A minimal set of events that together take the system down.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CutSet {
    pub events: Vec<String>,
    /// Probability that all its events occur.
    pub prob: f64,
    /// With services: why the front end stops, when through a dependency
    /// ("messaging needs auth needs dns, which is down"); set by
    /// [`cut_sets_in`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
    /// The chain as the rule gives it ([`crate::service::ServiceRule::blame_first_failing`]).
    #[serde(skip)]
    pub blame: Option<Blame>,
}

/// Bridges and articulation points of the intact graph (names).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Structure {
    pub bridges: Vec<String>,
    pub articulation_points: Vec<String>,
}

/// Sites in the model when its nodes after them are services
/// ([`StaticModel::for_plan`] with a plan that serves one).
fn service_nodes_from(criterion: &Criterion) -> Option<usize> {
    match criterion {
        Criterion::Dependent(r) => Some(r.0.n_sites()),
        _ => None,
    }
}

/// Every failure source with positive probability: nodes (sites, then any
/// services), edges, then shocks.
fn events(model: &StaticModel, criterion: &Criterion) -> Vec<(EventRef, Event)> {
    let first_service = service_nodes_from(criterion).unwrap_or(usize::MAX);
    let component = |kind: &str, name: &str, prob: f64| Event {
        name: format!("{kind}:{name}"),
        kind: kind.into(),
        prob,
    };
    let nodes = model.node_q.iter().enumerate().map(|(i, &q)| {
        let e = if i >= first_service {
            // Service nodes are named "service:KEY" already.
            Event {
                name: model.node_names[i].clone(),
                kind: "service".into(),
                prob: q,
            }
        } else {
            component("node", &model.node_names[i], q)
        };
        (EventRef::Node(i), e)
    });
    let edges = model.edge_q.iter().enumerate().map(|(i, &q)| {
        let e = component("edge", &model.edge_names[i], q);
        (EventRef::Edge(i), e)
    });
    let shocks = model.shocks.iter().enumerate().map(|(i, s)| {
        let e = Event {
            name: s.name.clone(),
            kind: s.cause.as_str().into(),
            prob: s.prob,
        };
        (EventRef::Shock(i), e)
    });
    nodes
        .chain(edges)
        .chain(shocks)
        .filter(|(_, e)| e.prob > 0.0)
        .collect()
}

fn with_event(model: &StaticModel, e: EventRef, p: f64) -> StaticModel {
    let mut m = model.clone();
    match e {
        EventRef::Node(i) => m.node_q[i] = p,
        EventRef::Edge(i) => m.edge_q[i] = p,
        EventRef::Shock(i) => m.shocks[i].prob = p,
    }
    m
}

/// Birnbaum and criticality importance of every event, each conditional
/// unreliability computed with `opts` (exact or the chosen estimator), so
/// Monte Carlo noise applies to each term. `u` is the system unreliability.
pub fn importance(
    model: &StaticModel,
    criterion: &Criterion,
    opts: &EstimateOptions,
    u: f64,
) -> Result<Vec<Importance>, EstimateError> {
    importance_with(model, criterion, opts, u, &Silent)
}

/// [`importance`], telling `progress` which of the conditional estimates
/// runs ("importance 3/154 node:fra1 down", then that estimate's own
/// stage, rounds and samples, as [`super::estimate_with`] reports them);
/// the numbers do not depend on it.
pub fn importance_with(
    model: &StaticModel,
    criterion: &Criterion,
    opts: &EstimateOptions,
    u: f64,
    progress: &dyn Progress,
) -> Result<Vec<Importance>, EstimateError> {
    let events = events(model, criterion);
    work_ok(model, criterion, opts, events.len())?;
    let terms = 2 * events.len();
    let mut out = Vec::new();
    for (k, (r, ev)) in events.into_iter().enumerate() {
        let term = |j: usize, side: &str, p: f64| {
            let heading = format!("importance {}/{terms} {} {side}", 2 * k + j + 1, ev.name);
            progress.stage(&heading);
            let inner = Under {
                heading: &heading,
                inner: progress,
            };
            estimate_with(&with_event(model, r, p), criterion, opts, &inner)
        };
        let down = term(0, "down", 1.0)?;
        let up = term(1, "up", 0.0)?;
        let birnbaum = rounding_as_zero(down.unreliability, up.unreliability);
        let criticality = if u > 0.0 { birnbaum * ev.prob / u } else { 0.0 };
        out.push(Importance {
            event: ev,
            birnbaum,
            criticality,
            stopped_short: down.stopped_short.or(up.stopped_short),
        });
    }
    out.sort_by(|a, b| b.criticality.total_cmp(&a.criticality));
    Ok(out)
}

/// `down - up`, or 0 when the two differ only by rounding: an event the
/// system does not depend on gets two estimates that agree but for the
/// order of their sums, and read as Birnbaum -2.7e-20.
fn rounding_as_zero(down: f64, up: f64) -> f64 {
    let d = down - up;
    if d.abs() <= 64.0 * f64::EPSILON * down.abs().max(up.abs()) {
        0.0
    } else {
        d
    }
}

/// Most work one importance ranking may plan, in draws of one component:
/// two estimates per event, each of `samples` draws of the whole model
/// (exact enumeration counted as 64 frontier states per component). A
/// 20,000-site ring at the default 100,000 samples ran for hours.
pub const MAX_IMPORTANCE_WORK: f64 = 2e10;

/// Most turnip work one importance ranking may plan, in full turnip runs'
/// budgets ([`super::MAX_TURNIP_WORK`]): global-messaging's `global-mesh`
/// at the default 100,000 samples (86 events, 172 estimates of about 4
/// CPU-s each) took about 11 CPU-minutes with no word; this admits about
/// 15,000 samples there, and the TUI's 2,000.
pub const IMPORTANCE_TURNIP_RUNS: u64 = 4;

/// Refuses, before any estimate, an importance ranking of `model` whose
/// planned work is over [`MAX_IMPORTANCE_WORK`] (front ends call it before
/// the system estimate the ranking needs).
pub fn check_work(
    model: &StaticModel,
    criterion: &Criterion,
    opts: &EstimateOptions,
) -> Result<(), EstimateError> {
    work_ok(model, criterion, opts, events(model, criterion).len())
}

fn work_ok(
    model: &StaticModel,
    criterion: &Criterion,
    opts: &EstimateOptions,
    events: usize,
) -> Result<(), EstimateError> {
    let exact = match opts.method {
        super::Method::Exact => true,
        super::Method::Auto => super::exact::is_cheap(model, criterion),
        _ => false,
    };
    let per_estimate = if exact { 64 } else { opts.samples.max(1) };
    let runs = 2 * events.max(1) as u64;
    if let Some(w) = model.over_work(runs.saturating_mul(per_estimate), MAX_IMPORTANCE_WORK) {
        return Err(EstimateError::ImportanceTooSlow {
            events,
            samples: per_estimate,
            size: w.size,
            max_samples: w.max_samples / runs,
        });
    }
    // A turnip sample costs far more than a draw of each component (it
    // merges every shock and may run the service rule at each repair):
    // charge what the turnip's own budget charges when it may run.
    let turnip = matches!(opts.method, super::Method::Pmc | super::Method::Auto) && !exact;
    let fit = IMPORTANCE_TURNIP_RUNS * super::turnip_budget(model, criterion) / runs;
    if turnip && per_estimate > fit {
        return Err(EstimateError::ImportanceTurnipTooSlow {
            events,
            samples: per_estimate,
            max_samples: fit,
        });
    }
    Ok(())
}

/// Largest number of subsets examined by [`cut_sets`].
pub const MAX_CUT_CANDIDATES: u64 = 20_000_000;

/// Minimal cut sets of at most `max_order` events, most probable first.
pub fn cut_sets(
    model: &StaticModel,
    criterion: &Criterion,
    max_order: usize,
) -> Result<Vec<CutSet>, EstimateError> {
    let evs = events(model, criterion);
    let n = evs.len();
    let mut candidates = 0u64;
    let mut binom = 1u64;
    for k in 1..=max_order.min(n) {
        binom = binom.saturating_mul((n - k + 1) as u64) / k as u64;
        candidates = candidates.saturating_add(binom);
    }
    // Each subset is checked on the whole model.
    let size = model.sample_size().max(1) as u64;
    let work = candidates.saturating_mul(size);
    if candidates > MAX_CUT_CANDIDATES || work as f64 > MAX_IMPORTANCE_WORK {
        return Err(EstimateError::BadOptions(format!(
            "cut sets up to order {max_order} over {n} events means {candidates} subsets \
             (limit {MAX_CUT_CANDIDATES}), each checked on {size} components and shock members \
             (limit {MAX_IMPORTANCE_WORK:.0e} in all); lower the order"
        )));
    }
    let mut checker = Checker::new(model, criterion);
    let mut node_down = vec![false; model.n_nodes()];
    let mut edge_down = vec![false; model.n_edges()];
    let mut found: Vec<(Vec<usize>, Option<Blame>)> = Vec::new();
    let mut combo: Vec<usize> = Vec::new();
    for k in 1..=max_order.min(n) {
        combo.clear();
        combo.extend(0..k);
        loop {
            let contains_cut = found
                .iter()
                .any(|(c, _)| c.iter().all(|x| combo.binary_search(x).is_ok()));
            if !contains_cut {
                node_down.fill(false);
                edge_down.fill(false);
                for &j in &combo {
                    match evs[j].0 {
                        EventRef::Node(i) => node_down[i] = true,
                        EventRef::Edge(i) => edge_down[i] = true,
                        EventRef::Shock(i) => {
                            let s = &model.shocks[i];
                            s.nodes.iter().for_each(|&v| node_down[v as usize] = true);
                            s.edges.iter().for_each(|&e| edge_down[e as usize] = true);
                        }
                    }
                }
                if !checker.is_up(&node_down, &edge_down) {
                    let blame =
                        match criterion {
                            Criterion::Dependent(r) => r.0.blame_first_failing(
                                &FailedSet::from_nodes(r.0.n_sites(), &node_down, &edge_down),
                            ),
                            _ => None,
                        };
                    found.push((combo.clone(), blame));
                }
            }
            // Next k-combination in lexicographic order.
            let mut i = k;
            while i > 0 && combo[i - 1] == n - k + i - 1 {
                i -= 1;
            }
            if i == 0 {
                break;
            }
            combo[i - 1] += 1;
            for j in i..k {
                combo[j] = combo[j - 1] + 1;
            }
        }
    }
    let mut out: Vec<CutSet> = found
        .into_iter()
        .map(|(c, blame)| CutSet {
            events: c.iter().map(|&j| evs[j].1.name.clone()).collect(),
            prob: c.iter().map(|&j| evs[j].1.prob).product(),
            chain: None,
            // Only a chain through a dependency says more than the events.
            blame: blame.filter(|b| b.chain.len() >= 2),
        })
        .collect();
    out.sort_by(|a, b| {
        a.events
            .len()
            .cmp(&b.events.len())
            .then(b.prob.total_cmp(&a.prob))
    });
    Ok(out)
}

/// [`cut_sets`] of a plan's model with each chain written out with the
/// services' ids of `t` (the topology the model and criterion came from).
pub fn cut_sets_in(
    t: &Topology,
    model: &StaticModel,
    criterion: &Criterion,
    max_order: usize,
) -> Result<Vec<CutSet>, EstimateError> {
    let mut cuts = cut_sets(model, criterion, max_order)?;
    for c in &mut cuts {
        c.chain = c.blame.as_ref().map(|b| b.text(t));
    }
    Ok(cuts)
}

/// Bridges and articulation points of the graph with everything up.
pub fn structure(model: &StaticModel) -> Structure {
    let mut g: UnGraph<(), usize> = UnGraph::with_capacity(model.n_nodes(), model.n_edges());
    let nodes: Vec<_> = (0..model.n_nodes()).map(|_| g.add_node(())).collect();
    for (e, &(a, b)) in model.edges.iter().enumerate() {
        g.add_edge(nodes[a as usize], nodes[b as usize], e);
    }
    let mut bridges: Vec<usize> = petgraph::algo::bridges(&g).map(|e| *e.weight()).collect();
    bridges.sort_unstable();
    let mut aps: Vec<usize> = petgraph::algo::articulation_points::articulation_points(&g)
        .into_iter()
        .map(|n| n.index())
        .collect();
    aps.sort_unstable();
    Structure {
        bridges: bridges
            .into_iter()
            .map(|e| model.edge_names[e].clone())
            .collect(),
        articulation_points: aps
            .into_iter()
            .map(|v| model.node_names[v].clone())
            .collect(),
    }
}
