//! Crude Monte Carlo: draw every component and shock, check the criterion.
//! Unbiased and simple; useful when unreliability is above ~1e-5 and as a
//! cross-check for the other estimators. Samples are drawn and checked 64
//! at a time, one per bit of a word (`lanes.rs`).

use super::lanes::{LANES, WordChecker, WordSampler};
use super::{Criterion, Estimate, EstimateOptions};
use crate::sampling::{Progress, Silent, Status};
use crate::static_model::StaticModel;
use crate::stats::clopper_pearson95;
use rayon::prelude::*;

/// Samples per batch: the unit of parallel work and of RNG streams, fixed
/// so that results do not depend on the thread count.
pub const BATCH: u64 = 8192;

/// The sampler version of crude parts ([`crate::shard::UNVERSIONED_SAMPLER`]):
/// 2 since samples are drawn 64 to a word (session 6 moved every crude
/// number at a fixed seed); parts that record none are 1.
pub const SAMPLER: u32 = 2;

/// Failures seen in each batch of `batches`, in batch order, for a run of
/// `n_total` samples whose batch 0 draws from stream `first` (the last batch
/// is possibly short). Shards call this with their own range of batches.
/// Batch `b` draws its samples 64 at a time ([`lanes`]) from
/// stream `first + b` ([`crate::rng::batch_streams_in`]); `progress` hears
/// of each batch drawn.
pub(super) fn batch_failures(
    model: &StaticModel,
    criterion: &Criterion,
    (seed, first): (u64, u64),
    batches: std::ops::Range<u64>,
    n_total: u64,
    progress: &dyn Progress,
) -> Vec<u64> {
    let streams = crate::rng::batch_streams_in(seed, first + batches.start..first + batches.end);
    (streams.into_par_iter().enumerate())
        .map(|(i, mut rng)| {
            let b = batches.start + i as u64;
            let len = BATCH.min(n_total - b * BATCH);
            let mut sampler = WordSampler::new(model);
            let mut checker = WordChecker::new(model, criterion);
            let mut k = 0u64;
            for w in 0..len.div_ceil(LANES) {
                let lanes = (len - w * LANES).min(LANES);
                let valid = if lanes == LANES {
                    !0
                } else {
                    (1u64 << lanes) - 1
                };
                sampler.draw(&mut rng);
                let up = checker.up(&sampler.node_down, &sampler.edge_down, valid);
                k += u64::from((valid & !up).count_ones());
            }
            progress.drawn(len);
            k
        })
        .collect()
}

/// Failures seen in batch `b` of a run of `n_total` samples: streaming
/// batches 0, 1, ... and summing gives exactly [`run`] with `samples =
/// n_total` (the TUI's live static run does this).
pub fn batch_tally(
    model: &StaticModel,
    criterion: &Criterion,
    seed: u64,
    b: u64,
    n_total: u64,
) -> u64 {
    batch_failures(model, criterion, (seed, 0), b..b + 1, n_total, &Silent)[0]
}

/// Failures seen in batches `first..first+count` (the last possibly short).
pub(super) fn failures(
    model: &StaticModel,
    criterion: &Criterion,
    (seed, first): (u64, u64),
    n_total: u64,
    progress: &dyn Progress,
) -> u64 {
    let batches = 0..n_total.div_ceil(BATCH);
    let counts = batch_failures(model, criterion, (seed, first), batches, n_total, progress);
    counts.iter().sum()
}

/// Crude estimate from `opts.samples` draws, or, with a target relative
/// error, rounds of doubling size until it is met or `max_samples` is spent
/// (or the model's work budget); each round is announced to `progress`.
pub fn run(
    model: &StaticModel,
    criterion: &Criterion,
    opts: &EstimateOptions,
    progress: &dyn Progress,
) -> Estimate {
    let mut n = 0u64;
    let mut k = 0u64;
    let mut next_batch = 0u64;
    let mut round = opts.samples.max(1);
    let max_samples = opts.max_samples.min(super::crude_budget(model));
    loop {
        let round_n = match opts.target_re {
            Some(_) => round.min(max_samples.saturating_sub(n)),
            None => opts.samples,
        };
        if round_n == 0 {
            break;
        }
        progress.round(Status {
            done: n,
            planned: n + round_n,
            relative_error: if n == 0 {
                f64::NAN
            } else {
                relative_error(k, n)
            },
            target: opts.target_re,
        });
        // Rounds start on a batch boundary so streams never overlap.
        let stream = (opts.seed, next_batch);
        k += failures(model, criterion, stream, round_n, progress);
        n += round_n;
        next_batch += round_n.div_ceil(BATCH);
        let Some(target) = opts.target_re else { break };
        if relative_error(k, n) <= target || n >= max_samples {
            break;
        }
        round = n;
    }
    let mut e = finish(k, n);
    let (re, target) = (e.relative_error, opts.target_re);
    e.stopped_short = crate::sampling::stopped_short(re, target, n, opts.max_samples, false);
    e
}

/// The estimate from `k` failures in `n` samples.
pub fn finish(k: u64, n: u64) -> Estimate {
    let u = k as f64 / n as f64;
    let se = (u * (1.0 - u) / n as f64).sqrt();
    let (lo, hi) = clopper_pearson95(k, n);
    Estimate {
        unreliability: u,
        std_error: se,
        ci95_low: lo,
        ci95_high: hi,
        relative_error: relative_error(k, n),
        samples: n,
        method: "crude".into(),
        seconds: 0.0,
        stopped_short: None,
    }
}

fn relative_error(k: u64, n: u64) -> f64 {
    if k == 0 {
        return f64::INFINITY;
    }
    let u = k as f64 / n as f64;
    (u * (1.0 - u) / n as f64).sqrt() / u
}
