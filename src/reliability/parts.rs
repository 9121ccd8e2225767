//! Shards of a Monte Carlo estimate (`--shard I/N`).
//!
//! Crude and turnip estimates are sums over fixed batches, each with its own
//! random stream, reduced in batch order. A shard runs a contiguous range of
//! those batches and keeps one sufficient statistic per batch (the failure
//! count, or the turnip's sample sums), so merging the parts and reducing
//! them in batch order gives exactly the unsharded estimate.
//!
//! Runs with a target relative error size their rounds from the results so
//! far, so they cannot be split in advance; exact methods have no batches.

use super::{Criterion, Estimate, EstimateError, EstimateOptions, Method, crude, turnip};
use crate::shard::Shard;
use crate::shard::{JoinError, Joinable};
use crate::static_model::StaticModel;
use crate::stats::Moments;
use serde::{Deserialize, Serialize};

/// Sums of one turnip batch.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchSums {
    pub n: u64,
    pub sum: f64,
    pub sum_sq: f64,
}

/// Per-batch statistics, in batch order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "kebab-case")]
pub enum BatchStats {
    /// Failures seen in each crude batch.
    Crude { failures: Vec<u64> },
    /// Sums of the turnip samples of each batch.
    Pmc { sums: Vec<BatchSums> },
}

impl BatchStats {
    fn len(&self) -> usize {
        match self {
            BatchStats::Crude { failures } => failures.len(),
            BatchStats::Pmc { sums } => sums.len(),
        }
    }

    fn method(&self) -> &'static str {
        match self {
            BatchStats::Crude { .. } => "crude",
            BatchStats::Pmc { .. } => "pmc",
        }
    }

    /// The sampler version this drsim writes for the method.
    pub fn current_sampler(&self) -> u32 {
        match self {
            BatchStats::Crude { .. } => crude::SAMPLER,
            BatchStats::Pmc { .. } => turnip::SAMPLER,
        }
    }
}

/// Batches `first_batch..first_batch + len` of an estimate of `samples`
/// samples with seed `seed`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EstimateData {
    pub seed: u64,
    /// Samples of the whole (unsharded) estimate.
    pub samples: u64,
    pub first_batch: u64,
    /// What a seed gives the method ([`BatchStats::current_sampler`]); 1
    /// in parts that record none.
    #[serde(default = "crate::shard::unversioned_sampler")]
    pub sampler: u32,
    pub stats: BatchStats,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PartError {
    #[error("nothing to merge")]
    Empty,
    #[error("parts disagree on {what}: '{a}' vs '{b}' (were they run with the same settings?)")]
    Mismatch {
        what: &'static str,
        a: String,
        b: String,
    },
    #[error("batches {start}..{end} are missing (a shard was not run or not given)")]
    Gap { start: u64, end: u64 },
    #[error("batches from {start} are given twice (a shard was given twice)")]
    Overlap { start: u64 },
    #[error("the estimate is incomplete: it holds batches {have_start}..{have_end} of 0..{total}")]
    Incomplete {
        have_start: u64,
        have_end: u64,
        total: u64,
    },
    #[error("a part's batch statistics are inconsistent: {0}")]
    Corrupt(String),
}

/// Runs shard `shard` of a crude or turnip estimate with a fixed sample
/// count.
/// Whether a run with these options can be split into shards: only fixed-size
/// crude and pmc runs are batched the same way whatever the split.
pub fn check_shardable(opts: &EstimateOptions) -> Result<(), EstimateError> {
    if opts.target_re.is_some() {
        return Err(EstimateError::ShardTargetRe);
    }
    match opts.method {
        Method::Crude | Method::Pmc => Ok(()),
        m => Err(EstimateError::ShardMethod(m)),
    }
}

pub fn estimate_data(
    model: &StaticModel,
    criterion: &Criterion,
    opts: &EstimateOptions,
    shard: Shard,
) -> Result<EstimateData, EstimateError> {
    super::validate(model, criterion)?;
    check_shardable(opts)?;
    if opts.samples == 0 {
        return Err(EstimateError::BadOptions(
            "samples must be at least 1".into(),
        ));
    }
    let n = opts.samples;
    let stats = match opts.method {
        Method::Crude => {
            super::crude_work_ok(model, n)?;
            let r = range(shard, n.div_ceil(crude::BATCH));
            BatchStats::Crude {
                failures: crude::batch_failures(
                    model,
                    criterion,
                    (opts.seed, 0),
                    r,
                    n,
                    &crate::sampling::Silent,
                ),
            }
        }
        Method::Pmc => {
            let r = range(shard, n.div_ceil(turnip::BATCH));
            let shocks = turnip::AntiShocks::new(model);
            let sums = turnip::batch_moments(model, criterion, &shocks, (opts.seed, 0), r, n)
                .into_iter()
                .map(|m| BatchSums {
                    n: m.n,
                    sum: m.sum,
                    sum_sq: m.sum_sq,
                })
                .collect();
            BatchStats::Pmc { sums }
        }
        Method::Exact | Method::Auto => return Err(EstimateError::ShardMethod(opts.method)),
    };
    let first_batch = range(shard, total_batches_for(&stats, n)).start;
    Ok(EstimateData {
        seed: opts.seed,
        samples: n,
        first_batch,
        sampler: stats.current_sampler(),
        stats,
    })
}

fn range(shard: Shard, total: u64) -> std::ops::Range<u64> {
    let r = shard.batches(total as usize);
    r.start as u64..r.end as u64
}

fn batch_size(stats: &BatchStats) -> u64 {
    match stats {
        BatchStats::Crude { .. } => crude::BATCH,
        BatchStats::Pmc { .. } => turnip::BATCH,
    }
}

fn total_batches_for(stats: &BatchStats, samples: u64) -> u64 {
    samples.div_ceil(batch_size(stats))
}

impl Joinable for EstimateData {
    fn first_batch(&self) -> u64 {
        self.first_batch
    }
    fn n_batches(&self) -> u64 {
        self.stats.len() as u64
    }
    fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("method", self.method().into()),
            ("seed", self.seed.to_string()),
            ("samples", self.samples.to_string()),
            ("sampler version", self.sampler.to_string()),
        ]
    }
    fn append(&mut self, next: Self) {
        match (&mut self.stats, next.stats) {
            (BatchStats::Crude { failures: a }, BatchStats::Crude { failures: b }) => a.extend(b),
            (BatchStats::Pmc { sums: a }, BatchStats::Pmc { sums: b }) => a.extend(b),
            _ => unreachable!("methods were checked equal"),
        }
    }
}

impl EstimateData {
    pub fn method(&self) -> &'static str {
        self.stats.method()
    }

    /// Number of batches of the whole estimate.
    pub fn total_batches(&self) -> u64 {
        total_batches_for(&self.stats, self.samples)
    }

    pub fn batch_range(&self) -> std::ops::Range<u64> {
        self.first_batch..self.first_batch + self.stats.len() as u64
    }

    pub fn is_complete(&self) -> bool {
        self.first_batch == 0 && self.stats.len() as u64 == self.total_batches()
    }

    /// Joins parts of one estimate (in any order) into one
    /// ([`crate::shard::join`]).
    pub fn merge(parts: Vec<EstimateData>) -> Result<EstimateData, PartError> {
        crate::shard::join(parts).map_err(|e| match e {
            JoinError::Empty => PartError::Empty,
            JoinError::Mismatch { what, a, b } => PartError::Mismatch { what, a, b },
            JoinError::Gap { start, end } => PartError::Gap { start, end },
            JoinError::Overlap { start } => PartError::Overlap { start },
        })
    }

    /// The estimate, reduced in batch order exactly as the unsharded run
    /// does; the data must be complete. `seconds` is left at 0.
    pub fn estimate(&self) -> Result<Estimate, PartError> {
        if !self.is_complete() {
            let r = self.batch_range();
            return Err(PartError::Incomplete {
                have_start: r.start,
                have_end: r.end,
                total: self.total_batches(),
            });
        }
        let bs = batch_size(&self.stats);
        let expected = |b: usize| bs.min(self.samples - b as u64 * bs);
        match &self.stats {
            BatchStats::Crude { failures } => {
                for (b, &k) in failures.iter().enumerate() {
                    if k > expected(b) {
                        return Err(PartError::Corrupt(format!(
                            "batch {b} has {k} failures in {} samples",
                            expected(b)
                        )));
                    }
                }
                Ok(crude::finish(failures.iter().sum(), self.samples))
            }
            BatchStats::Pmc { sums } => {
                let mut m = Moments::default();
                for (b, s) in sums.iter().enumerate() {
                    if s.n != expected(b) {
                        return Err(PartError::Corrupt(format!(
                            "batch {b} holds {} samples, expected {}",
                            s.n,
                            expected(b)
                        )));
                    }
                    // Each turnip sample is a probability: sums lie in [0, n].
                    let n = s.n as f64 * (1.0 + 1e-9);
                    let ok = |x: f64| x.is_finite() && x >= 0.0 && x <= n;
                    if !ok(s.sum) || !ok(s.sum_sq) {
                        return Err(PartError::Corrupt(format!(
                            "batch {b} has sums {:e} and {:e} for {} samples of probabilities",
                            s.sum, s.sum_sq, s.n
                        )));
                    }
                    // The unsharded run merges each batch into running sums
                    // that start at zero, then adds those to zero again.
                    m.merge(&Moments {
                        n: s.n,
                        sum: s.sum,
                        sum_sq: s.sum_sq,
                    });
                }
                let mut total = Moments::default();
                total.merge(&m);
                Ok(turnip::finish(&total))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reliability::{estimate, instances};

    fn opts(method: Method, samples: u64) -> EstimateOptions {
        EstimateOptions::fixed(method, samples, 11)
    }

    /// The dodecahedron between opposite corners, every component at q = 0.1.
    fn dodecahedron_st() -> (crate::static_model::StaticModel, Criterion) {
        let model = instances::dodecahedron(0.1);
        (model, Criterion::TwoTerminal { s: 0, t: 19 })
    }

    #[test]
    fn shards_merge_into_the_unsharded_estimate_bit_for_bit() {
        let (model, crit) = dodecahedron_st();
        for (method, samples) in [(Method::Crude, 50_000), (Method::Pmc, 5_000)] {
            let o = opts(method, samples);
            let mut whole = estimate(&model, &crit, &o).unwrap();
            whole.seconds = 0.0;
            for n in [1u32, 2, 7] {
                let parts: Vec<EstimateData> = (0..n)
                    .rev()
                    .map(|i| {
                        let d =
                            estimate_data(&model, &crit, &o, Shard::new(i, n).unwrap()).unwrap();
                        serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap()
                    })
                    .collect();
                let merged = EstimateData::merge(parts).unwrap();
                assert_eq!(merged.estimate().unwrap(), whole, "{method:?}, {n} shards");
            }
        }
    }

    #[test]
    fn parts_do_not_depend_on_the_thread_count() {
        let (model, crit) = dodecahedron_st();
        for (method, samples) in [(Method::Crude, 40_000), (Method::Pmc, 6_000)] {
            let o = opts(method, samples);
            let shard = Shard::new(1, 3).unwrap();
            let on = |n: usize| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .unwrap()
                    .install(|| estimate_data(&model, &crit, &o, shard).unwrap())
            };
            assert_eq!(on(1), on(2), "{method:?}");
        }
    }

    #[test]
    fn refuses_unshardable_runs_and_bad_merges() {
        let (model, crit) = dodecahedron_st();
        for m in [Method::Exact, Method::Auto] {
            assert!(matches!(
                estimate_data(&model, &crit, &opts(m, 1000), Shard::WHOLE),
                Err(EstimateError::ShardMethod(x)) if x == m
            ));
        }
        let adaptive = EstimateOptions {
            target_re: Some(0.1),
            ..opts(Method::Pmc, 1000)
        };
        assert!(matches!(
            estimate_data(&model, &crit, &adaptive, Shard::WHOLE),
            Err(EstimateError::ShardTargetRe)
        ));
        let o = opts(Method::Pmc, 5000); // 5 batches
        let part = |i| estimate_data(&model, &crit, &o, Shard::new(i, 3).unwrap()).unwrap();
        let (a, b, c) = (part(0), part(1), part(2));
        assert!(matches!(
            EstimateData::merge(vec![a.clone(), c.clone()]),
            Err(PartError::Gap { .. })
        ));
        assert!(matches!(
            EstimateData::merge(vec![a.clone(), b.clone(), b.clone(), c.clone()]),
            Err(PartError::Overlap { .. })
        ));
        assert!(matches!(
            EstimateData::merge(vec![a.clone(), b.clone()])
                .unwrap()
                .estimate(),
            Err(PartError::Incomplete { .. })
        ));
        let other = estimate_data(
            &model,
            &crit,
            &EstimateOptions {
                seed: 12,
                ..o.clone()
            },
            Shard::new(1, 3).unwrap(),
        )
        .unwrap();
        assert!(matches!(
            EstimateData::merge(vec![a, other, c]),
            Err(PartError::Mismatch { what: "seed", .. })
        ));
    }

    /// A part without `sampler` is version 1 and is not joined with a part
    /// of this drsim's version; two such parts still join.
    #[test]
    fn parts_of_two_sampler_versions_are_not_joined() {
        let (model, crit) = dodecahedron_st();
        let o = opts(Method::Crude, 20_000);
        let new = |i| estimate_data(&model, &crit, &o, Shard::new(i, 2).unwrap()).unwrap();
        let old = |i| {
            let mut v = serde_json::to_value(new(i)).unwrap();
            v.as_object_mut().unwrap().remove("sampler");
            serde_json::from_value::<EstimateData>(v).unwrap()
        };
        assert_eq!(new(0).sampler, crude::SAMPLER);
        assert_eq!(old(0).sampler, crate::shard::UNVERSIONED_SAMPLER);
        assert!(matches!(
            EstimateData::merge(vec![old(0), new(1)]),
            Err(PartError::Mismatch {
                what: "sampler version",
                ..
            })
        ));
        let joined = EstimateData::merge(vec![old(0), old(1)]).unwrap();
        let mut whole = estimate(&model, &crit, &o).unwrap();
        whole.seconds = 0.0;
        assert_eq!(joined.estimate().unwrap(), whole);
    }
}
