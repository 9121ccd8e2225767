//! Time-based simulation: independent trial-years of failures, repairs,
//! disasters, bad releases, operator errors and load, scored per plan.
//! [`trial`] runs one trial-year as discrete events over [`events`], with
//! [`demand`] rates and the [`serving`] fast path of the service rule;
//! [`streams`] gives each random process its own stream, [`runner`] runs
//! batches in parallel and [`metrics`] and [`data`] reduce them. The
//! failover semantics are in docs/internals.md, "simulate/mod.rs".

mod attribution;
pub mod budget;
mod data;
mod demand;
mod events;
mod incidents;
mod metrics;
mod rolling;
mod runner;
pub(crate) mod serving;
mod slo;
mod trial;

pub use data::{MergeError, RunData, TrialMetric};
pub use incidents::{DataLoss, Incidents};
pub use metrics::{CauseShare, ComponentShare, Downtime, Estimate, PlanReport, Recovery};
pub use rolling::RollingTally;
pub use runner::{
    BATCH_TRIALS, SAMPLER, batch_trials, run_plan, run_plan_data, run_what_if, run_what_if_data,
    shard_trials,
};
pub use slo::{SloReport, WindowDistribution, p_miss_estimate, slo_forecast};

/// Fingerprint of a topology as the simulator sees it (its canonical TOML
/// form), stored in [`RunData`] so parts of different files are not merged.
pub fn topology_fingerprint(t: &crate::model::Topology) -> String {
    crate::shard::fingerprint(crate::io::save::to_toml_string(t).as_bytes())
}

/// [`topology_fingerprint`], extended by the forced components of a what-if
/// scenario (unchanged when there are none).
pub fn what_if_fingerprint(
    t: &crate::model::Topology,
    what_if: &crate::service::FailedSet,
) -> String {
    let base = topology_fingerprint(t);
    if what_if.is_empty() {
        return base;
    }
    // Services extend the bits only for files that declare them, so older
    // shards keep their fingerprints.
    let services = &what_if.services_down()[..what_if.services_down().len().min(t.services.len())];
    let bits: String = (what_if.sites_down().iter().chain(what_if.links_down()))
        .chain(services)
        .map(|&d| if d { '1' } else { '0' })
        .collect();
    crate::shard::fingerprint(format!("{base} what-if {bits}").as_bytes())
}

/// How much to simulate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimConfig {
    pub trials: usize,
    /// Years simulated per trial.
    pub years: usize,
    pub seed: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            trials: 10_000,
            years: 1,
            seed: 1,
        }
    }
}

impl SimConfig {
    fn check(&self) -> Result<(), SimError> {
        if self.trials == 0 {
            return Err(SimError::BadConfig(
                "the trial count must be at least 1".into(),
            ));
        }
        if self.years == 0 || self.years > 1000 {
            return Err(SimError::BadConfig(
                "the years per trial must be between 1 and 1000".into(),
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimError {
    #[error("{0}")]
    BadConfig(String),
    #[error("no plan '{0}'")]
    NoSuchPlan(String),
    #[error("the topology has no demand: nothing to serve, nothing to score")]
    NoDemand,
    #[error(transparent)]
    Budget(#[from] budget::BudgetError),
}
