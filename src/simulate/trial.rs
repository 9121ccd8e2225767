//! One trial: a discrete-event run of `years` years for one plan.
//!
//! Every cause of failure is its own process and they run independently:
//! - sites and links alternate up/down from their [`FailureProcess`]es (the
//!   hardware process keeps running while something else holds the component
//!   down, as the static model assumes);
//! - shared-risk groups alternate up/down and hold every member down while
//!   down;
//! - each regional hazard is a Poisson stream; an event hits each site of the
//!   region independently and holds the hit sites down for one outage drawn
//!   from the hazard's duration;
//! - each release train has two Poisson streams: escaped bad releases
//!   (rate [`ReleaseTrain::escaped_rate`]) hold every train site down for
//!   detection + rollback, caught ones (rate `caught_rate`) hold the canary
//!   sites down for the detection delay;
//! - operator errors arrive at the topology's rate times the plan's
//!   `operator_error_factor` and hold one uniformly chosen site down for one
//!   outage draw.
//!
//! Each process draws from its own stream ([`super::streams`]), and draws the
//! same numbers whatever happens elsewhere: a hazard event draws its outage
//! even when it hits no site, and operator errors are drawn at an envelope
//! rate shared by every plan of the file (the topology rate times the
//! largest factor of its plans, at least 1) and kept with probability
//! `factor / envelope`, so two plans see the same candidate errors and the
//! plan with the lower factor keeps a subset of the other's.
//!
//! A component counts how many causes hold it down and is up only when that
//! count is zero. Everything starts up at time 0 (fresh renewal processes),
//! which biases unavailability low by about `MTTR / horizon` relative.
//!
//! [`FailureProcess`]: crate::model::FailureProcess
//! [`ReleaseTrain::escaped_rate`]: crate::model::ReleaseTrain::escaped_rate

use super::demand::DemandCurve;
use super::events::{Event, Queue};
use super::metrics::TrialRecord;
use super::serving::{Eval, IRRELEVANT, ServingModel};
use crate::model::{Distribution, PlanMode, Replication, Topology};
use crate::rng::{key_hash, stream, trial_base};
use crate::static_model::Cause;
use crate::units::SECONDS_PER_YEAR;
use rand::{Rng, RngExt};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Passes a key that is already a uniform random hash straight through
/// (the cache is keyed by Zobrist hashes).
#[derive(Default, Clone, Copy)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The Zobrist value of element `c` of the reduced graph, or of an active
/// serving site (offset by 2^32): XORed into the state's hash, so the hash
/// follows each flip in O(1).
fn zobrist(c: u64) -> u64 {
    crate::rng::key_hash_u64(c)
}

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

/// Failure states remembered by a worker before its cache starts over.
const MAX_CACHED_STATES: usize = 1 << 16;

/// A regional hazard flattened: its stream and the sites it can hit.
#[derive(Clone, Debug)]
struct HazardSpec {
    rate_per_sec: f64,
    duration: Distribution,
    hit_p: f64,
    sites: Vec<u32>,
    /// Stream of the first site's hit draws; site `k` of `sites` uses
    /// `hit_stream + k`.
    hit_stream: usize,
}

/// Where each process's stream sits in [`Scenario::keys`]: sites first
/// (index = site index), then links, shared risks, hazards, hazard hits,
/// escaped and caught releases per train, and operator errors.
#[derive(Clone, Copy, Debug)]
struct StreamLayout {
    link: usize,
    risk: usize,
    hazard: usize,
    escaped: usize,
    caught: usize,
    operator: usize,
}

/// Everything about a topology and plan that does not change between trials.
#[derive(Clone, Debug)]
pub(crate) struct Scenario<'a> {
    pub topo: &'a Topology,
    pub plan_index: usize,
    pub horizon: f64,
    pub years: usize,
    hazards: Vec<HazardSpec>,
    /// Rate of candidate operator errors (the envelope) and the probability
    /// that this plan keeps one.
    operator_rate_per_sec: f64,
    operator_keep: f64,
    /// Stream key of every random process of the file.
    keys: Vec<u64>,
    layout: StreamLayout,
    pub curve: DemandCurve,
    pub model: ServingModel,
    /// Replica sites (the first `replicas` serving sites), as serving indices.
    n_replicas: usize,
    /// Total requests demanded over the horizon (the same in every trial).
    pub demanded: f64,
    /// Sites and links a what-if scenario holds down for the whole trial.
    forced_sites: Vec<u32>,
    forced_links: Vec<u32>,
}

impl<'a> Scenario<'a> {
    pub fn new(topo: &'a Topology, plan_index: usize, years: usize) -> Scenario<'a> {
        let plan = &topo.plans[plan_index];
        let mut names: Vec<String> = Vec::new();
        names.extend(topo.sites.iter().map(|x| format!("site:{}", x.key)));
        let link = names.len();
        names.extend(topo.links.iter().map(|l| format!("link:{}", l.key)));
        let risk = names.len();
        names.extend(topo.shared_risks.iter().map(|g| format!("risk:{}", g.key)));
        let mut hazards = Vec::new();
        let mut hit_names = Vec::new();
        let hazard = names.len();
        for (r, region) in topo.regions.iter().enumerate() {
            let sites: Vec<u32> = topo
                .sites_in_region(crate::model::RegionId(r as u32))
                .map(|s| s.0)
                .collect();
            for (k, h) in region.hazards.iter().enumerate() {
                let name = format!("hazard:{}:{}", region.key, k);
                for &site in &sites {
                    hit_names.push(format!("{name}:site:{}", topo.sites[site as usize].key));
                }
                hazards.push(HazardSpec {
                    rate_per_sec: h.events.annual_rate / SECONDS_PER_YEAR,
                    duration: h.events.duration.clone(),
                    hit_p: h.site_hit_probability.get(),
                    hit_stream: hit_names.len() - sites.len(),
                    sites: sites.clone(),
                });
                names.push(name);
            }
        }
        for hz in &mut hazards {
            hz.hit_stream += names.len();
        }
        names.append(&mut hit_names);
        let escaped = names.len();
        names.extend(
            topo.release_trains
                .iter()
                .map(|t| format!("train:{}:escaped", t.key)),
        );
        let caught = names.len();
        names.extend(
            topo.release_trains
                .iter()
                .map(|t| format!("train:{}:caught", t.key)),
        );
        let operator = names.len();
        names.push("operator".into());
        let keys = names.iter().map(|n| key_hash(n)).collect();
        let envelope = topo
            .plans
            .iter()
            .map(|p| p.operator_error_factor)
            .fold(1.0, f64::max);
        let operator_rate_per_sec = topo
            .operator_errors
            .as_ref()
            .map_or(0.0, |o| o.events.annual_rate * envelope / SECONDS_PER_YEAR);
        let operator_keep = plan.operator_error_factor.max(0.0) / envelope;
        let horizon = years as f64 * SECONDS_PER_YEAR;
        let curve = DemandCurve::new(topo);
        let demanded = (0..curve.n_demands)
            .map(|d| curve.integral(d, horizon))
            .sum();
        Scenario {
            topo,
            plan_index,
            horizon,
            years,
            hazards,
            operator_rate_per_sec,
            operator_keep,
            keys,
            layout: StreamLayout {
                link,
                risk,
                hazard,
                escaped,
                caught,
                operator,
            },
            curve,
            model: ServingModel::new(topo, crate::model::PlanId(plan_index as u32)),
            n_replicas: plan.replicas as usize,
            demanded,
            forced_sites: Vec::new(),
            forced_links: Vec::new(),
        }
    }
}

impl Scenario<'_> {
    /// Holds the components of `what_if` down for the whole of every trial
    /// (their own failure processes still run, so histories stay common).
    pub fn force_down(&mut self, what_if: &crate::service::FailedSet) {
        let flagged = |v: &[bool]| (0..v.len() as u32).filter(|&i| v[i as usize]).collect();
        self.forced_sites = flagged(what_if.sites_down());
        self.forced_links = flagged(what_if.links_down());
    }
}

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
    /// Service evaluations by the hash of (failure state, active site): the
    /// serving model only runs for states not seen before by this worker.
    /// `cache_keys` holds each evaluation's exact key (`down_bits` then the
    /// active site), checked on every hit so a hash collision cannot return
    /// a wrong evaluation.
    cache: HashMap<u64, u32, BuildHasherDefault<IdentityHasher>>,
    cache_keys: Vec<u64>,
    evals: Vec<Eval>,
    cur: usize,
    model: ServingModel,
    active: Option<usize>,
    failed_from: Option<usize>,
    failover_done: bool,
    failover_gen: u32,
    write_primary: Option<usize>,
    replicas_destroyed: bool,
    now: f64,
    outage_start: Option<f64>,
    blame: Vec<(u32, f64)>,
    blame_dirty: bool,
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
            element_down: vec![0; k],
            element_up: vec![true; k],
            relevant: false,
            hit_sets: Vec::new(),
            free_hit_sets: Vec::new(),
            down_bits: vec![0; k.div_ceil(64)],
            state_hash: 0,
            zobrist: (0..k as u64).map(zobrist).collect(),
            cache: HashMap::default(),
            cache_keys: Vec::new(),
            evals: Vec::new(),
            cur: 0,
            model: s.model.clone(),
            active: None,
            failed_from: None,
            failover_done: false,
            failover_gen: 0,
            write_primary: None,
            replicas_destroyed: false,
            now: 0.0,
            outage_start: None,
            blame: Vec::new(),
            blame_dirty: true,
        }
    }

    fn site_hold(&mut self, i: u32, cause: usize, down: bool) -> bool {
        let i = i as usize;
        if down {
            self.site_causes[i][cause] += 1;
            self.site_down[i] += 1;
            self.flip_if(i, self.site_down[i] == 1, true)
        } else {
            self.site_causes[i][cause] -= 1;
            self.site_down[i] -= 1;
            self.flip_if(i, self.site_down[i] == 0, false)
        }
    }

    fn link_hold(&mut self, j: u32, cause: usize, down: bool) -> bool {
        let j = j as usize;
        if down {
            self.link_causes[j][cause] += 1;
            self.link_down[j] += 1;
            self.flip_if(self.site_down.len() + j, self.link_down[j] == 1, true)
        } else {
            self.link_causes[j][cause] -= 1;
            self.link_down[j] -= 1;
            self.flip_if(self.site_down.len() + j, self.link_down[j] == 0, false)
        }
    }

    /// Records that component `c` (sites, then links) went down or came
    /// back when `changed`; returns `changed`. The blame changes with any
    /// component; the service only when an element of the reduced graph
    /// flips.
    fn flip_if(&mut self, c: usize, changed: bool, now_down: bool) -> bool {
        if !changed {
            return false;
        }
        self.blame_dirty = true;
        let e = self.model.element_of[c];
        if e == IRRELEVANT {
            return true;
        }
        let e = e as usize;
        let flips = if now_down {
            self.element_down[e] += 1;
            self.element_down[e] == 1
        } else {
            self.element_down[e] -= 1;
            self.element_down[e] == 0
        };
        if flips {
            self.down_bits[e / 64] ^= 1 << (e % 64);
            self.state_hash ^= self.zobrist[e];
            self.relevant = true;
        }
        true
    }

    /// The evaluation of the current failure state with this active site,
    /// from the cache or computed and stored.
    fn lookup(&mut self, s: &Scenario<'_>, active: Option<usize>) -> usize {
        let active_word = active.map_or(u64::MAX, |a| a as u64);
        let hash = self.state_hash ^ zobrist(active_word ^ (1 << 32));
        let w = self.down_bits.len() + 1;
        if let Some(&i) = self.cache.get(&hash) {
            let k = &self.cache_keys[i as usize * w..(i as usize + 1) * w];
            if k[w - 1] == active_word
                && k[..w - 1].iter().zip(&self.down_bits).all(|(a, b)| a == b)
            {
                return i as usize;
            }
        }
        if self.evals.len() >= MAX_CACHED_STATES {
            self.cache.clear();
            self.cache_keys.clear();
            self.evals.clear();
        }
        for (u, &d) in self.element_up.iter_mut().zip(&self.element_down) {
            *u = d == 0;
        }
        let mut e = Eval::default();
        self.model
            .evaluate_elements(&self.element_up, active, &mut e);
        e.may_congest = e.groups.iter().any(|g| {
            let peak: f64 = g.demands.iter().map(|&d| s.curve.max_rps[d as usize]).sum();
            peak > g.capacity
        });
        e.daily_congest = e.may_congest
            && e.groups.iter().any(|g| {
                (0..24).any(|h| {
                    let rate: f64 = g
                        .demands
                        .iter()
                        .map(|&d| s.curve.hourly[d as usize][h])
                        .sum();
                    rate > g.capacity
                })
            });
        self.evals.push(e);
        let i = self.evals.len() - 1;
        self.cache_keys.extend_from_slice(&self.down_bits);
        self.cache_keys.push(active_word);
        // On a (vanishingly rare) hash collision the newer state wins.
        self.cache.insert(hash, i as u32);
        i
    }

    /// Runs trial number `trial` of the run seeded with `seed` and fills
    /// `rec`. The result depends on nothing else: not on the trials run
    /// before on this state, nor on the batch or thread.
    pub fn run(&mut self, s: &Scenario<'_>, seed: u64, trial: u64, rec: &mut TrialRecord) {
        let topo = s.topo;
        let plan = &topo.plans[s.plan_index];
        rec.reset(s.years);
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
        self.site_down.fill(0);
        self.link_down.fill(0);
        self.down_bits.fill(0);
        self.element_down.fill(0);
        self.state_hash = 0;
        self.hit_sets.clear();
        self.free_hit_sets.clear();
        self.now = 0.0;
        self.outage_start = None;
        self.failover_gen = 0;
        self.failed_from = None;
        self.failover_done = false;
        self.active = None;
        self.write_primary = None;
        self.replicas_destroyed = false;
        if let Some(log) = &mut self.log {
            log.clear();
        }

        for &i in &s.forced_sites {
            self.site_hold(i, WHAT_IF, true);
        }
        for &j in &s.forced_links {
            self.link_hold(j, WHAT_IF, true);
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
        if s.operator_rate_per_sec > 0.0 && !topo.sites.is_empty() {
            self.queue.push(
                exp_sample(&mut rngs[l.operator], s.operator_rate_per_sec),
                Event::OperatorError,
            );
        }

        self.reevaluate(s, plan, rec);
        while let Some((t, ev)) = self.queue.pop() {
            self.advance(s, t, rec);
            if let Some(log) = &mut self.log {
                log.push((t, ev));
            }
            self.relevant = false;
            let changed = self.handle(s, t, ev);
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

    /// Applies one event; true when some component changed up/down state or
    /// the active-passive failover progressed.
    fn handle(&mut self, s: &Scenario<'_>, t: f64, ev: Event) -> bool {
        let topo = s.topo;
        let l = s.layout;
        match ev {
            Event::SiteFail(i) => {
                if let Some(f) = &topo.sites[i as usize].failure {
                    let d = f.ttr.sample_secs(&mut self.rngs[i as usize]);
                    self.queue.push(t + d, Event::SiteRepair(i));
                }
                self.site_hold(i, HARDWARE, true)
            }
            Event::SiteRepair(i) => {
                if let Some(f) = &topo.sites[i as usize].failure {
                    let d = f.ttf.sample_secs(&mut self.rngs[i as usize]);
                    self.queue.push(t + d, Event::SiteFail(i));
                }
                self.site_hold(i, HARDWARE, false)
            }
            Event::LinkFail(j) => {
                if let Some(f) = &topo.links[j as usize].failure {
                    let d = f.ttr.sample_secs(&mut self.rngs[l.link + j as usize]);
                    self.queue.push(t + d, Event::LinkRepair(j));
                }
                self.link_hold(j, HARDWARE, true)
            }
            Event::LinkRepair(j) => {
                if let Some(f) = &topo.links[j as usize].failure {
                    let d = f.ttf.sample_secs(&mut self.rngs[l.link + j as usize]);
                    self.queue.push(t + d, Event::LinkFail(j));
                }
                self.link_hold(j, HARDWARE, false)
            }
            Event::RiskFail(g) => {
                let risk = &topo.shared_risks[g as usize];
                let d = risk
                    .failure
                    .ttr
                    .sample_secs(&mut self.rngs[l.risk + g as usize]);
                self.queue.push(t + d, Event::RiskRepair(g));
                self.hold_risk(s, g, true)
            }
            Event::RiskRepair(g) => {
                let risk = &topo.shared_risks[g as usize];
                let d = risk
                    .failure
                    .ttf
                    .sample_secs(&mut self.rngs[l.risk + g as usize]);
                self.queue.push(t + d, Event::RiskFail(g));
                self.hold_risk(s, g, false)
            }
            Event::Hazard(h) => {
                let hz = &s.hazards[h as usize];
                let rng = &mut self.rngs[l.hazard + h as usize];
                let next = exp_sample(rng, hz.rate_per_sec);
                // Drawn whether or not a site is hit, so that the stream does
                // not depend on the hit draws.
                let outage = hz.duration.sample_secs(rng);
                self.queue.push(t + next, Event::Hazard(h));
                let mut hit = Vec::new();
                for (k, &site) in hz.sites.iter().enumerate() {
                    // One draw per site and event, from the site's own stream.
                    let u: f64 = self.rngs[hz.hit_stream + k].random();
                    if hz.hit_p >= 1.0 || u < hz.hit_p {
                        hit.push(site);
                    }
                }
                if hit.is_empty() {
                    return false;
                }
                let mut changed = false;
                for &site in &hit {
                    changed |= self.site_hold(site, DISASTER, true);
                }
                let slot = match self.free_hit_sets.pop() {
                    Some(k) => {
                        self.hit_sets[k as usize] = hit;
                        k
                    }
                    None => {
                        self.hit_sets.push(hit);
                        (self.hit_sets.len() - 1) as u32
                    }
                };
                self.queue.push(t + outage, Event::HazardEnd(slot));
                changed
            }
            Event::HazardEnd(slot) => {
                let hit = std::mem::take(&mut self.hit_sets[slot as usize]);
                let mut changed = false;
                for &site in &hit {
                    changed |= self.site_hold(site, DISASTER, false);
                }
                self.free_hit_sets.push(slot);
                changed
            }
            Event::ReleaseEscaped(k) => {
                let train = &topo.release_trains[k as usize];
                let rate = train.escaped_rate() / SECONDS_PER_YEAR;
                let next = exp_sample(&mut self.rngs[l.escaped + k as usize], rate);
                self.queue.push(t + next, Event::ReleaseEscaped(k));
                self.queue
                    .push(t + train.outage().secs(), Event::ReleaseEscapedEnd(k));
                let mut changed = false;
                for site in &train.sites {
                    changed |= self.site_hold(site.0, RELEASE, true);
                }
                changed
            }
            Event::ReleaseEscapedEnd(k) => {
                let mut changed = false;
                for site in &topo.release_trains[k as usize].sites {
                    changed |= self.site_hold(site.0, RELEASE, false);
                }
                changed
            }
            Event::ReleaseCaught(k) => {
                let train = &topo.release_trains[k as usize];
                let rate = train.caught_rate() / SECONDS_PER_YEAR;
                let next = exp_sample(&mut self.rngs[l.caught + k as usize], rate);
                self.queue.push(t + next, Event::ReleaseCaught(k));
                self.queue
                    .push(t + train.detection.secs(), Event::ReleaseCaughtEnd(k));
                let mut changed = false;
                for site in &train.canary_sites {
                    changed |= self.site_hold(site.0, RELEASE, true);
                }
                changed
            }
            Event::ReleaseCaughtEnd(k) => {
                let mut changed = false;
                for site in &topo.release_trains[k as usize].canary_sites {
                    changed |= self.site_hold(site.0, RELEASE, false);
                }
                changed
            }
            Event::OperatorError => {
                // Four draws per candidate, kept or not: next arrival, keep,
                // site, outage; plans differ only in which they keep.
                let rng = &mut self.rngs[l.operator];
                let next = exp_sample(rng, s.operator_rate_per_sec);
                let keep = rng.random::<f64>() < s.operator_keep;
                let n = topo.sites.len();
                let site = ((rng.random::<f64>() * n as f64) as usize).min(n - 1) as u32;
                let outage = topo
                    .operator_errors
                    .as_ref()
                    .map_or(0.0, |o| o.events.duration.sample_secs(rng));
                self.queue.push(t + next, Event::OperatorError);
                if !keep {
                    return false;
                }
                self.queue.push(t + outage, Event::OperatorErrorEnd(site));
                self.site_hold(site, OPERATOR, true)
            }
            Event::OperatorErrorEnd(site) => self.site_hold(site, OPERATOR, false),
            Event::FailoverDone(generation) => {
                if generation == self.failover_gen && self.active.is_none() {
                    self.failover_done = true;
                    true
                } else {
                    false
                }
            }
        }
    }

    fn hold_risk(&mut self, s: &Scenario<'_>, g: u32, down: bool) -> bool {
        let risk = &s.topo.shared_risks[g as usize];
        let mut changed = false;
        for site in &risk.sites {
            changed |= self.site_hold(site.0, SHARED_RISK, down);
        }
        for link in &risk.links {
            changed |= self.link_hold(link.0, SHARED_RISK, down);
        }
        changed
    }

    /// Recomputes the service after a state change: failover decisions, data
    /// loss, reachability and capacity.
    fn reevaluate(&mut self, s: &Scenario<'_>, plan: &crate::model::Plan, rec: &mut TrialRecord) {
        let t = self.now;
        self.blame_dirty = true;

        // Data. Writes go to the first up replica. A replica that is merely
        // down (hardware, power, a bad release) keeps its data; only a
        // disaster destroys it. So: losing every replica to disasters loses
        // the writes since the last backup; moving writes off a primary that
        // went down loses the async lag (the new primary carries on without
        // the writes it had not yet received).
        let serving = &self.model.serving;
        let destroyed =
            (0..s.n_replicas).all(|r| self.site_causes[serving[r] as usize][DISASTER] > 0);
        if destroyed && !self.replicas_destroyed {
            rec.data_lost_secs += match plan.backup_interval {
                Some(b) if b.secs() > 0.0 => t % b.secs(),
                // No backups: everything written since the trial began.
                _ => t,
            };
            // Restored from backup: nothing further to lose from the lag.
            self.write_primary = None;
        }
        self.replicas_destroyed = destroyed;
        let primary = (0..s.n_replicas).find(|&r| self.site_down[serving[r] as usize] == 0);
        if let Some(new) = primary {
            if let Some(old) = self.write_primary {
                let old_down = self.site_down[serving[old] as usize] > 0;
                if let (true, true, Replication::Async { lag }) =
                    (old != new, old_down, plan.replication)
                {
                    rec.data_lost_secs += lag.secs();
                }
            }
            self.write_primary = Some(new);
        }

        if plan.mode == PlanMode::ActivePassive {
            // Usability needs reachability: evaluate with no active site.
            let probe = self.lookup(s, None);
            let usable = &self.evals[probe].usable;
            match self.active {
                Some(a) if !usable[a] => {
                    self.active = None;
                    self.failed_from = Some(a);
                    self.failover_done = false;
                    self.failover_gen = self.failover_gen.wrapping_add(1);
                    let delay = plan.detection.secs() + plan.switchover.secs();
                    self.queue
                        .push(t + delay, Event::FailoverDone(self.failover_gen));
                }
                Some(_) => {}
                None => {
                    let first = usable.iter().position(|&u| u);
                    match self.failed_from {
                        // Start of the trial: the first usable site serves.
                        None => self.active = first,
                        // The failed site came back before the standby took
                        // over: it simply resumes.
                        Some(f) if !self.failover_done && usable[f] => {
                            self.active = Some(f);
                            self.failover_gen = self.failover_gen.wrapping_add(1);
                        }
                        // Operators are engaged: the first usable site in
                        // priority order takes over as soon as there is one.
                        Some(_) if self.failover_done => self.active = first,
                        Some(_) => {}
                    }
                    if self.active.is_some() {
                        self.failed_from = None;
                        self.failover_done = false;
                    }
                }
            }
            // When no active site was known at the start, failed_from stays
            // None and the first usable site is taken without delay.
        }
        self.cur = self.lookup(s, self.active);
    }

    fn compute_blame(&mut self, s: &Scenario<'_>) {
        self.blame.clear();
        for &site in &self.model.key_sites {
            if self.site_down[site as usize] > 0 {
                self.blame.push((site, 1.0));
            }
        }
        if self.blame.is_empty() {
            // Down links and sites that can matter to the plan: a component
            // the reduced graph dropped cannot have caused the outage.
            let n = s.topo.sites.len();
            let relevant = |c: usize| self.model.element_of[c] != IRRELEVANT;
            for (j, &d) in self.link_down.iter().enumerate() {
                if d > 0 && relevant(n + j) {
                    self.blame.push(((n + j) as u32, 1.0));
                }
            }
            for (i, &d) in self.site_down.iter().enumerate() {
                if d > 0 && relevant(i) {
                    self.blame.push((i as u32, 1.0));
                }
            }
        }
        let w = 1.0 / self.blame.len().max(1) as f64;
        for b in &mut self.blame {
            b.1 = w;
        }
        self.blame_dirty = false;
    }

    /// Attributes `dt` seconds of downtime when some demand is unserved.
    fn attribute(&mut self, s: &Scenario<'_>, dt: f64, rec: &mut TrialRecord) {
        if self.blame_dirty {
            self.compute_blame(s);
        }
        if self.blame.is_empty() {
            rec.unattributed_secs += dt;
            return;
        }
        let n = s.topo.sites.len();
        for &(comp, w) in &self.blame {
            let c = comp as usize;
            let (causes, total) = if c < n {
                (&self.site_causes[c], self.site_down[c])
            } else {
                (&self.link_causes[c - n], self.link_down[c - n])
            };
            rec.component_secs[c] += w * dt;
            for (k, &count) in causes.iter().enumerate() {
                if count > 0 {
                    rec.cause_secs[k] += w * dt * count as f64 / total as f64;
                }
            }
        }
    }

    /// Integrates the metrics over `[now, t)` with the current service.
    fn advance(&mut self, s: &Scenario<'_>, t: f64, rec: &mut TrialRecord) {
        let t0 = self.now;
        self.now = t;
        if t <= t0 {
            return;
        }
        // Taken out for the duration so that `self` can be borrowed mutably.
        let eval = std::mem::take(&mut self.evals[self.cur]);
        self.integrate(s, &eval, t0, t, rec);
        self.evals[self.cur] = eval;
    }

    fn integrate(&mut self, s: &Scenario<'_>, eval: &Eval, t0: f64, t: f64, rec: &mut TrialRecord) {
        if !eval.may_congest {
            self.steady(s, eval, t0, t, rec);
        } else if eval.daily_congest {
            self.hourly(s, eval, t0, t, rec);
        } else {
            // Only surges can overload this state: the stretches between
            // them go in one step, the surge windows hour by hour (when
            // their peak can exceed a group's capacity at all).
            let curve = &s.curve;
            let mut a = t0;
            while a < t {
                let (sa, sb) = curve.next_surge(a, t);
                if sa > a {
                    self.steady(s, eval, a, sa, rec);
                }
                if sb > sa {
                    let over = eval.groups.iter().any(|g| {
                        let peak: f64 = g
                            .demands
                            .iter()
                            .map(|&d| curve.max_between(d as usize, sa, sb))
                            .sum();
                        peak > g.capacity
                    });
                    if over {
                        self.hourly(s, eval, sa, sb, rec);
                    } else {
                        self.steady(s, eval, sa, sb, rec);
                    }
                }
                a = sb;
            }
        }
    }

    /// `[t0, t)` when no group can be overloaded in it.
    fn steady(&mut self, s: &Scenario<'_>, eval: &Eval, t0: f64, t: f64, rec: &mut TrialRecord) {
        if eval.unserved.is_empty() {
            self.piece(s, t0, t, false, rec);
            return;
        }
        let curve = &s.curve;
        for &d in &eval.unserved {
            let d = d as usize;
            rec.lost_requests += curve.integral(d, t) - curve.integral(d, t0);
            rec.user_secs_lost += curve.users[d] * (t - t0);
        }
        self.piece(s, t0, t, true, rec);
        self.attribute(s, t - t0, rec);
    }

    /// `[t0, t)` piece by piece of the demand curve, shedding overload.
    fn hourly(&mut self, s: &Scenario<'_>, eval: &Eval, t0: f64, t: f64, rec: &mut TrialRecord) {
        let curve = &s.curve;
        let mut a = t0;
        while a < t {
            let (p, end) = curve.piece_at(a);
            let b = if end > a { end.min(t) } else { t };
            let dt = b - a;
            let mut congested = false;
            for g in &eval.groups {
                let demand: f64 = g.demands.iter().map(|&d| curve.rate(p, d as usize)).sum();
                if demand > g.capacity {
                    congested = true;
                    let shed = 1.0 - g.capacity / demand;
                    rec.lost_requests += (demand - g.capacity) * dt;
                    for &d in &g.demands {
                        rec.user_secs_lost += curve.users[d as usize] * shed * dt;
                    }
                }
            }
            for &d in &eval.unserved {
                rec.lost_requests += curve.rate(p, d as usize) * dt;
                rec.user_secs_lost += curve.users[d as usize] * dt;
            }
            let down = congested || !eval.unserved.is_empty();
            self.piece(s, a, b, down, rec);
            if !eval.unserved.is_empty() {
                self.attribute(s, dt, rec);
            } else if congested {
                rec.cause_secs[Cause::Congestion as usize] += dt;
            }
            a = b;
        }
    }

    /// Records `[a, b)` as up or down time: outage episodes and per-year
    /// downtime.
    fn piece(&mut self, s: &Scenario<'_>, a: f64, b: f64, down: bool, rec: &mut TrialRecord) {
        if down {
            if self.outage_start.is_none() {
                self.outage_start = Some(a);
            }
            // Split across year boundaries.
            let mut x = a;
            while x < b {
                let year = ((x / SECONDS_PER_YEAR) as usize).min(s.years - 1);
                let end = ((year + 1) as f64 * SECONDS_PER_YEAR).min(b);
                let end = if end > x { end } else { b };
                rec.year_down[year] += end - x;
                x = end;
            }
        } else if let Some(start) = self.outage_start.take() {
            rec.end_episode(start, a);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global_messaging() -> Topology {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("topologies")
            .join("global-messaging.toml");
        crate::io::load_path(&path).unwrap()
    }

    /// Runs trial `i` of plan `p` and returns its events: component events,
    /// candidate operator errors, and the operator errors the plan kept.
    fn history(t: &Topology, p: usize, seed: u64, i: u64) -> (Vec<(f64, Event)>, Vec<f64>) {
        let s = Scenario::new(t, p, 2);
        let mut state = TrialState::new(&s);
        state.log = Some(Vec::new());
        let mut rec = TrialRecord::new(t.sites.len() + t.links.len());
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
