//! Runs trials in fixed batches on rayon and reduces them in batch order.
//!
//! Trial `i` draws only from streams seeded by `(seed, i, process key)`
//! ([`super::streams`]), so its numbers do not depend on the batch or thread
//! that runs it. Batch boundaries depend only on the trial count, and results
//! are combined in batch order (floating-point sums are not associative), so
//! a seed fixes every number bit for bit. A shard is a contiguous range
//! of batches ([`Shard`]), so shards merge into exactly the unsharded run.

use super::data::RunData;
use super::metrics::{BatchOut, PlanReport, TrialRecord};
use super::trial::{Scenario, TrialState};
use super::{SimConfig, SimError};
use crate::model::Topology;
use crate::shard::Shard;
use rayon::prelude::*;

/// Trials per batch of a run of 961 trials or more: the unit of parallel
/// work, of reduction order and of sharding ([`batch_trials`]).
pub const BATCH_TRIALS: usize = 64;

/// The sampler version of run parts ([`crate::shard::UNVERSIONED_SAMPLER`]):
/// 2 from the first parts that record it. Parts that record none are 1,
/// whichever drsim wrote them, and session 7 moved a fixed seed's numbers
/// (a bad release's waves come back in one event), so a part without a
/// version may hold either simulator's trials.
pub const SAMPLER: u32 = 2;

/// Batches a shorter run is cut into at least, so that both cores (or
/// more) have work for any run of 2 trials or more.
const MIN_BATCHES: usize = 16;

/// Trials per batch of a run of `trials` trials: [`BATCH_TRIALS`], or the
/// largest power of two below it that still makes [`MIN_BATCHES`]
/// batches. A function of the trial count alone, so a seed still fixes
/// every number whatever the threads or shards (the batches only group the
/// sums of downtime by cause and component).
pub fn batch_trials(trials: usize) -> usize {
    let mut b = BATCH_TRIALS;
    while b > 1 && trials.div_ceil(b) < MIN_BATCHES {
        b /= 2;
    }
    b
}

/// Trials that shard `shard` of a run of `trials` trials holds.
pub fn shard_trials(trials: usize, shard: Shard) -> usize {
    let b = batch_trials(trials);
    let r = shard.batches(trials.div_ceil(b));
    (r.end * b).min(trials) - (r.start * b).min(trials)
}

fn run_batch(
    s: &Scenario<'_>,
    state: &mut TrialState,
    seed: u64,
    b: usize,
    trials: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> BatchOut {
    let mut rec = TrialRecord::new(super::attribution::Sources::new(s.topo).len);
    let mut out = BatchOut::default();
    let size = batch_trials(trials);
    let first = b * size;
    let last = (first + size).min(trials);
    for i in first..last {
        state.run(s, seed, i as u64, &mut rec);
        out.push_trial(&rec, s.demanded);
        if let Some(slo) = &s.slo {
            out.push_windows(&rec, &slo.offered);
            if let Some(budget) = slo.rolling {
                let w = (slo.window, budget);
                out.rolling
                    .push_trial(&rec.bad_spans, w, s.horizon, s.years);
            }
        }
        // Per trial, not per batch: on a large graph one batch can take
        // minutes, and a front end's progress should move meanwhile.
        progress(1);
    }
    out.finish(&mut rec);
    out
}

/// Simulates one plan.  `progress` is called with 1 as each trial finishes
/// (from worker threads).
pub fn run_plan(
    topo: &Topology,
    plan_index: usize,
    cfg: &SimConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<PlanReport, SimError> {
    let data = run_plan_data(topo, plan_index, cfg, Shard::WHOLE, progress)?;
    Ok(data
        .report(topo)
        .expect("a whole run of this topology is complete and matches it"))
}

/// [`run_plan`] under a what-if scenario ([`run_what_if_data`]).
pub fn run_what_if(
    topo: &Topology,
    plan_index: usize,
    cfg: &SimConfig,
    progress: &(dyn Fn(u64) + Sync),
    what_if: &crate::service::FailedSet,
) -> Result<PlanReport, SimError> {
    let data = run_what_if_data(topo, plan_index, cfg, Shard::WHOLE, progress, what_if)?;
    Ok(data
        .report_what_if(topo, what_if)
        .expect("a whole run of this topology is complete and matches it"))
}

/// Simulates shard `shard` of a plan's run and returns its raw results,
/// to be merged with the other shards' ([`RunData::merge`]) or reported
/// ([`RunData::report`]) when whole.
pub fn run_plan_data(
    topo: &Topology,
    plan_index: usize,
    cfg: &SimConfig,
    shard: Shard,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunData, SimError> {
    let none = crate::service::FailedSet::none(topo);
    run_what_if_data(topo, plan_index, cfg, shard, progress, &none)
}

/// [`run_plan_data`] with the components of `what_if` held down for the
/// whole of every trial (a scenario run: "what if this region is gone?").
/// The parts of such a run carry the scenario in their fingerprint, so they
/// merge only with parts of the same scenario.
pub fn run_what_if_data(
    topo: &Topology,
    plan_index: usize,
    cfg: &SimConfig,
    shard: Shard,
    progress: &(dyn Fn(u64) + Sync),
    what_if: &crate::service::FailedSet,
) -> Result<RunData, SimError> {
    cfg.check()?;
    super::budget::check_plan(topo, cfg.trials, cfg.years, plan_index)?;
    if plan_index >= topo.plans.len() {
        return Err(SimError::NoSuchPlan(plan_index.to_string()));
    }
    if topo.demands.is_empty() {
        return Err(SimError::NoDemand);
    }
    super::slo::check_fits(&topo.plans[plan_index], cfg.trials, cfg.years)?;
    let mut scenario = Scenario::new(topo, plan_index, cfg.years);
    scenario.force_down(what_if);
    let range = shard.batches(cfg.trials.div_ceil(batch_trials(cfg.trials)));
    let workers = rayon::current_num_threads().min(range.len());
    super::budget::check_workers(topo, workers)?;
    let states: std::sync::Mutex<Vec<TrialState>> = std::sync::Mutex::new(Vec::new());
    let batches: Vec<BatchOut> = range
        .clone()
        .into_par_iter()
        // Trial states are reused from a pool (at most one per thread in
        // use at once): a state's cache of service evaluations is a pure
        // function of the failure state, so which state runs a batch changes
        // no number, only how much is recomputed.
        .map(|b| {
            let taken = states.lock().map(|mut v| v.pop()).unwrap_or(None);
            let mut state = taken.unwrap_or_else(|| TrialState::new(&scenario));
            let out = run_batch(&scenario, &mut state, cfg.seed, b, cfg.trials, progress);
            if let Ok(mut v) = states.lock() {
                v.push(state);
            }
            out
        })
        .collect();
    Ok(RunData {
        plan: topo.plans[plan_index].key.clone(),
        topology_fingerprint: super::what_if_fingerprint(topo, what_if),
        seed: cfg.seed,
        trials: cfg.trials,
        years: cfg.years,
        first_batch: range.start,
        batch_trials: batch_trials(cfg.trials),
        sampler: SAMPLER,
        batches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs under 961 trials are cut into at least 16 batches (or one per
    /// trial), longer ones keep batches of 64, and shards hold every trial.
    #[test]
    fn short_runs_are_cut_into_enough_batches() {
        for trials in [1, 2, 3, 17, 100, 640, 960, 961, 1000, 5000] {
            let b = batch_trials(trials);
            assert!(b.is_power_of_two() && b <= BATCH_TRIALS, "{trials}");
            assert!(trials.div_ceil(b) >= trials.min(MIN_BATCHES), "{trials}");
            assert_eq!(b == BATCH_TRIALS, trials > 960, "{trials}");
            let held: usize = (0..7)
                .map(|i| shard_trials(trials, Shard::new(i, 7).unwrap()))
                .sum();
            assert_eq!(held, trials);
        }
    }
}
