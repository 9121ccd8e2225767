//! Statistics shared by every engine: the one 95% normal quantile, mean
//! estimates with normal or Wilson intervals, exact (Clopper-Pearson) binomial
//! intervals on our own incomplete beta, running moments and exact sampled
//! distributions. A foundation: nothing here imports an engine.

use serde::Serialize;

/// Two-sided 95% standard-normal quantile, the one z every interval uses.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A mean with its 95% confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
    /// Standard error of the mean.
    pub se: f64,
}

impl Estimate {
    pub fn of(values: &[f64]) -> Estimate {
        let n = values.len() as f64;
        if values.is_empty() {
            return Estimate {
                mean: f64::NAN,
                lo: f64::NAN,
                hi: f64::NAN,
                se: f64::NAN,
            };
        }
        let mean = values.iter().sum::<f64>() / n;
        let var = if n > 1.0 {
            values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0)
        } else {
            0.0
        };
        let se = (var / n).sqrt();
        Estimate {
            mean,
            lo: mean - Z95 * se,
            hi: mean + Z95 * se,
            se,
        }
    }

    /// The estimate with its mean and bounds kept in `[min, max]`, the range
    /// the quantity can take: the normal interval of a share near 1 or of a
    /// loss near 0 reached past it (served 1.0000007, data lost -0.92
    /// min/year). The standard error is kept.
    pub fn within(self, min: f64, max: f64) -> Estimate {
        Estimate {
            mean: self.mean.clamp(min, max),
            lo: self.lo.clamp(min, max),
            hi: self.hi.clamp(min, max),
            se: self.se,
        }
    }

    /// `1 - x` of an estimate (unavailability to availability).
    pub fn complement(self) -> Estimate {
        Estimate {
            mean: 1.0 - self.mean,
            lo: 1.0 - self.hi,
            hi: 1.0 - self.lo,
            se: self.se,
        }
    }

    pub fn scaled(self, k: f64) -> Estimate {
        Estimate {
            mean: self.mean * k,
            lo: self.lo * k,
            hi: self.hi * k,
            se: self.se * k,
        }
    }

    /// Wilson score interval for `k` successes in `n` trials.
    pub fn wilson(k: usize, n: usize) -> Estimate {
        let (k, n) = (k as f64, n as f64);
        let p = k / n;
        let z2 = Z95 * Z95;
        let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
        let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
        // At k = 0 (k = n) the bound is exactly 0 (1); rounding would leave
        // a 1e-18 there.
        Estimate {
            mean: p,
            lo: if k == 0.0 {
                0.0
            } else {
                (centre - half).max(0.0)
            },
            hi: if k == n {
                1.0
            } else {
                (centre + half).min(1.0)
            },
            se: (p * (1.0 - p) / n).sqrt(),
        }
    }
}

/// Running sums for a mean of non-negative samples, merged in batch order.
#[derive(Clone, Copy, Debug, Default)]
pub struct Moments {
    pub n: u64,
    pub sum: f64,
    pub sum_sq: f64,
}

impl Moments {
    pub fn push(&mut self, y: f64) {
        self.n += 1;
        self.sum += y;
        self.sum_sq += y * y;
    }
    pub fn merge(&mut self, o: &Moments) {
        self.n += o.n;
        self.sum += o.sum;
        self.sum_sq += o.sum_sq;
    }
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum / self.n as f64
        }
    }
    /// Standard error of the mean (sample variance with n-1).
    pub fn std_error(&self) -> f64 {
        if self.n < 2 {
            return f64::INFINITY;
        }
        let n = self.n as f64;
        let m = self.mean();
        let var = ((self.sum_sq - n * m * m) / (n - 1.0)).max(0.0);
        (var / n).sqrt()
    }
    pub fn relative_error(&self) -> f64 {
        let m = self.mean();
        if m > 0.0 {
            self.std_error() / m
        } else {
            f64::INFINITY
        }
    }
}

/// Clopper-Pearson 95% interval for `k` events in `n` samples; `(0, 1)` when
/// nothing was sampled, and `k` is clamped to `n`.
pub fn clopper_pearson95(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    clopper_pearson(k.min(n), n, 0.05)
}

/// Flow percentiles: `pX` is the smallest flow `v` with at least X% of
/// samples at or below `v`, so at least (100-X)% of samples carry `pX` or more.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Percentiles {
    pub p1: f64,
    pub p5: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
}

/// A probability estimated from `k` of `n` samples with its exact
/// (Clopper-Pearson) 95% interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Proportion {
    pub k: u64,
    pub n: u64,
    pub p: f64,
    pub low: f64,
    pub high: f64,
}

impl Proportion {
    pub fn new(k: u64, n: u64) -> Proportion {
        let (low, high) = clopper_pearson(k, n, 0.05);
        Proportion {
            k,
            n,
            p: k as f64 / n as f64,
            low,
            high,
        }
    }
}

/// Exact two-sided `1 - alpha` binomial interval. `k = 0` gives a lower
/// bound of 0 and `k = n` an upper bound of 1 (the Beta quantiles are
/// undefined there).
///
/// The Beta quantiles are found by bisection on our own incomplete beta:
/// statrs 0.19's `inv_beta_reg` never returns for some large parameters
/// (seen with 40 million samples), and its `beta_reg` stops its continued
/// fraction after 140 terms, while large `a + b` needs about `sqrt(a + b)`.
pub fn clopper_pearson(k: u64, n: u64, alpha: f64) -> (f64, f64) {
    assert!(n > 0 && k <= n);
    let (kf, nf) = (k as f64, n as f64);
    let low = if k == 0 {
        0.0
    } else {
        beta_quantile(kf, nf - kf + 1.0, alpha / 2.0)
    };
    let high = if k == n {
        1.0
    } else {
        beta_quantile(kf + 1.0, nf - kf, 1.0 - alpha / 2.0)
    };
    (low, high)
}

/// The `x` with `I_x(a, b) = p`, by bisection (the CDF is increasing). The
/// midpoint is geometric while the bracket spans orders of magnitude, so
/// tiny quantiles (1e-9 and below) come out with full relative precision.
fn beta_quantile(a: f64, b: f64, p: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..200 {
        let mid = if lo > 0.0 && hi / lo > 4.0 {
            (lo * hi).sqrt()
        } else if lo == 0.0 && hi > 1e-300 {
            hi * 1e-3
        } else {
            0.5 * (lo + hi)
        };
        if mid <= lo || mid >= hi {
            break;
        }
        if beta_cdf(a, b, mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Regularised incomplete beta `I_x(a, b)` (Numerical Recipes' `betai`):
/// the continued fraction on whichever side of the mean converges fast,
/// run until converged (about `sqrt(max(a, b))` terms for large a, b).
pub fn beta_cdf(a: f64, b: f64, x: f64) -> f64 {
    use statrs::function::gamma::ln_gamma;
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (-x).ln_1p();
    if x < (a + 1.0) / (a + b + 2.0) {
        (ln_front.exp() * beta_cf(a, b, x) / a).clamp(0.0, 1.0)
    } else {
        (1.0 - ln_front.exp() * beta_cf(b, a, 1.0 - x) / b).clamp(0.0, 1.0)
    }
}

/// Lentz's continued fraction for the incomplete beta.
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    let max_terms = 100 + 10 * (a.max(b).sqrt() as u64);
    for m in 1..=max_terms {
        let m = m as f64;
        let m2 = 2.0 * m;
        for aa in [
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ] {
            d = 1.0 + aa * d;
            if d.abs() < TINY {
                d = TINY;
            }
            c = 1.0 + aa / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            h *= d * c;
        }
        if (d * c - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// Moments and the exact distribution of a non-negative sampled value (a
/// flow, a served fraction), accumulated per batch and merged in batch
/// order so the floating-point sums do not depend on scheduling.
#[derive(Default, Debug)]
pub struct ValueStats {
    n: u64,
    sum: f64,
    sum_sq: f64,
    /// Value bits -> count (values are >= 0, so bit order is value order).
    hist: rustc_hash::FxHashMap<u64, u64>,
}

impl ValueStats {
    pub fn push(&mut self, v: f64) {
        self.n += 1;
        self.sum += v;
        self.sum_sq += v * v;
        *self.hist.entry(v.to_bits()).or_insert(0) += 1;
    }

    pub fn merge(&mut self, other: ValueStats) {
        self.n += other.n;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
        for (k, c) in other.hist {
            *self.hist.entry(k).or_insert(0) += c;
        }
    }

    pub fn n(&self) -> u64 {
        self.n
    }

    /// The sample mean and its standard error.
    pub fn mean_and_std_error(&self) -> (f64, f64) {
        let nf = self.n as f64;
        let mean = self.sum / nf;
        let var = if self.n > 1 {
            ((self.sum_sq - nf * mean * mean) / (nf - 1.0)).max(0.0)
        } else {
            0.0
        };
        (mean, (var / nf).sqrt())
    }

    /// Every distinct value with its count, in increasing order.
    pub fn distribution(&self) -> Vec<(f64, u64)> {
        let mut d: Vec<(f64, u64)> = self
            .hist
            .iter()
            .map(|(&bits, &c)| (f64::from_bits(bits), c))
            .collect();
        d.sort_by(|a, b| a.0.total_cmp(&b.0));
        d
    }

    /// Each percentile is the smallest value whose cumulative count reaches
    /// ceil(x% of n).
    pub fn percentiles(&self) -> Percentiles {
        let distribution = self.distribution();
        let nf = self.n as f64;
        let pct = |x: f64| {
            let need = ((x / 100.0) * nf).ceil().max(1.0) as u64;
            let mut cum = 0;
            for &(v, c) in &distribution {
                cum += c;
                if cum >= need {
                    return v;
                }
            }
            distribution.last().map_or(0.0, |d| d.0)
        };
        Percentiles {
            p1: pct(1.0),
            p5: pct(5.0),
            p10: pct(10.0),
            p50: pct(50.0),
            p90: pct(90.0),
            p99: pct(99.0),
        }
    }
}

/// A quantile of a sample of incidents and its distribution-free interval:
/// the order statistics at ranks `n q ∓ z sqrt(n q (1 - q))` (the normal
/// approximation of the binomial count below the true quantile; ranks
/// rounded outwards, the upper one plus one). `sorted` holds the finite
/// values in order and `unbounded` more values above all of them (an
/// incident that lost everything). `None` is an unbounded value; a lower
/// rank below 1 gives `floor`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct QuantileEstimate {
    pub quantile: f64,
    pub value: Option<f64>,
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    /// Incidents in the sample.
    pub n: usize,
}

impl QuantileEstimate {
    pub fn of(sorted: &[f64], unbounded: usize, q: f64, z: f64, floor: f64) -> QuantileEstimate {
        let n = sorted.len().saturating_add(unbounded);
        let at = |rank: f64| -> Option<f64> {
            if rank < 1.0 {
                return Some(floor);
            }
            sorted.get(rank as usize - 1).copied()
        };
        let nq = n as f64 * q;
        let sd = (nq * (1.0 - q)).sqrt();
        QuantileEstimate {
            quantile: q,
            value: if n == 0 {
                Some(floor)
            } else {
                at(nq.ceil().clamp(1.0, n as f64))
            },
            lo: at((nq - z * sd).floor()),
            hi: at((nq + z * sd).ceil() + 1.0),
            n,
        }
    }
}

#[cfg(test)]
mod quantile_tests {
    use super::*;

    /// The interval of the median of 1..=100 is ranks 50 ∓ 9.8 (+1):
    /// [40, 61]; p99 of 100 values has no upper bound in the sample, and an
    /// unbounded value at the top makes the max unbounded.
    #[test]
    fn order_statistic_intervals() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let m = QuantileEstimate::of(&v, 0, 0.5, Z95, 0.0);
        assert_eq!((m.value, m.lo, m.hi), (Some(50.0), Some(40.0), Some(61.0)));
        let p = QuantileEstimate::of(&v, 0, 0.99, Z95, 0.0);
        assert_eq!((p.value, p.hi), (Some(99.0), None));
        let t = QuantileEstimate::of(&v[..99], 1, 1.0, Z95, 0.0);
        assert_eq!(t.value, None);
        let e = QuantileEstimate::of(&[], 0, 0.99, Z95, 0.0);
        assert_eq!((e.value, e.n), (Some(0.0), 0));
    }
}
