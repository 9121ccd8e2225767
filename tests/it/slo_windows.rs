//! SLO windows against exact answers (issue 13 item 4). One repairable
//! site with exponential failure (rate λ) and repair (rate μ): the downtime
//! of a window that starts up or down has a closed-form distribution (a
//! Poisson mixture of gamma tails, below), so P(a 30-day window misses its
//! target) is known exactly for every window of a trial that starts with
//! everything up; the simulator must match it within 4 of its standard
//! errors at three settings. Two sites of unequal demand pin the graded
//! threshold and the time-weighted served fraction.

use crate::common::model::{demand, plan, site, trials_years_seed};
use crate::common::within;
use drsim::model::*;
use drsim::simulate::{PlanReport, run_plan};
use drsim::units::{Duration, Probability, SECONDS_PER_YEAR};

fn exp_site(key: &str, mtbf: f64, mttr: f64) -> Site {
    site(
        key,
        None,
        Some(FailureProcess {
            ttf: Distribution::exponential(Duration::from_secs(mtbf).unwrap()).unwrap(),
            ttr: Distribution::exponential(Duration::from_secs(mttr).unwrap()).unwrap(),
        }),
    )
}

pub(crate) fn slo(target: f64, window_days: f64, threshold: f64) -> Slo {
    Slo {
        target: Probability::new(target).unwrap(),
        window: Duration::from_secs(window_days * 86_400.0).unwrap(),
        threshold,
        max_miss_probability: None,
        rolling: false,
    }
}

/// P(Poisson(x) >= k).
fn poisson_at_least(x: f64, k: usize) -> f64 {
    let (mut pmf, mut below) = ((-x).exp(), 0.0);
    for j in 0..k {
        below += pmf;
        pmf *= x / (j + 1) as f64;
    }
    (1.0 - below).max(0.0)
}

/// P(downtime in a window of `w` seconds exceeds `b`), for a two-state
/// chain that fails at rate `lambda` and is repaired at rate `mu`, starting
/// up (`up`) or down. The downtime clock reaches `b` at time `b + U`, where
/// `U` is the uptime spent before: while down for `b` in total, repairs
/// come as a Poisson process of rate `mu` (N ~ Poisson(mu b)), each
/// followed by a whole Exp(lambda) up period, plus the first up period
/// when the window starts up. So P(D > b) = sum_n P(N = n)
/// P(Gamma(n + up, lambda) < w - b), and P(Gamma(k, lambda) < x) =
/// P(Poisson(lambda x) >= k).
pub(crate) fn p_downtime_over(lambda: f64, mu: f64, w: f64, b: f64, up: bool) -> f64 {
    let m = mu * b;
    let mut pmf = (-m).exp();
    let mut p = 0.0;
    for n in 0..10_000 {
        p += pmf * poisson_at_least(lambda * (w - b), n + usize::from(up));
        pmf *= m / (n + 1) as f64;
        if n as f64 > m && pmf < 1e-18 {
            break;
        }
    }
    p
}

/// P(miss) averaged over the `k` windows of a trial that starts up: window
/// `i` starts down with probability `pi (1 - exp(-(lambda + mu) i w))`.
fn exact_p_miss(lambda: f64, mu: f64, w: f64, target: f64, k: usize) -> f64 {
    let b = (1.0 - target) * w;
    let (from_up, from_down) = (
        p_downtime_over(lambda, mu, w, b, true),
        p_downtime_over(lambda, mu, w, b, false),
    );
    let pi = lambda / (lambda + mu);
    (0..k)
        .map(|i| {
            let down = pi * (1.0 - (-(lambda + mu) * i as f64 * w).exp());
            (1.0 - down) * from_up + down * from_down
        })
        .sum::<f64>()
        / k as f64
}

/// Mean fraction of `[0, t]` a site that starts up spends down.
pub(crate) fn mean_down_fraction(lambda: f64, mu: f64, t: f64) -> f64 {
    let r = lambda + mu;
    lambda / r * (1.0 - (1.0 - (-r * t).exp()) / (r * t))
}

pub(crate) fn one_site(mtbf: f64, mttr: f64, s: Slo) -> Topology {
    let mut p = plan("p", &[0], PlanMode::ActiveActive, 1);
    p.targets.slo = Some(s);
    Topology::from_parts(TopologyParts {
        name: "one-site".into(),
        sites: vec![exp_site("a", mtbf, mttr)],
        demands: vec![demand(&[0])],
        plans: vec![p],
        ..TopologyParts::default()
    })
    .unwrap()
}

pub(crate) fn run(t: &Topology, trials: usize, seed: u64) -> PlanReport {
    run_plan(t, 0, &trials_years_seed(trials, 1, seed), &|_| {}).unwrap()
}

#[test]
fn p_miss_of_a_single_repairable_site_matches_the_markov_chain() {
    let day = 86_400.0;
    // (MTBF, MTTR, target): P(miss) about 7%, 13% and 33%.
    for (k, (mtbf, mttr, target)) in [
        (200.0 * day, 3600.0, 0.999),
        (60.0 * day, 1800.0, 0.999),
        (10.0 * day, 7200.0, 0.99),
    ]
    .into_iter()
    .enumerate()
    {
        let t = one_site(mtbf, mttr, slo(target, 30.0, 1.0));
        let r = run(&t, 3000, 40 + k as u64);
        let s = r.slo.as_ref().expect("an SLO report");
        assert_eq!(s.windows_per_trial, 12, "360 of the 365 days");
        let (lambda, mu, w) = (1.0 / mtbf, 1.0 / mttr, 30.0 * day);
        let exact = exact_p_miss(lambda, mu, w, target, 12);
        assert!((0.05..0.5).contains(&exact), "setting {k}: {exact}");
        within(
            s.p_miss.mean,
            exact,
            s.p_miss.se,
            &format!("setting {k}: P(miss)"),
        );
        eprintln!(
            "setting {k}: P(miss) simulated {:.5} [{:.5}, {:.5}] se {:.2e}, exact {exact:.5}",
            s.p_miss.mean, s.p_miss.lo, s.p_miss.hi, s.p_miss.se
        );
        // The mean window availability is 1 - the mean down fraction of
        // the 360 days the windows cover; its spread is the trial's.
        let mean_down = mean_down_fraction(lambda, mu, 12.0 * w);
        let se = r.availability_time.se * SECONDS_PER_YEAR / (12.0 * w);
        within(
            1.0 - s.window_availability.mean,
            mean_down,
            se,
            &format!("setting {k}: window availability"),
        );
        // The burn is downtime over the budget: its mean is the mean down
        // fraction over 1 - target.
        within(
            s.error_budget_burn.mean,
            mean_down / (1.0 - target),
            s.error_budget_burn.se,
            &format!("setting {k}: burn"),
        );
        // One demand, flat: time and requests agree window by window.
        assert!(
            (s.window_availability.p5 - s.window_served_requests.as_ref().unwrap().p5).abs() < 1e-9
        );
    }
}

/// The series above against a brute-force check: with no repair in sight
/// (mu tiny) a window that starts up misses when the first failure comes
/// before w - b, P = 1 - exp(-lambda (w - b)).
#[test]
fn the_window_series_has_the_right_limits() {
    let (lambda, w, b) = (1e-6, 2.592e6, 2592.0);
    let p = p_downtime_over(lambda, 1e-12, w, b, true);
    assert!((p - (1.0 - (-lambda * (w - b)).exp())).abs() < 1e-9, "{p}");
    // Starting down with no repair: downtime is the whole window.
    assert!((p_downtime_over(lambda, 1e-12, w, b, false) - 1.0).abs() < 1e-6);
    // Failures never come: never a miss from up.
    assert!(p_downtime_over(1e-15, 1e-3, w, b, true) < 1e-8);
}

/// Two sites, each the only entry and server of its own demand: 80% of the
/// requests at `a`, 20% at `b`. At threshold 0.7 an instant is bad only
/// while `a` is down; at 1 (all-or-nothing) while either is. The
/// time-weighted served fraction is 1 - 0.8 P(a down) - 0.2 P(b down).
#[test]
fn threshold_grades_downtime_and_served_fraction_weighs_requests() {
    let (mtbf, mttr) = (20.0 * 86_400.0, 6.0 * 3600.0);
    let (lambda, mu) = (1.0 / mtbf, 1.0 / mttr);
    let build = |threshold: Option<f64>| {
        let mut p = plan("p", &[0, 1], PlanMode::ActiveActive, 1);
        p.targets.slo = threshold.map(|th| slo(0.99, 30.0, th));
        let mut big = demand(&[0]);
        big.peak_rps = 80.0;
        let mut small = demand(&[1]);
        (small.key, small.name, small.peak_rps) = ("small".into(), "small".into(), 20.0);
        Topology::from_parts(TopologyParts {
            name: "two".into(),
            sites: vec![exp_site("a", mtbf, mttr), exp_site("b", mtbf, mttr)],
            demands: vec![big, small],
            plans: vec![p],
            ..TopologyParts::default()
        })
        .unwrap()
    };
    let q = mean_down_fraction(lambda, mu, SECONDS_PER_YEAR);
    let graded = run(&build(Some(0.7)), 2000, 7);
    let binary = run(&build(None), 2000, 7);
    let one = run(&build(Some(1.0)), 2000, 7);
    within(
        1.0 - graded.availability_time.mean,
        q,
        graded.availability_time.se,
        "graded downtime (a down)",
    );
    within(
        1.0 - binary.availability_time.mean,
        1.0 - (1.0 - q) * (1.0 - q),
        binary.availability_time.se,
        "all-or-nothing downtime (a or b down)",
    );
    // Threshold 1 is today's rule, to the bit.
    assert_eq!(one.availability_time, binary.availability_time);
    assert_eq!(
        one.downtime_minutes_per_year,
        binary.downtime_minutes_per_year
    );
    for r in [&graded, &binary] {
        within(
            1.0 - r.served_fraction_time.mean,
            q,
            r.served_fraction_time.se,
            "time-weighted unserved share 0.8 q + 0.2 q",
        );
        // Flat demands: request- and time-weighted agree.
        assert!((r.served_fraction_time.mean - r.availability_demand.mean).abs() < 1e-9);
    }
    let s = graded.slo.as_ref().unwrap();
    assert_eq!(s.threshold, 0.7);
    // The served share of requests in a window counts every lost request,
    // graded or not: below the graded time availability.
    assert!(s.window_served_requests.as_ref().unwrap().mean < s.window_availability.mean);
}

/// A window longer than a trial is refused, not reported empty.
#[test]
fn a_window_longer_than_the_trial_is_refused() {
    let t = one_site(86_400.0 * 100.0, 3600.0, slo(0.999, 400.0, 1.0));
    let e = run_plan(&t, 0, &trials_years_seed(10, 1, 1), &|_| {}).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("longer than a trial") && msg.contains("400d"),
        "{msg}"
    );
    // Two years hold one such window.
    let r = run_plan(&t, 0, &trials_years_seed(64, 2, 1), &|_| {}).unwrap();
    assert_eq!(r.slo.unwrap().windows_per_trial, 1);
}
