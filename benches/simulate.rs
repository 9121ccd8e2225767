//! Trial-years per second of the time-based simulator on a 15-site,
//! 5-region topology and a generated 200-site one, on 1 and 2 worker
//! threads (labels end in `/1t`, `/2t`).
//! Also every plan of `topologies/global-messaging.toml` when it exists.
//! Run: `cargo bench --bench simulate -- --quick`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use drsim::model::*;
use drsim::simulate::{SimConfig, run_plan};
use drsim::units::{Duration, Probability};

/// The integration tests' model pieces; the bench uses only some of them.
#[allow(dead_code)]
#[path = "../tests/it/common/model.rs"]
mod model;
use model::{conduit, hours, process};

/// `regions` regions of `per_region` sites; a ring through every site plus
/// chords every `chord` sites; a few demands; one active-active plan over
/// one site per region (up to `serving`).
fn topology(regions: usize, per_region: usize, chord: usize, serving: usize) -> Topology {
    let n = regions * per_region;
    let regions_v = (0..regions)
        .map(|r| Region {
            key: format!("r{r}"),
            name: format!("r{r}"),
            hazards: vec![Hazard {
                kind: "quake".into(),
                events: EventProcess {
                    annual_rate: 0.05,
                    duration: Distribution::weibull(1.5, hours(72.0)).unwrap(),
                },
                site_hit_probability: Probability::new(0.7).unwrap(),
                destroys: None,
            }],
        })
        .collect();
    let sites: Vec<Site> = (0..n)
        .map(|i| Site {
            key: format!("s{i}"),
            name: format!("s{i}"),
            region: Some(RegionId((i / per_region) as u32)),
            location: None,
            capacity_rps: 50_000.0,
            failure: process(2.0 * 8760.0, 4.0),
            gray: None,
        })
        .collect();
    let mut links = Vec::new();
    let mut add = |a: usize, b: usize| {
        links.push(Link {
            key: format!("l{}", links.len()),
            a: SiteId(a as u32),
            b: SiteId(b as u32),
            capacity_gbps: 100.0,
            length_km: None,
            latency_ms: None,
            failure: process(8760.0 / 3.0, 8.0),
        })
    };
    for i in 0..n {
        add(i, (i + 1) % n);
        if i % chord == 0 {
            add(i, (i + n / 2) % n);
        }
    }
    let shared_risks = vec![conduit(&[0, 1], 5.0 * 8760.0, 24.0)];
    let serving_sites: Vec<SiteId> = (0..serving.min(regions))
        .map(|r| SiteId((r * per_region) as u32))
        .collect();
    let release_trains = vec![ReleaseTrain {
        key: "backend".into(),
        name: "backend".into(),
        sites: serving_sites.clone(),
        canary_sites: vec![serving_sites[0]],
        releases_per_year: 52.0,
        bad_release_probability: Probability::new(0.05).unwrap(),
        canary_catch: Probability::new(0.7).unwrap(),
        detection: Distribution::fixed(hours(0.25)),
        rollback: Distribution::fixed(hours(0.5)),
        waves: Vec::new(),
        trigger: None,
        services: Vec::new(),
        recovery: None,
        corrupts: Default::default(),
        instances: None,
    }];
    let demands = (0..3)
        .map(|d| Demand {
            key: format!("d{d}"),
            name: format!("d{d}"),
            entry_sites: vec![SiteId((d * n / 3 + 1) as u32)],
            users: 1e7,
            peak_rps: 20_000.0,
            profile: std::array::from_fn(|h| 0.5 + 0.5 * ((h + 8 * d) % 24) as f64 / 23.0),
            kbit_per_request: 10.0,
        })
        .collect();
    let q = serving_sites.len() as u32 / 2;
    Topology::from_parts(TopologyParts {
        name: format!("bench-{n}"),
        regions: regions_v,
        sites,
        links,
        shared_risks,
        release_trains,
        operator_errors: Some(OperatorErrors {
            events: EventProcess {
                annual_rate: 2.0,
                duration: Distribution::fixed(hours(1.0)),
            },
        }),
        demands,
        plans: vec![Plan {
            key: "aa".into(),
            name: "aa".into(),
            serving_sites,
            mode: PlanMode::ActiveActive,
            replicas: 3,
            quorum: q.max(1),
            detection: hours(0.05),
            switchover: hours(0.1),
            replication: Replication::Async {
                lag: Duration::from_secs(2.0).unwrap(),
            },
            backup_interval: Some(hours(24.0)),
            data: Default::default(),
            headroom: 0.3,
            cost_per_year: 1e7,
            operator_error_factor: 0.5,
            targets: Targets::default(),
            serves: None,
            retry: None,
            warmup: None,
            failback: Default::default(),
        }],
        ..TopologyParts::default()
    })
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let pools: Vec<(usize, rayon::ThreadPool)> = [1, 2]
        .into_iter()
        .map(|n| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap();
            (n, pool)
        })
        .collect();
    let mut cases = vec![
        ("15-sites", topology(5, 3, 3, 5), 0, 2_000usize),
        ("200-sites", topology(20, 10, 7, 10), 0, 256),
    ];
    // The bundled default topology (17 sites), when run from the crate root.
    let gm = std::path::Path::new("topologies/global-messaging.toml");
    if let Ok(t) = drsim::io::load_path(gm) {
        for (i, p) in t.plans.iter().enumerate() {
            let label: &'static str =
                Box::leak(format!("global-messaging/{}", p.key).into_boxed_str());
            cases.push((label, t.clone(), i, 2_000));
        }
    }
    for (label, topo, plan, trials) in cases {
        let mut g = c.benchmark_group("simulate");
        g.throughput(Throughput::Elements(trials as u64));
        g.sample_size(10);
        let cfg = SimConfig {
            trials,
            years: 1,
            seed: 1,
        };
        for (threads, pool) in &pools {
            g.bench_function(format!("{label}/{threads}t"), |b| {
                b.iter(|| pool.install(|| run_plan(&topo, plan, &cfg, &|_| {}).unwrap()))
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
