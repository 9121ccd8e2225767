//! Link bandwidth in the simulator: when some link could bind, every failure
//! state is also served through the one max-flow of `capacity --demand`
//! ([`crate::service::flow`]) for each distinct demand vector of the year,
//! cached with the state. When even every demand at its yearly maximum fits
//! through any single link the plan can use, no cut with a link can bind and
//! the union-find fast path is exact, so such files keep their numbers.

use super::envelope::Envelopes;
use super::{Scenario, TrialState};
use crate::graph::reduce::IRRELEVANT;
use crate::model::{PlanId, PlanMode, Topology};
use crate::service::Active;
use crate::service::flow::{DemandNetwork, Evaluator, Load, snap};
use crate::simulate::demand::DemandCurve;
use crate::simulate::serving::{Eval, ServingModel};
use crate::static_model::Cause;

/// The plan's flow network and the year's demand vectors in its units.
#[derive(Clone, Debug)]
pub(crate) struct SimFlow {
    net: DemandNetwork,
    loads: Vec<Load>,
    /// Vectors met outside surge windows (the ordinary day's hours).
    daily: Vec<bool>,
    /// The day's and the year's peak vectors, which settle the vectors
    /// they cover with one solve or none ([`envelope`]).
    envelopes: Envelopes,
}

/// Can a link ever bind? Not when the sum of every demand's yearly maximum
/// (Gbit/s) fits through the thinnest link the reduced graph keeps: every
/// cut holding a link then carries at least the total demand, so the
/// minimum cut is one without links, which the fast path computes.
pub(crate) fn links_may_bind(t: &Topology, curve: &DemandCurve, model: &ServingModel) -> bool {
    let n = t.sites.len();
    let thinnest = t
        .links
        .iter()
        .enumerate()
        .filter(|&(j, _)| model.element_of[n + j] != IRRELEVANT)
        .map(|(j, l)| l.capacity_gbps * least_left(t, j))
        .fold(f64::INFINITY, f64::min);
    let total: f64 = t
        .demands
        .iter()
        .zip(&curve.max_rps)
        .map(|(d, r)| r * d.kbit_per_request / 1e6)
        .sum();
    total > thinnest
}

/// Most element-visits of max-flow solves one plan's run may plan: the
/// capacity engine's budget (`capacity::work`), under a minute at the
/// rates measured there.
pub(crate) const MAX_FLOW_WORK: f64 = 5e9;

/// Refuses a run of plan `plan` whose links can bind when its max-flows
/// would pass [`MAX_FLOW_WORK`]: for every evaluation of the service (each
/// may meet a new failure state; there are at most 2^elements of them), a
/// max-flow per peak envelope and per demand vector of an ordinary day no
/// envelope covers (`Envelopes::flows_per_state`; states that shed, or
/// meet a surge, solve more, which the guard cannot know beforehand), each
/// over the flow network's nodes and edges, the rule of
/// [`crate::static_model::Overwork`].
pub(crate) fn check_flow_work(
    t: &Topology,
    plan: usize,
    trials: usize,
    years: usize,
) -> Result<(), crate::simulate::budget::BudgetError> {
    let curve = DemandCurve::new(t);
    let model = ServingModel::new(t, PlanId(plan as u32));
    if !links_may_bind(t, &curve, &model) {
        return Ok(());
    }
    let per_year = crate::simulate::budget::plan_load(t, plan).evaluations;
    let states =
        (per_year * (trials * years) as f64).min(2f64.powi(model.n_elements().min(1000) as i32));
    let flow = SimFlow::new(t, PlanId(plan as u32), &curve);
    let vectors = flow.envelopes.flows_per_state(&flow.daily) as f64;
    let entries: usize = t.demands.iter().map(|d| d.entry_sites.len()).sum();
    let size = 2 * t.sites.len() + t.links.len() + 2 * t.demands.len() + entries + 2;
    let solves = (states * vectors).min(u64::MAX as f64) as u64;
    match crate::static_model::Overwork::of(solves, size, MAX_FLOW_WORK) {
        None => Ok(()),
        Some(work) => {
            let per_trial = solves as f64 / trials.max(1) as f64;
            let max_trials = (MAX_FLOW_WORK / size as f64 / per_trial).floor() as usize;
            Err(crate::simulate::budget::BudgetError::FlowWork {
                plan: t.plans[plan].key.clone(),
                work,
                max_trials: max_trials.min(trials),
            })
        }
    }
}

/// The least fraction of link `j`'s bandwidth its partial modes can leave
/// (every one in progress at its largest fraction).
fn least_left(t: &Topology, j: usize) -> f64 {
    let on_j = |m: &&crate::model::PartialMode| {
        m.target == crate::model::PartialTarget::Link(crate::model::LinkId(j as u32))
    };
    t.partials
        .iter()
        .filter(on_j)
        .map(|m| 1.0 - m.fraction.max())
        .product()
}

impl SimFlow {
    pub(crate) fn new(t: &Topology, plan: PlanId, curve: &DemandCurve) -> SimFlow {
        let net = DemandNetwork::new(t, plan, &curve.max_rps);
        let loads: Vec<Load> = curve.vectors.iter().map(|v| net.load(v)).collect();
        let daily = curve.daily_vectors();
        let active = match t.plan(plan).mode {
            PlanMode::ActivePassive => Active::Site(0),
            PlanMode::ActiveActive => Active::NoSite,
        };
        let envelopes = Envelopes::new(&net, &curve.vectors, &loads, &daily, active);
        SimFlow {
            loads,
            daily,
            net,
            envelopes,
        }
    }

    pub(crate) fn evaluator(&self) -> Evaluator {
        self.net.evaluator()
    }
}

/// Requests/s the intact plan (nothing down, its first serving site active)
/// sheds under each demand vector of the year: demand above what the plan
/// could carry at that instant, the only load shed booked to congestion.
pub(crate) fn intact_shed(
    t: &Topology,
    curve: &DemandCurve,
    model: &ServingModel,
    flow: Option<&SimFlow>,
) -> Vec<f64> {
    let active = (model.mode == PlanMode::ActivePassive).then_some(0);
    let mut e = Eval::default();
    let mut m = model.clone();
    m.evaluate_elements(&vec![true; m.n_elements()], active, &mut e);
    let Some(flow) = flow else {
        return curve
            .vectors
            .iter()
            .map(|v| {
                let over: f64 = e
                    .groups
                    .iter()
                    .map(|g| {
                        (g.demands.iter().map(|&d| v[d as usize]).sum::<f64>() - g.capacity)
                            .max(0.0)
                    })
                    .sum();
                over + e.unserved.iter().map(|&d| v[d as usize]).sum::<f64>()
            })
            .collect();
    };
    let nodes = vec![false; t.sites.len() + t.services.len()];
    let links = vec![false; t.links.len()];
    let mut ev = flow.evaluator();
    let rule_active = active.map_or(Active::NoSite, Active::Site);
    curve
        .vectors
        .iter()
        .zip(&flow.loads)
        .map(|(v, load)| {
            flow.net
                .served_gbps(load, (&nodes, &links), rule_active, &mut ev);
            (0..v.len())
                .filter(|&d| load.rate[d] > 0.0)
                .map(|d| v[d] * (1.0 - snap(flow.net.demand_served(d, &ev) / load.rate[d])))
                .sum()
        })
        .collect()
}

impl TrialState {
    /// Books `dt` seconds of shedding `shed` requests/s under demand vector
    /// `v` (no demand wholly unserved): the part the intact plan would also
    /// shed is congestion, the rest is the failures' (the components to
    /// blame and their causes), or congestion when nothing is down (a
    /// standby that is smaller than the primary).
    pub(super) fn book_shed(
        &mut self,
        s: &Scenario<'_>,
        v: usize,
        shed: f64,
        dt: f64,
        rec: &mut super::TrialRecord,
    ) {
        let failed = if shed > 0.0 {
            ((shed - s.intact_shed[v]) / shed).clamp(0.0, 1.0)
        } else {
            0.0
        };
        if failed > 0.0 {
            if self.blame_dirty {
                self.compute_blame(s);
            }
            if !self.blame.is_empty() {
                self.attribute(s, dt * failed, rec);
                rec.cause_secs[Cause::Congestion as usize] += dt * (1.0 - failed);
                return;
            }
        }
        rec.cause_secs[Cause::Congestion as usize] += dt;
    }

    /// Serves the demand vectors of an ordinary day in the current
    /// (unreduced) failure state through the flow network: fills their part
    /// of `e.served` and sets its congestion flags from it. The vectors met
    /// only in surge windows wait for an interval of the state that meets
    /// one ([`Self::serve_surges`]); until then the state may congest.
    pub(super) fn serve_by_flow(&mut self, s: &Scenario<'_>, active: Option<usize>, e: &mut Eval) {
        let Some(flow) = &s.flow else {
            return;
        };
        let nd = s.curve.n_demands;
        e.served = vec![1.0; flow.loads.len() * nd];
        let (_, daily_short) = self.serve_vectors(s, active, e, true);
        e.daily_congest = daily_short;
        let pending = flow.daily.contains(&false);
        e.may_congest = daily_short || pending;
        e.surge_pending = pending.then_some(active);
    }

    /// Serves the vectors met only in surge windows of a state that
    /// [`Self::serve_by_flow`] left pending, when `[t0, t)` meets a surge
    /// window: the current failure state is still the one it was evaluated
    /// in (events apply after their interval is accounted), so they are
    /// what an eager evaluation gives.
    pub(super) fn serve_surges(&mut self, s: &Scenario<'_>, e: &mut Eval, t0: f64, t: f64) {
        let Some(active) = e.surge_pending else {
            return;
        };
        let (a, b) = s.curve.next_surge(t0, t);
        if b <= a {
            return;
        }
        let (surge_short, _) = self.serve_vectors(s, active, e, false);
        e.may_congest = e.daily_congest || surge_short;
        e.surge_pending = None;
    }

    /// Serves the vectors whose `daily` flag is `daily` into `e.served`;
    /// returns whether any of them sheds and whether a daily one does.
    fn serve_vectors(
        &mut self,
        s: &Scenario<'_>,
        active: Option<usize>,
        e: &mut Eval,
        daily: bool,
    ) -> (bool, bool) {
        let left = self.partial.flow_left(&self.model);
        let (Some(flow), Some(ev)) = (&s.flow, self.flow_ev.as_mut()) else {
            return (false, false);
        };
        ev.set_left(left);
        // Services the plan's key ignores stay up here too, so that one
        // key is always one flow.
        let m = self.site_down.len() + self.link_down.len();
        let svc = self
            .svc_down
            .iter()
            .enumerate()
            .map(|(k, &c)| c > 0 && self.model.element_of[m + k] != IRRELEVANT);
        let nodes: Vec<bool> = self.site_down.iter().map(|&c| c > 0).chain(svc).collect();
        let links: Vec<bool> = self.link_down.iter().map(|&c| c > 0).collect();
        let nd = s.curve.n_demands;
        let rule_active = active.map_or(Active::NoSite, Active::Site);
        let state = (&nodes[..], &links[..]);
        let out = flow.net.outcome(state, rule_active);
        let want: Vec<bool> = flow.daily.iter().map(|&d| d == daily).collect();
        let by_envelope = flow.envelopes.full(&flow.net, state, &out, ev, &want);
        let (mut any_short, mut daily_short) = (false, false);
        for (v, load) in flow.loads.iter().enumerate() {
            if !want[v] {
                continue;
            }
            // Served in full as an envelope is, or by its own solve.
            let full = by_envelope[v];
            let total = if full {
                let pooled = (0..nd).filter(|&d| out.pool_of[d].is_some());
                pooled.map(|d| load.rate[d]).sum()
            } else {
                flow.net.served_gbps_in(load, state, &out, ev)
            };
            let mut short = false;
            for d in 0..nd {
                let f = if load.rate[d] > 0.0 {
                    match (full, out.pool_of[d]) {
                        (true, Some(_)) => 1.0,
                        (true, None) => 0.0,
                        (false, _) => snap(flow.net.demand_served(d, ev) / load.rate[d]),
                    }
                } else if e.unserved.contains(&(d as u32)) {
                    0.0
                } else {
                    1.0
                };
                e.served[v * nd + d] = f;
                short |= f < 1.0;
            }
            debug_assert!(total <= load.total * (1.0 + 1e-9));
            any_short |= short;
            daily_short |= short && flow.daily[v];
        }
        (any_short, daily_short)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::arbitrary;
    use crate::simulate::serving::Eval;
    use proptest::prop_assert;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// The fast path's served total (requests/s): each group serves
    /// min(its demand, its capacity).
    fn fast_path_total(t: &Topology, c: &arbitrary::Case) -> f64 {
        let up = |down: &[bool]| down.iter().map(|d| !d).collect::<Vec<bool>>();
        let mut eval = Eval::default();
        ServingModel::new(t, PlanId(0)).evaluate(
            &up(c.failed.sites_down()),
            &up(c.failed.links_down()),
            c.active,
            &mut eval,
        );
        let groups = eval.groups.iter().map(|g| (&g.demands[..], g.capacity));
        arbitrary::pools_served_rps(t, groups)
    }

    fn flow_total(t: &Topology, c: &arbitrary::Case) -> f64 {
        let peak: Vec<f64> = t.demands.iter().map(|d| d.peak_rps).collect();
        let net = DemandNetwork::new(t, PlanId(0), &peak);
        let load = net.load(&peak);
        let active = c.active.map_or(Active::NoSite, Active::Site);
        let nodes = c.failed.node_flags();
        let gbps = net.served_gbps(
            &load,
            (&nodes, c.failed.links_down()),
            active,
            &mut net.evaluator(),
        );
        // Every random demand has 1 kbit per request.
        gbps * 1e6
    }

    /// When [`links_may_bind`] says no link can bind, the fast path's served
    /// total is the max-flow's, on random small topologies, plans, states
    /// and link bandwidths (some thin enough to bind, which the test must
    /// then flag).
    #[test]
    fn without_binding_links_the_fast_path_is_the_max_flow() {
        let (clear, flagged, bound) = (
            AtomicUsize::new(0),
            AtomicUsize::new(0),
            AtomicUsize::new(0),
        );
        arbitrary::check_against_rule(
            |c| c.active.map_or(Active::NoSite, Active::Site),
            |c, _| {
                let mut t = c.topo.clone();
                // Random demands total 10-600 rps = 1e-5..6e-4 Gbit/s.
                arbitrary::pattern_links(&mut t, [1e-5, 2e-4, 1e-3, 100.0]);
                let curve = DemandCurve::new(&t);
                let model = ServingModel::new(&t, PlanId(0));
                let fast = fast_path_total(&t, c);
                let flow = flow_total(&t, c);
                prop_assert!(flow <= fast * (1.0 + 1e-9) + 1e-9, "{flow} above {fast}");
                if links_may_bind(&t, &curve, &model) {
                    flagged.fetch_add(1, Ordering::Relaxed);
                    if flow < fast * (1.0 - 1e-9) {
                        bound.fetch_add(1, Ordering::Relaxed);
                    }
                } else {
                    clear.fetch_add(1, Ordering::Relaxed);
                    prop_assert!(
                        (flow - fast).abs() <= 1e-9 * fast.max(1.0),
                        "no link can bind, yet max-flow {flow} vs fast path {fast}"
                    );
                }
                Ok(())
            },
        );
        let (clear, flagged, bound) =
            (clear.into_inner(), flagged.into_inner(), bound.into_inner());
        // Both branches ran, and links really bound in some flagged cases.
        assert!(
            clear > 1000 && flagged > 1000 && bound > 100,
            "{clear} {flagged} {bound}"
        );
    }

    /// The bundled global-messaging plans never need the bandwidth path: all
    /// demand at its yearly maximum (surges included) fits through the
    /// thinnest link, so their numbers are the fast path's, bit for bit.
    #[test]
    fn global_messaging_links_never_bind() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("topologies/global-messaging.toml");
        let t = crate::io::load_path(&path).unwrap();
        let curve = DemandCurve::new(&t);
        for p in 0..t.plans.len() {
            let model = ServingModel::new(&t, PlanId(p as u32));
            assert!(!links_may_bind(&t, &curve, &model), "plan {p}");
        }
        let mut thin = t.clone();
        thin.links[0].capacity_gbps = 1.0;
        let model = ServingModel::new(&thin, PlanId(0));
        assert!(links_may_bind(&thin, &curve, &model));
    }
}
