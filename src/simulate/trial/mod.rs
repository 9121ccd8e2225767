//! One trial: a discrete-event run of `years` years for one plan.
//!
//! Every cause of failure (hardware, shared risks, hazards, release trains,
//! operator errors) is its own process with its own stream
//! ([`crate::rng::stream`]), drawing the same numbers whatever happens
//! elsewhere (a hazard event draws its outage even when it hits no site;
//! operator errors are drawn at an envelope rate shared by every plan and
//! thinned per plan), so plans of a file see common failure histories. The
//! processes and their rules are described in README.md (`drsim run`).

mod accounting;
mod bandwidth;
mod blame;
mod cache;
mod crews;
mod data;
mod envelope;
mod graded;
mod gray;
mod handle;
mod load;
mod partial;
mod scenario;
mod services;
mod shift;
mod waves;

pub(crate) use bandwidth::{MAX_FLOW_WORK, check_flow_work};
pub(crate) use graded::SloSpec;
pub(crate) use scenario::Scenario;

use super::events::{Event, Queue};
use super::metrics::TrialRecord;
use super::serving::{Eval, ServingModel};
use crate::rng::{stream, trial_base};
use crate::static_model::Cause;
use crate::units::SECONDS_PER_YEAR;
use cache::zobrist;
use rand::{Rng, RngExt};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Hold slots per component, indexed like [`Cause`] (slot 5, congestion,
/// holds nothing: it is not a component state).
const N_CAUSES: usize = 7;
const HARDWARE: usize = 0;
const SHARED_RISK: usize = 1;
const RELEASE: usize = 2;
const DISASTER: usize = 3;
const OPERATOR: usize = 4;
const WHAT_IF: usize = Cause::WhatIf as usize;

/// Recovery episodes longer than this make a "long outage" year.
pub(crate) const LONG_OUTAGE_SECS: f64 = 3600.0;

fn exp_sample<R: Rng + ?Sized>(rng: &mut R, rate: f64) -> f64 {
    // Inverse transform on (0, 1]: never ln(0).
    let u: f64 = 1.0 - rng.random::<f64>();
    -u.ln() / rate
}

/// Per-trial mutable state, reused across trials and batches (each trial
/// resets everything but the evaluation cache, which depends on nothing but
/// the failure state).
pub(crate) struct TrialState {
    queue: Queue,
    /// One generator per random process, laid out as [`Scenario::keys`].
    rngs: Vec<Xoshiro256PlusPlus>,
    /// When set, every event the trial handles is appended here (tests
    /// compare histories between plans through it).
    pub log: Option<Vec<(f64, Event)>>,
    site_causes: Vec<[u16; N_CAUSES]>,
    site_down: Vec<u16>,
    link_causes: Vec<[u16; N_CAUSES]>,
    link_down: Vec<u16>,
    /// Holds on each service as a whole (its own failure, a release, a
    /// what-if, a cold start), by cause.
    svc_causes: Vec<[u16; N_CAUSES]>,
    svc_down: Vec<u16>,
    /// Recoveries waiting for the services they need ([`services`]).
    pending: Vec<services::Pending>,
    /// Per dependency cycle: cold (held down until bootstrapped), the cause
    /// slot of its hold, booting, and the generation of its bootstrap.
    cycle_cold: Vec<Option<usize>>,
    cycle_booting: Vec<bool>,
    cycle_gen: Vec<u32>,
    /// Down components in each element of the plan's reduced graph
    /// ([`ServingModel::element_of`]); an element is up when it has none.
    element_down: Vec<u32>,
    element_up: Vec<bool>,
    /// Did an element of the reduced graph change state in this event?
    relevant: bool,
    hit_sets: Vec<Vec<u32>>,
    free_hit_sets: Vec<u32>,
    /// Down flags of the elements, as bits: the failure-state cache key.
    down_bits: Vec<u64>,
    /// XOR of the Zobrist values of the down elements, kept as they flip.
    state_hash: u64,
    zobrist: Vec<u64>,
    /// Service evaluations by (failure state, active site) ([`cache`]): the
    /// serving model only runs for states not seen before by this worker.
    cache: cache::EvalCache,
    evals: Vec<Eval>,
    /// Down elements of the reduced graph: kept sites, and chains (as
    /// indices past the kept sites), for the cut-space check.
    down_nodes: cache::IndexSet,
    down_edges: cache::IndexSet,
    /// Terminal number of each element (serving and entry sites), or
    /// `u32::MAX`; their down flags as bits and the XOR of their Zobrist
    /// values: the key of a state that leaves the graph in one piece.
    term_index: Vec<u32>,
    term_bits: Vec<u64>,
    term_hash: u64,
    cur: usize,
    model: ServingModel,
    /// Max-flow scratch when links can bind ([`bandwidth`]).
    flow_ev: Option<crate::service::flow::Evaluator>,
    active: Option<usize>,
    failed_from: Option<usize>,
    failover_done: bool,
    failover_gen: u32,
    /// A failover detected while the control plane reached no serving site:
    /// when detection ends (the switchover starts once control returns).
    awaiting_control: Option<f64>,
    /// The plan's copies of its data and its backups ([`data`]).
    data: data::DataState,
    now: f64,
    outage_start: Option<f64>,
    blame: Vec<(u32, f64)>,
    blame_dirty: bool,
    /// Down components (sites, then links) of the reduced graph, in no
    /// order, and each one's position there: the blame's fallback list.
    down_relevant: Vec<u32>,
    down_pos: Vec<u32>,
    /// Retries, warm-up and gray sites ([`load`]).
    load: load::LoadState,
    /// Partial failure modes in progress ([`partial`]).
    partial: partial::PartialState,
    crews: crews::Crews,
    /// An active-active plan's rotation: detection, shift, failback.
    shift: shift::ShiftState,
    /// What holds the blamed components, and what started the outage.
    origins: blame::Origins,
}

impl TrialState {
    pub fn new(s: &Scenario<'_>) -> TrialState {
        let n = s.topo.sites.len();
        let m = s.topo.links.len();
        let k = s.model.n_elements();
        TrialState {
            queue: Queue::default(),
            rngs: s.keys.iter().map(|&k| stream(0, k)).collect(),
            log: None,
            site_causes: vec![[0; N_CAUSES]; n],
            site_down: vec![0; n],
            link_causes: vec![[0; N_CAUSES]; m],
            link_down: vec![0; m],
            svc_causes: vec![[0; N_CAUSES]; s.topo.services.len()],
            svc_down: vec![0; s.topo.services.len()],
            pending: Vec::new(),
            cycle_cold: vec![None; s.cycles.len()],
            cycle_booting: vec![false; s.cycles.len()],
            cycle_gen: vec![0; s.cycles.len()],
            element_down: vec![0; k],
            element_up: vec![true; k],
            relevant: false,
            hit_sets: Vec::new(),
            free_hit_sets: Vec::new(),
            down_bits: vec![0; k.div_ceil(64)],
            state_hash: 0,
            zobrist: (0..k as u64).map(zobrist).collect(),
            cache: cache::EvalCache::default(),
            evals: Vec::new(),
            down_nodes: cache::IndexSet::new(k),
            down_edges: cache::IndexSet::new(k),
            term_index: s.model.terminal_index(),
            term_bits: vec![0; s.model.n_terminals().div_ceil(64)],
            term_hash: 0,
            cur: 0,
            model: s.model.clone(),
            flow_ev: s.flow.as_ref().map(bandwidth::SimFlow::evaluator),
            active: None,
            failed_from: None,
            failover_done: false,
            failover_gen: 0,
            awaiting_control: None,
            data: data::DataState::default(),
            now: 0.0,
            outage_start: None,
            blame: Vec::new(),
            blame_dirty: true,
            down_relevant: Vec::new(),
            down_pos: vec![0; n + m],
            load: load::LoadState::default(),
            partial: partial::PartialState::default(),
            crews: crews::Crews::new(s.crew_sizes.len()),
            shift: shift::ShiftState::default(),
            origins: blame::Origins::new(s),
        }
    }

    /// Runs trial number `trial` of the run seeded with `seed` and fills
    /// `rec`. The result depends on nothing else: not on the trials run
    /// before on this state, nor on the batch or thread.
    pub fn run(&mut self, s: &Scenario<'_>, seed: u64, trial: u64, rec: &mut TrialRecord) {
        let topo = s.topo;
        let plan = &topo.plans[s.plan_index];
        rec.reset(s.years, s.slo.as_ref().map_or(0, SloSpec::n_windows));
        self.queue.reset(s.horizon);
        let base = trial_base(seed, trial);
        for (r, &k) in self.rngs.iter_mut().zip(&s.keys) {
            *r = stream(base, k);
        }
        for c in &mut self.site_causes {
            *c = [0; N_CAUSES];
        }
        for c in &mut self.link_causes {
            *c = [0; N_CAUSES];
        }
        for c in &mut self.svc_causes {
            *c = [0; N_CAUSES];
        }
        self.site_down.fill(0);
        self.link_down.fill(0);
        self.svc_down.fill(0);
        self.pending.clear();
        self.cycle_cold.fill(None);
        self.cycle_booting.fill(false);
        self.cycle_gen.fill(0);
        self.awaiting_control = None;
        self.down_bits.fill(0);
        self.element_down.fill(0);
        self.state_hash = 0;
        self.down_nodes.clear();
        self.down_edges.clear();
        self.term_bits.fill(0);
        self.term_hash = 0;
        self.hit_sets.clear();
        self.free_hit_sets.clear();
        self.down_relevant.clear();
        self.crews.reset();
        self.now = 0.0;
        self.outage_start = None;
        self.failover_gen = 0;
        self.failed_from = None;
        self.failover_done = false;
        self.active = None;
        self.data.reset(s);
        if let Some(log) = &mut self.log {
            log.clear();
        }
        self.load.reset(s);
        self.partial.reset(s);
        self.shift.reset();
        self.origins.reset();

        self.start_processes(s);
        self.settle(s, 0.0);
        self.reevaluate(s, plan, rec);
        while let Some((t, ev)) = self.queue.pop() {
            self.advance(s, t, rec);
            if let Some(log) = &mut self.log {
                log.push((t, ev));
            }
            self.relevant = false;
            self.note_outage(s);
            let mut changed = self.handle(s, t, ev);
            // Waiting recoveries and cold cycles follow the new state (a
            // hold released under a cold-start hold flips nothing, yet can
            // bring a cycle's supports back).
            changed |= self.settle(s, t);
            // Components outside the reduced graph only move the blame.
            if changed && (self.relevant || matches!(ev, Event::FailoverDone(_))) {
                self.reevaluate(s, plan, rec);
            }
        }
        self.advance(s, s.horizon, rec);
        if let Some(start) = self.outage_start.take() {
            // Censored at the horizon: counted with the length seen so far.
            rec.end_episode(start, s.horizon);
        }
    }

    /// Holds the what-if components down and schedules the first event of
    /// every random process, each drawn from its own stream.
    fn start_processes(&mut self, s: &Scenario<'_>) {
        let topo = s.topo;
        for &i in &s.forced_sites {
            self.site_hold(i, WHAT_IF, true);
        }
        for &j in &s.forced_links {
            self.link_hold(j, WHAT_IF, true);
        }
        for &k in &s.forced_services {
            self.service_hold(k, WHAT_IF, true);
        }
        let l = s.layout;
        let rngs = &mut self.rngs;
        for (i, site) in topo.sites.iter().enumerate() {
            if let Some(f) = &site.failure {
                self.queue
                    .push(f.ttf.sample_secs(&mut rngs[i]), Event::SiteFail(i as u32));
            }
        }
        for (j, link) in topo.links.iter().enumerate() {
            if let Some(f) = &link.failure {
                self.queue.push(
                    f.ttf.sample_secs(&mut rngs[l.link + j]),
                    Event::LinkFail(j as u32),
                );
            }
        }
        for (g, risk) in topo.shared_risks.iter().enumerate() {
            self.queue.push(
                risk.failure.ttf.sample_secs(&mut rngs[l.risk + g]),
                Event::RiskFail(g as u32),
            );
        }
        for (h, hz) in s.hazards.iter().enumerate() {
            if hz.rate_per_sec > 0.0 {
                self.queue.push(
                    exp_sample(&mut rngs[l.hazard + h], hz.rate_per_sec),
                    Event::Hazard(h as u32),
                );
            }
        }
        for (k, train) in topo.release_trains.iter().enumerate() {
            if !train.waves.is_empty() {
                let rate = waves::bad_rate(s, k);
                if rate > 0.0 {
                    let first = exp_sample(&mut rngs[l.wave + k], rate);
                    self.queue.push(first, Event::WaveRelease(k as u32));
                }
                continue;
            }
            let esc = train.escaped_rate() / SECONDS_PER_YEAR;
            if esc > 0.0 {
                self.queue.push(
                    exp_sample(&mut rngs[l.escaped + k], esc),
                    Event::ReleaseEscaped(k as u32),
                );
            }
            let caught = train.caught_rate() / SECONDS_PER_YEAR;
            if caught > 0.0 && !train.canary_sites.is_empty() {
                self.queue.push(
                    exp_sample(&mut rngs[l.caught + k], caught),
                    Event::ReleaseCaught(k as u32),
                );
            }
        }
        for (k, svc) in topo.services.iter().enumerate() {
            if let Some(f) = &svc.failure {
                self.queue.push(
                    f.ttf.sample_secs(&mut rngs[l.service + k]),
                    Event::ServiceFail(k as u32),
                );
            }
        }
        if s.operator_rate_per_sec > 0.0 && !topo.sites.is_empty() {
            self.queue.push(
                exp_sample(&mut rngs[l.operator], s.operator_rate_per_sec),
                Event::OperatorError,
            );
        }
        self.start_gray(s);
        self.start_partial(s);
        for (k, fc) in topo.fleet_commands.iter().enumerate() {
            let rate = fc.events.annual_rate / SECONDS_PER_YEAR;
            if rate > 0.0 {
                let first = exp_sample(&mut self.rngs[l.fleet + k], rate);
                self.queue.push(first, Event::FleetCommand(k as u32));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Topology;

    fn bundled(name: &str) -> Topology {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("topologies")
            .join(name);
        crate::io::load_path(&path).unwrap()
    }

    fn global_messaging() -> Topology {
        bundled("global-messaging.toml")
    }

    /// With services, waiting rollbacks and service failures are part of
    /// the common history too: plans serving different front ends (one with
    /// a control plane, active-passive and active-active) see the same
    /// events, fallbacks included.
    #[test]
    fn plans_with_services_see_the_same_history() {
        let t = bundled("backbone-dependency.toml");
        assert!(t.plans.iter().all(|p| p.serves.is_some()));
        let mut fallbacks = 0;
        for i in 0..64u64 {
            let runs: Vec<_> = (0..t.plans.len()).map(|p| history(&t, p, 5, i)).collect();
            for p in 1..runs.len() {
                assert_eq!(runs[p].0, runs[0].0, "trial {i}: plan {p} vs plan 0");
            }
            fallbacks += runs[0]
                .0
                .iter()
                .filter(|(_, e)| matches!(e, Event::RecoveryFallback(..)))
                .count();
        }
        // 0.2 escaped pushes a year, each waiting for its fallback: the
        // 128 trial-years hold some (P(none) = e^-25.6).
        assert!(fallbacks > 0);
    }

    /// Runs trial `i` of plan `p` and returns its events: component events,
    /// candidate operator errors, and the operator errors the plan kept.
    fn history(t: &Topology, p: usize, seed: u64, i: u64) -> (Vec<(f64, Event)>, Vec<f64>) {
        let s = Scenario::new(t, p, 2);
        let mut state = TrialState::new(&s);
        state.log = Some(Vec::new());
        let mut rec = TrialRecord::new(crate::simulate::attribution::Sources::new(t).len);
        state.run(&s, seed, i, &mut rec);
        let log = state.log.take().unwrap();
        let kept = log
            .iter()
            .filter_map(|&(time, e)| matches!(e, Event::OperatorErrorEnd(_)).then_some(time))
            .collect();
        let components = log
            .into_iter()
            .filter(|(_, e)| !matches!(e, Event::FailoverDone(_) | Event::OperatorErrorEnd(_)))
            .collect();
        (components, kept)
    }

    /// Common random numbers: every plan of a file sees the same component
    /// histories in the same trial (whatever its serving sites, mode or
    /// failover), and a plan with a lower operator-error factor keeps a
    /// subset of the errors of a plan with a higher one.
    #[test]
    fn every_plan_sees_the_same_failure_history() {
        let t = global_messaging();
        let factor = |p: usize| t.plans[p].operator_error_factor;
        let mut events = 0;
        for i in [0u64, 1, 17, 4096] {
            let runs: Vec<_> = (0..t.plans.len()).map(|p| history(&t, p, 3, i)).collect();
            for p in 1..runs.len() {
                assert_eq!(runs[p].0, runs[0].0, "trial {i}: plan {p} vs plan 0");
                for q in 0..runs.len() {
                    if factor(q) <= factor(p) {
                        let subset = runs[q].1.iter().all(|x| runs[p].1.contains(x));
                        assert!(subset, "trial {i}: errors of plan {q} not among plan {p}'s");
                    }
                }
            }
            events += runs[0].0.len();
            // Different trials, different histories.
            assert_ne!(runs[0].0, history(&t, 0, 3, i + 1).0);
        }
        // Two years of 17 sites, 31 links and 1,550 releases a year: the
        // comparison covered real histories.
        assert!(events > 1000, "{events} events");
    }

    /// The plans of the bundled file differ in operator-error factor (1 and
    /// 0.5), so the thinning is exercised: the lower factor keeps fewer.
    #[test]
    fn operator_thinning_keeps_fewer_errors_at_a_lower_factor() {
        let t = global_messaging();
        let ap = t.plan_id("active-passive").unwrap().index();
        let aa = t.plan_id("active-active-5").unwrap().index();
        assert_eq!(t.plans[ap].operator_error_factor, 1.0);
        assert_eq!(t.plans[aa].operator_error_factor, 0.5);
        let (mut hi, mut lo) = (0, 0);
        for i in 0..200 {
            hi += history(&t, ap, 9, i).1.len();
            lo += history(&t, aa, 9, i).1.len();
        }
        // 4 errors/yr x 2 years x 200 trials = 1,600 expected at factor 1
        // (sd 40), 800 at 0.5 (a binomial thinning of the same ones).
        assert!((1440..=1760).contains(&hi), "{hi}");
        assert!(lo < hi && (680..=920).contains(&lo), "{lo}");
    }
}
