//! The scenario of a run: everything about a topology and plan that does
//! not change between trials, and where each random process's stream sits.

use crate::model::{CrewKind, Distribution, Topology};
use crate::rng::key_hash;
use crate::simulate::demand::DemandCurve;
use crate::simulate::serving::ServingModel;
use crate::units::SECONDS_PER_YEAR;

/// A regional hazard flattened: its stream and the sites it can hit.
#[derive(Clone, Debug)]
pub(super) struct HazardSpec {
    pub(super) rate_per_sec: f64,
    pub(super) duration: Distribution,
    pub(super) hit_p: f64,
    /// A hit destroys the site's data ([`crate::model::Hazard::destroys_data`]).
    pub(super) destroys: bool,
    /// The region it strikes (a plan's backup copy there can burn).
    pub(super) region: u32,
    pub(super) sites: Vec<u32>,
    /// Stream of the first site's hit draws; site `k` of `sites` uses
    /// `hit_stream + k`.
    pub(super) hit_stream: usize,
}

/// A data-plane dependency cycle ([`crate::model::Topology::service_cycles`])
/// and how it cold-starts.
#[derive(Clone, Debug)]
pub(super) struct CycleSpec {
    pub(super) members: Vec<u32>,
    /// The longest (by mean) bootstrap among the members; none: zero.
    pub(super) bootstrap: Option<Distribution>,
}

/// Where each process's stream sits in [`Scenario::keys`]: sites first
/// (index = site index), then links, shared risks, hazards, hazard hits,
/// escaped and caught releases per train, operator errors, then services,
/// dependency cycles and wave rollouts per train (last, so files without
/// them keep their layout).
#[derive(Clone, Copy, Debug)]
pub(super) struct StreamLayout {
    pub(super) link: usize,
    pub(super) risk: usize,
    pub(super) hazard: usize,
    pub(super) escaped: usize,
    pub(super) caught: usize,
    pub(super) operator: usize,
    pub(super) service: usize,
    pub(super) cycle: usize,
    pub(super) wave: usize,
    /// Gray-failure processes, one per site of [`Scenario::gray_sites`].
    pub(super) gray: usize,
    /// Restore times from backup (after gray, so files keep their layout).
    pub(super) restore: usize,
    /// Fleet-wide operator commands, one stream each.
    pub(super) fleet: usize,
    /// Per train: whether each escaped bad release corrupts data.
    pub(super) corrupt: usize,
    /// Per hazard: whether an event reaches a backup copy kept in its
    /// region (after the trains', so files keep their layout).
    pub(super) backup: usize,
}

/// Everything about a topology and plan that does not change between trials.
#[derive(Clone, Debug)]
pub(crate) struct Scenario<'a> {
    pub topo: &'a Topology,
    pub plan_index: usize,
    pub horizon: f64,
    pub years: usize,
    pub(super) hazards: Vec<HazardSpec>,
    /// Rate of candidate operator errors (the envelope) and the probability
    /// that this plan keeps one.
    pub(super) operator_rate_per_sec: f64,
    pub(super) operator_keep: f64,
    /// Stream key of every random process of the file.
    pub(super) keys: Vec<u64>,
    pub(super) layout: StreamLayout,
    pub curve: DemandCurve,
    pub model: ServingModel,
    /// The flow network, when some link can bind ([`super::bandwidth`]).
    pub(super) flow: Option<super::bandwidth::SimFlow>,
    /// Requests/s the intact plan sheds under each demand vector
    /// ([`super::bandwidth::intact_shed`]).
    pub(super) intact_shed: Vec<f64>,
    /// Replica sites (the first `replicas` serving sites), as serving indices.
    pub(super) n_replicas: usize,
    /// Total requests demanded over the horizon (the same in every trial).
    pub demanded: f64,
    /// Sites and links a what-if scenario holds down for the whole trial.
    pub(super) forced_sites: Vec<u32>,
    pub(super) forced_links: Vec<u32>,
    pub(super) forced_services: Vec<u32>,
    pub(super) cycles: Vec<CycleSpec>,
    /// The file declares services: recoveries and cycles need settling.
    pub(super) has_services: bool,
    /// Sites with a gray-failure process, in site order.
    pub(super) gray_sites: Vec<u32>,
    /// The plan has retries or a warm-up ([`super::load`]).
    pub(super) feedback: bool,
    /// The crew repairing each site's hardware, each link, and each site a
    /// hazard hits ([`crate::model::Crew`]); and each crew's size.
    pub(super) site_crew: Vec<Option<u32>>,
    pub(super) link_crew: Vec<Option<u32>>,
    pub(super) disaster_crew: Vec<Option<u32>>,
    pub(super) crew_sizes: Vec<u32>,
    /// Per train rolled out in waves: the sites each wave adds, and when
    /// each wave starts after the release (seconds).
    pub(super) wave_sites: Vec<Vec<Vec<u32>>>,
    pub(super) wave_starts: Vec<Vec<f64>>,
    /// The plan's SLO windows and threshold, when it has an SLO.
    pub slo: Option<super::SloSpec>,
    /// Partial failure modes and their streams ([`super::partial`]).
    pub(super) partial: super::partial::PartialSpec,
}

impl<'a> Scenario<'a> {
    /// Kept in one piece (about 125 lines): it lays out every process's
    /// stream name in one fixed order, the common-random-numbers layout
    /// that keeps old files' numbers when new processes are appended.
    pub fn new(topo: &'a Topology, plan_index: usize, years: usize) -> Scenario<'a> {
        let plan = &topo.plans[plan_index];
        let mut names: Vec<String> = Vec::new();
        names.extend(topo.sites.iter().map(|x| format!("site:{}", x.key)));
        let link = names.len();
        names.extend(topo.links.iter().map(|l| format!("link:{}", l.key)));
        let risk = names.len();
        names.extend(topo.shared_risks.iter().map(|g| format!("risk:{}", g.key)));
        let hazard = names.len();
        let hazards = hazard_streams(topo, &mut names);
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
        let service = names.len();
        names.extend(topo.services.iter().map(|x| format!("service:{}", x.key)));
        let cycle = names.len();
        let cycles = cycle_streams(topo, &mut names);
        let wave = names.len();
        names.extend(
            topo.release_trains
                .iter()
                .map(|t| format!("train:{}:waves", t.key)),
        );
        // Gray processes come last, so files without them keep their layout.
        let gray = names.len();
        let gray_sites: Vec<u32> = (0..topo.sites.len() as u32)
            .filter(|&i| topo.sites[i as usize].gray.is_some())
            .collect();
        names.extend(
            gray_sites
                .iter()
                .map(|&i| format!("gray:{}", topo.sites[i as usize].key)),
        );
        // Partial modes after them (the same reason).
        let partial_stream = names.len();
        names.extend(super::partial::stream_names(topo));
        let restore = names.len();
        names.push("data:restore".into());
        let fleet = names.len();
        names.extend(
            topo.fleet_commands
                .iter()
                .map(|f| format!("fleet:{}", f.key)),
        );
        let corrupt = names.len();
        names.extend(
            topo.release_trains
                .iter()
                .map(|t| format!("train:{}:corrupt", t.key)),
        );
        let backup = names.len();
        names.extend(backup_stream_names(topo));
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
        let slo = plan
            .targets
            .slo
            .as_ref()
            .map(|x| super::SloSpec::new(x, horizon, &curve));
        let plan_id = crate::model::PlanId(plan_index as u32);
        let model = ServingModel::new(topo, plan_id);
        let flow = super::bandwidth::links_may_bind(topo, &curve, &model)
            .then(|| super::bandwidth::SimFlow::new(topo, plan_id, &curve));
        let intact_shed = super::bandwidth::intact_shed(topo, &curve, &model, flow.as_ref());
        let partial =
            super::partial::PartialSpec::new(topo, &model, flow.is_some(), partial_stream);
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
                service,
                cycle,
                wave,
                gray,
                restore,
                fleet,
                corrupt,
                backup,
            },
            curve,
            model,
            flow,
            intact_shed,
            n_replicas: plan.replicas as usize,
            demanded,
            forced_sites: Vec::new(),
            forced_links: Vec::new(),
            forced_services: Vec::new(),
            cycles,
            has_services: !topo.services.is_empty(),
            gray_sites,
            feedback: plan.retry.is_some() || plan.warmup.is_some(),
            site_crew: site_crews(topo, CrewKind::Site),
            link_crew: topo
                .link_ids()
                .map(|l| topo.link_crew(l).map(|c| c as u32))
                .collect(),
            disaster_crew: site_crews(topo, CrewKind::Disaster),
            crew_sizes: topo.crews.iter().map(|c| c.size).collect(),
            wave_sites: topo
                .release_trains
                .iter()
                .map(|t| {
                    let waves = t.wave_sites().into_iter();
                    waves.map(|w| w.iter().map(|s| s.0).collect()).collect()
                })
                .collect(),
            wave_starts: topo
                .release_trains
                .iter()
                .map(|t| t.wave_starts())
                .collect(),
            slo,
            partial,
        }
    }
}

/// The regional hazards and their streams: one per hazard (its event
/// times), then one per (hazard, site of its region) for the hit draws.
fn hazard_streams(topo: &Topology, names: &mut Vec<String>) -> Vec<HazardSpec> {
    let mut hazards = Vec::new();
    let mut hit_names = Vec::new();
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
                destroys: h.destroys_data(),
                region: r as u32,
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
    hazards
}

/// One stream per hazard, in [`hazard_streams`]'s order: its draws of
/// whether an event reaches a backup copy kept in its region.
fn backup_stream_names(topo: &Topology) -> impl Iterator<Item = String> + '_ {
    topo.regions.iter().flat_map(|region| {
        (0..region.hazards.len()).map(|k| format!("hazard:{}:{k}:backups", region.key))
    })
}

/// The dependency cycles of the file's services, one stream each (its
/// bootstrap draws).
fn cycle_streams(topo: &Topology, names: &mut Vec<String>) -> Vec<CycleSpec> {
    let cycles: Vec<CycleSpec> = topo
        .service_cycles()
        .into_iter()
        .map(|members| CycleSpec {
            bootstrap: members
                .iter()
                .filter_map(|&m| topo.service(m).bootstrap.clone())
                .max_by(|a, b| a.mean_secs().total_cmp(&b.mean_secs())),
            members: members.iter().map(|m| m.0).collect(),
        })
        .collect();
    names.extend(cycles.iter().map(|c| {
        let keys: Vec<&str> = c
            .members
            .iter()
            .map(|&m| topo.services[m as usize].key.as_str())
            .collect();
        format!("cycle:{}", keys.join(","))
    }));
    cycles
}

fn site_crews(topo: &Topology, kind: CrewKind) -> Vec<Option<u32>> {
    topo.site_ids()
        .map(|i| topo.site_crew(i, kind).map(|c| c as u32))
        .collect()
}

impl Scenario<'_> {
    /// The SLO threshold when it grades downtime (below 1).
    pub(super) fn graded_threshold(&self) -> Option<f64> {
        self.slo.as_ref().and_then(|x| x.threshold)
    }

    /// Holds the components of `what_if` down for the whole of every trial
    /// (their own failure processes still run, so histories stay common).
    pub fn force_down(&mut self, what_if: &crate::service::FailedSet) {
        let flagged = |v: &[bool]| (0..v.len() as u32).filter(|&i| v[i as usize]).collect();
        self.forced_sites = flagged(what_if.sites_down());
        self.forced_links = flagged(what_if.links_down());
        self.forced_services = flagged(what_if.services_down());
    }
}
