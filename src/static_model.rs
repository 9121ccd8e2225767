//! Failure models derived from a topology.
//!
//! [`StaticModel`] is the "random instant" view used by the static engine and
//! the capacity analysis: a graph whose nodes and edges are each down
//! independently with their steady-state unavailability, plus Marshall-Olkin
//! shocks (a shared-risk group, a regional hazard, a bad release) that each
//! take a fixed set of components down together with their own probability.

use crate::model::{CrewKind, Distribution, EventProcess, LinkId, PlanId, SiteId, Topology};
use crate::units::{Duration, Probability};

/// Regions larger than this with a per-site hit probability below 1 cannot
/// be decomposed exactly into Marshall-Olkin shocks (2^n subsets).
pub const MAX_PARTIAL_HAZARD_SITES: usize = 12;

/// The cause a shock (and the downtime it produces) is attributed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    /// Independent failures of sites and links.
    Hardware,
    /// A shared-risk group (conduit, power grid, cooling).
    SharedRisk,
    /// A bad software release or config push.
    Release,
    /// A regional natural disaster.
    Disaster,
    /// A mistaken manual change.
    Operator,
    /// Demand above what the survivors can carry.
    Congestion,
    /// Components forced down for the whole run by a what-if scenario (not in
    /// [`Cause::ALL`]: reported only when a scenario is given).
    WhatIf,
}

impl Cause {
    pub const ALL: [Cause; 6] = [
        Cause::Hardware,
        Cause::SharedRisk,
        Cause::Release,
        Cause::Disaster,
        Cause::Operator,
        Cause::Congestion,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Hardware => "hardware",
            Cause::SharedRisk => "shared-risk",
            Cause::Release => "release",
            Cause::Disaster => "disaster",
            Cause::Operator => "operator",
            Cause::Congestion => "congestion",
            Cause::WhatIf => "what-if",
        }
    }
}

/// A common-cause event: with probability `prob`, independently of
/// everything else, all listed nodes and edges are down.
#[derive(Clone, Debug, PartialEq)]
pub struct Shock {
    pub name: String,
    pub cause: Cause,
    pub prob: f64,
    pub nodes: Vec<u32>,
    pub edges: Vec<u32>,
}

/// An undirected multigraph with independent component failures and shocks.
/// Node `i` is site `i` of the topology it came from; edge `j` is link `j`.
#[derive(Clone, Debug, PartialEq)]
pub struct StaticModel {
    pub node_names: Vec<String>,
    /// Endpoints of each edge (parallel edges allowed, no self-loops).
    pub edges: Vec<(u32, u32)>,
    pub edge_names: Vec<String>,
    /// Edge capacities (Gbit/s for native topologies).
    pub edge_capacity: Vec<f64>,
    /// Independent failure probability of each node.
    pub node_q: Vec<f64>,
    /// Independent failure probability of each edge.
    pub edge_q: Vec<f64>,
    pub shocks: Vec<Shock>,
}

/// A sampling run planned past an engine's work limit: `samples` draws of
/// `size` elements each, when at most `max_samples` fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overwork {
    pub samples: u64,
    pub size: usize,
    pub max_samples: u64,
}

impl Overwork {
    /// The one work rule of every guard: `samples` units of work that each
    /// touch `size` elements pass `max_work` (their product is above it).
    pub fn of(samples: u64, size: usize, max_work: f64) -> Option<Overwork> {
        (samples as f64 * size as f64 > max_work).then(|| Overwork {
            samples,
            size,
            max_samples: (max_work / size.max(1) as f64) as u64,
        })
    }
}

/// Probabilities given on the command line that replace the file's own.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Overrides {
    pub link_failure: Option<Probability>,
    pub node_failure: Option<Probability>,
}

/// Why a topology cannot be turned into a static model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StaticModelError {
    #[error(
        "region '{region}' has {sites} sites and hazard '{hazard}' hits each with probability {p} < 1: \
         the exact shock decomposition needs at most {MAX_PARTIAL_HAZARD_SITES} sites; split the region"
    )]
    HazardTooWide {
        region: String,
        hazard: String,
        sites: usize,
        p: f64,
    },
}

impl StaticModel {
    pub fn n_nodes(&self) -> usize {
        self.node_q.len()
    }
    pub fn n_edges(&self) -> usize {
        self.edges.len()
    }

    /// What one sample draws and checks: every node and edge and every
    /// member of every shock.
    pub fn sample_size(&self) -> usize {
        let members: usize = (self.shocks.iter())
            .map(|s| s.nodes.len() + s.edges.len())
            .sum();
        self.n_nodes() + self.n_edges() + members
    }

    /// The engines' work guards: `None` when `samples` draws of this model
    /// (each touching every node, edge and shock member) stay within
    /// `max_work`.
    pub fn over_work(&self, samples: u64, max_work: f64) -> Option<Overwork> {
        Overwork::of(samples, self.sample_size(), max_work)
    }

    /// A what-if scenario: the flagged nodes and edges are down with
    /// probability 1 (node `i` is site `i`, edge `j` link `j`, as in
    /// `service::FailedSet::sites_down` and `links_down`).
    pub fn force_down(&mut self, nodes_down: &[bool], edges_down: &[bool]) {
        for (q, &d) in self.node_q.iter_mut().zip(nodes_down) {
            if d {
                *q = 1.0;
            }
        }
        for (q, &d) in self.edge_q.iter_mut().zip(edges_down) {
            if d {
                *q = 1.0;
            }
        }
    }

    /// Drops the service nodes after the first `n_sites` (for a criterion
    /// over sites and links only: an all-terminal one would count them as
    /// isolated nodes); shocks keep their sites and links, and a shock left
    /// with nothing goes.
    pub fn without_services(&mut self, n_sites: usize) {
        if self.n_nodes() <= n_sites {
            return;
        }
        self.node_q.truncate(n_sites);
        self.node_names.truncate(n_sites);
        for s in &mut self.shocks {
            s.nodes.retain(|&v| (v as usize) < n_sites);
        }
        self.shocks
            .retain(|s| !s.nodes.is_empty() || !s.edges.is_empty());
    }

    /// A plain graph with no shocks; every edge fails with `edge_q`, no node
    /// fails. Handy for textbook cases and tests.
    pub fn graph(n_nodes: usize, edges: &[(u32, u32)], edge_q: f64) -> StaticModel {
        StaticModel {
            node_names: (0..n_nodes).map(|i| i.to_string()).collect(),
            edges: edges.to_vec(),
            edge_names: edges.iter().map(|(a, b)| format!("{a}-{b}")).collect(),
            edge_capacity: vec![1.0; edges.len()],
            node_q: vec![0.0; n_nodes],
            edge_q: vec![edge_q; edges.len()],
            shocks: Vec::new(),
        }
    }

    /// The static view of a whole topology, with every cause of failure:
    /// independent site and link failures, shared-risk groups, regional
    /// hazards, release trains and operator errors (at their base rate).
    pub fn from_topology(t: &Topology, o: Overrides) -> Result<StaticModel, StaticModelError> {
        Self::build(t, o, 1.0, false)
    }

    /// As [`StaticModel::from_topology`], with the plan's operator-error
    /// factor. When the plan serves a declared service, every service is a
    /// node after the sites (node `n_sites + k` is service `k`, with no
    /// edges), down with its own unavailability or with a release train
    /// that pushes to it; see [`crate::service::FailedSet::from_nodes`].
    pub fn for_plan(
        t: &Topology,
        plan: PlanId,
        o: Overrides,
    ) -> Result<StaticModel, StaticModelError> {
        let p = t.plan(plan);
        Self::build(t, o, p.operator_error_factor, p.serves.is_some())
    }

    fn build(
        t: &Topology,
        o: Overrides,
        operator_factor: f64,
        with_services: bool,
    ) -> Result<StaticModel, StaticModelError> {
        let q_of = |f: &Option<crate::model::FailureProcess>| {
            f.as_ref().map_or(0.0, |p| p.unavailability().get())
        };
        // A repair waits for its crew's response (the mean over the week).
        let q_waiting = |f: &Option<crate::model::FailureProcess>, crew| {
            let wait = response_secs(t, crew);
            f.as_ref()
                .map_or(0.0, |p| p.unavailability_delayed(wait).get())
        };
        let mut node_q: Vec<f64> = (t.sites.iter().enumerate())
            .map(|(i, s)| {
                let crew = t.site_crew(SiteId(i as u32), CrewKind::Site);
                o.node_failure
                    .map_or_else(|| q_waiting(&s.failure, crew), |p| p.get())
            })
            .collect();
        let mut node_names: Vec<String> = t.sites.iter().map(|s| s.key.clone()).collect();
        if with_services {
            node_q.extend(t.services.iter().map(|s| q_of(&s.failure)));
            node_names.extend(t.services.iter().map(|s| format!("service:{}", s.key)));
        }
        let edge_q = (t.links.iter().enumerate())
            .map(|(j, l)| {
                let crew = t.link_crew(LinkId(j as u32));
                o.link_failure
                    .map_or_else(|| q_waiting(&l.failure, crew), |p| p.get())
            })
            .collect();
        let mut shocks: Vec<Shock> = t
            .shared_risks
            .iter()
            .map(|g| Shock {
                name: format!("shared-risk:{}", g.key),
                cause: Cause::SharedRisk,
                prob: g.failure.unavailability().get(),
                nodes: g.sites.iter().map(|s| s.0).collect(),
                edges: g.links.iter().map(|l| l.0).collect(),
            })
            .collect();
        for (ri, r) in t.regions.iter().enumerate() {
            let sites: Vec<u32> = t
                .sites_in_region(crate::model::RegionId(ri as u32))
                .map(|s| s.0)
                .collect();
            // Every site of a region has the same disaster crew.
            let crew = (sites.first()).and_then(|&s| t.site_crew(SiteId(s), CrewKind::Disaster));
            let wait = response_secs(t, crew);
            for h in &r.hazards {
                hazard_shocks(r, h, &sites, wait, &mut shocks)?;
            }
        }
        // A partial release keeps its sites up: a partial source, not a shock.
        for tr in t.release_trains.iter().filter(|tr| tr.instances.is_none()) {
            train_shocks(t, tr, with_services, &mut shocks);
        }
        if let Some(op) = &t.operator_errors {
            let n = t.sites.len().max(1) as f64;
            let ev = EventProcess {
                annual_rate: op.events.annual_rate * operator_factor / n,
                duration: op.events.duration.clone(),
            };
            for (i, s) in t.sites.iter().enumerate() {
                let name = format!("operator:{}", s.key);
                shocks.push(Shock::on_nodes(name, Cause::Operator, &ev, vec![i as u32]));
            }
        }
        for fc in &t.fleet_commands {
            fleet_shocks(t, fc, &mut shocks);
        }
        shocks.retain(|s| s.prob > 0.0);
        shocks.retain(|s| !s.nodes.is_empty() || !s.edges.is_empty());
        Ok(StaticModel {
            node_names,
            edges: t.links.iter().map(|l| (l.a.0, l.b.0)).collect(),
            edge_names: t.links.iter().map(|l| l.key.clone()).collect(),
            edge_capacity: t.links.iter().map(|l| l.capacity_gbps).collect(),
            node_q,
            edge_q,
            shocks,
        })
    }
}

/// The shocks of one release train: one per wave, else the escaped and the
/// canary release.
fn train_shocks(
    t: &Topology,
    tr: &crate::model::ReleaseTrain,
    with_services: bool,
    shocks: &mut Vec<Shock>,
) {
    if tr.waves.is_empty() {
        release_shocks(t, tr, with_services, shocks);
    } else {
        shocks.extend(wave_shocks(tr));
    }
}

/// A rollout in waves at a random instant: one shock per wave `v` over the
/// sites reached by then. A bad release stopped at wave `w` holds those
/// sites down for the bake of `v` when `v < w` (the next wave then adds
/// sites) and for detection + rollback when `v = w`; a latent trigger
/// delays every stage alike. Each wave's shock adds up these Poisson
/// loads (rate x mean duration, per year) of every stopping wave, and an
/// M/G/inf queue gives its probability, 1 - exp(-load).
fn wave_shocks(tr: &crate::model::ReleaseTrain) -> Vec<Shock> {
    let bad = tr.releases_per_year * tr.bad_release_probability.get();
    let stop = tr.mean_stop_probabilities();
    let fix = tr.outage().secs();
    let mut reached: Vec<u32> = Vec::new();
    let n = tr.waves.len();
    let mut out = Vec::with_capacity(n);
    for (v, new) in tr.wave_sites().into_iter().enumerate() {
        reached.extend(new.iter().map(|s| s.0));
        let later: f64 = stop[v + 1..].iter().sum();
        let secs = stop[v] * fix + later * tr.waves[v].bake.secs();
        let load = bad * secs / crate::units::SECONDS_PER_YEAR;
        let name = if v + 1 == n {
            format!("release:{}", tr.key)
        } else {
            format!("release:{}:wave-{}", tr.key, v + 1)
        };
        out.push(Shock {
            name,
            cause: Cause::Release,
            prob: -(-load).exp_m1(),
            nodes: reached.clone(),
            edges: Vec::new(),
        });
    }
    out
}

impl Shock {
    /// A shock that holds `nodes` down while an event of `ev` lasts.
    fn on_nodes(name: String, cause: Cause, ev: &EventProcess, nodes: Vec<u32>) -> Shock {
        Shock::waiting(name, cause, ev, 0.0, nodes)
    }

    /// As [`Shock::on_nodes`] when each event's restore first waits `wait`
    /// seconds on average (a crew's response).
    fn waiting(name: String, cause: Cause, ev: &EventProcess, wait: f64, nodes: Vec<u32>) -> Shock {
        Shock {
            name,
            cause,
            prob: ev.active_probability_delayed(wait).get(),
            nodes,
            edges: Vec::new(),
        }
    }
}

/// The mean response delay, in seconds, of crew `crew` (0 without one or
/// without a response): with members to spare a repair waits the delay
/// of its failure's instant, whose mean over the week this is.
fn response_secs(t: &Topology, crew: Option<usize>) -> f64 {
    crew.and_then(|c| t.crews[c].response)
        .map_or(0.0, |r| r.mean_delay_secs())
}

/// The shocks of one fleet command. Each site it hits is back after the
/// outage plus its site crew's mean response, so the sites with the
/// longest wait are down longest: at a random instant, the sites down are
/// those whose outage + wait exceeds the age of the latest command. Ages
/// in disjoint windows are independent Poisson streams, so one shock per
/// distinct wait (ascending) covers the sites waiting at least that long,
/// with the load of its window of ages; each site keeps its M/G/inf
/// probability 1 - exp(-rate (outage + wait)). No crew response: one shock.
fn fleet_shocks(t: &Topology, fc: &crate::model::FleetCommand, shocks: &mut Vec<Shock>) {
    let waits: Vec<f64> = (fc.sites.iter())
        .map(|&s| response_secs(t, t.site_crew(s, CrewKind::Site)))
        .collect();
    let mut levels = waits.clone();
    levels.sort_by(f64::total_cmp);
    levels.dedup();
    let mut before: Option<f64> = None;
    for (k, &w) in levels.iter().enumerate() {
        let nodes = (fc.sites.iter().zip(&waits))
            .filter(|&(_, &x)| x >= w)
            .map(|(s, _)| s.0)
            .collect();
        let (name, ev, wait) = match before {
            None => (format!("fleet:{}", fc.key), fc.events.clone(), w),
            // Commands aged between the previous level's end and this one's.
            Some(b) => {
                let window = EventProcess {
                    annual_rate: fc.events.annual_rate,
                    duration: Distribution::fixed(Duration::ZERO),
                };
                (format!("fleet:{}:wait-{k}", fc.key), window, w - b)
            }
        };
        shocks.push(Shock::waiting(name, Cause::Operator, &ev, wait, nodes));
        before = Some(w);
    }
}

/// The shocks of one regional hazard over the region's `sites`: one shock
/// when it hits every site, else one per subset of sites it can hit.
fn hazard_shocks(
    r: &crate::model::Region,
    h: &crate::model::Hazard,
    sites: &[u32],
    wait: f64,
    shocks: &mut Vec<Shock>,
) -> Result<(), StaticModelError> {
    let p = h.site_hit_probability.get();
    let name = format!("hazard:{}:{}", r.key, h.kind);
    if sites.is_empty() || p <= 0.0 {
        return Ok(());
    }
    if p >= 1.0 {
        shocks.push(Shock::waiting(
            name,
            Cause::Disaster,
            &h.events,
            wait,
            sites.to_vec(),
        ));
        return Ok(());
    }
    if sites.len() > MAX_PARTIAL_HAZARD_SITES {
        return Err(StaticModelError::HazardTooWide {
            region: r.key.clone(),
            hazard: h.kind.clone(),
            sites: sites.len(),
            p,
        });
    }
    // Poisson thinning: events that hit exactly the subset S form
    // independent Poisson streams with rate λ p^|S| (1-p)^(n-|S|).
    let n = sites.len();
    for mask in 1u32..(1 << n) {
        let k = mask.count_ones() as i32;
        let ev = EventProcess {
            annual_rate: h.events.annual_rate * p.powi(k) * (1.0 - p).powi(n as i32 - k),
            duration: h.events.duration.clone(),
        };
        let hit = (0..n).filter(|i| mask >> i & 1 == 1).map(|i| sites[i]);
        shocks.push(Shock::waiting(
            format!("{name}:{mask:b}"),
            Cause::Disaster,
            &ev,
            wait,
            hit.collect(),
        ));
    }
    Ok(())
}

/// A release train's escaped bad releases (its sites and, with services,
/// the services it pushes to) and those its canary stage catches.
fn release_shocks(
    t: &Topology,
    tr: &crate::model::ReleaseTrain,
    with_services: bool,
    shocks: &mut Vec<Shock>,
) {
    let n_sites = t.sites.len() as u32;
    let services = tr.services.iter().map(|s| n_sites + s.0);
    let nodes: Vec<u32> = if with_services {
        tr.sites.iter().map(|s| s.0).chain(services).collect()
    } else {
        tr.sites.iter().map(|s| s.0).collect()
    };
    let escaped = EventProcess {
        annual_rate: tr.escaped_rate(),
        duration: Distribution::fixed(release_outage(t, tr, with_services)),
    };
    let name = format!("release:{}", tr.key);
    shocks.push(Shock::on_nodes(name, Cause::Release, &escaped, nodes));
    if !tr.canary_sites.is_empty() && tr.caught_rate() > 0.0 {
        let caught = EventProcess {
            annual_rate: tr.caught_rate(),
            duration: tr.detection.clone(),
        };
        let canaries = tr.canary_sites.iter().map(|s| s.0).collect();
        let name = format!("release:{}:canary", tr.key);
        shocks.push(Shock::on_nodes(name, Cause::Release, &caught, canaries));
    }
}

/// An escaped bad release's outage at a random instant: detection plus
/// rollback, plus the manual fallback when the release itself takes down
/// what its rollback needs (the backbone push that cuts off the tools that
/// would undo it). Exact when the release is the only failure at the time,
/// the case that dominates when failures are rare; `drsim run` simulates
/// the general case.
fn release_outage(t: &Topology, tr: &crate::model::ReleaseTrain, with_services: bool) -> Duration {
    let base = tr.outage();
    let Some(r) = tr.recovery.as_ref().filter(|_| with_services) else {
        return base;
    };
    let mut failed = crate::service::FailedSet::none(t);
    tr.sites.iter().for_each(|&s| failed.fail_site(s));
    tr.services.iter().for_each(|&s| failed.fail_service(s));
    if crate::service::recovery_possible(t, r, &failed) {
        base
    } else {
        Duration::from_secs(base.secs() + r.fallback.secs()).unwrap_or(base)
    }
}

/// A partial failure at a random instant: with probability `prob`,
/// independently of everything else, every target keeps only `1 - fraction`
/// of its capacity (`fraction` drawn from its distribution). Connectivity is
/// unchanged, so only the engines that serve demand use these.
#[derive(Clone, Debug, PartialEq)]
pub struct PartialSource {
    pub prob: f64,
    pub targets: Vec<crate::model::PartialTarget>,
    pub fraction: crate::model::Fraction,
    pub cause: Cause,
    /// The release train of a partial release: sources of one train (its
    /// waves, its canary) in progress together break the fraction once.
    pub train: Option<u32>,
}

/// Every partial failure mode of `t`, in progress with the steady-state
/// unavailability of its process, then every partial release (a train with
/// `instances`), with the probabilities of the shocks it would otherwise be.
pub fn partial_sources(t: &Topology) -> Vec<PartialSource> {
    let mut out: Vec<PartialSource> = t
        .partials
        .iter()
        .map(|m| PartialSource {
            prob: m.process.unavailability().get(),
            targets: vec![m.target],
            fraction: m.fraction,
            cause: Cause::Hardware,
            train: None,
        })
        .collect();
    for (k, tr) in t.release_trains.iter().enumerate() {
        let Some(f) = tr.instances else { continue };
        let mut shocks = Vec::new();
        // Its sites stay up, so its rollback finds what it needs.
        train_shocks(t, tr, false, &mut shocks);
        out.extend(shocks.into_iter().map(|s| {
            PartialSource {
                prob: s.prob,
                targets: s
                    .nodes
                    .iter()
                    .map(|&i| crate::model::PartialTarget::Site(crate::model::SiteId(i)))
                    .collect(),
                fraction: crate::model::Fraction::Fixed(f),
                cause: Cause::Release,
                train: Some(k as u32),
            }
        }));
    }
    out.retain(|p| p.prob > 0.0 && !p.targets.is_empty());
    out
}
