//! What a trial records, how batches of trials are combined, and the per-plan
//! report with its 95% confidence intervals (mean ± 1.96 standard errors over
//! independent trials; Wilson's interval for the one-year probability of a
//! long outage). The definitions (downtime, both availabilities, outage
//! episodes, data lost, attribution) are in docs/internals.md,
//! "simulate/metrics.rs".

use crate::static_model::Cause;
use crate::units::SECONDS_PER_YEAR;
use serde::Serialize;

use super::trial::LONG_OUTAGE_SECS;

pub use crate::stats::Estimate;

/// Downtime slots per cause: [`Cause::ALL`] then [`Cause::WhatIf`].
pub(crate) const N_CAUSE_SLOTS: usize = Cause::ALL.len() + 1;

/// Metrics of one trial, reused between trials.
#[derive(Clone, Debug, Default)]
pub(crate) struct TrialRecord {
    pub year_down: Vec<f64>,
    pub year_long: Vec<bool>,
    pub lost_requests: f64,
    pub user_secs_lost: f64,
    pub data_lost_secs: f64,
    /// Incidents of the trial that lost all data (no backup survived).
    pub total_losses: u32,
    /// Writes lost by each incident that lost some but not all (seconds);
    /// accumulates across the trials of a batch, like `episodes`.
    pub data_incidents: Vec<f64>,
    pub cause_secs: [f64; N_CAUSE_SLOTS],
    pub unattributed_secs: f64,
    pub component_secs: Vec<f64>,
    pub episodes: Vec<f64>,
    /// Seconds-weighted share of offered requests unserved (the
    /// time-weighted served fraction's complement, times the horizon).
    pub lost_share_secs: f64,
    /// Downtime seconds of the trial so far (by the plan's SLO threshold).
    pub bad_secs: f64,
    /// Per SLO window: bad seconds and lost requests.
    pub window_bad: Vec<f64>,
    pub window_lost: Vec<f64>,
    /// Bad time as sorted disjoint spans (kept for rolling SLO windows
    /// only).
    pub bad_spans: Vec<(f64, f64)>,
}

impl TrialRecord {
    pub fn new(n_components: usize) -> TrialRecord {
        TrialRecord {
            component_secs: vec![0.0; n_components],
            ..TrialRecord::default()
        }
    }

    /// Clears per-trial fields; component seconds and episodes accumulate
    /// across the trials of a batch.
    pub fn reset(&mut self, years: usize, windows: usize) {
        self.lost_share_secs = 0.0;
        self.bad_secs = 0.0;
        self.window_bad.clear();
        self.window_bad.resize(windows, 0.0);
        self.window_lost.clear();
        self.window_lost.resize(windows, 0.0);
        self.bad_spans.clear();
        self.year_down.clear();
        self.year_down.resize(years, 0.0);
        self.year_long.clear();
        self.year_long.resize(years, false);
        self.lost_requests = 0.0;
        self.user_secs_lost = 0.0;
        self.data_lost_secs = 0.0;
        self.total_losses = 0;
    }

    /// An incident lost `secs` of writes (a bounded loss).
    pub fn data_loss(&mut self, secs: f64) {
        self.data_lost_secs += secs;
        self.data_incidents.push(secs);
    }

    pub fn end_episode(&mut self, start: f64, end: f64) {
        let len = end - start;
        self.episodes.push(len);
        if len > LONG_OUTAGE_SECS {
            let years = self.year_long.len();
            let y = ((start / SECONDS_PER_YEAR) as usize).min(years - 1);
            self.year_long[y] = true;
        }
    }
}

/// The results of one batch of trials, in trial order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
pub(crate) struct BatchOut {
    /// Downtime seconds of every simulated year.
    pub year_down: Vec<f64>,
    pub year_long: Vec<bool>,
    /// Per trial: downtime seconds per year, lost fraction of requests,
    /// user-minutes lost per year, data-lost minutes per year, fraction of
    /// years with a long outage.
    pub trial_down: Vec<f64>,
    pub trial_lost_frac: Vec<f64>,
    pub trial_user_min: Vec<f64>,
    pub trial_data_min: Vec<f64>,
    pub trial_long_frac: Vec<f64>,
    /// Per trial: incidents a year that lost all data.
    #[serde(default)]
    pub trial_total_losses: Vec<f64>,
    /// Writes lost (seconds) by each incident with a bounded loss.
    #[serde(default)]
    pub data_incidents: Vec<f64>,
    /// Per trial: time-weighted unserved share of requests.
    #[serde(default)]
    pub trial_lost_share: Vec<f64>,
    /// Per SLO window of every trial, in trial order: bad seconds and the
    /// lost fraction of the window's requests (empty without an SLO).
    #[serde(default)]
    pub window_bad: Vec<f64>,
    #[serde(default)]
    pub window_lost_frac: Vec<f64>,
    /// Rolling SLO windows of every trial (empty without a rolling SLO).
    #[serde(default, skip_serializing_if = "super::RollingTally::is_empty")]
    pub rolling: super::RollingTally,
    pub episodes: Vec<f64>,
    pub cause_secs: [f64; N_CAUSE_SLOTS],
    pub unattributed_secs: f64,
    pub component_secs: Vec<f64>,
}

impl BatchOut {
    pub fn push_trial(&mut self, rec: &TrialRecord, demanded: f64) {
        let years = rec.year_down.len() as f64;
        self.year_down.extend_from_slice(&rec.year_down);
        self.year_long.extend_from_slice(&rec.year_long);
        self.trial_down
            .push(rec.year_down.iter().sum::<f64>() / years);
        self.trial_lost_frac.push(if demanded > 0.0 {
            rec.lost_requests / demanded
        } else {
            0.0
        });
        self.trial_user_min.push(rec.user_secs_lost / 60.0 / years);
        self.trial_data_min.push(rec.data_lost_secs / 60.0 / years);
        self.trial_total_losses
            .push(f64::from(rec.total_losses) / years);
        self.trial_long_frac
            .push(rec.year_long.iter().filter(|&&b| b).count() as f64 / years);
        self.trial_lost_share
            .push(rec.lost_share_secs / (years * SECONDS_PER_YEAR));
    }

    /// The trial's SLO windows, `offered` requests in each.
    pub fn push_windows(&mut self, rec: &TrialRecord, offered: &[f64]) {
        self.window_bad.extend_from_slice(&rec.window_bad);
        self.window_lost_frac.extend(
            rec.window_lost
                .iter()
                .zip(offered)
                .map(|(&l, &o)| if o > 0.0 { (l / o).min(1.0) } else { 0.0 }),
        );
    }

    /// Takes the batch-wide accumulators out of the record.
    pub fn finish(&mut self, rec: &mut TrialRecord) {
        self.episodes = std::mem::take(&mut rec.episodes);
        self.data_incidents = std::mem::take(&mut rec.data_incidents);
        self.cause_secs = rec.cause_secs;
        self.unattributed_secs = rec.unattributed_secs;
        self.component_secs = std::mem::take(&mut rec.component_secs);
    }

    /// Appends another batch; called in batch order so floating-point sums
    /// do not depend on scheduling.
    pub fn append(&mut self, other: BatchOut) {
        self.year_down.extend(other.year_down);
        self.year_long.extend(other.year_long);
        self.trial_down.extend(other.trial_down);
        self.trial_lost_frac.extend(other.trial_lost_frac);
        self.trial_user_min.extend(other.trial_user_min);
        self.trial_data_min.extend(other.trial_data_min);
        self.trial_long_frac.extend(other.trial_long_frac);
        self.trial_total_losses.extend(other.trial_total_losses);
        self.data_incidents.extend(other.data_incidents);
        self.trial_lost_share.extend(other.trial_lost_share);
        self.window_bad.extend(other.window_bad);
        self.window_lost_frac.extend(other.window_lost_frac);
        self.rolling.append(&other.rolling);
        self.episodes.extend(other.episodes);
        for (a, b) in self.cause_secs.iter_mut().zip(other.cause_secs) {
            *a += b;
        }
        self.unattributed_secs += other.unattributed_secs;
        if self.component_secs.is_empty() {
            self.component_secs = other.component_secs;
        } else {
            for (a, b) in self.component_secs.iter_mut().zip(other.component_secs) {
                *a += b;
            }
        }
    }
}

/// Downtime per year: mean with CI and the distribution over simulated years.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Downtime {
    pub mean: Estimate,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recovery {
    /// Number of outage episodes observed over all trials.
    pub episodes: usize,
    pub mean_minutes: f64,
    /// Episode lengths by the nearest-rank rule: the outage-duration
    /// distribution.
    pub p50_minutes: f64,
    pub p90_minutes: f64,
    pub p99_minutes: f64,
    pub max_minutes: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CauseShare {
    pub cause: &'static str,
    pub minutes_per_year: f64,
    /// Fraction of all downtime.
    pub share: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComponentShare {
    /// `site:<id>`, `link:<id>` or `service:<id>`.
    pub component: String,
    pub minutes_per_year: f64,
}

/// The scores of one plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanReport {
    pub plan: String,
    pub name: String,
    pub mode: &'static str,
    pub trials: usize,
    pub years_per_trial: usize,
    pub availability_time: Estimate,
    /// Served requests / offered requests: the request-weighted served
    /// fraction.
    pub availability_demand: Estimate,
    /// Mean over time of the instantaneous served fraction of requests.
    pub served_fraction_time: Estimate,
    pub downtime_minutes_per_year: Downtime,
    /// Probability that a year has at least one outage longer than an hour.
    pub p_outage_over_1h: Estimate,
    pub user_minutes_lost_per_year: Estimate,
    pub data_lost_minutes_per_year: Estimate,
    /// The writes lost per incident (the simulated RPO).
    pub rpo: super::DataLoss,
    /// Outage episodes and their lengths (the simulated RTO).
    pub recovery: Recovery,
    pub cost_per_year: f64,
    pub downtime_by_cause: Vec<CauseShare>,
    /// Downtime that no down component explains (should stay near zero).
    pub unattributed_minutes_per_year: f64,
    pub top_components: Vec<ComponentShare>,
    /// The forecast over the plan's SLO windows, when it has an SLO.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slo: Option<super::slo::SloReport>,
}

/// Quantile by the nearest-rank rule on a sorted slice.
pub(super) fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

pub(crate) struct ReportContext<'a> {
    pub topo: &'a crate::model::Topology,
    pub plan_index: usize,
    pub trials: usize,
    pub years: usize,
}

pub(crate) fn summarize(cx: &ReportContext<'_>, mut b: BatchOut) -> PlanReport {
    let plan = &cx.topo.plans[cx.plan_index];
    let total_years = (cx.trials * cx.years) as f64;
    let down = Estimate::of(&b.trial_down);
    // Shares stay in [0, 1] and losses at 0 or more, bounds included.
    let availability_time = down
        .scaled(1.0 / SECONDS_PER_YEAR)
        .complement()
        .within(0.0, 1.0);
    let availability_demand = Estimate::of(&b.trial_lost_frac)
        .complement()
        .within(0.0, 1.0);
    let mut years: Vec<f64> = b.year_down.iter().map(|s| s / 60.0).collect();
    years.sort_by(f64::total_cmp);
    let p_long = if cx.years == 1 {
        Estimate::wilson(
            b.year_long.iter().filter(|&&x| x).count(),
            b.year_long.len(),
        )
    } else {
        Estimate::of(&b.trial_long_frac)
    };
    b.episodes.sort_by(f64::total_cmp);
    b.data_incidents.sort_by(f64::total_cmp);
    let ep_mean = if b.episodes.is_empty() {
        0.0
    } else {
        b.episodes.iter().sum::<f64>() / b.episodes.len() as f64 / 60.0
    };
    let total_down: f64 = b.cause_secs.iter().sum::<f64>() + b.unattributed_secs;
    let downtime_by_cause = Cause::ALL
        .iter()
        .chain((b.cause_secs[Cause::WhatIf as usize] > 0.0).then_some(&Cause::WhatIf))
        .map(|&c| {
            let secs = b.cause_secs[c as usize];
            CauseShare {
                cause: c.as_str(),
                minutes_per_year: secs / 60.0 / total_years,
                share: if total_down > 0.0 {
                    secs / total_down
                } else {
                    0.0
                },
            }
        })
        .collect();
    let sources = super::attribution::Sources::new(cx.topo);
    let mut comps: Vec<(usize, f64)> = b
        .component_secs
        .iter()
        .copied()
        .enumerate()
        .filter(|&(_, s)| s > 0.0)
        .collect();
    comps.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let top_components = comps
        .into_iter()
        .take(10)
        .map(|(i, secs)| ComponentShare {
            component: sources.name(cx.topo, i),
            minutes_per_year: secs / 60.0 / total_years,
        })
        .collect();
    PlanReport {
        plan: plan.key.clone(),
        name: plan.name.clone(),
        mode: plan.mode.as_str(),
        trials: cx.trials,
        years_per_trial: cx.years,
        availability_time,
        availability_demand,
        served_fraction_time: Estimate::of(&b.trial_lost_share)
            .complement()
            .within(0.0, 1.0),
        downtime_minutes_per_year: Downtime {
            mean: down.scaled(1.0 / 60.0).within(0.0, f64::INFINITY),
            p50: quantile(&years, 0.5),
            p90: quantile(&years, 0.9),
            p99: quantile(&years, 0.99),
            max: years.last().copied().unwrap_or(0.0),
        },
        p_outage_over_1h: p_long,
        user_minutes_lost_per_year: Estimate::of(&b.trial_user_min).within(0.0, f64::INFINITY),
        data_lost_minutes_per_year: Estimate::of(&b.trial_data_min).within(0.0, f64::INFINITY),
        rpo: super::DataLoss::of(&b, total_years),
        recovery: Recovery {
            episodes: b.episodes.len(),
            mean_minutes: ep_mean,
            p50_minutes: quantile(&b.episodes, 0.5) / 60.0,
            p90_minutes: quantile(&b.episodes, 0.9) / 60.0,
            p99_minutes: quantile(&b.episodes, 0.99) / 60.0,
            max_minutes: b.episodes.last().copied().unwrap_or(0.0) / 60.0,
        },
        cost_per_year: plan.cost_per_year,
        downtime_by_cause,
        unattributed_minutes_per_year: b.unattributed_secs / 60.0 / total_years,
        top_components,
        slo: plan.targets.slo.as_ref().map(|slo| {
            let (bad, lost) = (&b.window_bad, &b.window_lost_frac);
            super::slo::slo_forecast(slo, cx.trials, bad, lost, &b.rolling)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_of_known_values() {
        let e = Estimate::of(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(e.mean, 2.5);
        // sample variance 5/3, se = sqrt(5/12)
        assert!((e.se - (5.0f64 / 12.0).sqrt()).abs() < 1e-15);
        assert!((e.hi - e.mean - crate::stats::Z95 * e.se).abs() < 1e-15);
    }

    #[test]
    fn wilson_contains_p_and_stays_in_range() {
        let w = Estimate::wilson(0, 100);
        assert_eq!(w.lo, 0.0);
        assert!(w.hi > 0.03 && w.hi < 0.04, "{w:?}"); // 3.7% for 0/100
        let w = Estimate::wilson(50, 100);
        assert!(w.lo < 0.5 && w.hi > 0.5);
    }

    #[test]
    fn nearest_rank_quantiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.5), 50.0);
        assert_eq!(quantile(&v, 0.99), 99.0);
        assert_eq!(quantile(&v, 1.0), 100.0);
    }
}
