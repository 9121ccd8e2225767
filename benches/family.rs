//! The generated family (`benches/family/generate.rs`: 50, 200, 1,000 and
//! 5,000 sites at fixed per-site densities) through each engine: `run`
//! (trial-years of plan `aa`), crude and auto `reliability` (samples of
//! `aa`'s service) and `capacity` (s-t max-flow samples between two serving
//! sites).
//!
//! Run: `cargo bench --bench family -- --quick` (criterion, wall time), or
//! `cargo bench --bench family -- --emit DIR` to write the family's TOML
//! files (and its bandwidth variant's, `family-bw-N.toml`) for
//! `benches/family.sh`, which measures CPU time per unit of work
//! through the CLI (against a baseline binary too) and the growth exponent.

use criterion::{Criterion, Throughput};
use drsim::capacity::{CapacityOptions, simulate};
use drsim::model::Topology;
use drsim::reliability::{Criterion as Up, EstimateOptions, Method, estimate};
use drsim::simulate::{SimConfig, run_plan};
use drsim::static_model::{Overrides, StaticModel};
use std::hint::black_box;
use std::path::Path;

#[path = "family/generate.rs"]
mod generate;
use generate::{SIZES, family_bandwidth_toml, family_toml};

/// The seed of every family member.
const SEED: u64 = 1;

fn member(sites: usize) -> Topology {
    let text = family_toml(sites, SEED);
    drsim::io::load_str(&text, Path::new(&format!("family-{sites}.toml")))
        .expect("the generated family loads")
        .topology
}

fn emit(dir: &Path) {
    std::fs::create_dir_all(dir).expect("creates the output directory");
    for n in SIZES {
        let path = dir.join(format!("family-{n}.toml"));
        std::fs::write(&path, family_toml(n, SEED)).expect("writes the file");
        println!("{}", path.display());
        // The bandwidth variant (links that bind), for `benches/family.sh`.
        let path = dir.join(format!("family-bw-{n}.toml"));
        std::fs::write(&path, family_bandwidth_toml(n, SEED)).expect("writes the file");
        println!("{}", path.display());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(k) = args.iter().position(|a| a == "--emit") {
        let dir = args.get(k + 1).expect("--emit DIR");
        return emit(Path::new(dir));
    }
    let mut c = Criterion::default().configure_from_args();
    for n in SIZES {
        let topo = member(n);
        let aa = topo.plan_id("aa").expect("plan aa");
        let mut g = c.benchmark_group(format!("family/{n}"));
        g.sample_size(10);
        // About a second of work each at the sizes the engines handle today.
        let trials = (200_000 / n).clamp(2, 2_000);
        g.throughput(Throughput::Elements(trials as u64));
        let cfg = SimConfig {
            trials,
            years: 1,
            seed: SEED,
        };
        g.bench_function("run/trial-years", |b| {
            b.iter(|| black_box(run_plan(&topo, aa.index(), &cfg, &|_| {}).unwrap()))
        });
        let model = StaticModel::for_plan(&topo, aa, Overrides::default()).unwrap();
        let up = Up::service(&topo, aa).unwrap();
        let samples = (20_000_000 / n as u64).max(1_000);
        g.throughput(Throughput::Elements(samples));
        let opts = EstimateOptions::fixed(Method::Crude, samples, SEED);
        g.bench_function("reliability-crude/samples", |b| {
            b.iter(|| black_box(estimate(&model, &up, &opts).unwrap()))
        });
        // What auto picks (the turnip for a rare service), fewer samples.
        let samples = (200_000 / n as u64).max(40);
        g.throughput(Throughput::Elements(samples));
        let opts = EstimateOptions::fixed(Method::Auto, samples, SEED);
        g.bench_function("reliability-auto/samples", |b| {
            b.iter(|| black_box(estimate(&model, &up, &opts).unwrap()))
        });
        let plan = topo.plan(aa);
        let (s, t) = (plan.serving_sites[0].0, plan.serving_sites[1].0);
        let links = StaticModel::from_topology(&topo, Overrides::default()).unwrap();
        let samples = (20_000_000 / n as u64).max(1_000);
        g.throughput(Throughput::Elements(samples));
        let opts = CapacityOptions {
            samples,
            seed: SEED,
            threshold: None,
        };
        g.bench_function("capacity/samples", |b| {
            b.iter(|| black_box(simulate(&links, s, t, &opts).unwrap()))
        });
        g.finish();
    }
    c.final_summary();
}
