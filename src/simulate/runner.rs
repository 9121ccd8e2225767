//! Runs trials in fixed batches on rayon and reduces them in batch order.
//!
//! Batch `b` draws from its own stream: `Xoshiro256PlusPlus::seed_from_u64(seed)`
//! jumped `b` times by 2^128. Batch boundaries depend only on the trial count,
//! never on the number of threads, and results are combined in batch order,
//! so a seed fixes every number bit for bit. A shard is a contiguous range
//! of batches ([`Shard`]), so shards merge into exactly the unsharded run.

use super::data::RunData;
use super::metrics::{BatchOut, PlanReport, TrialRecord};
use super::trial::{Scenario, TrialState};
use super::{SimConfig, SimError};
use crate::model::Topology;
use crate::shard::Shard;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

/// Trials per batch (and per RNG stream).
pub const BATCH_TRIALS: usize = 64;

fn run_batch(s: &Scenario<'_>, mut rng: Xoshiro256PlusPlus, b: usize, trials: usize) -> BatchOut {
    let mut state = TrialState::new(s);
    let mut rec = TrialRecord::new(s.topo.sites.len() + s.topo.links.len());
    let mut out = BatchOut::default();
    let first = b * BATCH_TRIALS;
    let last = (first + BATCH_TRIALS).min(trials);
    for _ in first..last {
        state.run(s, &mut rng, &mut rec);
        out.push_trial(&rec, s.demanded);
    }
    out.finish(&mut rec);
    out
}

/// Simulates one plan.  `progress` is called with the number of trials each
/// finished batch adds (from worker threads).
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
    cfg.check()?;
    if plan_index >= topo.plans.len() {
        return Err(SimError::NoSuchPlan(plan_index.to_string()));
    }
    if topo.demands.is_empty() {
        return Err(SimError::NoDemand);
    }
    let scenario = Scenario::new(topo, plan_index, cfg.years);
    let range = shard.batches(cfg.trials.div_ceil(BATCH_TRIALS));
    // Stream b is the seed's generator jumped b times by 2^128, the same as
    // `jump_ce(b, 128)`; one `jump` per batch is far cheaper than jumping
    // each batch from scratch.
    let mut streams = Vec::with_capacity(range.len());
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(cfg.seed);
    for b in 0..range.end {
        if b >= range.start {
            streams.push(rng.clone());
        }
        rng.jump();
    }
    let batches: Vec<BatchOut> = streams
        .into_par_iter()
        .enumerate()
        .map(|(k, rng)| {
            let out = run_batch(&scenario, rng, range.start + k, cfg.trials);
            progress(out.trial_down.len() as u64);
            out
        })
        .collect();
    Ok(RunData {
        plan: topo.plans[plan_index].key.clone(),
        topology_fingerprint: super::topology_fingerprint(topo),
        seed: cfg.seed,
        trials: cfg.trials,
        years: cfg.years,
        first_batch: range.start,
        batches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn sequential_jumps_equal_jump_ce() {
        let mut a = Xoshiro256PlusPlus::seed_from_u64(42);
        for _ in 0..5 {
            a.jump();
        }
        let mut b = Xoshiro256PlusPlus::seed_from_u64(42);
        b.jump_ce(5, 128);
        assert_eq!(a.next_u64(), b.next_u64());
        assert_eq!(a.next_u64(), b.next_u64());
    }
}
