//! Random (topology, plan, failure state) cases for the property tests that
//! hold every engine's fast path to the rule (test builds only).

use super::rule::{Active, Outcome, ServiceRule};
use super::state::FailedSet;
use crate::model::*;
use crate::units::Duration;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rand::{Rng, RngExt, SeedableRng};

/// One case: a topology with one plan, a failure state, and an active site
/// choice for active-passive plans (`None`: no site active).
pub(crate) struct Case {
    pub topo: Topology,
    pub failed: FailedSet,
    pub active: Option<usize>,
}

/// A random small multigraph (2-9 sites, parallel links allowed) with 1-3
/// demands, a plan of either mode over a random subset of sites with random
/// capacities and headroom, and a random failure state.
pub(crate) fn case<R: Rng>(rng: &mut R) -> Case {
    let n = rng.random_range(2..10u32);
    let m = rng.random_range(0..2 * n);
    let sites = (0..n)
        .map(|i| Site {
            key: format!("s{i}"),
            name: format!("s{i}"),
            region: None,
            location: None,
            capacity_rps: [50.0, 100.0, 400.0][rng.random_range(0..3usize)],
            failure: None,
            gray: None,
        })
        .collect();
    let links = (0..m)
        .map(|j| {
            let a = rng.random_range(0..n);
            let b = (a + rng.random_range(1..n)) % n;
            Link {
                key: format!("l{j}"),
                a: SiteId(a),
                b: SiteId(b),
                capacity_gbps: 100.0,
                length_km: None,
                latency_ms: None,
                failure: None,
            }
        })
        .collect();
    let pick = |rng: &mut R, k: u32| -> Vec<SiteId> {
        let mut all: Vec<u32> = (0..n).collect();
        for i in 0..all.len() {
            let j = rng.random_range(i..all.len());
            all.swap(i, j);
        }
        all.truncate(k as usize);
        all.into_iter().map(SiteId).collect()
    };
    let n_demands = rng.random_range(1..4u32);
    let demands = (0..n_demands)
        .map(|d| Demand {
            key: format!("d{d}"),
            name: format!("d{d}"),
            entry_sites: {
                let k = rng.random_range(1..=n.min(3));
                pick(rng, k)
            },
            users: 1.0,
            peak_rps: rng.random_range(10.0..200.0),
            profile: [1.0; 24],
            kbit_per_request: 1.0,
        })
        .collect();
    let k = rng.random_range(1..=n);
    let serving = pick(rng, k);
    let mode = if rng.random::<bool>() {
        PlanMode::ActiveActive
    } else {
        PlanMode::ActivePassive
    };
    let quorum = match mode {
        PlanMode::ActiveActive => rng.random_range(1..=serving.len() as u32),
        PlanMode::ActivePassive => 1,
    };
    let active = match mode {
        PlanMode::ActivePassive if rng.random::<f64>() < 0.9 => {
            Some(rng.random_range(0..serving.len()))
        }
        _ => None,
    };
    let plan = Plan {
        key: "p".into(),
        name: "p".into(),
        replicas: serving.len() as u32,
        serving_sites: serving,
        mode,
        quorum,
        detection: Duration::from_secs(30.0).unwrap(),
        switchover: Duration::from_secs(60.0).unwrap(),
        replication: Replication::Sync,
        backup_interval: None,
        data: Default::default(),
        headroom: [0.0, 0.25, 1.0][rng.random_range(0..3usize)],
        cost_per_year: 0.0,
        operator_error_factor: 1.0,
        targets: Targets::default(),
        serves: None,
        retry: None,
        warmup: None,
        failback: Default::default(),
    };
    let topo = Topology::from_parts(TopologyParts {
        name: "random".into(),
        sites,
        links,
        demands,
        plans: vec![plan],
        ..Default::default()
    })
    .expect("a valid random topology");
    let q = rng.random_range(0.05..0.5);
    let site_down: Vec<bool> = (0..n).map(|_| rng.random::<f64>() < q).collect();
    let link_down: Vec<bool> = (0..m).map(|_| rng.random::<f64>() < q).collect();
    Case {
        failed: FailedSet::from_down(&site_down, &link_down),
        topo,
        active,
    }
}

/// A [`case`] whose plan serves a front end with dependencies: 0-2
/// regions over the sites, 1-4 services on 1-3 sites each, each requiring
/// 0-2 random services (cycles and self-dependencies included) with random
/// needs and reach, a front end on the serving sites with data-plane and
/// control dependencies, and each service down as a whole w.p. 0.15.
pub(crate) fn case_with_services<R: Rng>(rng: &mut R) -> Case {
    let base = case(rng);
    let mut p = base.topo.into_parts();
    let n = p.sites.len() as u32;
    let n_regions = rng.random_range(0..3u32);
    p.regions = (0..n_regions)
        .map(|r| Region {
            key: format!("r{r}"),
            name: format!("r{r}"),
            hazards: Vec::new(),
        })
        .collect();
    for site in &mut p.sites {
        if n_regions > 0 && rng.random::<f64>() < 0.7 {
            site.region = Some(RegionId(rng.random_range(0..n_regions)));
        }
    }
    let k = rng.random_range(1..5usize);
    let mut instances: Vec<Vec<SiteId>> = (0..k)
        .map(|_| {
            let mut all: Vec<u32> = (0..n).collect();
            for i in 0..all.len() {
                let j = rng.random_range(i..all.len());
                all.swap(i, j);
            }
            all.truncate(rng.random_range(1..=n.min(3)) as usize);
            all.into_iter().map(SiteId).collect()
        })
        .collect();
    instances.push(p.plans[0].serving_sites.clone());
    let deps = |rng: &mut R, most: usize| -> Vec<Dependency> {
        (0..rng.random_range(0..=most))
            .map(|_| {
                let j = rng.random_range(0..k);
                Dependency {
                    service: ServiceId(j as u32),
                    needs: rng.random_range(1..=instances[j].len() as u32),
                    reach: [Reach::Site, Reach::Region, Reach::Anywhere]
                        [rng.random_range(0..3usize)],
                }
            })
            .collect()
    };
    let mut services: Vec<Service> = Vec::new();
    for (i, sites) in instances.iter().enumerate() {
        let requires = deps(rng, 2);
        let control = if i == k { deps(rng, 1) } else { Vec::new() };
        services.push(Service {
            key: format!("v{i}"),
            name: format!("v{i}"),
            sites: sites.clone(),
            needs: 1,
            reach: Reach::Anywhere,
            requires,
            control,
            failure: None,
            recovery: None,
            bootstrap: None,
        });
    }
    p.services = services;
    p.plans[0].serves = Some(ServiceId(k as u32));
    let mut failed = FailedSet::from_down(base.failed.sites_down(), base.failed.links_down());
    for i in 0..=k {
        if rng.random::<f64>() < 0.15 {
            failed.fail_service(ServiceId(i as u32));
        }
    }
    Case {
        topo: Topology::from_parts(p).expect("a valid random topology with services"),
        failed,
        active: base.active,
    }
}

/// Runs `check` on 10,000 random cases, each with the rule's [`Outcome`]
/// for the case's plan and the active-site choice `active` makes: the one
/// harness of every "fast path agrees with the rule" property test
/// (proptest drives the seeds, so a failure names the seed that reproduces
/// it).
pub(crate) fn check_against_rule(
    active: impl Fn(&Case) -> Active,
    check: impl Fn(&Case, &Outcome) -> Result<(), TestCaseError>,
) {
    check_rule_cases(case, active, check);
}

/// [`check_against_rule`] on cases whose plan serves a front end with
/// dependencies ([`case_with_services`]).
pub(crate) fn check_services_against_rule(
    active: impl Fn(&Case) -> Active,
    check: impl Fn(&Case, &Outcome) -> Result<(), TestCaseError>,
) {
    check_rule_cases(case_with_services, active, check);
}

fn check_rule_cases(
    make: fn(&mut rand_xoshiro::Xoshiro256PlusPlus) -> Case,
    active: impl Fn(&Case) -> Active,
    check: impl Fn(&Case, &Outcome) -> Result<(), TestCaseError>,
) {
    check_cases(make, |c| {
        let rule = ServiceRule::new(&c.topo, PlanId(0)).evaluate(&c.failed, active(c));
        check(c, &rule)
    });
}

/// Runs `check` on 10,000 random cases drawn by `make` (proptest drives
/// the seeds, so a failure names the seed that reproduces it).
fn check_cases(
    make: fn(&mut rand_xoshiro::Xoshiro256PlusPlus) -> Case,
    check: impl Fn(&Case) -> Result<(), TestCaseError>,
) {
    let mut runner = TestRunner::new(Config::with_cases(10_000));
    let result = runner.run(&proptest::prelude::any::<u64>(), |seed| {
        check(&make(&mut rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(
            seed,
        )))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Gives the links of `t` the bandwidths `gbps` in a fixed pattern (by
/// link index and site count), so that some are thin enough to bind.
pub(crate) fn pattern_links(t: &mut Topology, gbps: [f64; 4]) {
    let n = t.sites.len();
    for (j, l) in t.links.iter_mut().enumerate() {
        l.capacity_gbps = gbps[(j * 7 + n) % 4];
    }
}

/// Requests/s served when each pool `(its demands, its capacity)` serves
/// min(its peak demand, its capacity): even shedding, links ignored, as the
/// simulator's fast path serves.
pub(crate) fn pools_served_rps<'a>(
    t: &Topology,
    pools: impl Iterator<Item = (&'a [u32], f64)>,
) -> f64 {
    pools
        .map(|(demands, capacity)| {
            let want: f64 = demands
                .iter()
                .map(|&d| t.demands[d as usize].peak_rps)
                .sum();
            want.min(capacity)
        })
        .sum()
}
