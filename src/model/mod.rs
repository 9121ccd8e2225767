//! The typed topology: sites, links, regions, shared risks, release trains,
//! demand and redundancy plans.
//!
//! A [`Topology`] is only ever built by [`Topology::from_parts`], which checks
//! every cross-reference and value once. Ids are dense indices ([`SiteId`],
//! [`LinkId`], ...), so later code indexes vectors directly and can never see
//! a dangling reference. The file format lives in [`crate::io`]; this module
//! knows nothing about TOML.

mod check;
mod crew;
mod data;
mod failback;
mod failure;
mod feedback;
mod fleet;
mod partial;
mod response;
mod rollout;
mod service;
mod slo;
pub mod text;
mod time_only;

pub use crew::{Crew, CrewKind, CrewWork};
pub use data::{
    DEFAULT_TARGET_QUANTILE, DESTROYING_HAZARDS, DataPlan, destroys_by_default, target_quantile,
};
pub use failback::Failback;
pub use failure::{Distribution, DistributionError, EventProcess, FailureProcess};
pub use feedback::{Gray, MAX_FEEDBACK_SECS, MAX_RETRY_FACTOR, Retry, Warmup};
pub use fleet::FleetCommand;
pub use partial::{Fraction, MAX_PARTIAL_MODES, PartialMode, PartialTarget};
pub use response::Response;
pub use rollout::{Wave, WaveReach};
pub use service::{Dependency, Reach, Recovery, Service};
pub use slo::Slo;
pub use time_only::time_only_features;

use crate::units::{Duration, Probability};
use check::{
    check_crews, check_groups, check_names, check_plans, check_services, check_sites_and_links,
    unique,
};
use std::collections::HashMap;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);
        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(
    /// Index of a site in [`Topology::sites`].
    SiteId
);
id_type!(
    /// Index of a link in [`Topology::links`].
    LinkId
);
id_type!(
    /// Index of a region in [`Topology::regions`].
    RegionId
);
id_type!(
    /// Index of a shared-risk group in [`Topology::shared_risks`].
    SharedRiskId
);
id_type!(
    /// Index of a release train in [`Topology::release_trains`].
    TrainId
);
id_type!(
    /// Index of a demand in [`Topology::demands`].
    DemandId
);
id_type!(
    /// Index of a plan in [`Topology::plans`].
    PlanId
);
id_type!(
    /// Index of a service in [`Topology::services`].
    ServiceId
);

/// A point on the globe, degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    /// Great-circle distance in km (haversine, mean Earth radius 6,371 km).
    pub fn distance_km(self, other: GeoPoint) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * 6371.0 * a.sqrt().min(1.0).asin()
    }
}

/// A data center (or, for imported networks, a point of presence).
#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    /// The id used in the file; unique among sites.
    pub key: String,
    pub name: String,
    pub region: Option<RegionId>,
    pub location: Option<GeoPoint>,
    /// Requests per second the site can serve at most.
    pub capacity_rps: f64,
    /// `None`: never fails on its own (it can still be taken out by a shock).
    pub failure: Option<FailureProcess>,
    /// Gray failure: periods when the site is up but fails some requests.
    pub gray: Option<Gray>,
}

/// An undirected link between two distinct sites.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub key: String,
    pub a: SiteId,
    pub b: SiteId,
    /// Gbit/s, usable in either direction.
    pub capacity_gbps: f64,
    pub length_km: Option<f64>,
    pub latency_ms: Option<f64>,
    pub failure: Option<FailureProcess>,
}

/// A natural hazard of a region: events arrive as a Poisson process, each hits
/// every site of the region independently with `site_hit_probability` and
/// keeps the sites it hit down for `outage`.
#[derive(Clone, Debug, PartialEq)]
pub struct Hazard {
    pub kind: String,
    pub events: EventProcess,
    pub site_hit_probability: Probability,
    /// Whether a hit destroys the site's data (replicas, backups kept
    /// there); `None`: by its kind ([`destroys_by_default`]).
    pub destroys: Option<bool>,
}

impl Hazard {
    /// Whether a hit destroys the site's data, by `destroys` or the kind.
    pub fn destroys_data(&self) -> bool {
        self.destroys
            .unwrap_or_else(|| destroys_by_default(&self.kind))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    pub key: String,
    pub name: String,
    pub hazards: Vec<Hazard>,
}

/// What a shared-risk group stands for; used to attribute downtime to causes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RiskKind {
    Conduit,
    Power,
    Cooling,
    Network,
    Software,
    Other,
}

impl RiskKind {
    pub const ALL: [RiskKind; 6] = [
        RiskKind::Conduit,
        RiskKind::Power,
        RiskKind::Cooling,
        RiskKind::Network,
        RiskKind::Software,
        RiskKind::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            RiskKind::Conduit => "conduit",
            RiskKind::Power => "power",
            RiskKind::Cooling => "cooling",
            RiskKind::Network => "network",
            RiskKind::Software => "software",
            RiskKind::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<RiskKind> {
        RiskKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Any single cause that fails a set of components at once (a conduit shared
/// by "diverse" fibres, a power grid, a cooling plant).
#[derive(Clone, Debug, PartialEq)]
pub struct SharedRisk {
    pub key: String,
    pub name: String,
    pub kind: RiskKind,
    pub sites: Vec<SiteId>,
    pub links: Vec<LinkId>,
    /// The group's own up/down process; while it is down, all members are.
    pub failure: FailureProcess,
    /// A failure destroys the member sites' data (a fire in a shared hall);
    /// by default it only takes them down.
    pub destroys: bool,
}

/// A software release train: every release goes to a set of sites; a bad one
/// takes down every site it reached until it is rolled back.
#[derive(Clone, Debug, PartialEq)]
pub struct ReleaseTrain {
    pub key: String,
    pub name: String,
    pub sites: Vec<SiteId>,
    /// Sites that get each release first. A bad release caught there only
    /// hurts them, and only for the detection delay.
    pub canary_sites: Vec<SiteId>,
    pub releases_per_year: f64,
    /// Fraction of releases that are bad.
    pub bad_release_probability: Probability,
    /// Fraction of bad releases the canary stage catches.
    pub canary_catch: Probability,
    /// Time from a bad release reaching sites (or, latent, triggering) to
    /// someone noticing.
    pub detection: Distribution,
    /// Time to roll back once noticed.
    pub rollback: Distribution,
    /// The rollout in waves ([`Wave`]); empty: every site at once (with
    /// the canary stage, if any).
    pub waves: Vec<Wave>,
    /// Latent bugs: delay from deploy on a site to the bug triggering
    /// there; none: at once. Only with waves.
    pub trigger: Option<Distribution>,
    /// Services whose config the train pushes: a bad release takes every
    /// instance of each down, wherever it runs.
    pub services: Vec<ServiceId>,
    /// What the rollback needs (the deploy system, out-of-band access).
    pub recovery: Option<Recovery>,
    /// Fraction of escaped bad releases that corrupt the data of the plans
    /// with a replica on the train's sites: replication carries it to
    /// every replica, and only a backup older than the release helps.
    pub corrupts: Probability,
    /// A partial release: the fraction of each hit site's instances a bad
    /// release breaks, in (0, 1] (the site stays up with the rest); none:
    /// every hit site goes down.
    pub instances: Option<f64>,
}

impl ReleaseTrain {
    /// Bad releases per year that escape the canary and hit every site.
    pub fn escaped_rate(&self) -> f64 {
        let through = self.mean_stop_probabilities().last().copied();
        self.releases_per_year
            * self.bad_release_probability.get()
            * self.canary_catch.complement().get()
            * through.unwrap_or(1.0)
    }
    /// Bad releases per year caught at the canary stage.
    pub fn caught_rate(&self) -> f64 {
        self.releases_per_year * self.bad_release_probability.get() * self.canary_catch.get()
    }
    /// Outage length of an escaped bad release: detection plus rollback.
    pub fn outage(&self) -> Duration {
        Duration::from_secs(self.detection.mean_secs() + self.rollback.mean_secs())
            .unwrap_or(Duration::ZERO)
    }
}

/// Mistaken manual changes: each takes one site (chosen uniformly among all
/// sites) down for `outage`. Plans lower the rate with training and change
/// review ([`Plan::operator_error_factor`]).
#[derive(Clone, Debug, PartialEq)]
pub struct OperatorErrors {
    pub events: EventProcess,
}

/// A user population and its load.
#[derive(Clone, Debug, PartialEq)]
pub struct Demand {
    pub key: String,
    pub name: String,
    /// Where the users' traffic enters the network: the demand is served when
    /// any entry site reaches the service.
    pub entry_sites: Vec<SiteId>,
    pub users: f64,
    /// Requests per second at the daily peak.
    pub peak_rps: f64,
    /// Fraction of peak by UTC hour, each in `[0, 1]`, max 1.
    pub profile: [f64; 24],
    /// Bandwidth per request, kbit, to turn requests into link load.
    pub kbit_per_request: f64,
}

impl Demand {
    /// Requests per second at UTC hour `h` (0..24), before surges.
    pub fn rps_at_hour(&self, hour: usize) -> f64 {
        self.peak_rps * self.profile[hour % 24]
    }
}

/// A yearly load surge (New Year's Eve): demand multiplied for a while.
#[derive(Clone, Debug, PartialEq)]
pub struct Surge {
    pub key: String,
    pub name: String,
    /// Day of the year the surge starts (0 = 1 January), UTC.
    pub day_of_year: u32,
    pub start_hour_utc: f64,
    pub duration: Duration,
    pub multiplier: f64,
    /// Demands affected; empty means all.
    pub demands: Vec<DemandId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanMode {
    /// Every serving site takes traffic; the service needs a quorum of them.
    ActiveActive,
    /// The first serving site is primary; the others are standbys that take
    /// over after detection plus switchover time.
    ActivePassive,
}

impl PlanMode {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanMode::ActiveActive => "active-active",
            PlanMode::ActivePassive => "active-passive",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Replication {
    /// Writes are acknowledged only when every replica has them: no data loss
    /// while any replica survives.
    Sync,
    /// Replicas trail the primary by `lag`: losing it loses that much.
    Async { lag: Duration },
}

/// Targets a plan must meet; `drsim check` gates on them.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Targets {
    pub availability: Option<Probability>,
    pub rto: Option<Duration>,
    pub rpo: Option<Duration>,
    /// Which quantile of the simulated incidents `rto` and `rpo` bound
    /// (`None`: [`DEFAULT_TARGET_QUANTILE`]).
    pub rto_quantile: Option<Probability>,
    pub rpo_quantile: Option<Probability>,
    /// The plan's SLO over windows (its own `slo`, else the file's
    /// `[defaults] slo`).
    pub slo: Option<Slo>,
}

/// A redundancy plan under consideration.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub key: String,
    pub name: String,
    /// In priority order (the first is primary for active-passive).
    pub serving_sites: Vec<SiteId>,
    pub mode: PlanMode,
    /// Copies of the data, kept on the first `replicas` serving sites.
    pub replicas: u32,
    /// Serving sites that must be up and reachable for the service to be up.
    pub quorum: u32,
    pub detection: Duration,
    pub switchover: Duration,
    pub replication: Replication,
    pub backup_interval: Option<Duration>,
    /// Where the backups are kept and how long a restore takes.
    pub data: DataPlan,
    /// Spare capacity above each active site's share of peak, e.g. 0.3 = 30%.
    pub headroom: f64,
    /// Currency units per year.
    pub cost_per_year: f64,
    /// Multiplies the topology's operator-error rate (training, review).
    pub operator_error_factor: f64,
    pub targets: Targets,
    /// The user-facing service the plan runs on its serving sites: each
    /// serving site works only while the service's dependencies are met
    /// from it. `None`: a service with no dependencies.
    pub serves: Option<ServiceId>,
    /// Retries and reconnects when a demand's service comes back.
    pub retry: Option<Retry>,
    /// Warm-up of an active-passive standby that takes over.
    pub warmup: Option<Warmup>,
    /// How a repaired site rejoins an active-active plan's rotation.
    pub failback: Failback,
}

/// A whole, validated topology: its parts (read through `Deref`, so
/// `t.sites` works) and the lookup indices built once they were checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Topology {
    parts: TopologyParts,
    site_index: HashMap<String, SiteId>,
    link_index: HashMap<String, LinkId>,
}

impl std::ops::Deref for Topology {
    type Target = TopologyParts;
    fn deref(&self) -> &TopologyParts {
        &self.parts
    }
}

/// Editors (the TUI, tests) change values in place; a change of ids or
/// references must go through [`Topology::into_parts`] and
/// [`Topology::from_parts`] again, which rebuild the indices.
impl std::ops::DerefMut for Topology {
    fn deref_mut(&mut self) -> &mut TopologyParts {
        &mut self.parts
    }
}

/// The parts of a topology before cross-checks; see [`Topology::from_parts`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TopologyParts {
    pub name: String,
    pub description: String,
    pub regions: Vec<Region>,
    pub sites: Vec<Site>,
    pub links: Vec<Link>,
    pub shared_risks: Vec<SharedRisk>,
    pub release_trains: Vec<ReleaseTrain>,
    pub operator_errors: Option<OperatorErrors>,
    pub demands: Vec<Demand>,
    pub surges: Vec<Surge>,
    pub services: Vec<Service>,
    pub plans: Vec<Plan>,
    /// Repair crews ([`Crew`]); none: every repair starts at once.
    pub crews: Vec<Crew>,
    /// Partial failure modes of sites and links ([`PartialMode`]), in file
    /// order (each site's, then each link's).
    pub partials: Vec<PartialMode>,
    /// Fleet-wide operator commands ([`FleetCommand`]).
    pub fleet_commands: Vec<FleetCommand>,
}

/// A structural inconsistency found by [`Topology::from_parts`]. The file
/// loader catches all of these earlier with line numbers; this is the safety
/// net for code (importers, the TUI) that builds models directly.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("duplicate {kind} id '{id}'")]
    Duplicate { kind: &'static str, id: String },
    #[error("{kind} '{id}' refers to a {target} index {index} that does not exist")]
    Dangling {
        kind: &'static str,
        id: String,
        target: &'static str,
        index: usize,
    },
    #[error("link '{0}' connects a site to itself")]
    SelfLoop(String),
    #[error("{kind} '{id}': {message}")]
    Invalid {
        kind: &'static str,
        id: String,
        message: String,
    },
}

impl Topology {
    /// Checks every reference and value, then builds the lookup indices.
    pub fn from_parts(p: TopologyParts) -> Result<Topology, ModelError> {
        unique::<RegionId>("region", p.regions.iter().map(|r| &r.key))?;
        let site_index = unique("site", p.sites.iter().map(|s| &s.key))?;
        let link_index = unique("link", p.links.iter().map(|l| &l.key))?;
        unique::<u32>("shared-risk group", p.shared_risks.iter().map(|s| &s.key))?;
        unique::<u32>("release train", p.release_trains.iter().map(|s| &s.key))?;
        unique::<u32>("demand", p.demands.iter().map(|s| &s.key))?;
        unique::<u32>("surge", p.surges.iter().map(|s| &s.key))?;
        unique::<u32>("plan", p.plans.iter().map(|s| &s.key))?;
        unique::<u32>("service", p.services.iter().map(|s| &s.key))?;
        check_names(&p)?;
        check_services(&p)?;
        feedback::check_feedback(&p)?;
        partial::check_partials(&p)?;
        failback::check_failback(&p)?;
        fleet::check_fleet(&p)?;
        check_crews(&p)?;
        check_sites_and_links(&p)?;
        check_groups(&p)?;
        check_plans(&p)?;
        Ok(Topology {
            parts: p,
            site_index,
            link_index,
        })
    }

    /// Gives the parts back, e.g. to edit and rebuild.
    pub fn into_parts(self) -> TopologyParts {
        self.parts
    }

    pub fn site(&self, id: SiteId) -> &Site {
        &self.sites[id.index()]
    }
    pub fn link(&self, id: LinkId) -> &Link {
        &self.links[id.index()]
    }
    pub fn site_id(&self, key: &str) -> Option<SiteId> {
        self.site_index.get(key).copied()
    }
    /// Finds a site by id, or else by its display name when that is unique
    /// (imported networks are often addressed by city label). The error says
    /// what was looked for and suggests close matches.
    pub fn resolve_site(&self, text: &str) -> Result<SiteId, String> {
        if let Some(id) = self.site_id(text) {
            return Ok(id);
        }
        let by_name: Vec<SiteId> = self
            .site_ids()
            .filter(|&i| self.site(i).name.eq_ignore_ascii_case(text))
            .collect();
        match by_name.as_slice() {
            [one] => Ok(*one),
            [] => {
                let lower = text.to_ascii_lowercase();
                let close: Vec<String> = self
                    .sites
                    .iter()
                    .filter(|s| {
                        s.key.to_ascii_lowercase().contains(&lower)
                            || s.name.to_ascii_lowercase().contains(&lower)
                    })
                    .take(5)
                    .map(|s| format!("'{}' ({})", s.key, s.name))
                    .collect();
                if close.is_empty() {
                    Err(format!("no site with id or name '{text}'"))
                } else {
                    Err(format!(
                        "no site with id or name '{text}'; did you mean {}?",
                        close.join(", ")
                    ))
                }
            }
            many => Err(format!(
                "the name '{text}' matches {} sites ({}); use the site id",
                many.len(),
                many.iter()
                    .map(|&i| format!("'{}'", self.site(i).key))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
    pub fn link_id(&self, key: &str) -> Option<LinkId> {
        self.link_index.get(key).copied()
    }
    pub fn region_id(&self, key: &str) -> Option<RegionId> {
        position(self.regions.iter().map(|r| &r.key), key).map(RegionId)
    }
    pub fn shared_risk_id(&self, key: &str) -> Option<SharedRiskId> {
        position(self.shared_risks.iter().map(|r| &r.key), key).map(SharedRiskId)
    }
    pub fn plan_id(&self, key: &str) -> Option<PlanId> {
        position(self.plans.iter().map(|r| &r.key), key).map(PlanId)
    }
    pub fn plan(&self, id: PlanId) -> &Plan {
        &self.plans[id.index()]
    }
    /// Sites of a region, in file order.
    pub fn sites_in_region(&self, region: RegionId) -> impl Iterator<Item = SiteId> + '_ {
        self.sites
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.region == Some(region))
            .map(|(i, _)| SiteId(i as u32))
    }
    pub fn site_ids(&self) -> impl Iterator<Item = SiteId> {
        (0..self.sites.len() as u32).map(SiteId)
    }
    pub fn link_ids(&self) -> impl Iterator<Item = LinkId> {
        (0..self.links.len() as u32).map(LinkId)
    }
    /// How many of each main kind of part the model has, as summaries
    /// (`validate`, the report) list them: plural name and count.
    pub fn part_counts(&self) -> [(&'static str, usize); 7] {
        [
            ("sites", self.sites.len()),
            ("links", self.links.len()),
            ("regions", self.regions.len()),
            ("shared risks", self.shared_risks.len()),
            ("release trains", self.release_trains.len()),
            ("demands", self.demands.len()),
            ("plans", self.plans.len()),
        ]
    }
}

fn position<'a>(mut keys: impl Iterator<Item = &'a String>, key: &str) -> Option<u32> {
    keys.position(|k| k == key).map(|i| i as u32)
}

macro_rules! from_u32 {
    ($($t:ident),*) => { $(impl From<u32> for $t { fn from(v: u32) -> Self { $t(v) } })* };
}
from_u32!(
    SiteId,
    LinkId,
    RegionId,
    SharedRiskId,
    TrainId,
    DemandId,
    PlanId,
    ServiceId
);
