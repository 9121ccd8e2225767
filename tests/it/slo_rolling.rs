//! Rolling SLO windows against exact answers (issue 13 item 4). For one
//! exponential repairable site the window ending at `t` starts at
//! `s = t - W` up or down (down with probability `pi (1 - e^(-(λ+μ)s))`, the
//! trial starting up), and its downtime law given that is the calendar
//! window's (slo_windows.rs). P(a rolling window misses), the share of end
//! times `t` in `[W, H]` whose window misses, is that mixture averaged over
//! `s` in `[0, H - W]`: linear in the start-down probability, so exact with
//! its mean, the mean down fraction of `[0, H - W]`.

use super::slo_windows::{mean_down_fraction, one_site, p_downtime_over, run, slo};
use crate::common::model::trials_years_seed;
use crate::common::within;
use drsim::model::Slo;
use drsim::simulate::run_plan_data;
use drsim::units::SECONDS_PER_YEAR;

fn rolling(target: f64, window_days: f64) -> Slo {
    Slo {
        rolling: true,
        ..slo(target, window_days, 1.0)
    }
}

#[test]
fn rolling_p_miss_of_a_single_repairable_site_matches_the_series() {
    let day = 86_400.0;
    let (w, h) = (30.0 * day, SECONDS_PER_YEAR);
    for (k, (mtbf, mttr, target)) in [
        (200.0 * day, 3600.0, 0.999),
        (60.0 * day, 1800.0, 0.999),
        (10.0 * day, 7200.0, 0.99),
    ]
    .into_iter()
    .enumerate()
    {
        let t = one_site(mtbf, mttr, rolling(target, 30.0));
        let r = run(&t, 3000, 60 + k as u64);
        let s = r.slo.as_ref().expect("an SLO report");
        assert!(s.rolling && s.window_served_requests.is_none());
        // Window ends every hour from day 30 to day 365.
        assert_eq!(s.windows_per_trial, 335 * 24 + 1);
        let (lambda, mu) = (1.0 / mtbf, 1.0 / mttr);
        let b = (1.0 - target) * w;
        let down = mean_down_fraction(lambda, mu, h - w);
        let exact = (1.0 - down) * p_downtime_over(lambda, mu, w, b, true)
            + down * p_downtime_over(lambda, mu, w, b, false);
        assert!((0.05..0.5).contains(&exact), "setting {k}: {exact}");
        within(
            s.p_miss.mean,
            exact,
            s.p_miss.se,
            &format!("setting {k}: rolling P(miss)"),
        );
        eprintln!(
            "setting {k}: rolling P(miss) simulated {:.5} [{:.5}, {:.5}] se {:.2e}, exact {exact:.5}; \
             P(a year has a miss) {:.4}",
            s.p_miss.mean,
            s.p_miss.lo,
            s.p_miss.hi,
            s.p_miss.se,
            s.p_any_miss_per_year.as_ref().unwrap().mean
        );
        // Mean trailing down fraction: pi - pi (1 - e^(-rW)) (1 - e^(-rT)) / (r^2 W T).
        let (r_, pi, tt) = (lambda + mu, lambda / (lambda + mu), h - w);
        let mean_bad =
            pi - pi * (1.0 - (-r_ * w).exp()) * (1.0 - (-r_ * tt).exp()) / (r_ * r_ * w * tt);
        within(
            1.0 - s.window_availability.mean,
            mean_bad,
            s.error_budget_burn.se * (1.0 - target),
            &format!("setting {k}: rolling window availability"),
        );
        // The hourly-grid percentiles agree with the time share: more than
        // 5% of end times miss, so the p5 window is below the target.
        assert!(
            s.window_availability.p5 < target,
            "setting {k}: {:?}",
            s.window_availability
        );
        let any = s.p_any_miss_per_year.as_ref().unwrap();
        assert!(any.mean >= s.p_miss.mean && any.mean <= 1.0);
    }
}

/// Every calendar window is a rolling window (the one ending at its end),
/// so a trial whose calendar windows miss has a year with a rolling miss,
/// and a rolling time share above 0 means some rolling window missed.
#[test]
fn a_calendar_miss_is_a_rolling_miss_trial_by_trial() {
    let day = 86_400.0;
    let cal = slo(0.999, 30.0, 1.0);
    let t = one_site(60.0 * day, 1800.0, cal);
    let roll = one_site(60.0 * day, 1800.0, rolling(0.999, 30.0));
    let cfg = trials_years_seed(256, 1, 5);
    let c = run_plan_data(&t, 0, &cfg, drsim::shard::Shard::WHOLE, &|_| {}).unwrap();
    let r = run_plan_data(&roll, 0, &cfg, drsim::shard::Shard::WHOLE, &|_| {}).unwrap();
    let cal_missed = c.windows_missed(&cal);
    let tally = r.rolling();
    assert_eq!(tally.trials(), 256);
    let (mut calendar_misses, mut rolling_only) = (0, 0);
    for (i, &cal) in cal_missed.iter().enumerate() {
        if cal > 0.0 {
            calendar_misses += 1;
            assert_eq!(tally.any_year[i], 1.0, "trial {i}");
        } else if tally.any_year[i] > 0.0 {
            rolling_only += 1;
        }
        assert_eq!(tally.missed[i] > 0.0, tally.any_year[i] > 0.0, "trial {i}");
    }
    // The property was exercised, and rolling windows see misses that
    // straddle calendar boundaries.
    assert!(
        calendar_misses > 20 && rolling_only > 0,
        "{calendar_misses} {rolling_only}"
    );
    // Same bad time either way: the plan's downtime does not move.
    let a = run(&t, 256, 5);
    let b = run(&roll, 256, 5);
    assert_eq!(a.downtime_minutes_per_year, b.downtime_minutes_per_year);
}
