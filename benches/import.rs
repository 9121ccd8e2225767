//! Import speed on the largest real network we have (Topology Zoo Kdl: 754
//! nodes, 899 edges) and the largest SNDlib demand set (germany50: 662
//! demands). Skipped (empty run) when shared/data is not next to the repo.

use criterion::{Criterion, criterion_group, criterion_main};
use drsim::io::import::ImportOptions;
use drsim::io::{graphml, sndlib};
use std::hint::black_box;
use std::path::Path;

fn bench(c: &mut Criterion) {
    // Next to the repository, or one level up from a git worktree.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(dir) = repo
        .ancestors()
        .skip(1)
        .take(2)
        .map(|a| a.join("shared/data/topologies"))
        .find(|d| d.is_dir())
    else {
        eprintln!("no shared/data/topologies next to {}", repo.display());
        return;
    };
    let opts = ImportOptions::default();
    if let Ok(text) = std::fs::read_to_string(dir.join("topology-zoo/Kdl.graphml")) {
        c.bench_function("graphml_kdl", |b| {
            b.iter(|| graphml::parse(black_box(&text), &opts))
        });
    }
    if let Ok(text) = std::fs::read_to_string(dir.join("sndlib/germany50.txt")) {
        c.bench_function("sndlib_germany50", |b| {
            b.iter(|| sndlib::parse(black_box(&text), &opts))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
