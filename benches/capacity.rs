//! Samples per second of the capacity Monte Carlo on Topology Zoo networks
//! (Geant2012 UK->GR, Cogentco New York->Los Angeles) at q = 0.01 and 0.1
//! with 1 and 2 threads. Reads `../shared/data/topologies/topology-zoo/`
//! (or `$DRSIM_ZOO`) and skips with a message when it is absent.

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput};
use drsim::failure::StaticModel;
use drsim::flow::{CapacityOptions, simulate};

/// Minimal GraphML reader for the bench only: node labels, edges, and
/// `LinkSpeedRaw` (bit/s) as Gbit/s, else 100 Gbit/s.
fn load(path: &Path) -> Option<(StaticModel, Vec<String>)> {
    let text = std::fs::read_to_string(path).ok()?;
    let doc = roxmltree::Document::parse(&text).ok()?;
    let key = |name: &str, dom: &str| {
        doc.descendants()
            .find(|n| {
                n.has_tag_name("key")
                    && n.attribute("attr.name") == Some(name)
                    && n.attribute("for") == Some(dom)
            })
            .and_then(|n| n.attribute("id"))
            .map(str::to_string)
    };
    let (label_key, speed_key) = (key("label", "node"), key("LinkSpeedRaw", "edge"));
    let data = |n: roxmltree::Node, k: &Option<String>| {
        n.children()
            .find(|c| c.has_tag_name("data") && c.attribute("key") == k.as_deref())
            .and_then(|c| c.text())
            .map(str::to_string)
    };
    let mut ids = Vec::new();
    let mut labels = Vec::new();
    for n in doc.descendants().filter(|n| n.has_tag_name("node")) {
        ids.push(n.attribute("id")?.to_string());
        labels.push(data(n, &label_key).unwrap_or_default());
    }
    let idx = |s: &str| ids.iter().position(|i| i == s).map(|p| p as u32);
    let mut edges = Vec::new();
    let mut caps = Vec::new();
    for e in doc.descendants().filter(|n| n.has_tag_name("edge")) {
        edges.push((idx(e.attribute("source")?)?, idx(e.attribute("target")?)?));
        caps.push(
            data(e, &speed_key)
                .and_then(|s| s.parse::<f64>().ok())
                .map_or(100.0, |b| b / 1e9),
        );
    }
    let mut m = StaticModel::graph(ids.len(), &edges, 0.0);
    m.edge_capacity = caps;
    Some((m, labels))
}

fn zoo_dir() -> PathBuf {
    std::env::var_os("DRSIM_ZOO").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/data/topologies/topology-zoo")
        },
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
        let Some((base, labels)) = load(&path) else {
            eprintln!("skipping {net}: cannot read {}", path.display());
            continue;
        };
        let pos = |l: &str| labels.iter().position(|x| x == l).unwrap() as u32;
        let (s, t) = (pos(from), pos(to));
        let mut g = c.benchmark_group(format!("capacity/{net}"));
        g.throughput(Throughput::Elements(SAMPLES));
        g.sample_size(10);
        for q in [0.01, 0.1] {
            let mut m = base.clone();
            m.edge_q = vec![q; m.n_edges()];
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
                    r.intact_flow, r.mean_flow, r.p_zero, r.max_flow_solves, r.samples_per_second
                );
                g.bench_function(format!("q={q}/threads={threads}"), |b| {
                    b.iter(|| pool.install(|| simulate(&m, s, t, &opts).unwrap()))
                });
            }
        }
        g.finish();
    }
    c.final_summary();
}
