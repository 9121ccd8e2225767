//! The turnip (Elperin-Gertsbakh-Lomonosov permutation Monte Carlo with
//! merging) over Marshall-Olkin anti-shocks: the estimator whose relative
//! error stays bounded as failure probabilities shrink on a fixed graph, for
//! the rare events crude Monte Carlo cannot reach. How a sample is drawn is
//! in docs/internals.md, "reliability/turnip.rs".

mod path;

use super::{Criterion, Estimate, EstimateOptions};
use crate::sampling::{Progress, Silent, Status};
use crate::static_model::StaticModel;
use crate::stats::Moments;
use path::Path;
use rayon::prelude::*;

/// Samples per batch (unit of parallel work and of RNG streams).
pub const BATCH: u64 = 1024;

/// The sampler version of turnip parts ([`crate::shard::UNVERSIONED_SAMPLER`]):
/// 2 since relevance is kept incrementally (session 6 meets the failure
/// sources in another order, moving every turnip number at a fixed seed);
/// parts that record none are 1.
pub const SAMPLER: u32 = 2;

/// A failure source and the components it covers.
#[derive(Clone, Debug)]
struct Source {
    rate: f64,
    nodes: Vec<u32>,
    edges: Vec<u32>,
}

/// The anti-shock view of a model, built once and shared by all batches.
pub struct AntiShocks {
    sources: Vec<Source>,
    /// How many sources cover each node / edge (present at time 0).
    node_cover: Vec<u32>,
    edge_cover: Vec<u32>,
    /// Edges incident to each node.
    incident: Vec<Vec<u32>>,
    /// For each edge, the sources that cover it and no node: only those can
    /// become irrelevant while still unrepaired (a source covering a node
    /// keeps that node down, so it always matters).
    edge_sources: Vec<Vec<u32>>,
    /// Per source: its edge count when it covers no node, else `u32::MAX`.
    edges_to_satisfy: Vec<u32>,
}

impl AntiShocks {
    pub fn new(model: &StaticModel) -> AntiShocks {
        let mut sources = Vec::new();
        let mut node_cover = vec![0u32; model.n_nodes()];
        let mut edge_cover = vec![0u32; model.n_edges()];
        let rate = |p: f64| -p.ln();
        for (i, &q) in model.node_q.iter().enumerate() {
            if q > 0.0 {
                node_cover[i] += 1;
                sources.push(Source {
                    rate: rate(q),
                    nodes: vec![i as u32],
                    edges: vec![],
                });
            }
        }
        for (i, &q) in model.edge_q.iter().enumerate() {
            if q > 0.0 {
                edge_cover[i] += 1;
                sources.push(Source {
                    rate: rate(q),
                    nodes: vec![],
                    edges: vec![i as u32],
                });
            }
        }
        for s in &model.shocks {
            if s.prob > 0.0 {
                for &v in &s.nodes {
                    node_cover[v as usize] += 1;
                }
                for &e in &s.edges {
                    edge_cover[e as usize] += 1;
                }
                sources.push(Source {
                    rate: rate(s.prob),
                    nodes: s.nodes.clone(),
                    edges: s.edges.clone(),
                });
            }
        }
        let mut incident = vec![Vec::new(); model.n_nodes()];
        for (e, &(a, b)) in model.edges.iter().enumerate() {
            incident[a as usize].push(e as u32);
            incident[b as usize].push(e as u32);
        }
        let mut edge_sources = vec![Vec::new(); model.n_edges()];
        let mut edges_to_satisfy = Vec::with_capacity(sources.len());
        for (i, s) in sources.iter().enumerate() {
            if s.nodes.is_empty() {
                for &e in &s.edges {
                    edge_sources[e as usize].push(i as u32);
                }
                edges_to_satisfy.push(s.edges.len() as u32);
            } else {
                edges_to_satisfy.push(u32::MAX);
            }
        }
        AntiShocks {
            sources,
            node_cover,
            edge_cover,
            incident,
            edge_sources,
            edges_to_satisfy,
        }
    }
}

/// P(X_0 + ... + X_{c-1} > 1) for independent X_k ~ Exp(rates[k]).
///
/// Uniformization of the pure-birth chain with constant L = max rate: the
/// answer is sum_n Poisson(n; L) * P(chain not absorbed after n jumps), a
/// sum of non-negative terms, so it keeps full relative accuracy even when
/// the answer is 1e-300 (the partial-fraction formula cancels
/// catastrophically). A running scale factor avoids underflow of e^{-L}.
pub fn hypoexp_tail(rates: &[f64]) -> f64 {
    let c = rates.len();
    if c == 0 {
        return 0.0;
    }
    if c == 1 {
        return (-rates[0]).exp();
    }
    let l = rates.iter().cloned().fold(0.0, f64::max);
    if l <= 0.0 {
        return 1.0;
    }
    let stay: Vec<f64> = rates.iter().map(|r| 1.0 - r / l).collect();
    let go: Vec<f64> = rates.iter().map(|r| r / l).collect();
    let mut v = vec![0.0; c];
    v[0] = 1.0;
    // True value of the vector is v * exp(log_scale).
    let mut log_scale = -l;
    let mut acc = 1.0;
    let mut n = 0.0f64;
    // Only states lo..hi carry mass: the chain cannot be beyond state n
    // after n jumps, and leading states whose mass has become negligible
    // (below 1e-40 of the vector's total) are dropped for good.
    let mut lo = 0usize;
    let mut hi = 1usize;
    loop {
        n += 1.0;
        let f = l / n;
        let mut prev = 0.0;
        let mut sum = 0.0;
        hi = (hi + 1).min(c);
        for k in lo..hi {
            let cur = v[k];
            let nv = (cur * stay[k] + prev) * f;
            prev = cur * go[k];
            v[k] = nv;
            sum += nv;
        }
        while lo + 1 < hi && v[lo] <= 1e-40 * sum {
            v[lo] = 0.0;
            lo += 1;
        }
        acc += sum;
        if n > l && sum <= 1e-17 * acc {
            break;
        }
        if sum > 1e200 {
            for x in v.iter_mut() {
                *x *= 1e-200;
            }
            acc *= 1e-200;
            log_scale += 200.0 * std::f64::consts::LN_10;
        }
    }
    (acc.ln() + log_scale).exp().min(1.0)
}

/// Sums of `len` turnip samples drawn from `rng`.
fn batch(
    model: &StaticModel,
    criterion: &Criterion,
    shocks: &AntiShocks,
    mut rng: rand_xoshiro::Xoshiro256PlusPlus,
    len: u64,
) -> Moments {
    let mut path = Path::new(model, criterion, shocks);
    let mut m = Moments::default();
    for _ in 0..len {
        m.push(path.sample(&mut rng));
    }
    m
}

/// Sums of each batch of `batches`, in batch order, for a run of `n`
/// samples whose batch 0 draws from stream `first` (batch `b` from stream
/// `first + b`, [`crate::rng::batch_streams_in`]). Shards call this with
/// their own range of batches.
pub(super) fn batch_moments(
    model: &StaticModel,
    criterion: &Criterion,
    shocks: &AntiShocks,
    (seed, first): (u64, u64),
    batches: std::ops::Range<u64>,
    n: u64,
) -> Vec<Moments> {
    batch_moments_with(
        model,
        criterion,
        shocks,
        (seed, first),
        (batches, n),
        &Silent,
    )
}

/// [`batch_moments`], telling `progress` of each batch drawn.
fn batch_moments_with(
    model: &StaticModel,
    criterion: &Criterion,
    shocks: &AntiShocks,
    (seed, first): (u64, u64),
    (batches, n): (std::ops::Range<u64>, u64),
    progress: &dyn Progress,
) -> Vec<Moments> {
    let streams = crate::rng::batch_streams_in(seed, first + batches.start..first + batches.end);
    (streams.into_par_iter().enumerate())
        .map(|(i, rng)| {
            let b = batches.start + i as u64;
            let len = BATCH.min(n - b * BATCH);
            let m = batch(model, criterion, shocks, rng, len);
            progress.drawn(len);
            m
        })
        .collect()
}

/// Runs batches `first..` covering `n` samples, reduced in batch order.
fn moments(
    (model, criterion, shocks): (&StaticModel, &Criterion, &AntiShocks),
    seed: u64,
    first: u64,
    n: u64,
    progress: &dyn Progress,
) -> Moments {
    let batches = (0..n.div_ceil(BATCH), n);
    let parts = batch_moments_with(model, criterion, shocks, (seed, first), batches, progress);
    let mut m = Moments::default();
    for p in &parts {
        m.merge(p);
    }
    m
}

/// The turnip's estimate: `opts.samples` samples, or with a target relative
/// error rounds sized from the relative variance so far until it is met,
/// `max_samples` is spent or the model's work budget is; each round is
/// announced to `progress`.
pub fn run(
    model: &StaticModel,
    criterion: &Criterion,
    opts: &EstimateOptions,
    progress: &dyn Progress,
) -> Estimate {
    let shocks = AntiShocks::new(model);
    let mut m = Moments::default();
    let mut next_batch = 0u64;
    let mut round = match opts.target_re {
        Some(_) => opts.samples.clamp(1, 10_000),
        None => opts.samples,
    };
    let max_samples = opts.max_samples.min(super::turnip_budget(model, criterion));
    loop {
        let n = match opts.target_re {
            Some(_) => round.min(max_samples.saturating_sub(m.n)),
            None => round,
        };
        if n == 0 {
            break;
        }
        progress.round(Status {
            done: m.n,
            planned: m.n + n,
            relative_error: if m.n == 0 {
                f64::NAN
            } else {
                m.relative_error()
            },
            target: opts.target_re,
        });
        let inputs = (model, criterion, &shocks);
        m.merge(&moments(inputs, opts.seed, next_batch, n, progress));
        next_batch += n.div_ceil(BATCH);
        let Some(target) = opts.target_re else { break };
        let re = m.relative_error();
        if re <= target || m.n >= max_samples {
            break;
        }
        // Every turnip sample is a probability computed in full; when all
        // of them are exactly 0 the unreliability underflows f64 (e.g. a
        // link failure of 1e-300), and more rounds cannot change that: the
        // relative error stays infinite and the run would go on to its
        // sample cap. Stop and report 0 with that relative error instead.
        if m.mean() == 0.0 {
            break;
        }
        // Plan the next round from the current relative variance.
        let need = if re.is_finite() {
            (m.n as f64 * (re / target).powi(2) * 1.1) as u64
        } else {
            m.n * 2
        };
        round = need.saturating_sub(m.n).max(BATCH);
    }
    let mut e = finish(&m);
    let zero = m.n > 0 && m.mean() == 0.0;
    let (re, target) = (e.relative_error, opts.target_re);
    e.stopped_short = crate::sampling::stopped_short(re, target, m.n, opts.max_samples, zero);
    e
}

/// The estimate from the summed samples.
pub(super) fn finish(m: &Moments) -> Estimate {
    let u = m.mean();
    let se = m.std_error();
    let se = if se.is_finite() { se } else { 0.0 };
    Estimate {
        unreliability: u,
        std_error: se,
        ci95_low: (u - crate::stats::Z95 * se).max(0.0),
        ci95_high: (u + crate::stats::Z95 * se).min(1.0),
        relative_error: m.relative_error(),
        samples: m.n,
        method: "pmc".into(),
        seconds: 0.0,
        stopped_short: None,
    }
}
