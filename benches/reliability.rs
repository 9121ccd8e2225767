//! Static reliability estimators: crude throughput, turnip time to 1% RE
//! at u = 2e-9, and relative variance / work-normalized relative variance
//! (WNRV = RE^2 x seconds) of every estimator next to crude.
//!
//! Run: `cargo bench --bench reliability -- --quick`. The RV/WNRV table is
//! printed before the timed benchmarks.

use criterion::{Criterion as Bench, Throughput, criterion_group, criterion_main};
use drsim::reliability::instances::{dodecahedron, grid};
use drsim::reliability::{Criterion, EstimateOptions, Method, estimate};
use std::hint::black_box;
use std::time::Duration;

fn opts(method: Method, samples: u64) -> EstimateOptions {
    EstimateOptions::fixed(method, samples, 7)
}

fn rv_table() {
    let st = Criterion::TwoTerminal { s: 0, t: 19 };
    println!("instance                     method  u            RV/sample    s/sample     WNRV");
    for q in [0.1, 1e-3, 1e-6] {
        let m = dodecahedron(q);
        let exact = estimate(&m, &st, &opts(Method::Exact, 1))
            .unwrap()
            .unreliability;
        // Crude's RV is (1-u)/u exactly; its time per sample is measured.
        let crude = estimate(&m, &st, &opts(Method::Crude, 2_000_000)).unwrap();
        let crude_t = crude.seconds / crude.samples as f64;
        let crude_rv = (1.0 - exact) / exact;
        println!(
            "dodecahedron q={q:<8e}    crude   {exact:<12.4e} {crude_rv:<12.3e} {crude_t:<12.3e} {:.3e}",
            crude_rv * crude_t
        );
        let pmc = estimate(&m, &st, &opts(Method::Pmc, 200_000)).unwrap();
        let rv = pmc.relative_error.powi(2) * pmc.samples as f64;
        let t = pmc.seconds / pmc.samples as f64;
        println!(
            "dodecahedron q={q:<8e}    pmc     {:<12.4e} {rv:<12.3e} {t:<12.3e} {:.3e}",
            pmc.unreliability,
            rv * t
        );
    }
}

fn benches(c: &mut Bench) {
    rv_table();
    let st = Criterion::TwoTerminal { s: 0, t: 19 };
    let mut g = c.benchmark_group("crude");
    g.measurement_time(Duration::from_secs(3)).sample_size(10);
    let n = 100_000u64;
    g.throughput(Throughput::Elements(n));
    let d = dodecahedron(0.01);
    g.bench_function("dodecahedron_30_edges", |b| {
        b.iter(|| black_box(estimate(&d, &st, &opts(Method::Crude, n)).unwrap()))
    });
    // 23 x 23 lattice: 1,012 edges, corner to corner.
    let big = grid(23, 23, 0.01);
    let corners = Criterion::TwoTerminal {
        s: 0,
        t: 23 * 23 - 1,
    };
    let n_big = 10_000u64;
    g.throughput(Throughput::Elements(n_big));
    g.bench_function("grid23x23_1012_edges", |b| {
        b.iter(|| black_box(estimate(&big, &corners, &opts(Method::Crude, n_big)).unwrap()))
    });
    g.finish();

    let mut g = c.benchmark_group("turnip");
    g.measurement_time(Duration::from_secs(5)).sample_size(10);
    let d3 = dodecahedron(1e-3);
    g.bench_function("dodecahedron_q1e-3_to_1pct_re", |b| {
        b.iter(|| {
            let mut o = opts(Method::Pmc, 10_000);
            o.target_re = Some(0.01);
            black_box(estimate(&d3, &st, &o).unwrap())
        })
    });
    g.finish();

    let mut g = c.benchmark_group("exact");
    g.measurement_time(Duration::from_secs(3)).sample_size(10);
    g.bench_function("dodecahedron_two_terminal", |b| {
        b.iter(|| black_box(estimate(&d3, &st, &opts(Method::Exact, 1)).unwrap()))
    });
    let g6 = grid(6, 6, 1e-2);
    g.bench_function("grid6x6_all_terminal", |b| {
        b.iter(|| {
            black_box(estimate(&g6, &Criterion::AllTerminal, &opts(Method::Exact, 1)).unwrap())
        })
    });
    let g8 = grid(8, 8, 1e-2);
    g.bench_function("grid8x8_all_terminal", |b| {
        b.iter(|| {
            black_box(estimate(&g8, &Criterion::AllTerminal, &opts(Method::Exact, 1)).unwrap())
        })
    });
    g.finish();
}

criterion_group!(reliability, benches);
criterion_main!(reliability);
