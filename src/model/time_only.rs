//! What only the time-based simulator models for a plan: the one list the
//! random-instant engines' warning (`reliability`, `capacity --demand`) and
//! the TUI's static run header both print, so neither can drift from it.

use super::{PlanId, PlanMode, Topology};
use crate::graph::reduce::{IRRELEVANT, reduce};

/// The settings of plan `p` that only `drsim run` models, in this order:
/// `retry`, `warmup`, `gray` (a serving site of the plan has one),
/// `detection and switchover` (a plan with a second serving site to fail
/// over to and detection + switchover above 0), `manual failback`
/// (active-active) and `repair crews` (a crew that can run out of members
/// works on a component the plan depends on), then `restore after data
/// loss` (a plan with a `restore` time). An estimate at one random
/// instant cannot see a load that depends on when an outage ended, how
/// long ago a site failed, a repair's place in a queue, or whether the
/// data behind a site that is back was lost, and counts a gray site as up. (Crew response delays it models: `static_model`.)
pub fn time_only_features(t: &Topology, p: PlanId) -> Vec<&'static str> {
    let plan = t.plan(p);
    let mut out = Vec::new();
    if plan.retry.is_some() {
        out.push("retry");
    }
    if plan.warmup.is_some() {
        out.push("warmup");
    }
    if plan.serving_sites.iter().any(|&s| t.site(s).gray.is_some()) {
        out.push("gray");
    }
    let windowed = plan.detection.secs() + plan.switchover.secs() > 0.0;
    if plan.serving_sites.len() > 1 && windowed {
        out.push("detection and switchover");
    }
    let manual = !matches!(plan.failback, super::Failback::Automatic);
    if plan.mode == PlanMode::ActiveActive && plan.serving_sites.len() > 1 && manual {
        out.push("manual failback");
    }
    let (sites, links) = plan_components(t, p);
    let queues = t.crews.iter().enumerate().any(|(c, crew)| {
        let work = t.crew_work(c);
        let touches = |n: &[u32], used: &[bool]| n.iter().zip(used).any(|(&n, &u)| n > 0 && u);
        crew.can_queue(&work) && (touches(&work.sites, &sites) || touches(&work.links, &links))
    });
    if queues {
        out.push("repair crews");
    }
    if plan.data.restore.is_some() {
        out.push("restore after data loss");
    }
    out
}

/// The sites and links whose state can change plan `p`'s service: those
/// the terminal-preserving reduction keeps between its serving and entry
/// sites; every one when the plan serves a declared service (its instances
/// and dependencies can sit anywhere).
fn plan_components(t: &Topology, p: PlanId) -> (Vec<bool>, Vec<bool>) {
    let (n, m) = (t.sites.len(), t.links.len());
    let plan = t.plan(p);
    if plan.serves.is_some() {
        return (vec![true; n], vec![true; m]);
    }
    let mut terminal = vec![false; n];
    let entries = t.demands.iter().flat_map(|d| &d.entry_sites);
    for s in plan.serving_sites.iter().chain(entries) {
        terminal[s.index()] = true;
    }
    let edges: Vec<(u32, u32)> = t.links.iter().map(|l| (l.a.0, l.b.0)).collect();
    let used: Vec<bool> = (reduce(n, &edges, &terminal).element_of.iter())
        .map(|&e| e != IRRELEVANT)
        .collect();
    (used[..n].to_vec(), used[n..].to_vec())
}
