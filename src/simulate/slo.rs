//! The SLO forecast of a plan: the distribution of per-window availability,
//! the probability that a window misses its target and the error-budget
//! burn, from the per-window tallies of every trial. Windows of one trial
//! are correlated (a long outage spans two), so intervals are built over
//! trials: each trial's fraction of missed windows (or mean burn) is one
//! independent value. Definitions in docs/internals.md, "simulate/slo.rs".

use super::metrics::quantile;
use super::rolling::RollingTally;
use crate::model::Slo;
use crate::stats::{Estimate, clopper_pearson95};
use serde::Serialize;

/// A per-window figure over every window of every trial: its mean and
/// lower percentiles (nearest rank: `p1` is the value at or below which 1%
/// of windows fall).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WindowDistribution {
    pub mean: f64,
    pub p1: f64,
    pub p5: f64,
    pub p50: f64,
}

/// The forecast over a plan's SLO windows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SloReport {
    pub target: f64,
    /// As written, e.g. `"30d"`.
    pub window: String,
    pub threshold: f64,
    /// Calendar windows per trial (the trial's start to its last whole
    /// window).
    pub windows_per_trial: usize,
    /// Good time / window time.
    pub window_availability: WindowDistribution,
    /// Served requests / offered requests of the window (calendar windows
    /// only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_served_requests: Option<WindowDistribution>,
    /// Probability that a window misses the target (its availability below
    /// it): mean over trials of the fraction of the trial's windows missed.
    pub p_miss: Estimate,
    /// Fraction of a window's error budget, `(1 - target) x window`, its
    /// bad time consumes (1 = all of it; above 1 is a miss, so
    /// P(burn > 100%) is `p_miss`): mean over trials of the mean burn.
    pub error_budget_burn: Estimate,
    /// The p50 and p95 of the burn over all windows.
    pub burn_p50: f64,
    pub burn_p95: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_miss_probability: Option<f64>,
    /// Rolling windows: `windows_per_trial` counts the hourly grid of
    /// window end times the percentiles use; P(miss), the means and the
    /// burn are over every end time.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rolling: bool,
    /// Rolling windows: the probability that some window ending in a year
    /// misses (mean over trials of the share of their years with a miss).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_any_miss_per_year: Option<Estimate>,
}

/// Most SLO windows one plan's run may keep (two values each): as many as
/// the trial-years a run may hold, times the twelve 30-day windows a year.
pub const MAX_WINDOWS: usize = 12 * super::budget::MAX_TRIAL_YEARS;

/// Refuses a plan whose SLO window does not fit in a trial, or whose
/// windows would not fit in memory.
pub(crate) fn check_fits(
    plan: &crate::model::Plan,
    trials: usize,
    years: usize,
) -> Result<(), super::SimError> {
    let Some(slo) = &plan.targets.slo else {
        return Ok(());
    };
    let horizon = years as f64 * crate::units::SECONDS_PER_YEAR;
    let windows = ((horizon / slo.window.secs()) * (1.0 + 1e-12)).floor() as usize;
    if windows == 0 {
        return Err(super::SimError::BadConfig(format!(
            "plan '{}': its SLO window of {} is longer than a trial ({years} year(s) of 365 \
             days), so no window fits; simulate more years per trial or use a shorter window",
            plan.key, slo.window
        )));
    }
    // Rolling windows keep three values a trial and one histogram.
    if !slo.rolling && windows.saturating_mul(trials) > MAX_WINDOWS {
        return Err(super::SimError::BadConfig(format!(
            "plan '{}': {trials} trials x {windows} SLO windows of {} is more than {MAX_WINDOWS} \
             windows, which would not fit in memory; use fewer trials or a longer window",
            plan.key, slo.window
        )));
    }
    Ok(())
}

fn distribution(mut v: Vec<f64>) -> WindowDistribution {
    let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
    v.sort_by(f64::total_cmp);
    WindowDistribution {
        mean,
        p1: quantile(&v, 0.01),
        p5: quantile(&v, 0.05),
        p50: quantile(&v, 0.5),
    }
}

/// The mean of per-trial values with its 95% interval, clamped to `[0, hi]`.
/// When every trial gave the same value at the end of the range (no trial
/// missed a window, or every one missed all), the normal interval has no
/// width: the exact Clopper-Pearson interval of `k` such trials of `n`
/// bounds it instead (a window misses no more often than a trial has a
/// miss).
fn per_trial(values: &[f64], hi: f64) -> Estimate {
    let mut e = Estimate::of(values);
    let n = values.len() as u64;
    if e.se == 0.0 && (e.mean == 0.0 || e.mean == hi) && hi == 1.0 {
        let k = if e.mean == 0.0 { 0 } else { n };
        (e.lo, e.hi) = clopper_pearson95(k, n);
    }
    e.lo = e.lo.max(0.0);
    e.hi = e.hi.min(hi);
    e
}

/// P(a window misses) from each trial's fraction of windows missed, with
/// the 95% interval `run` reports.
pub fn p_miss_estimate(missed: &[f64]) -> Estimate {
    per_trial(missed, 1.0)
}

/// Each trial's fraction of windows whose bad time exceeds the budget
/// (availability below the target), from the `bad` seconds of every window.
fn missed_per_trial(slo: &Slo, trials: usize, bad: &[f64]) -> Vec<f64> {
    let k = (bad.len() / trials.max(1)).max(1);
    let budget = slo.budget_secs();
    bad.chunks(k)
        .map(|c| c.iter().filter(|&&x| x > budget).count() as f64 / k as f64)
        .collect()
}

impl super::RunData {
    /// Per trial of this run, the fraction of its windows that missed
    /// `slo`'s target (what P(miss) averages), for `check`'s decision; for
    /// rolling windows, the share of window end times that missed.
    pub fn windows_missed(&self, slo: &Slo) -> Vec<f64> {
        if slo.rolling {
            return self.rolling().missed;
        }
        let bad: Vec<f64> = self
            .batches
            .iter()
            .flat_map(|b| b.window_bad.iter().copied())
            .collect();
        missed_per_trial(slo, self.trials_held(), &bad)
    }

    /// Every SLO window of this run's trials, in trial order: its bad
    /// seconds and the lost fraction of its requests (empty without an
    /// SLO), for [`slo_forecast`] over several parts (the TUI's groups).
    pub fn windows(&self) -> (Vec<f64>, Vec<f64>) {
        let bad = self
            .batches
            .iter()
            .flat_map(|b| b.window_bad.iter().copied());
        let lost = self
            .batches
            .iter()
            .flat_map(|b| b.window_lost_frac.iter().copied());
        (bad.collect(), lost.collect())
    }

    /// The rolling-window results of this run's trials (empty without a
    /// rolling SLO).
    pub fn rolling(&self) -> RollingTally {
        let mut all = RollingTally::default();
        for b in &self.batches {
            all.append(&b.rolling);
        }
        all
    }
}

/// The forecast from `bad` seconds and `lost` request fractions of every
/// calendar window, `trials` trials of the same number of windows each, or
/// for a rolling SLO from `rolling`.
pub fn slo_forecast(
    slo: &Slo,
    trials: usize,
    bad: &[f64],
    lost: &[f64],
    rolling: &RollingTally,
) -> SloReport {
    if slo.rolling {
        return rolling_forecast(slo, rolling);
    }
    let k = bad.len() / trials.max(1);
    let w = slo.window.secs();
    let budget = slo.budget_secs();
    let missed = missed_per_trial(slo, trials, bad);
    let burn: Vec<f64> = bad
        .chunks(k.max(1))
        .map(|c| c.iter().sum::<f64>() / budget / k as f64)
        .collect();
    let mut burns: Vec<f64> = bad.iter().map(|x| x / budget).collect();
    burns.sort_by(f64::total_cmp);
    SloReport {
        target: slo.target.get(),
        window: slo.window.to_string(),
        threshold: slo.threshold,
        windows_per_trial: k,
        window_availability: distribution(bad.iter().map(|x| 1.0 - x / w).collect()),
        window_served_requests: Some(distribution(lost.iter().map(|x| 1.0 - x).collect())),
        p_miss: p_miss_estimate(&missed),
        error_budget_burn: per_trial(&burn, f64::INFINITY),
        burn_p50: quantile(&burns, 0.5),
        burn_p95: quantile(&burns, 0.95),
        max_miss_probability: slo.max_miss_probability.map(|p| p.get()),
        rolling: false,
        p_any_miss_per_year: None,
    }
}

/// The forecast over rolling windows (module `rolling`).
fn rolling_forecast(slo: &Slo, r: &RollingTally) -> SloReport {
    let w = slo.window.secs();
    let budget = slo.budget_secs();
    let mean_bad = r.mean_bad.iter().sum::<f64>() / r.trials().max(1) as f64;
    let avail = |q: f64| 1.0 - r.bad_fraction_quantile_from_top(q);
    let burn: Vec<f64> = r.mean_bad.iter().map(|x| x / budget).collect();
    SloReport {
        target: slo.target.get(),
        window: slo.window.to_string(),
        threshold: slo.threshold,
        windows_per_trial: r.grid_per_trial(),
        window_availability: WindowDistribution {
            mean: 1.0 - mean_bad / w,
            p1: avail(0.01),
            p5: avail(0.05),
            p50: avail(0.5),
        },
        window_served_requests: None,
        p_miss: p_miss_estimate(&r.missed),
        error_budget_burn: per_trial(&burn, f64::INFINITY),
        burn_p50: r.bad_fraction_quantile_from_top(0.5) * w / budget,
        burn_p95: r.bad_fraction_quantile_from_top(0.05) * w / budget,
        max_miss_probability: slo.max_miss_probability.map(|p| p.get()),
        rolling: true,
        p_any_miss_per_year: Some(per_trial(&r.any_year, 1.0)),
    }
}
