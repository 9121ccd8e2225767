//! Rare tail of the flow distribution: P(flow < L) by importance sampling
//! with cross-entropy tilted failure probabilities, for levels too rare for
//! crude Monte Carlo. Stage `k` batch `b` uses stream `(k << 32) + b`
//! ([`FINAL_STAGE`] for the estimate), so the seed fixes every number
//! whatever the thread count. The estimator and its tilt search are
//! described in docs/internals.md, "capacity/rare.rs".

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use std::time::Instant;

use super::batch::PatternCache;
use super::st_flow::{CapacityError, IRRELEVANT, Sampler, check_sampling};
use super::work::StoppedShort;
use crate::graph::maxflow::MaxFlow;
use crate::sampling::{Progress, Silent, Status};
use crate::static_model::StaticModel;

/// Samples per batch in every stage.
pub const RARE_BATCH: u64 = 1024;
const PILOT_SAMPLES: u64 = 8 * RARE_BATCH;
const RHO: f64 = 0.1;
const MAX_PILOTS: u64 = 30;
const FINAL_STAGE: u64 = 1 << 20;
/// Tilted probabilities stay inside this band so that no weight explodes.
const R_MIN: f64 = 1e-12;
const R_MAX: f64 = 0.9;
/// The tilt fits the dominant cut; rarer cuts then show up as occasional
/// large weights. Stopping on a small early variance estimate would miss
/// them and under-estimate (seen on Geant2012 UK-GR at q = 0.01: 16k
/// samples gave RE "0.9%" about 3% low), so never stop before this many.
pub const MIN_FINAL_SAMPLES: u64 = 1 << 18;
/// Weight of the new cross-entropy fit against the previous tilt.
const SMOOTHING: f64 = 0.7;

#[derive(Clone, Debug)]
pub struct RareOptions {
    pub seed: u64,
    /// Stop when the relative error (s.e. / estimate) is at most this.
    pub target_re: f64,
    /// Never draw more than this many samples in the final stage.
    pub max_samples: u64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RareEstimate {
    /// The event is `flow < level`.
    pub level: f64,
    pub probability: f64,
    pub std_error: f64,
    pub relative_error: f64,
    /// Normal 95% interval, clamped at 0.
    pub ci95_low: f64,
    pub ci95_high: f64,
    pub samples: u64,
    pub pilot_stages: u64,
    pub seconds: f64,
    /// Set when the estimate stopped above the target relative error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_short: Option<StoppedShort>,
}

#[derive(Clone, Copy)]
enum Comp {
    Node(u32),
    Edge(u32),
    Shock(usize),
}

struct Tilted<'a> {
    sm: Sampler<'a>,
    comps: Vec<(Comp, f64)>,
}

struct Sample {
    flow: f64,
    weight: f64,
    failed_comps: Vec<u32>,
}

impl<'a> Tilted<'a> {
    fn new(model: &'a StaticModel, s: u32, t: u32) -> Tilted<'a> {
        let mut comps = Vec::new();
        for (i, &q) in model.node_q.iter().enumerate() {
            comps.push((Comp::Node(i as u32), q));
        }
        for (i, &q) in model.edge_q.iter().enumerate() {
            comps.push((Comp::Edge(i as u32), q));
        }
        for (i, sh) in model.shocks.iter().enumerate() {
            comps.push((Comp::Shock(i), sh.prob));
        }
        let sm = Sampler::new(model, s, t);
        // Edges on no s-t path cannot matter: leave them untilted and undrawn.
        comps.retain(|&(c, q)| {
            q > 0.0 && !matches!(c, Comp::Edge(e) if sm.edge_map[e as usize] == IRRELEVANT)
        });
        Tilted { sm, comps }
    }

    #[allow(clippy::too_many_arguments)]
    fn sample(
        &self,
        r: &[f64],
        rng: &mut Xoshiro256PlusPlus,
        keep: bool,
        mf: &mut MaxFlow,
        cache: &mut PatternCache,
        failed: &mut [u64],
    ) -> Sample {
        let sm = &self.sm;
        failed.fill(0);
        let mut weight = 1.0;
        let mut terminal_down = false;
        let mut failed_comps = Vec::new();
        for (i, (&(c, q), &ri)) in self.comps.iter().zip(r).enumerate() {
            let u = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
            if u < ri {
                weight *= q / ri;
                if keep {
                    failed_comps.push(i as u32);
                }
                match c {
                    Comp::Node(v) => terminal_down |= sm.kill_node(failed, v),
                    Comp::Edge(e) => sm.fail_edge(failed, e),
                    Comp::Shock(k) => {
                        let sh = &sm.model.shocks[k];
                        for &v in &sh.nodes {
                            terminal_down |= sm.kill_node(failed, v);
                        }
                        for &e in &sh.edges {
                            sm.fail_edge(failed, e);
                        }
                    }
                }
            } else {
                weight *= (1.0 - q) / (1.0 - ri);
            }
        }
        let flow = if terminal_down {
            0.0
        } else if sm.keeps_intact(failed) {
            sm.intact
        } else {
            sm.flow_of(failed, mf, cache).0
        };
        Sample {
            flow,
            weight,
            failed_comps,
        }
    }

    /// Runs `n` samples of stage `stage` with tilt `r`, batch by batch in
    /// parallel, returned in a fixed order; `progress` hears of each batch.
    fn run(
        &self,
        r: &[f64],
        (seed, stage, first_batch): (u64, u64, u64),
        n: u64,
        keep: bool,
        progress: &dyn Progress,
    ) -> Vec<Sample> {
        let n_batches = n.div_ceil(RARE_BATCH);
        let per: Vec<Vec<Sample>> = (0..n_batches)
            .into_par_iter()
            .map(|b| {
                let mut rng = crate::rng::batch_stream(seed, (stage << 32) + first_batch + b);
                let mut mf = MaxFlow::new(&self.sm.net);
                let mut cache = PatternCache::default();
                let mut failed = vec![0u64; self.sm.words];
                let m = RARE_BATCH.min(n - b * RARE_BATCH);
                let out = (0..m)
                    .map(|_| self.sample(r, &mut rng, keep, &mut mf, &mut cache, &mut failed))
                    .collect();
                progress.drawn(m);
                out
            })
            .collect();
        per.into_iter().flatten().collect()
    }
}

/// Estimates P(flow < level) from `s` to `t`. `level` must be > 0; use a
/// tiny positive level (e.g. 1e-9 of the intact flow) for P(flow = 0).
pub fn estimate_below(
    model: &StaticModel,
    s: u32,
    t: u32,
    level: f64,
    opts: &RareOptions,
) -> Result<RareEstimate, CapacityError> {
    estimate_below_with(model, s, t, level, opts, &Silent)
}

/// [`estimate_below`], telling `progress` of each pilot stage and of the
/// final stage's rounds (samples against the cap, relative error against
/// the target); the numbers do not depend on it.
pub fn estimate_below_with(
    model: &StaticModel,
    s: u32,
    t: u32,
    level: f64,
    opts: &RareOptions,
    progress: &dyn Progress,
) -> Result<RareEstimate, CapacityError> {
    check_sampling(model, s, t, opts.max_samples)?;
    if !(level.is_finite() && level > 0.0) {
        return Err(CapacityError::BadThreshold(level));
    }
    let started = Instant::now();
    let tl = Tilted::new(model, s, t);
    let q: Vec<f64> = tl.comps.iter().map(|c| c.1).collect();
    // Flow only falls as more fails: if it stays >= level with every
    // failure source down at once, the probability is exactly 0.
    if worst_flow(&tl) >= level {
        return Ok(RareEstimate {
            level,
            probability: 0.0,
            std_error: 0.0,
            relative_error: 0.0,
            ci95_low: 0.0,
            ci95_high: 0.0,
            samples: 0,
            pilot_stages: 0,
            seconds: started.elapsed().as_secs_f64(),
            stopped_short: None,
        });
    }
    // Pilots and the final stage share the model's work budget.
    let budget = super::work::budget(model);
    let (r, pilots) = cross_entropy_tilt(&tl, &q, (level, opts.seed, budget), progress)?;
    let cap = opts.max_samples.min(budget - pilots * PILOT_SAMPLES);
    let stage = Stage {
        level,
        seed: opts.seed,
        target_re: opts.target_re,
        cap,
    };
    let (n, sum, sum_sq) = final_stage(&tl, &r, &stage, progress);
    let (p, se) = mean_se(sum, sum_sq, n);
    // Short of the target, or of the minimum the tilt needs to be trusted.
    let short = !(n >= MIN_FINAL_SAMPLES && p > 0.0 && se / p <= opts.target_re);
    Ok(RareEstimate {
        level,
        probability: p,
        std_error: se,
        relative_error: if p > 0.0 { se / p } else { f64::INFINITY },
        ci95_low: (p - crate::stats::Z95 * se).max(0.0),
        ci95_high: p + crate::stats::Z95 * se,
        samples: n,
        pilot_stages: pilots,
        seconds: started.elapsed().as_secs_f64(),
        stopped_short: short.then_some(if cap < opts.max_samples {
            StoppedShort::WorkBudget
        } else {
            StoppedShort::SampleCap
        }),
    })
}

/// The flow with every failure source down at once: the least the flow
/// can be.
fn worst_flow(tl: &Tilted<'_>) -> f64 {
    let all_down = vec![1.0; tl.comps.len()];
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(0);
    let mut mf = MaxFlow::new(&tl.sm.net);
    let mut failed = vec![0u64; tl.sm.words];
    let mut cache = PatternCache::default();
    let smp = tl.sample(&all_down, &mut rng, false, &mut mf, &mut cache, &mut failed);
    smp.flow
}

/// Multilevel cross-entropy: tilted probabilities, refitted stage by stage
/// to the elite samples, until the stage's level reaches `level`; with the
/// number of pilot stages run. Refused when the pilots and a first final
/// round would pass `budget` samples.
fn cross_entropy_tilt(
    tl: &Tilted<'_>,
    q: &[f64],
    (level, seed, budget): (f64, u64, u64),
    progress: &dyn Progress,
) -> Result<(Vec<f64>, u64), CapacityError> {
    let mut r = q.to_vec();
    let mut pilots = 0;
    loop {
        let planned = (pilots + 1) * PILOT_SAMPLES + FINAL_ROUND;
        if planned > budget {
            return Err(CapacityError::RareTooMuchWork(
                crate::static_model::Overwork {
                    samples: planned,
                    size: tl.sm.model.sample_size(),
                    max_samples: budget,
                },
            ));
        }
        if pilots == MAX_PILOTS {
            return Err(CapacityError::RareEventFailed(format!(
                "the cross-entropy tilt did not reach flow < {level} in {MAX_PILOTS} stages"
            )));
        }
        progress.stage(&format!("cross-entropy pilot {}", pilots + 1));
        progress.round(Status {
            done: 0,
            planned: PILOT_SAMPLES,
            relative_error: f64::NAN,
            target: None,
        });
        let samples = tl.run(&r, (seed, pilots, 0), PILOT_SAMPLES, true, progress);
        pilots += 1;
        let mut flows: Vec<f64> = samples.iter().map(|s| s.flow).collect();
        flows.sort_by(f64::total_cmp);
        let quant = flows[((RHO * flows.len() as f64) as usize).min(flows.len() - 1)];
        let reached = quant < level;
        // Flows are discrete: many samples tie at the quantile (often the
        // intact flow). Then the elite is the samples strictly below it, and
        // when there are none every tilt is doubled: any tilt keeps the
        // estimator unbiased, the level only guides how fast we get there.
        let strict = !reached
            && flows[0] < quant
            && flows.partition_point(|&f| f <= quant) as f64 > 2.0 * RHO * flows.len() as f64;
        let in_elite = |f: f64| {
            if reached {
                f < level
            } else if strict {
                f < quant
            } else {
                f <= quant
            }
        };
        let stalled = !reached && flows[0] >= quant;
        let mut num = vec![0.0; r.len()];
        let mut den = 0.0;
        for smp in samples.iter().filter(|s| in_elite(s.flow)) {
            den += smp.weight;
            for &i in &smp.failed_comps {
                num[i as usize] += smp.weight;
            }
        }
        for i in 0..r.len() {
            let fitted = if stalled || den <= 0.0 || den.is_nan() {
                2.0 * r[i]
            } else {
                SMOOTHING * num[i] / den + (1.0 - SMOOTHING) * r[i]
            };
            r[i] = if q[i] >= 1.0 {
                1.0
            } else {
                fitted.clamp(R_MIN.min(q[i]), R_MAX.max(q[i]))
            };
        }
        if reached {
            break;
        }
    }
    Ok((r, pilots))
}

/// Samples per round of the final stage.
const FINAL_ROUND: u64 = 16 * RARE_BATCH;

/// What the final stage estimates and within which budget.
#[derive(Clone, Copy)]
struct Stage {
    level: f64,
    seed: u64,
    target_re: f64,
    cap: u64,
}

/// The final stage: rounds of batches with `r` fixed until the target
/// relative error (or `cap` samples); samples, sum and sum of squares of
/// the weighted indicators.
fn final_stage(
    tl: &Tilted<'_>,
    r: &[f64],
    stage: &Stage,
    progress: &dyn Progress,
) -> (u64, f64, f64) {
    let Stage {
        level,
        seed,
        target_re,
        cap,
    } = *stage;
    let (mut n, mut sum, mut sum_sq) = (0u64, 0.0, 0.0);
    progress.stage("importance sampling");
    loop {
        let take = FINAL_ROUND.min(cap.saturating_sub(n));
        if take == 0 {
            break;
        }
        let (p, se) = mean_se(sum, sum_sq, n);
        progress.round(Status {
            done: n,
            planned: n + take,
            relative_error: match (n, p > 0.0) {
                (0, _) => f64::NAN,
                (_, true) => se / p,
                _ => f64::INFINITY,
            },
            target: Some(target_re),
        });
        let first = n / RARE_BATCH;
        let samples = tl.run(r, (seed, FINAL_STAGE, first), take, false, progress);
        for smp in &samples {
            let x = if smp.flow < level { smp.weight } else { 0.0 };
            sum += x;
            sum_sq += x * x;
        }
        n += take;
        let (p, se) = mean_se(sum, sum_sq, n);
        if n >= MIN_FINAL_SAMPLES && p > 0.0 && se / p <= target_re {
            break;
        }
    }
    (n, sum, sum_sq)
}

fn mean_se(sum: f64, sum_sq: f64, n: u64) -> (f64, f64) {
    let nf = n as f64;
    let mean = sum / nf;
    let var = ((sum_sq - nf * mean * mean) / (nf - 1.0).max(1.0)).max(0.0);
    (mean, (var / nf).sqrt())
}
