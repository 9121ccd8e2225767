//! What both capacity samplers share: the per-batch tallies, their
//! batch-order merge into one summary, and the sampling cost both reports
//! end with. Batch `b` draws from stream `b` of the seed and batches are
//! merged in batch order, so a seed fixes every number whatever the thread
//! count.

use std::time::Instant;

use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use crate::rng::batch_streams;
use crate::stats::{Percentiles, Proportion, ValueStats};

/// Samples per batch: large enough that the stream jump and the pattern
/// cache pay off, small enough that two threads share the work evenly.
pub const BATCH_SIZE: u64 = 8192;

/// Failure-pattern bitset -> flow (or served amount) of that pattern. FxHash:
/// the keys are already random-looking bitsets, and SipHash would cost more
/// than many of the max-flows it guards.
pub(crate) type PatternCache = rustc_hash::FxHashMap<Box<[u64]>, f64>;

#[derive(Default)]
pub(crate) struct BatchStats {
    pub values: ValueStats,
    /// Samples with nothing delivered.
    pub zero: u64,
    /// Samples with less than the full (intact) amount.
    pub degraded: u64,
    /// Samples below the threshold asked for.
    pub below: u64,
    /// Max-flow solves run (samples not settled by the pattern cache).
    pub solves: u64,
}

impl BatchStats {
    /// Counts one sample of `value`; `degraded` says it is short of full.
    pub fn push(&mut self, value: f64, degraded: bool, threshold: Option<f64>) {
        self.values.push(value);
        self.zero += u64::from(value <= 0.0);
        self.degraded += u64::from(degraded);
        if let Some(x) = threshold {
            self.below += u64::from(value < x);
        }
    }

    /// Every batch merged in batch order (the sums then do not depend on
    /// which thread ran which batch).
    pub fn merge_all(batches: Vec<BatchStats>) -> BatchStats {
        let mut total = BatchStats::default();
        for b in batches {
            total.values.merge(b.values);
            total.zero += b.zero;
            total.degraded += b.degraded;
            total.below += b.below;
            total.solves += b.solves;
        }
        total
    }
}

/// How the sampling went, at the end of both reports (flattened into their
/// JSON).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SamplingCost {
    pub samples: u64,
    /// Samples whose failure pattern needed a max-flow solve (after
    /// deduplication within a batch and the intact shortcuts).
    pub max_flow_solves: u64,
    pub seconds: f64,
    pub samples_per_second: f64,
}

/// The merged tallies of a run, as the reports state them.
pub(crate) struct Summary {
    pub n: u64,
    pub mean: f64,
    pub mean_std_error: f64,
    pub percentiles: Percentiles,
    pub zero: Proportion,
    pub degraded: Proportion,
    /// P(value < threshold) when a threshold was asked for.
    pub below: Option<Proportion>,
    pub distribution: Vec<(f64, u64)>,
    pub cost: SamplingCost,
}

/// Draws `samples` in batches of [`BATCH_SIZE`] on the current rayon pool:
/// `run(rng, n)` tallies `n` samples from the batch's stream. `started`
/// times the whole run, set-up included.
pub(crate) fn sample_batches(
    seed: u64,
    samples: u64,
    threshold: Option<f64>,
    started: Instant,
    run: impl Fn(Xoshiro256PlusPlus, u64) -> BatchStats + Sync,
) -> Summary {
    let batches: Vec<BatchStats> = batch_streams(seed, samples.div_ceil(BATCH_SIZE))
        .into_par_iter()
        .enumerate()
        .map(|(b, rng)| run(rng, BATCH_SIZE.min(samples - b as u64 * BATCH_SIZE)))
        .collect();
    let total = BatchStats::merge_all(batches);
    let n = total.values.n();
    let (mean, mean_std_error) = total.values.mean_and_std_error();
    let seconds = started.elapsed().as_secs_f64();
    Summary {
        n,
        mean,
        mean_std_error,
        percentiles: total.values.percentiles(),
        zero: Proportion::new(total.zero, n),
        degraded: Proportion::new(total.degraded, n),
        below: threshold.map(|_| Proportion::new(total.below, n)),
        distribution: total.values.distribution(),
        cost: SamplingCost {
            samples: n,
            max_flow_solves: total.solves,
            seconds,
            samples_per_second: n as f64 / seconds.max(1e-9),
        },
    }
}
