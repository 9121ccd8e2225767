//! The raw results of a run or of one shard of it: per-batch outputs in batch
//! order, which are the sufficient statistics of every reported metric
//! (percentiles need the per-year values, so those are kept too).
//!
//! Merging shards concatenates their batches and the report then reduces them
//! exactly as the unsharded run does, so the aggregates agree bit for bit.
//! Floating-point values survive the JSON round trip exactly (serde_json's
//! `float_roundtrip`).

use super::metrics::{BatchOut, PlanReport, ReportContext, summarize};
use super::runner::batch_trials;
use crate::model::Topology;
use crate::shard::{JoinError, Joinable};
use serde::{Deserialize, Serialize};

/// Per-trial metric, for paired comparisons between runs that share seeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrialMetric {
    /// Downtime seconds per year.
    DowntimeSecs,
    /// Fraction of demanded requests lost.
    LostFraction,
    UserMinutesLost,
    DataLostMinutes,
    /// Fraction of years with an outage over one hour.
    LongOutageFraction,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    #[error("nothing to merge")]
    Empty,
    #[error(
        "parts disagree on {what}: '{a}' vs '{b}' (were they run with the same file, plan, seed, trials and years?)"
    )]
    Mismatch {
        what: &'static str,
        a: String,
        b: String,
    },
    #[error("batches {start}..{end} are missing (a shard was not run or not given)")]
    Gap { start: usize, end: usize },
    #[error("batches from {start} are given twice (a shard was given twice)")]
    Overlap { start: usize },
    #[error("the run is incomplete: it holds batches {have_start}..{have_end} of 0..{total}")]
    Incomplete {
        have_start: usize,
        have_end: usize,
        total: usize,
    },
    #[error("the part was computed from a different topology (fingerprint {part}, file {file})")]
    WrongTopology { part: String, file: String },
    #[error("the part holds an impossible value: {0} (was it altered?)")]
    BadValue(String),
}

/// Raw results of batches `first_batch..first_batch + batches.len()` of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunData {
    /// Plan id.
    pub plan: String,
    /// Fingerprint of the topology the run used (see [`crate::shard::fingerprint`]).
    pub topology_fingerprint: String,
    pub seed: u64,
    /// Trials of the whole (unsharded) run.
    pub trials: usize,
    pub years: usize,
    pub first_batch: usize,
    /// Trials per batch ([`batch_trials`] of the run's trials when written).
    /// Parts written before it was recorded used 64 for every run: such a
    /// part of a run of 960 trials or fewer is cut differently from this
    /// version's, which [`RunData::merge`] and `drsim merge` refuse to mix.
    #[serde(default = "older_batch_trials")]
    pub batch_trials: usize,
    /// What a seed gives the simulator ([`super::SAMPLER`]); 1 in parts
    /// that record none.
    #[serde(default = "crate::shard::unversioned_sampler")]
    pub sampler: u32,
    pub(super) batches: Vec<BatchOut>,
}

/// The batch size of every run part written before `batch_trials` was.
fn older_batch_trials() -> usize {
    super::runner::BATCH_TRIALS
}

impl Joinable for RunData {
    fn first_batch(&self) -> u64 {
        self.first_batch as u64
    }
    fn n_batches(&self) -> u64 {
        self.batches.len() as u64
    }
    fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("plan", self.plan.clone()),
            ("topology", self.topology_fingerprint.clone()),
            ("seed", self.seed.to_string()),
            ("trials", self.trials.to_string()),
            ("years", self.years.to_string()),
            ("trials per batch", self.batch_trials.to_string()),
            ("sampler version", self.sampler.to_string()),
        ]
    }
    fn append(&mut self, next: Self) {
        self.batches.extend(next.batches);
    }
}

impl RunData {
    /// Number of batches of the whole run.
    pub fn total_batches(&self) -> usize {
        self.trials.div_ceil(self.batch_trials.max(1))
    }

    /// Whether this drsim cuts the run into the batches the data holds
    /// (parts written by an older version may not be).
    pub fn has_current_layout(&self) -> bool {
        self.batch_trials == batch_trials(self.trials)
    }

    pub fn batch_range(&self) -> std::ops::Range<usize> {
        self.first_batch..self.first_batch + self.batches.len()
    }

    pub fn is_complete(&self) -> bool {
        self.first_batch == 0 && self.batches.len() == self.total_batches()
    }

    /// Trials held by this part.
    pub fn trials_held(&self) -> usize {
        self.batches.iter().map(|b| b.trial_down.len()).sum()
    }

    /// Checks what a part read from a file claims: sizes within the run
    /// limits, every batch as long as its trials, every value finite and in
    /// its range (a year's downtime within the year, fractions in [0, 1]).
    pub fn check_values(&self) -> Result<(), MergeError> {
        let bad = |m: String| Err(MergeError::BadValue(m));
        let plan = crate::model::text::escape(&self.plan).into_owned();
        if crate::model::text::check_id(&self.plan).is_err() {
            return bad(format!("plan id '{plan}'"));
        }
        if !(1..=1000).contains(&self.years)
            || self.trials == 0
            || self
                .trials
                .checked_mul(self.years)
                .is_none_or(|n| n > super::budget::MAX_TRIAL_YEARS)
        {
            return bad(format!(
                "plan '{plan}': {} trials x {} years",
                self.trials, self.years
            ));
        }
        let size = self.batch_trials;
        if !(size.is_power_of_two() && size <= super::runner::BATCH_TRIALS) {
            return bad(format!("plan '{plan}': {size} trials per batch"));
        }
        if self.batch_range().end > self.total_batches() {
            return bad(format!("plan '{plan}': batches past the run's end"));
        }
        let year = crate::units::SECONDS_PER_YEAR;
        // Rounding may put a sum a hair past its bound.
        let within = |v: &[f64], hi: f64| {
            v.iter()
                .all(|x| x.is_finite() && *x >= 0.0 && *x <= hi * (1.0 + 1e-9))
        };
        for (i, b) in self.batches.iter().enumerate() {
            let batch = self.first_batch + i;
            let n = (self.trials - batch * size).min(size);
            let at = |what: &str| format!("plan '{plan}', batch {batch}: {what}");
            let lens = [
                b.trial_down.len(),
                b.trial_lost_frac.len(),
                b.trial_user_min.len(),
                b.trial_data_min.len(),
                b.trial_long_frac.len(),
                b.trial_lost_share.len(),
            ];
            if lens.iter().any(|&l| l != n)
                || ![0, n].contains(&b.trial_total_losses.len())
                || b.year_down.len() != n * self.years
                || b.year_long.len() != n * self.years
            {
                return bad(at(&format!("arrays of the wrong length for {n} trials")));
            }
            if !within(&b.year_down, year) || !within(&b.trial_down, year) {
                return bad(at("a downtime outside [0, one year]"));
            }
            if b.window_bad.len() != b.window_lost_frac.len() || b.window_bad.len() % n.max(1) != 0
            {
                return bad(at("SLO window arrays of the wrong length"));
            }
            if !within(&b.window_bad, year * self.years as f64) || !within(&b.window_lost_frac, 1.0)
            {
                return bad(at("an SLO window value outside its range"));
            }
            let r = &b.rolling;
            if !r.is_empty()
                && (r.any_year.len() != n
                    || r.mean_bad.len() != n
                    || r.missed.len() != n
                    || r.hist.len() != super::rolling::BINS)
            {
                return bad(at("rolling SLO window arrays of the wrong length"));
            }
            if !within(&r.missed, 1.0)
                || !within(&r.any_year, 1.0)
                || !within(&r.mean_bad, year * self.years as f64)
                || !within(&r.hist, f64::MAX)
            {
                return bad(at("a rolling SLO window value outside its range"));
            }
            // Total losses a year of one trial: no more than a run's events.
            if !within(&b.trial_total_losses, super::budget::MAX_RUN_EVENTS) {
                return bad(at("total data losses a year outside [0, 10^9]"));
            }
            if !within(&b.trial_lost_frac, 1.0)
                || !within(&b.trial_long_frac, 1.0)
                || !within(&b.trial_lost_share, 1.0)
            {
                return bad(at("a fraction outside [0, 1]"));
            }
            let finite_sum = |v: &[f64]| v.iter().all(|x| x.is_finite() && *x >= 0.0);
            if !finite_sum(&b.trial_user_min)
                || !finite_sum(&b.trial_data_min)
                || !finite_sum(&b.episodes)
                || !finite_sum(&b.data_incidents)
                || !finite_sum(&b.trial_total_losses)
                || !finite_sum(&b.cause_secs)
                || !finite_sum(&b.component_secs)
                || !b.unattributed_secs.is_finite()
            {
                return bad(at("a negative, infinite or NaN total"));
            }
        }
        Ok(())
    }

    /// Joins parts of one run (in any order) into one; each part's values
    /// are checked first ([`RunData::check_values`]).
    pub fn merge(parts: Vec<RunData>) -> Result<RunData, MergeError> {
        if parts.is_empty() {
            return Err(MergeError::Empty);
        }
        for p in &parts {
            p.check_values()?;
        }
        crate::shard::join(parts).map_err(|e| match e {
            JoinError::Empty => MergeError::Empty,
            JoinError::Mismatch { what, a, b } => MergeError::Mismatch { what, a, b },
            JoinError::Gap { start, end } => MergeError::Gap {
                start: start as usize,
                end: end as usize,
            },
            JoinError::Overlap { start } => MergeError::Overlap {
                start: start as usize,
            },
        })
    }

    /// The plan's report; the data must be a complete run of `topo`.
    pub fn report(&self, topo: &Topology) -> Result<PlanReport, MergeError> {
        self.report_what_if(topo, &crate::service::FailedSet::none(topo))
    }

    /// [`Self::report`] of a run under the what-if scenario `what_if`.
    pub fn report_what_if(
        &self,
        topo: &Topology,
        what_if: &crate::service::FailedSet,
    ) -> Result<PlanReport, MergeError> {
        self.check_complete()?;
        let fp = super::what_if_fingerprint(topo, what_if);
        if fp != self.topology_fingerprint {
            return Err(MergeError::WrongTopology {
                part: self.topology_fingerprint.clone(),
                file: fp,
            });
        }
        let plan_index = topo.plan_id(&self.plan).map(|p| p.index()).ok_or_else(|| {
            MergeError::WrongTopology {
                part: self.topology_fingerprint.clone(),
                file: fp,
            }
        })?;
        let mut all = BatchOut::default();
        for b in &self.batches {
            all.append(b.clone());
        }
        Ok(summarize(
            &ReportContext {
                topo,
                plan_index,
                trials: self.trials,
                years: self.years,
            },
            all,
        ))
    }

    fn check_complete(&self) -> Result<(), MergeError> {
        if self.is_complete() {
            Ok(())
        } else {
            let r = self.batch_range();
            Err(MergeError::Incomplete {
                have_start: r.start,
                have_end: r.end,
                total: self.total_batches(),
            })
        }
    }

    /// Downtime seconds attributed to each cause (in [`Cause::ALL`] order)
    /// and the unattributed rest, summed over the batches held in order.
    ///
    /// [`Cause::ALL`]: crate::static_model::Cause::ALL
    pub fn cause_secs(&self) -> ([f64; super::metrics::N_CAUSE_SLOTS], f64) {
        let mut c = [0.0; super::metrics::N_CAUSE_SLOTS];
        let mut un = 0.0;
        for b in &self.batches {
            for (a, x) in c.iter_mut().zip(b.cause_secs) {
                *a += x;
            }
            un += b.unattributed_secs;
        }
        (c, un)
    }

    /// One value per trial held, in trial order.
    pub fn per_trial(&self, m: TrialMetric) -> Vec<f64> {
        let mut v = Vec::with_capacity(self.trials_held());
        for b in &self.batches {
            v.extend_from_slice(match m {
                TrialMetric::DowntimeSecs => &b.trial_down,
                TrialMetric::LostFraction => &b.trial_lost_frac,
                TrialMetric::UserMinutesLost => &b.trial_user_min,
                TrialMetric::DataLostMinutes => &b.trial_data_min,
                TrialMetric::LongOutageFraction => &b.trial_long_frac,
            });
        }
        v
    }
}
