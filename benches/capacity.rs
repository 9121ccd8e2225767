//! Samples per second of the capacity Monte Carlo on Topology Zoo networks
//! (Geant2012 UK->GR, Cogentco New York->Los Angeles) at q = 0.01 and 0.1
//! with 1 and 2 threads. Reads `topologies/zoo/` (or `$DRSIM_ZOO`) and
//! skips a network with a message when its file is absent. Links
//! without `LinkSpeedRaw` get the import default (100 Gbit/s).
//!
//! Also the demand-level view (`capacity --demand`) on the bundled
//! global-messaging topology with its own failure model, and with every
//! site and link at q = 0.01 (far more failure states need a max-flow).
//!
//! `step`: the max-flow step alone on the same two networks, per failure
//! state (20,000 states, every link down with probability q), one thread;
//! writes each case to `target/netgraph/NET-qQ.json` for
//! `scripts/netgraph_baseline.py`, which times NetGraph on the same states.

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput};
use drsim::capacity::{CapacityOptions, simulate};
use drsim::static_model::{Overrides, StaticModel};
use drsim::units::Probability;

#[path = "capacity/step.rs"]
mod step;

/// The network as `drsim capacity` sees it with `--link-failure q`.
fn load(path: &Path, from: &str, to: &str, q: f64) -> Option<(StaticModel, u32, u32)> {
    let topo = drsim::io::load_path(path).ok()?;
    let (s, t) = (topo.resolve_site(from).ok()?, topo.resolve_site(to).ok()?);
    let o = Overrides {
        link_failure: Probability::new(q),
        node_failure: Some(Probability::ZERO),
    };
    Some((StaticModel::from_topology(&topo, o).ok()?, s.0, t.0))
}

fn zoo_dir() -> PathBuf {
    std::env::var_os("DRSIM_ZOO").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("topologies/zoo"),
        PathBuf::from,
    )
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let dir = zoo_dir();
    let cases = [
        ("Geant2012", "UK", "GR"),
        ("Cogentco", "New York", "Los Angeles"),
    ];
    const SAMPLES: u64 = 200_000;
    for (net, from, to) in cases {
        let path = dir.join(format!("{net}.graphml"));
        if !path.exists() {
            eprintln!("skipping {net}: {} is absent", path.display());
            continue;
        }
        let mut g = c.benchmark_group(format!("capacity/{net}"));
        g.throughput(Throughput::Elements(SAMPLES));
        g.sample_size(10);
        for q in [0.01, 0.1] {
            let (m, s, t) = load(&path, from, to, q).expect("loads and has both sites");
            for threads in [1, 2] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let opts = CapacityOptions {
                    samples: SAMPLES,
                    seed: 1,
                    threshold: None,
                };
                let r = pool.install(|| simulate(&m, s, t, &opts).unwrap());
                eprintln!(
                    "{net} {from}->{to} q={q} threads={threads}: intact {} mean {:.4} p_zero {:.3e} solves {} ({:.0} samples/s single run)",
                    r.intact_flow,
                    r.mean_flow,
                    r.p_zero,
                    r.cost.max_flow_solves,
                    r.cost.samples_per_second
                );
                g.bench_function(format!("q={q}/threads={threads}"), |b| {
                    b.iter(|| pool.install(|| simulate(&m, s, t, &opts).unwrap()))
                });
            }
        }
        g.finish();
    }
    demand_view(&mut c);
    step::max_flow_step(&mut c, &dir, &cases);
    c.final_summary();
}

fn demand_view(c: &mut Criterion) {
    use drsim::capacity::served::{ServedOptions, simulate_served};
    const SAMPLES: u64 = 1_000_000;
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("topologies/global-messaging.toml");
    let topo = drsim::io::load_path(&path).expect("bundled topology loads");
    let mut g = c.benchmark_group("served/global-messaging");
    g.throughput(Throughput::Elements(SAMPLES));
    g.sample_size(10);
    for plan_key in ["global-mesh", "active-active-5"] {
        let plan = topo.plan_id(plan_key).expect("bundled plan");
        for (label, o) in [
            ("own-rates", Overrides::default()),
            (
                "q=0.01",
                Overrides {
                    link_failure: Probability::new(0.01),
                    node_failure: Probability::new(0.01),
                },
            ),
        ] {
            let m = StaticModel::for_plan(&topo, plan, o).expect("static model");
            let opts = ServedOptions {
                samples: SAMPLES,
                seed: 1,
                threshold: Some(0.9),
                demand_at: drsim::capacity::served::DemandAt::Peak,
            };
            for threads in [1, 2] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let r = pool.install(|| simulate_served(&topo, plan, &m, &opts).unwrap());
                eprintln!(
                    "served {plan_key} {label} threads={threads}: mean {:.6} P(<1) {:.3e} solves {} ({:.0} samples/s single run)",
                    r.mean_served, r.p_shortfall, r.cost.max_flow_solves, r.cost.samples_per_second
                );
                g.bench_function(format!("{plan_key}/{label}/threads={threads}"), |b| {
                    b.iter(|| pool.install(|| simulate_served(&topo, plan, &m, &opts).unwrap()))
                });
            }
        }
    }
    g.finish();
}
