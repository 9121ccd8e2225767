//! Crude Monte Carlo of "is the plan down at a random instant?", on top of
//! any what-if failures the user forces, for the TUI's live convergence view.
//!
//! Each sample draws one state of a [`StaticModel`] (independent site and link
//! failures plus common-cause shocks) and asks [`crate::eval`] whether the plan
//! serves. Work is split into fixed-size batches; batch `b` uses its own
//! xoshiro stream (`jump_ce(b, 128)`), so a seed fixes every tally whatever
//! order or thread the batches run on.

use crate::eval::{Components, FailedSet, plan_serves_with};
use crate::model::{LinkId, PlanId, SiteId, Topology};
use crate::static_model::StaticModel;
use rand::RngExt;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// Two-sided 95% normal quantile for the Wilson interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Draws one random instant of `m` on top of `forced` into `out`.
pub fn sample_state<R: rand::Rng + ?Sized>(
    m: &StaticModel,
    forced: &FailedSet,
    rng: &mut R,
    out: &mut FailedSet,
) {
    out.clone_from(forced);
    for (i, &q) in m.node_q.iter().enumerate() {
        if q > 0.0 && rng.random::<f64>() < q {
            out.fail_site(SiteId(i as u32));
        }
    }
    for (j, &q) in m.edge_q.iter().enumerate() {
        if q > 0.0 && rng.random::<f64>() < q {
            out.fail_link(LinkId(j as u32));
        }
    }
    for s in &m.shocks {
        if rng.random::<f64>() < s.prob {
            for &n in &s.nodes {
                out.fail_site(SiteId(n));
            }
            for &e in &s.edges {
                out.fail_link(LinkId(e));
            }
        }
    }
}

/// Samples and plan-down counts of one batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    pub samples: u64,
    pub down: u64,
}

/// Runs batch `batch` of `size` samples with the stream fixed by
/// `(seed, batch)`.
pub fn run_batch(
    t: &Topology,
    plan: PlanId,
    m: &StaticModel,
    forced: &FailedSet,
    seed: u64,
    batch: u64,
    size: u64,
) -> Tally {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    rng.jump_ce(batch, 128);
    let mut state = forced.clone();
    let mut down = 0;
    for _ in 0..size {
        sample_state(m, forced, &mut rng, &mut state);
        if !plan_serves_with(t, plan, &Components::new(t, &state)).is_up() {
            down += 1;
        }
    }
    Tally {
        samples: size,
        down,
    }
}

/// The running estimate of P(plan down) after some samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub samples: u64,
    pub down: u64,
    pub p_down: f64,
    /// Standard error of `p_down`, `sqrt(p(1-p)/n)`.
    pub std_error: f64,
    /// 95% Wilson score interval, which stays inside [0, 1] and is not
    /// degenerate when no failure has been seen yet.
    pub ci95: (f64, f64),
}

impl Estimate {
    pub fn from_counts(samples: u64, down: u64) -> Estimate {
        let n = samples.max(1) as f64;
        let p = down as f64 / n;
        let z2 = Z95 * Z95;
        let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
        let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
        Estimate {
            samples,
            down,
            p_down: p,
            std_error: (p * (1.0 - p) / n).sqrt(),
            ci95: ((centre - half).max(0.0), (centre + half).min(1.0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use crate::static_model::Shock;

    /// The path topology of `eval`'s tests, rebuilt here: 0 - 1 - 2 - 3,
    /// entry at 0, serving {1, 2, 3} with quorum 2.
    fn path() -> Topology {
        let site = |k: &str| Site {
            key: k.into(),
            name: k.into(),
            region: None,
            location: None,
            capacity_rps: 1.0,
            failure: None,
        };
        let link = |a: u32, b: u32| Link {
            key: format!("l{a}{b}"),
            a: SiteId(a),
            b: SiteId(b),
            capacity_gbps: 1.0,
            length_km: None,
            latency_ms: None,
            failure: None,
        };
        let d = crate::units::Duration::from_secs(1.0).unwrap();
        Topology::from_parts(TopologyParts {
            name: "path".into(),
            sites: vec![site("s0"), site("s1"), site("s2"), site("s3")],
            links: vec![link(0, 1), link(1, 2), link(2, 3)],
            demands: vec![Demand {
                key: "d".into(),
                name: "d".into(),
                entry_sites: vec![SiteId(0)],
                users: 1.0,
                peak_rps: 1.0,
                profile: [1.0; 24],
                kbit_per_request: 1.0,
            }],
            plans: vec![Plan {
                key: "p".into(),
                name: "p".into(),
                serving_sites: vec![SiteId(1), SiteId(2), SiteId(3)],
                mode: PlanMode::ActiveActive,
                replicas: 3,
                quorum: 2,
                detection: d,
                switchover: d,
                replication: Replication::Sync,
                backup_interval: None,
                headroom: 0.0,
                cost_per_year: 0.0,
                operator_error_factor: 1.0,
                targets: Targets::default(),
            }],
            ..Default::default()
        })
        .unwrap()
    }

    fn model() -> StaticModel {
        let mut m = StaticModel::graph(4, &[(0, 1), (1, 2), (2, 3)], 0.05);
        m.node_q = vec![0.1, 0.2, 0.15, 0.3];
        m.shocks.push(Shock {
            name: "cut".into(),
            cause: crate::static_model::Cause::SharedRisk,
            prob: 0.1,
            nodes: vec![],
            edges: vec![1],
        });
        m
    }

    /// P(down) by enumerating all 2^8 states of 4 sites, 3 links and 1 shock.
    fn exact_p_down(t: &Topology, m: &StaticModel, forced: &FailedSet) -> f64 {
        let qs: Vec<f64> = m
            .node_q
            .iter()
            .chain(&m.edge_q)
            .chain(m.shocks.iter().map(|s| &s.prob))
            .copied()
            .collect();
        let mut p_down = 0.0;
        for mask in 0u32..(1 << qs.len()) {
            let mut f = forced.clone();
            let mut w = 1.0;
            for (i, q) in qs.iter().enumerate() {
                let hit = mask >> i & 1 == 1;
                w *= if hit { *q } else { 1.0 - q };
                if hit {
                    match i {
                        0..4 => f.fail_site(SiteId(i as u32)),
                        4..7 => f.fail_link(LinkId(i as u32 - 4)),
                        _ => f.fail_link(LinkId(1)),
                    }
                }
            }
            if !crate::eval::plan_serves(t, PlanId(0), &f).is_up() {
                p_down += w;
            }
        }
        p_down
    }

    /// 200k samples against exact enumeration; |est - exact| < 4 SE fails by
    /// chance with probability about 6e-5 (and the seed is fixed).
    #[test]
    fn agrees_with_exact_enumeration_within_4_se() {
        let t = path();
        let m = model();
        for forced_site in [None, Some(SiteId(3))] {
            let mut forced = FailedSet::none(&t);
            if let Some(s) = forced_site {
                forced.fail_site(s);
            }
            let exact = exact_p_down(&t, &m, &forced);
            let (mut n, mut d) = (0, 0);
            for b in 0..20 {
                let tally = run_batch(&t, PlanId(0), &m, &forced, 7, b, 10_000);
                n += tally.samples;
                d += tally.down;
            }
            let e = Estimate::from_counts(n, d);
            assert!(
                (e.p_down - exact).abs() < 4.0 * e.std_error,
                "forced {forced_site:?}: est {} exact {exact} se {}",
                e.p_down,
                e.std_error
            );
            assert!(e.ci95.0 <= e.p_down && e.p_down <= e.ci95.1);
        }
    }

    #[test]
    fn a_seed_and_batch_fix_the_tally() {
        let t = path();
        let m = model();
        let f = FailedSet::none(&t);
        let a = run_batch(&t, PlanId(0), &m, &f, 1, 3, 5000);
        assert_eq!(a, run_batch(&t, PlanId(0), &m, &f, 1, 3, 5000));
        assert_ne!(a, run_batch(&t, PlanId(0), &m, &f, 1, 4, 5000));
    }

    #[test]
    fn wilson_interval_is_sane_at_zero_and_matches_a_hand_value() {
        let e = Estimate::from_counts(100, 0);
        assert_eq!(e.p_down, 0.0);
        assert!(e.ci95.0.abs() < 1e-15);
        // Wilson upper bound for 0/100 is z²/(n+z²) = 0.0370.
        assert!((e.ci95.1 - Z95 * Z95 / (100.0 + Z95 * Z95)).abs() < 1e-12);
        let e = Estimate::from_counts(1000, 500);
        assert!((e.std_error - (0.25f64 / 1000.0).sqrt()).abs() < 1e-15);
    }
}
