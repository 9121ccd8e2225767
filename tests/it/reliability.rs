//! Static reliability engine: closed forms, exhaustive enumeration, and
//! statistical agreement of every estimator with the exact value.

use drsim::reliability::{Criterion, Estimate, EstimateOptions, Method, estimate, exact};
use drsim::static_model::{Cause, Shock, StaticModel};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

fn opts(method: Method, samples: u64, seed: u64) -> EstimateOptions {
    EstimateOptions {
        method,
        samples,
        seed,
        ..EstimateOptions::default()
    }
}

fn exact_u(m: &StaticModel, c: &Criterion) -> f64 {
    estimate(m, c, &opts(Method::Exact, 1, 1))
        .unwrap()
        .unreliability
}

pub fn rel(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}

/// The dodecahedron with s = 0 and t = 19 antipodal (labeling of the
/// rare-event note, shifted to 0-based); shared with the benchmarks.
pub use drsim::reliability::instances::dodecahedron;

/// A k x k lattice.
fn grid(k: u32, q: f64) -> StaticModel {
    drsim::reliability::instances::grid(k, k, q)
}

fn two(s: u32, t: u32) -> Criterion {
    Criterion::TwoTerminal { s, t }
}

fn shock(prob: f64, nodes: Vec<u32>, edges: Vec<u32>) -> Shock {
    Shock {
        name: format!("s{nodes:?}{edges:?}"),
        cause: Cause::SharedRisk,
        prob,
        nodes,
        edges,
    }
}

// ---------- closed forms ----------

#[test]
fn series_path_two_terminal() {
    let q: f64 = 0.07;
    let m = StaticModel::graph(6, &[(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)], q);
    let want = 1.0 - (1.0 - q).powi(5);
    assert!(rel(exact_u(&m, &two(0, 5)), want) < 1e-12);
}

#[test]
fn parallel_edges_two_terminal() {
    let q: f64 = 1e-3;
    let m = StaticModel::graph(2, &[(0, 1), (0, 1), (0, 1), (0, 1)], q);
    assert!(rel(exact_u(&m, &two(0, 1)), q.powi(4)) < 1e-12);
}

#[test]
fn cycle_all_terminal() {
    let (n, q) = (7u32, 0.05f64);
    let edges: Vec<(u32, u32)> = (0..n).map(|i| (i, (i + 1) % n)).collect();
    let m = StaticModel::graph(n as usize, &edges, q);
    let p = 1.0 - q;
    let want = 1.0 - (p.powi(n as i32) + n as f64 * q * p.powi(n as i32 - 1));
    assert!(rel(exact_u(&m, &Criterion::AllTerminal), want) < 1e-12);
    // Two antipodal-ish terminals on the cycle: two disjoint paths of 3 and 4 edges.
    let want2 = (1.0 - p.powi(3)) * (1.0 - p.powi(4));
    assert!(rel(exact_u(&m, &two(0, 3)), want2) < 1e-12);
}

/// k-out-of-n through the service criterion: a hub (group) with n spokes to
/// n serving sites, quorum k.
fn k_out_of_n(n: u32, k: u32, q: f64) -> (StaticModel, Criterion) {
    let edges: Vec<(u32, u32)> = (1..=n).map(|i| (0, i)).collect();
    let m = StaticModel::graph(n as usize + 1, &edges, q);
    let c = Criterion::Service {
        groups: vec![vec![0]],
        targets: (1..=n).collect(),
        quorum: k,
        mode: drsim::model::PlanMode::ActiveActive,
    };
    (m, c)
}

fn binom_below(n: u32, k: u32, p_up: f64) -> f64 {
    let mut total = 0.0;
    for j in 0..k {
        let mut c = 1.0;
        for i in 0..j {
            c *= (n - i) as f64 / (i + 1) as f64;
        }
        total += c * p_up.powi(j as i32) * (1.0 - p_up).powi((n - j) as i32);
    }
    total
}

#[test]
fn k_out_of_n_service() {
    let (n, k, q) = (6, 4, 0.1);
    let (m, c) = k_out_of_n(n, k, q);
    assert!(rel(exact_u(&m, &c), binom_below(n, k, 1.0 - q)) < 1e-12);
}

#[test]
fn k4_all_terminal() {
    let q = 0.2f64;
    let p = 1.0 - q;
    let m = StaticModel::graph(4, &[(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)], q);
    let r = 16.0 * p.powi(3) - 33.0 * p.powi(4) + 24.0 * p.powi(5) - 6.0 * p.powi(6);
    assert!(rel(exact_u(&m, &Criterion::AllTerminal), 1.0 - r) < 1e-12);
}

#[test]
fn node_failure_in_series() {
    let m = {
        let mut m = StaticModel::graph(3, &[(0, 1), (1, 2)], 0.01);
        m.node_q = vec![0.0, 0.02, 0.0];
        m
    };
    let want = 1.0 - 0.99f64 * 0.99 * 0.98;
    assert!(rel(exact_u(&m, &two(0, 2)), want) < 1e-12);
}

#[test]
fn conduit_shock_is_a_single_point_of_failure() {
    // Two parallel links that share a conduit: u = p_conduit + (1-p) q^2.
    let mut m = StaticModel::graph(2, &[(0, 1), (0, 1)], 1e-3);
    m.shocks.push(shock(1e-4, vec![], vec![0, 1]));
    let want = 1e-4 + (1.0 - 1e-4) * 1e-6;
    assert!(rel(exact_u(&m, &two(0, 1)), want) < 1e-12);
}

#[test]
fn dodecahedron_exact_matches_reference() {
    // 2.006e-9 at q = 1e-3 and 2.000006e-18 at q = 1e-6 (rare-event note).
    let u3 = exact_u(&dodecahedron(1e-3), &two(0, 19));
    assert!(rel(u3, 2.006e-9) < 5e-4, "{u3:e}");
    let u6 = exact_u(&dodecahedron(1e-6), &two(0, 19));
    assert!(rel(u6, 2.000006e-18) < 1e-6, "{u6:e}");
}

// ---------- exhaustive enumeration ----------

/// Independent oracle: enumerate every node, edge and shock state, and test
/// the criterion with a plain graph search.
fn brute(m: &StaticModel, c: &Criterion) -> f64 {
    // (kind: 0 node, 1 edge, 2 shock; index; probability) of what can fail.
    let failing = |kind: u8, qs: &[f64]| -> Vec<(u8, usize, f64)> {
        let indexed = qs.iter().enumerate().filter(|x| *x.1 > 0.0);
        indexed.map(|(i, &q)| (kind, i, q)).collect()
    };
    let mut comps = failing(0, &m.node_q);
    comps.extend(failing(1, &m.edge_q));
    comps.extend(m.shocks.iter().enumerate().map(|(i, s)| (2, i, s.prob)));
    let mut down = 0.0;
    for mask in 0u64..(1 << comps.len()) {
        let mut w = 1.0;
        let mut nd = vec![false; m.n_nodes()];
        let mut ed = vec![false; m.n_edges()];
        for (j, &(kind, i, q)) in comps.iter().enumerate() {
            let d = mask >> j & 1 == 1;
            w *= if d { q } else { 1.0 - q };
            if d {
                match kind {
                    0 => nd[i] = true,
                    1 => ed[i] = true,
                    _ => {
                        m.shocks[i]
                            .nodes
                            .iter()
                            .for_each(|&v| nd[v as usize] = true);
                        m.shocks[i]
                            .edges
                            .iter()
                            .for_each(|&e| ed[e as usize] = true);
                    }
                }
            }
        }
        let reach = |from: u32| {
            let mut seen = vec![false; m.n_nodes()];
            if nd[from as usize] {
                return seen;
            }
            let mut stack = vec![from];
            seen[from as usize] = true;
            while let Some(v) = stack.pop() {
                for (e, &(a, b)) in m.edges.iter().enumerate() {
                    if ed[e] || nd[a as usize] || nd[b as usize] {
                        continue;
                    }
                    let w = if a == v {
                        b
                    } else if b == v {
                        a
                    } else {
                        continue;
                    };
                    if !seen[w as usize] {
                        seen[w as usize] = true;
                        stack.push(w);
                    }
                }
            }
            seen
        };
        let up = match c {
            Criterion::TwoTerminal { s, t } => reach(*s)[*t as usize],
            Criterion::AllTerminal => reach(0).iter().all(|&x| x),
            Criterion::Service {
                groups,
                targets,
                quorum,
                ..
            } => groups.iter().all(|g| {
                let mut seen = vec![false; m.n_nodes()];
                for &v in g {
                    for (i, r) in reach(v).into_iter().enumerate() {
                        seen[i] |= r;
                    }
                }
                targets.iter().filter(|&&t| seen[t as usize]).count() as u32 >= *quorum
            }),
            Criterion::Dependent(_) => unreachable!("these cases declare no services"),
        };
        if !up {
            down += w;
        }
    }
    down
}

fn random_model(
    rng: &mut Xoshiro256PlusPlus,
    n: u32,
    m_edges: usize,
    shocks: usize,
    nodes: bool,
) -> StaticModel {
    let mut edges = Vec::new();
    // A spanning path keeps most instances non-trivial.
    for v in 1..n {
        edges.push((rng.random_range(0..v), v));
    }
    while edges.len() < m_edges {
        let a = rng.random_range(0..n);
        let b = rng.random_range(0..n);
        if a != b {
            edges.push((a, b));
        }
    }
    let mut m = StaticModel::graph(n as usize, &edges, 0.0);
    for q in m.edge_q.iter_mut() {
        *q = rng.random_range(0.05..0.4);
    }
    if nodes {
        for q in m.node_q.iter_mut().skip(1) {
            if rng.random::<f64>() < 0.4 {
                *q = rng.random_range(0.02..0.2);
            }
        }
    }
    for _ in 0..shocks {
        let e1 = rng.random_range(0..m_edges as u32);
        let e2 = rng.random_range(0..m_edges as u32);
        let nodes = if rng.random::<f64>() < 0.3 {
            vec![rng.random_range(1..n)]
        } else {
            vec![]
        };
        m.shocks
            .push(shock(rng.random_range(0.01..0.2), nodes, vec![e1, e2]));
    }
    m
}

#[test]
fn exact_matches_exhaustive_enumeration_on_random_graphs() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
    for case in 0..24 {
        let shocks = case % 3;
        let nodes = case % 2 == 1;
        let m = random_model(&mut rng, 6, 9, shocks, nodes);
        let criteria = [
            two(0, 5),
            Criterion::AllTerminal,
            Criterion::Service {
                groups: vec![vec![0], vec![1, 2]],
                targets: vec![3, 4, 5],
                quorum: 2,
                mode: drsim::model::PlanMode::ActiveActive,
            },
        ];
        for c in &criteria {
            let want = brute(&m, c);
            let got = exact_u(&m, c);
            assert!(
                (got - want).abs() < 1e-12 * want.max(1e-300) + 1e-15,
                "case {case} {c:?}: {got} vs {want}"
            );
        }
    }
}

// ---------- estimators vs exact ----------

fn check_within(e: &Estimate, want: f64, what: &str) {
    // Crude: the Clopper-Pearson interval must cover. PMC: |est - exact| < 4 SE
    // (a 4-sigma miss has probability ~6e-5 per check under the normal limit).
    if e.method.contains("exact") {
        assert!(
            rel(e.unreliability, want) < 1e-12,
            "{what}: {e:?} vs {want}"
        );
    } else if e.method.contains("crude") {
        assert!(
            e.ci95_low <= want && want <= e.ci95_high,
            "{what}: {e:?} vs {want}"
        );
    } else {
        // The turnip can have zero variance (a star's repair rates do not
        // depend on the order), hence the rounding allowance.
        assert!(
            (e.unreliability - want).abs() < 4.0 * e.std_error + 1e-12 * want,
            "{what}: {e:?} vs {want}"
        );
    }
}

#[test]
fn estimators_agree_with_exact_on_five_graphs() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
    let mut cases: Vec<(StaticModel, Criterion)> = vec![
        (dodecahedron(0.1), two(0, 19)),
        (grid(4, 0.1), Criterion::AllTerminal),
        (grid(4, 0.05), two(0, 15)),
    ];
    cases.push((random_model(&mut rng, 8, 14, 3, true), two(0, 7)));
    cases.push((
        random_model(&mut rng, 7, 12, 4, false),
        Criterion::AllTerminal,
    ));
    let (m, c) = k_out_of_n(5, 3, 0.2);
    cases.push((m, c));
    for (i, (m, c)) in cases.iter().enumerate() {
        let want = exact_u(m, c);
        let crude = estimate(m, c, &opts(Method::Crude, 200_000, 3 + i as u64)).unwrap();
        check_within(&crude, want, &format!("crude case {i}"));
        let pmc = estimate(m, c, &opts(Method::Pmc, 20_000, 5 + i as u64)).unwrap();
        check_within(&pmc, want, &format!("pmc case {i}"));
        let auto = estimate(m, c, &opts(Method::Auto, 20_000, 9 + i as u64)).unwrap();
        check_within(&auto, want, &format!("auto case {i}"));
    }
}

#[test]
fn turnip_dodecahedron_rare_event() {
    turnip_reaches_two_percent(&dodecahedron(1e-3), &two(0, 19), 42);
}

/// The turnip with `--target-re 0.02` gets there and lands within 4 of its
/// reported standard errors of the exact answer.
fn turnip_reaches_two_percent(m: &StaticModel, c: &Criterion, seed: u64) {
    let want = exact_u(m, c);
    let mut o = opts(Method::Pmc, 10_000, seed);
    o.target_re = Some(0.02);
    let e = estimate(m, c, &o).unwrap();
    assert!(e.relative_error <= 0.02, "{e:?}");
    assert!(
        (e.unreliability - want).abs() < 4.0 * e.std_error,
        "{e:?} vs {want}"
    );
}

#[test]
fn turnip_with_shocks_rare_event() {
    let mut m = dodecahedron(1e-3);
    // Conduits pairing edges at s and at t, rarer than the links.
    m.shocks.push(shock(1e-5, vec![], vec![0, 1]));
    m.shocks.push(shock(1e-5, vec![], vec![28, 29]));
    m.shocks.push(shock(2e-6, vec![9], vec![]));
    turnip_reaches_two_percent(&m, &two(0, 19), 4);
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let m = dodecahedron(0.05);
    let c = two(0, 19);
    for method in [Method::Crude, Method::Pmc] {
        let run = |t: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap()
                .install(|| estimate(&m, &c, &opts(method, 50_000, 99)).unwrap())
        };
        let (a, b) = (run(1), run(2));
        assert_eq!(a.unreliability.to_bits(), b.unreliability.to_bits());
        assert_eq!(a.std_error.to_bits(), b.std_error.to_bits());
    }
}

#[test]
fn exact_refuses_too_many_shocks() {
    let mut m = StaticModel::graph(2, &[(0, 1)], 0.1);
    for _ in 0..25 {
        m.shocks.push(shock(0.01, vec![], vec![0]));
    }
    assert!(exact::unreliability(&m, &two(0, 1)).is_err());
}

#[test]
fn hypoexponential_tail_is_stable() {
    use drsim::reliability::turnip::hypoexp_tail;
    // Two rates: closed form (a e^{-b} - b e^{-a}) / (a - b).
    let (a, b) = (3.0f64, 1.0f64);
    let want = (a * (-b).exp() - b * (-a).exp()) / (a - b);
    assert!(rel(hypoexp_tail(&[a, b]), want) < 1e-12);
    // Equal rates: Erlang tail e^{-x}(1 + x + x^2/2) at x = 40.
    let x = 40.0f64;
    let want = (-x).exp() * (1.0 + x + x * x / 2.0);
    assert!(rel(hypoexp_tail(&[x, x, x]), want) < 1e-12);
    // Rates whose e^{-rate} is near the bottom of f64's range: closed form
    // e^{-650} (700 - 650 e^{-50}) / 50, evaluated in log space.
    let t = hypoexp_tail(&[700.0, 650.0]);
    let want = (-650.0f64 + (700.0f64 / 50.0 - 13.0 * (-50.0f64).exp()).ln()).exp();
    assert!(want > 0.0 && rel(t, want) < 1e-10, "{t:e} vs {want:e}");
    // Nearly equal rates, where partial fractions cancel: Erlang-2 limit.
    let t = hypoexp_tail(&[10.0, 10.0 + 1e-9]);
    assert!(rel(t, (-10.0f64).exp() * 11.0) < 1e-8, "{t:e}");
}

// ---------- importance and cut sets ----------

#[test]
fn birnbaum_importance_of_parallel_links_with_conduit() {
    use drsim::reliability::importance::importance;
    let (q1, q2, p) = (0.01, 0.02, 1e-3);
    let mut m = StaticModel::graph(2, &[(0, 1), (0, 1)], 0.0);
    m.edge_q = vec![q1, q2];
    m.shocks.push(shock(p, vec![], vec![0, 1]));
    let c = two(0, 1);
    let u = exact_u(&m, &c);
    let imp = importance(&m, &c, &opts(Method::Exact, 1, 1), u).unwrap();
    let get = |name: &str| imp.iter().find(|i| i.event.name == name).unwrap();
    // U(e0 down) - U(e0 up) = (p + (1-p) q2) - p.
    assert!(rel(get("edge:0-1").birnbaum, (1.0 - p) * q2) < 1e-9);
    // The conduit: 1 - (1-p)... U(shock) - U(no shock) = 1 - q1 q2.
    let s = imp.iter().find(|i| i.event.kind == "shared-risk").unwrap();
    assert!(rel(s.birnbaum, 1.0 - q1 * q2) < 1e-12);
    assert!(rel(s.criticality, (1.0 - q1 * q2) * p / u) < 1e-12);
}

#[test]
fn cut_sets_of_the_bridge_and_a_conduit_spof() {
    use drsim::reliability::importance::cut_sets;
    // s=0, a=1, b=2, t=3; edges sa, sb, ab, at, bt.
    let mut m = StaticModel::graph(4, &[(0, 1), (0, 2), (1, 2), (1, 3), (2, 3)], 0.01);
    let c = two(0, 3);
    let cuts = cut_sets(&m, &c, 3).unwrap();
    let mut got: Vec<Vec<String>> = cuts.iter().map(|c| c.events.clone()).collect();
    got.iter_mut().for_each(|c| c.sort());
    got.sort();
    let want: Vec<Vec<&str>> = vec![
        vec!["edge:0-1", "edge:0-2"],
        vec!["edge:0-1", "edge:1-2", "edge:2-3"],
        vec!["edge:0-2", "edge:1-2", "edge:1-3"],
        vec!["edge:1-3", "edge:2-3"],
    ];
    assert_eq!(got, want);
    // Both links out of s in one conduit: the conduit alone is a cut.
    m.shocks.push(Shock {
        name: "conduit".into(),
        cause: Cause::SharedRisk,
        prob: 1e-4,
        nodes: vec![],
        edges: vec![0, 1],
    });
    let cuts = cut_sets(&m, &c, 2).unwrap();
    assert_eq!(cuts[0].events, vec!["conduit".to_string()]);
    assert!(cuts.iter().skip(1).all(|c| c.events.len() == 2));
}

#[test]
fn bridges_and_articulation_points() {
    use drsim::reliability::importance::structure;
    // Triangle 0-1-2 plus a tail 2-3.
    let m = StaticModel::graph(4, &[(0, 1), (1, 2), (2, 0), (2, 3)], 0.1);
    let s = structure(&m);
    assert_eq!(s.bridges, vec!["2-3".to_string()]);
    assert_eq!(s.articulation_points, vec!["2".to_string()]);
}

// ---------- CTMC cross-check ----------

/// A repairable k-out-of-n system (each unit fails at rate lambda and has its
/// own repair crew at rate mu) solved as a birth-death CTMC on the number of
/// failed units: its steady-state unavailability must equal the static
/// unreliability with q = lambda / (lambda + mu).
#[test]
fn ctmc_steady_state_matches_static_k_out_of_n() {
    use nalgebra::{DMatrix, DVector};
    let (n, k, lambda, mu) = (5usize, 3u32, 0.02, 1.5);
    let s = n + 1;
    let mut q = DMatrix::<f64>::zeros(s, s);
    for j in 0..s {
        if j < n {
            q[(j, j + 1)] = (n - j) as f64 * lambda;
        }
        if j > 0 {
            q[(j, j - 1)] = j as f64 * mu;
        }
        let out: f64 = (0..s).filter(|&i| i != j).map(|i| q[(j, i)]).sum();
        q[(j, j)] = -out;
    }
    // pi Q = 0 with sum(pi) = 1: transpose and replace one balance equation.
    let mut a = q.transpose();
    for c in 0..s {
        a[(s - 1, c)] = 1.0;
    }
    let mut b = DVector::<f64>::zeros(s);
    b[s - 1] = 1.0;
    let pi = a.lu().solve(&b).unwrap();
    // Down when fewer than k units work, i.e. more than n - k failed.
    let ctmc: f64 = (0..s)
        .filter(|&j| ((n - j) as u32) < k)
        .map(|j| pi[j])
        .sum();
    let (m, c) = k_out_of_n(n as u32, k, lambda / (lambda + mu));
    assert!(
        rel(exact_u(&m, &c), ctmc) < 1e-9,
        "{} vs {ctmc}",
        exact_u(&m, &c)
    );
}

#[test]
fn turnip_grid_all_terminal_rare_event() {
    // 5x5 lattice, all-terminal, u ~ 8 q^2 (two-edge corner cuts) ~ 8e-6.
    turnip_reaches_two_percent(&grid(5, 1e-3), &Criterion::AllTerminal, 8);
}

/// `auto` takes crude Monte Carlo when a first crude batch shows the event
/// is not rare (at least 1%), and the turnip when it is; both on a lattice
/// too wide for exact enumeration.
#[test]
fn auto_prefers_crude_unless_the_event_is_rare() {
    let lattice = |q| drsim::reliability::instances::grid(23, 23, q);
    let common = lattice(0.05);
    let e = estimate(
        &common,
        &Criterion::AllTerminal,
        &opts(Method::Auto, 20_000, 4),
    )
    .unwrap();
    assert_eq!(e.method, "auto:crude");
    assert!(e.unreliability > 0.01, "{}", e.unreliability);
    let rare = lattice(1e-3);
    let e = estimate(&rare, &Criterion::AllTerminal, &opts(Method::Auto, 500, 4)).unwrap();
    assert_eq!(e.method, "auto:pmc");
    assert!(e.unreliability < 1e-4, "{}", e.unreliability);
}
