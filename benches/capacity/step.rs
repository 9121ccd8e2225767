//! The max-flow step per failure state, timed in this thread's CPU time, and
//! each case written out for NetGraph (`scripts/netgraph_baseline.py`).

use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use drsim::capacity::step::FlowStep;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

const STATES: usize = 20_000;
const SEED: u64 = 1;

/// CPU time of the calling thread, ns (`/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").expect("Linux schedstat");
    s.split_whitespace()
        .next()
        .and_then(|x| x.parse().ok())
        .expect("ns on CPU")
}

/// `STATES` sets of failed links, each link down with probability `q`.
fn states(m: usize, q: f64) -> Vec<Vec<u32>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(SEED);
    let thr = (q * (1u64 << 53) as f64).ceil() as u64;
    (0..STATES)
        .map(|_| {
            (0..m as u32)
                .filter(|_| (rng.next_u64() >> 11) < thr)
                .collect()
        })
        .collect()
}

/// CPU ns per state of `f` over every state, passes repeated to 0.5 s.
fn ns_per_state(states: &[Vec<u32>], mut f: impl FnMut(&[u32]) -> f64) -> f64 {
    let (start, mut passes, mut sink) = (thread_cpu_ns(), 0u64, 0.0);
    while passes == 0 || thread_cpu_ns() - start < 500_000_000 {
        sink += states.iter().map(|d| f(d)).sum::<f64>();
        passes += 1;
    }
    std::hint::black_box(sink);
    (thread_cpu_ns() - start) as f64 / (passes as f64 * states.len() as f64)
}

pub fn max_flow_step(c: &mut Criterion, dir: &Path, cases: &[(&str, &str, &str)]) {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/netgraph");
    std::fs::create_dir_all(&out).expect("creates target/netgraph");
    for &(net, from, to) in cases {
        let path = dir.join(format!("{net}.graphml"));
        if !path.exists() {
            eprintln!("skipping {net}: {} is absent", path.display());
            continue;
        }
        let mut g = c.benchmark_group(format!("step/{net}"));
        g.throughput(Throughput::Elements(STATES as u64));
        g.sample_size(10).measurement_time(Duration::from_secs(3));
        for q in [0.01, 0.1] {
            let (m, s, t) = super::load(&path, from, to, q).expect("loads and has both sites");
            let st = states(m.edges.len(), q);
            let mut fs = FlowStep::new(&m, s, t).expect("valid terminals");
            let flows: Vec<f64> = st.iter().map(|d| fs.solve(d)).collect();
            for (d, &f) in st.iter().zip(&flows) {
                assert_eq!(fs.step(d), f, "the intact shortcut changed a flow");
            }
            for (d, &f) in st.iter().zip(&flows) {
                let zero = fs.solve_from_zero(d);
                assert!((zero - f).abs() <= 1e-9 * f.max(1.0), "warm {f} vs {zero}");
            }
            let from_zero = ns_per_state(&st, |d| fs.solve_from_zero(d));
            let solve = ns_per_state(&st, |d| fs.solve(d));
            let step = ns_per_state(&st, |d| fs.step(d));
            eprintln!(
                "step {net} {from}->{to} q={q}: ns per max-flow, CPU time, one thread: \
                 {from_zero:.0} Dinic from zero, {solve:.0} warm start, \
                 {step:.0} warm start after the intact shortcut"
            );
            let case = serde_json::json!({
                "network": net, "from": from, "to": to, "q": q, "seed": SEED,
                "nodes": m.node_names, "s": s, "t": t,
                "edges": m.edges.iter().zip(&m.edge_capacity)
                    .map(|(&(a, b), &cap)| (a, b, cap)).collect::<Vec<_>>(),
                "states": st, "drsim_flows": flows,
                "drsim_ns_per_step": {
                    "dinic_from_zero": from_zero, "warm_start": solve, "warm_start_after_shortcut": step,
                },
            });
            let file = out.join(format!("{net}-q{q}.json"));
            std::fs::write(&file, case.to_string()).expect("writes the case");
            eprintln!("  wrote {}", file.display());
            g.bench_function(format!("q={q}/from-zero"), |b| {
                b.iter(|| st.iter().map(|d| fs.solve_from_zero(d)).sum::<f64>())
            });
            g.bench_function(format!("q={q}/warm"), |b| {
                b.iter(|| st.iter().map(|d| fs.solve(d)).sum::<f64>())
            });
        }
        g.finish();
    }
}
