//! RPO and RTO as what the simulated incidents show: the writes each
//! incident lost and how long each outage lasted, as distributions over
//! every incident of the run (README, `drsim run`, "Data: replicas,
//! backups and restores").

use super::metrics::BatchOut;
use crate::stats::{Estimate, QuantileEstimate, Z95};
use serde::Serialize;

/// The writes lost per incident that lost any (minutes), over all trials.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DataLoss {
    /// Incidents that lost writes, those that lost everything included.
    pub incidents: usize,
    pub incidents_per_year: f64,
    /// Incidents a year that lost all data (no backup survived them), with
    /// their 95% interval over trials; they are not in the minutes figures.
    pub total_losses_per_year: Estimate,
    /// Mean of the bounded incidents.
    pub mean_minutes: f64,
    /// Over every incident; `null`: all data (a total loss).
    pub p50_minutes: Option<f64>,
    pub p90_minutes: Option<f64>,
    pub p99_minutes: Option<f64>,
    pub max_minutes: Option<f64>,
}

impl DataLoss {
    /// From a run's batches; `data_incidents` must be sorted.
    pub(crate) fn of(b: &BatchOut, total_years: f64) -> DataLoss {
        let v: Vec<f64> = b.data_incidents.iter().map(|s| s / 60.0).collect();
        let total = total_losses(b);
        let q = |p: f64| QuantileEstimate::of(&v, total, p, Z95, 0.0).value;
        let n = v.len().saturating_add(total);
        DataLoss {
            incidents: n,
            incidents_per_year: n as f64 / total_years,
            total_losses_per_year: Estimate::of(&b.trial_total_losses).within(0.0, f64::INFINITY),
            mean_minutes: if v.is_empty() {
                0.0
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            },
            p50_minutes: q(0.5),
            p90_minutes: q(0.9),
            p99_minutes: q(0.99),
            max_minutes: if total > 0 {
                None
            } else {
                Some(v.last().copied().unwrap_or(0.0))
            },
        }
    }
}

/// Incidents of the run that lost all data.
pub(crate) fn total_losses(b: &BatchOut) -> usize {
    let years = if b.trial_down.is_empty() {
        0.0
    } else {
        (b.year_down.len() / b.trial_down.len()) as f64
    };
    // Saturating: a part read from a file may hold any finite count.
    b.trial_total_losses
        .iter()
        .map(|x| (x * years).round() as usize)
        .fold(0, usize::saturating_add)
}

/// Which incidents a recovery target looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Incidents {
    /// Outage episodes, by length (RTO).
    Outages,
    /// Incidents that lost writes, by the writes lost (RPO).
    DataLoss,
}

impl super::RunData {
    /// The incidents of a whole run in minutes, sorted, and how many more
    /// are unbounded (lost all data) above them.
    pub fn incidents(&self, what: Incidents) -> (Vec<f64>, usize) {
        let mut v = Vec::new();
        let mut unbounded = 0;
        for b in &self.batches {
            match what {
                Incidents::Outages => v.extend(b.episodes.iter().map(|s| s / 60.0)),
                Incidents::DataLoss => {
                    v.extend(b.data_incidents.iter().map(|s| s / 60.0));
                    unbounded = total_losses(b).saturating_add(unbounded);
                }
            }
        }
        v.sort_by(f64::total_cmp);
        (v, unbounded)
    }
}
