//! In-memory model pieces for tests that build a `Topology` in code (the
//! simulator and common-random-number tests): plain defaults, so a test
//! states only what it is about.

use drsim::model::*;
use drsim::units::{Duration, Probability};

pub fn hours(h: f64) -> Duration {
    Duration::from_hours(h).unwrap()
}

/// Exponential failures every `mtbf_h` hours on average, repairs of median
/// `mttr_h` hours (lognormal, sigma 0.8).
pub fn process(mtbf_h: f64, mttr_h: f64) -> Option<FailureProcess> {
    Some(FailureProcess {
        ttf: Distribution::exponential(hours(mtbf_h)).unwrap(),
        ttr: Distribution::lognormal(hours(mttr_h), 0.8).unwrap(),
    })
}

/// A conduit under `links`, cut every `mtbf_h` hours on average
/// (exponential) and repaired in exactly `mttr_h` hours.
pub fn conduit(links: &[u32], mtbf_h: f64, mttr_h: f64) -> SharedRisk {
    SharedRisk {
        key: "conduit".into(),
        name: "conduit".into(),
        kind: RiskKind::Conduit,
        sites: vec![],
        links: links.iter().map(|&l| LinkId(l)).collect(),
        destroys: false,
        failure: FailureProcess {
            ttf: Distribution::exponential(hours(mtbf_h)).unwrap(),
            ttr: Distribution::fixed(hours(mttr_h)),
        },
    }
}

/// A site that carries any load (1e9 rps).
pub fn site(key: &str, region: Option<u32>, failure: Option<FailureProcess>) -> Site {
    Site {
        key: key.into(),
        name: key.into(),
        region: region.map(RegionId),
        location: None,
        capacity_rps: 1e9,
        failure,
        gray: None,
    }
}

/// A 100 Gbit/s link `l{a}-{b}`.
pub fn link(a: u32, b: u32, failure: Option<FailureProcess>) -> Link {
    Link {
        key: format!("l{a}-{b}"),
        a: SiteId(a),
        b: SiteId(b),
        capacity_gbps: 100.0,
        length_km: None,
        latency_ms: None,
        failure,
    }
}

/// 1000 users at a flat 100 rps entering at `entries`.
pub fn demand(entries: &[u32]) -> Demand {
    Demand {
        key: "users".into(),
        name: "users".into(),
        entry_sites: entries.iter().map(|&s| SiteId(s)).collect(),
        users: 1000.0,
        peak_rps: 100.0,
        profile: [1.0; 24],
        kbit_per_request: 1.0,
    }
}

/// A plan with no load effects (huge headroom), zero failover time, one
/// synchronous replica and a daily backup.
pub fn plan(key: &str, serving: &[u32], mode: PlanMode, quorum: u32) -> Plan {
    Plan {
        key: key.into(),
        name: key.into(),
        serving_sites: serving.iter().map(|&s| SiteId(s)).collect(),
        mode,
        replicas: 1,
        quorum,
        detection: Duration::ZERO,
        switchover: Duration::ZERO,
        replication: Replication::Sync,
        backup_interval: Some(hours(24.0)),
        data: Default::default(),
        headroom: 100.0,
        cost_per_year: 1.0,
        operator_error_factor: 1.0,
        targets: Targets::default(),
        serves: None,
        retry: None,
        warmup: None,
        failback: Default::default(),
    }
}

/// `SimConfig { trials, years, seed }` on one line, named so a call says
/// which number is which.
pub fn trials_years_seed(trials: usize, years: usize, seed: u64) -> drsim::simulate::SimConfig {
    drsim::simulate::SimConfig {
        trials,
        years,
        seed,
    }
}

/// The error the simulator gives for plan 0 of `t` under `cfg` (which must
/// be refused).
pub fn run_refusal(t: &Topology, cfg: &drsim::simulate::SimConfig) -> String {
    drsim::simulate::run_plan_data(t, 0, cfg, drsim::shard::Shard::WHOLE, &|_| {})
        .unwrap_err()
        .to_string()
}

/// A release train "train" over `sites` that canaries at `canary`, with
/// `per_year` releases of which `bad` are bad and the canary catches
/// `catch`; detection and rollback take 1 h unless a test sets them.
pub fn release_train(
    sites: &[u32],
    canary: &[u32],
    per_year: f64,
    bad: f64,
    catch: f64,
) -> ReleaseTrain {
    ReleaseTrain {
        key: "train".into(),
        name: "train".into(),
        sites: sites.iter().map(|&s| SiteId(s)).collect(),
        canary_sites: canary.iter().map(|&s| SiteId(s)).collect(),
        releases_per_year: per_year,
        bad_release_probability: Probability::new(bad).unwrap(),
        canary_catch: Probability::new(catch).unwrap(),
        detection: Distribution::fixed(hours(1.0)),
        rollback: Distribution::fixed(hours(1.0)),
        waves: Vec::new(),
        trigger: None,
        services: Vec::new(),
        recovery: None,
        corrupts: Default::default(),
        instances: None,
    }
}
