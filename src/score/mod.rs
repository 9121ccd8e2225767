//! Scoring plans against each other ([`compare`]), against an older version
//! of the model ([`diff`]) and against their targets ([`check`]): the logic
//! behind `drsim compare`, `drsim diff`, `drsim check` and the report's table.
//! Every comparison of two simulated scores is **paired** (same seed, trial
//! `i` against trial `i`), which narrows the interval of a difference without
//! biasing it; docs/internals.md, "score/mod.rs", says why that stays valid.

pub mod check;
mod check_recovery;
mod check_slo;
pub mod compare;
pub mod diff;

use crate::model::Topology;
use crate::simulate::{
    self, Estimate, MergeError, PlanReport, RunData, SimConfig, SimError, TrialMetric,
};
use crate::units::SECONDS_PER_YEAR;
use serde::Serialize;

/// Two-sided 95% normal quantile.
pub use crate::stats::Z95;

/// How the plans of a report were simulated: every simulating command's JSON
/// gives the three together after its topology.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RunSettings {
    pub seed: u64,
    pub trials: usize,
    pub years_per_trial: usize,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScoreError {
    #[error(
        "cannot pair a run of {a} trials with one of {b}: compare runs with the same trials, years and seed"
    )]
    Unpaired { a: usize, b: usize },
    #[error(transparent)]
    Sim(#[from] SimError),
    #[error(transparent)]
    Merge(#[from] MergeError),
}

/// A score that the simulator records per trial, so two runs can be paired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    AvailabilityTime,
    AvailabilityDemand,
    DowntimeMinutes,
    UserMinutesLost,
    DataLostMinutes,
    /// Probability that a year has an outage longer than an hour.
    LongOutage,
}

impl Metric {
    pub const ALL: [Metric; 6] = [
        Metric::AvailabilityTime,
        Metric::AvailabilityDemand,
        Metric::DowntimeMinutes,
        Metric::UserMinutesLost,
        Metric::DataLostMinutes,
        Metric::LongOutage,
    ];

    /// The name used in JSON and CSV (the `drsim run` field names).
    pub fn key(self) -> &'static str {
        match self {
            Metric::AvailabilityTime => "availability_time",
            Metric::AvailabilityDemand => "availability_demand",
            Metric::DowntimeMinutes => "downtime_minutes_per_year",
            Metric::UserMinutesLost => "user_minutes_lost_per_year",
            Metric::DataLostMinutes => "data_lost_minutes_per_year",
            Metric::LongOutage => "p_outage_over_1h",
        }
    }

    /// A short command-line name (`--risk downtime`).
    pub fn short(self) -> &'static str {
        match self {
            Metric::AvailabilityTime => "availability",
            Metric::AvailabilityDemand => "availability-demand",
            Metric::DowntimeMinutes => "downtime",
            Metric::UserMinutesLost => "user-minutes",
            Metric::DataLostMinutes => "data-lost",
            Metric::LongOutage => "long-outage",
        }
    }

    /// Accepts the short name or the JSON key.
    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL
            .into_iter()
            .find(|m| m.short() == s || m.key() == s)
    }

    /// For a human table.
    pub fn label(self) -> &'static str {
        match self {
            Metric::AvailabilityTime => "availability (time)",
            Metric::AvailabilityDemand => "availability (demand)",
            Metric::DowntimeMinutes => "downtime min/year",
            Metric::UserMinutesLost => "user-minutes lost/year",
            Metric::DataLostMinutes => "data lost min/year",
            Metric::LongOutage => "P(outage > 1h in year)",
        }
    }

    pub fn higher_is_better(self) -> bool {
        matches!(self, Metric::AvailabilityTime | Metric::AvailabilityDemand)
    }

    /// How a sentence says "worse on this metric".
    pub fn worse_phrase(self) -> &'static str {
        match self {
            Metric::AvailabilityTime => "lower availability",
            Metric::AvailabilityDemand => "lower demand-weighted availability",
            Metric::DowntimeMinutes => "more downtime",
            Metric::UserMinutesLost => "more user-minutes lost",
            Metric::DataLostMinutes => "more data lost",
            Metric::LongOutage => "a higher chance of an outage over an hour",
        }
    }

    /// How a sentence names the metric.
    pub fn noun(self) -> &'static str {
        match self {
            Metric::AvailabilityTime => "availability",
            Metric::AvailabilityDemand => "demand-weighted availability",
            Metric::DowntimeMinutes => "downtime",
            Metric::UserMinutesLost => "user-minutes lost",
            Metric::DataLostMinutes => "data lost",
            Metric::LongOutage => "chance of an outage over an hour",
        }
    }

    /// A number of this metric for a human, without its unit.
    pub fn number(self, v: f64) -> String {
        match self {
            Metric::AvailabilityTime | Metric::AvailabilityDemand => {
                format!("{:.5}%", 100.0 * v)
            }
            Metric::DowntimeMinutes | Metric::DataLostMinutes => format!("{v:.2}"),
            Metric::UserMinutesLost => format!("{v:.4e}"),
            Metric::LongOutage => format!("{v:.4}"),
        }
    }

    /// The unit after a number ("" when the number carries it, like %).
    pub fn unit(self) -> &'static str {
        match self {
            Metric::DowntimeMinutes | Metric::DataLostMinutes => " min/year",
            Metric::UserMinutesLost => "/year",
            _ => "",
        }
    }

    /// A value of this metric with its unit.
    pub fn format(self, v: f64) -> String {
        format!("{}{}", self.number(v), self.unit())
    }

    /// A difference with its sign: `+1.50`, `-0.00016%`. A value that the
    /// fixed decimals would round to zero keeps two significant digits
    /// (`-1.6e-6%`): a "worse" verdict must not read `-0.00000%`; an exact
    /// zero is `+0`, never `-0`.
    fn signed(self, v: f64) -> String {
        let s = self.number(v);
        let rounds_to_zero = !s.chars().any(|c| c.is_ascii_digit() && c != '0');
        let s = if v == 0.0 {
            // -0.0 as well as 0.0.
            self.number(0.0)
        } else if rounds_to_zero {
            match self {
                Metric::AvailabilityTime | Metric::AvailabilityDemand => {
                    format!("{:.1e}%", 100.0 * v)
                }
                _ => format!("{v:.1e}"),
            }
        } else {
            s
        };
        if s.starts_with('-') {
            s
        } else {
            format!("+{s}")
        }
    }

    /// A difference with its sign and interval: `+1.50 [+0.20, +2.80] min/year`.
    pub fn format_difference(self, d: &Estimate) -> String {
        format!(
            "{} [{}, {}]{}",
            self.signed(d.mean),
            self.signed(d.lo),
            self.signed(d.hi),
            self.unit()
        )
    }

    /// The same for a table whose row label carries the unit: no unit, and
    /// a percentage's `%` only after the mean (`-0.00016% [-0.00017,
    /// -0.00014]`, as [`crate::human::percent_interval`] writes intervals).
    pub fn format_difference_bare(self, d: &Estimate) -> String {
        let bound = |v: f64| self.signed(v).trim_end_matches('%').to_string();
        format!("{} [{}, {}]", self.signed(d.mean), bound(d.lo), bound(d.hi))
    }

    /// Per-trial values of this metric, in trial order.
    pub fn per_trial(self, d: &RunData) -> Vec<f64> {
        match self {
            Metric::AvailabilityTime => d
                .per_trial(TrialMetric::DowntimeSecs)
                .into_iter()
                // Clamped: a year down throughout sums its outage seconds to
                // a hair over the year, which read as availability -3e-19.
                .map(|s| (1.0 - s / SECONDS_PER_YEAR).clamp(0.0, 1.0))
                .collect(),
            Metric::AvailabilityDemand => d
                .per_trial(TrialMetric::LostFraction)
                .into_iter()
                .map(|f| (1.0 - f).clamp(0.0, 1.0))
                .collect(),
            Metric::DowntimeMinutes => d
                .per_trial(TrialMetric::DowntimeSecs)
                .into_iter()
                .map(|s| s / 60.0)
                .collect(),
            Metric::UserMinutesLost => d.per_trial(TrialMetric::UserMinutesLost),
            Metric::DataLostMinutes => d.per_trial(TrialMetric::DataLostMinutes),
            Metric::LongOutage => d.per_trial(TrialMetric::LongOutageFraction),
        }
    }

    /// The plan report's estimate of this metric (what `drsim run` prints).
    pub fn of_report(self, r: &PlanReport) -> Estimate {
        match self {
            Metric::AvailabilityTime => r.availability_time,
            Metric::AvailabilityDemand => r.availability_demand,
            Metric::DowntimeMinutes => r.downtime_minutes_per_year.mean,
            Metric::UserMinutesLost => r.user_minutes_lost_per_year,
            Metric::DataLostMinutes => r.data_lost_minutes_per_year,
            Metric::LongOutage => r.p_outage_over_1h,
        }
    }
}

/// What a paired difference says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Better,
    Worse,
    NoSignificantChange,
}

impl Verdict {
    /// The verdict on `new - old` (or `this - other`): only significant when
    /// the 95% interval excludes zero.
    pub fn of(diff: &Estimate, higher_is_better: bool) -> Verdict {
        let up = diff.lo > 0.0;
        let down = diff.hi < 0.0;
        match (up, down) {
            (true, _) if higher_is_better => Verdict::Better,
            (true, _) => Verdict::Worse,
            (_, true) if higher_is_better => Verdict::Worse,
            (_, true) => Verdict::Better,
            _ => Verdict::NoSignificantChange,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::NoSignificantChange => "no significant change",
        }
    }
}

/// Mean and 95% interval of `b[i] - a[i]` over trials.
pub fn paired_difference(a: &[f64], b: &[f64]) -> Result<Estimate, ScoreError> {
    if a.len() != b.len() {
        return Err(ScoreError::Unpaired {
            a: a.len(),
            b: b.len(),
        });
    }
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    Ok(Estimate::of(&d))
}

/// One plan's report with its per-trial values, ready to be paired.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredPlan {
    pub report: PlanReport,
    pub seed: u64,
    pub years: usize,
    per_trial: Vec<Vec<f64>>,
}

impl ScoredPlan {
    /// From a complete run of `topo`.
    pub fn from_run(topo: &Topology, data: &RunData) -> Result<ScoredPlan, ScoreError> {
        Ok(ScoredPlan {
            report: data.report(topo)?,
            seed: data.seed,
            years: data.years,
            per_trial: Metric::ALL.iter().map(|m| m.per_trial(data)).collect(),
        })
    }

    /// Simulates plan `plan_index` of `topo` as a whole run.
    pub fn simulate(
        topo: &Topology,
        plan_index: usize,
        cfg: &SimConfig,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<ScoredPlan, ScoreError> {
        let data =
            simulate::run_plan_data(topo, plan_index, cfg, crate::shard::Shard::WHOLE, progress)?;
        ScoredPlan::from_run(topo, &data)
    }

    pub fn plan(&self) -> &str {
        &self.report.plan
    }

    pub fn trials(&self) -> usize {
        self.report.trials
    }

    /// Per-trial values of `m`, in trial order.
    pub fn values(&self, m: Metric) -> &[f64] {
        let i = Metric::ALL
            .iter()
            .position(|&x| x == m)
            .expect("every metric is in ALL");
        &self.per_trial[i]
    }

    /// The estimate `drsim run` reports for `m`.
    pub fn estimate(&self, m: Metric) -> Estimate {
        m.of_report(&self.report)
    }
}

/// Money per year for a human: 65000000 -> "$65.0M" (one format everywhere).
pub use crate::human::money as format_cost;

#[cfg(test)]
mod tests {
    use super::*;

    fn est(mean: f64, se: f64) -> Estimate {
        Estimate {
            mean,
            lo: mean - Z95 * se,
            hi: mean + Z95 * se,
            se,
        }
    }

    #[test]
    fn verdicts_follow_the_interval_and_the_direction() {
        assert_eq!(Verdict::of(&est(1.0, 0.1), false), Verdict::Worse);
        assert_eq!(Verdict::of(&est(1.0, 0.1), true), Verdict::Better);
        assert_eq!(Verdict::of(&est(-1.0, 0.1), false), Verdict::Better);
        assert_eq!(Verdict::of(&est(-1.0, 0.1), true), Verdict::Worse);
        // 1.0 / 0.6 = 1.67 SE < 1.96: not significant.
        assert_eq!(
            Verdict::of(&est(1.0, 0.6), false),
            Verdict::NoSignificantChange
        );
        assert_eq!(
            Verdict::of(&est(0.0, 0.0), true),
            Verdict::NoSignificantChange
        );
    }

    #[test]
    fn paired_difference_is_the_estimate_of_the_differences() {
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [2.0, 4.0, 6.0, 8.0];
        // differences 1, 2, 3, 4: mean 2.5, sample variance 5/3.
        let d = paired_difference(&a, &b).unwrap();
        assert_eq!(d.mean, 2.5);
        assert!((d.se - (5.0f64 / 12.0).sqrt()).abs() < 1e-15);
        assert!(matches!(
            paired_difference(&a, &b[..3]),
            Err(ScoreError::Unpaired { a: 4, b: 3 })
        ));
    }

    #[test]
    fn metric_names_round_trip() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.short()), Some(m));
            assert_eq!(Metric::parse(m.key()), Some(m));
        }
        assert_eq!(Metric::parse("nonsense"), None);
    }

    #[test]
    fn costs_read_naturally() {
        assert_eq!(format_cost(65e6), "$65.0M");
        assert_eq!(format_cost(12.0), "$12");
    }
}
