//! Failure and repair processes of components.
//!
//! Every component that can fail alternates between "up" periods drawn from a
//! time-to-failure distribution and "down" periods drawn from a time-to-repair
//! distribution (an alternating renewal process). The static engine only needs
//! the long-run fraction of time down, which for such a process is
//! `E[TTR] / (E[TTF] + E[TTR])` whatever the distributions' shapes; the
//! time-based simulator samples the distributions themselves.

use crate::units::{Duration, Probability};
use rand::Rng;
use rand_distr::{Distribution as _, Exp, LogNormal, Weibull};

/// A distribution of a positive duration. Parameters are validated at
/// construction, so sampling never fails.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    /// Memoryless, given by its mean.
    Exponential { mean: Duration },
    /// Weibull with shape `k` and scale `λ`: `shape < 1` models infant
    /// mortality, `shape > 1` wear-out.
    Weibull { shape: f64, scale: Duration },
    /// Lognormal given by its median and the standard deviation `sigma` of the
    /// underlying normal: the natural model for heavy-tailed repair times
    /// (fibre cuts: hours usually, days sometimes).
    LogNormal { median: Duration, sigma: f64 },
    /// Always exactly this long.
    Fixed { value: Duration },
}

/// Why distribution parameters were rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DistributionError {
    #[error("the mean must be positive")]
    NonPositiveMean,
    #[error("shape must be a positive, finite number, got {0}")]
    BadShape(f64),
    #[error("sigma must be a non-negative, finite number, got {0}")]
    BadSigma(f64),
    #[error("the scale or median must be positive")]
    NonPositiveScale,
}

impl Distribution {
    pub fn exponential(mean: Duration) -> Result<Self, DistributionError> {
        if mean.secs() <= 0.0 {
            return Err(DistributionError::NonPositiveMean);
        }
        Ok(Distribution::Exponential { mean })
    }
    pub fn weibull(shape: f64, scale: Duration) -> Result<Self, DistributionError> {
        if !(shape.is_finite() && shape > 0.0) {
            return Err(DistributionError::BadShape(shape));
        }
        if scale.secs() <= 0.0 {
            return Err(DistributionError::NonPositiveScale);
        }
        Ok(Distribution::Weibull { shape, scale })
    }
    pub fn lognormal(median: Duration, sigma: f64) -> Result<Self, DistributionError> {
        if !(sigma.is_finite() && sigma >= 0.0) {
            return Err(DistributionError::BadSigma(sigma));
        }
        if median.secs() <= 0.0 {
            return Err(DistributionError::NonPositiveScale);
        }
        Ok(Distribution::LogNormal { median, sigma })
    }
    pub fn fixed(value: Duration) -> Self {
        Distribution::Fixed { value }
    }

    /// The mean, in seconds.
    pub fn mean_secs(&self) -> f64 {
        match self {
            Distribution::Exponential { mean } => mean.secs(),
            Distribution::Weibull { shape, scale } => {
                scale.secs() * statrs::function::gamma::gamma(1.0 + 1.0 / shape)
            }
            Distribution::LogNormal { median, sigma } => {
                median.secs() * (sigma * sigma / 2.0).exp()
            }
            Distribution::Fixed { value } => value.secs(),
        }
    }

    /// Draws one duration in seconds.
    pub fn sample_secs<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Distribution::Exponential { mean } => {
                // Parameters were checked at construction: the rate is positive.
                Exp::new(1.0 / mean.secs()).map_or(mean.secs(), |d| d.sample(rng))
            }
            Distribution::Weibull { shape, scale } => {
                Weibull::new(scale.secs(), *shape).map_or(scale.secs(), |d| d.sample(rng))
            }
            Distribution::LogNormal { median, sigma } => {
                LogNormal::new(median.secs().ln(), *sigma).map_or(median.secs(), |d| d.sample(rng))
            }
            Distribution::Fixed { value } => value.secs(),
        }
    }

    /// P(X < x), `x` in seconds: what closed forms over a delay need (a
    /// latent bug is caught only if it triggers before the bake ends).
    pub fn prob_below(&self, x: f64) -> f64 {
        if x <= 0.0 {
            return 0.0;
        }
        match self {
            Distribution::Exponential { mean } => -(-x / mean.secs()).exp_m1(),
            Distribution::Weibull { shape, scale } => -(-(x / scale.secs()).powf(*shape)).exp_m1(),
            Distribution::LogNormal { median, sigma } if *sigma > 0.0 => {
                let z = (x.ln() - median.secs().ln()) / (sigma * std::f64::consts::SQRT_2);
                0.5 * statrs::function::erf::erfc(-z)
            }
            Distribution::LogNormal { median: v, .. } | Distribution::Fixed { value: v } => {
                f64::from(u8::from(v.secs() < x))
            }
        }
    }

    /// Is this the memoryless exponential? Markov-chain oracles need it.
    pub fn is_exponential(&self) -> bool {
        matches!(self, Distribution::Exponential { .. })
    }
}

/// An alternating up/down process: how long a component works, how long it
/// takes to bring back.
#[derive(Clone, Debug, PartialEq)]
pub struct FailureProcess {
    pub ttf: Distribution,
    pub ttr: Distribution,
}

impl FailureProcess {
    /// Long-run fraction of time down: `E[TTR] / (E[TTF] + E[TTR])`.
    pub fn unavailability(&self) -> Probability {
        self.unavailability_delayed(0.0)
    }

    /// As [`FailureProcess::unavailability`] when every repair first waits
    /// `wait` seconds on average (a crew's response): the down time of a
    /// cycle is E[wait] + E[TTR].
    pub fn unavailability_delayed(&self, wait: f64) -> Probability {
        let up = self.ttf.mean_secs();
        let down = self.ttr.mean_secs() + wait;
        Probability::new(down / (up + down)).unwrap_or(Probability::ONE)
    }

    /// Failures per year of operation, counting only up time (1 / MTBF).
    pub fn annual_rate(&self) -> f64 {
        crate::units::SECONDS_PER_YEAR / self.ttf.mean_secs()
    }

    /// An exponential/exponential process with the given steady-state
    /// unavailability and mean repair time; used when a file or an importer
    /// gives a probability rather than an MTBF.
    pub fn from_unavailability(q: Probability, mttr: Duration) -> Option<FailureProcess> {
        let q = q.get();
        if q <= 0.0 || q >= 1.0 || mttr.secs() <= 0.0 {
            return None;
        }
        let mtbf = mttr.secs() * (1.0 - q) / q;
        Some(FailureProcess {
            ttf: Distribution::exponential(Duration::from_secs(mtbf)?).ok()?,
            ttr: Distribution::exponential(mttr).ok()?,
        })
    }
}

/// A Poisson stream of events that each last a while: regional disasters,
/// shared-risk outages counted per event, operator errors.
///
/// At a random instant the number of events in progress is Poisson with mean
/// `rate * E[duration]` (an M/G/∞ queue), so the probability that at least one
/// is in progress is `1 - exp(-rate * E[duration])`, whatever the duration
/// distribution.
#[derive(Clone, Debug, PartialEq)]
pub struct EventProcess {
    /// Events per year.
    pub annual_rate: f64,
    pub duration: Distribution,
}

impl EventProcess {
    /// Probability that at least one event is in progress at a random instant.
    pub fn active_probability(&self) -> Probability {
        self.active_probability_delayed(0.0)
    }

    /// As [`EventProcess::active_probability`] when each event lasts `wait`
    /// seconds longer on average (its restore waits for a crew's response).
    pub fn active_probability_delayed(&self, wait: f64) -> Probability {
        let mean = self.duration.mean_secs() + wait;
        let load = self.annual_rate * mean / crate::units::SECONDS_PER_YEAR;
        Probability::new(-(-load).exp_m1()).unwrap_or(Probability::ONE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn h(x: f64) -> Duration {
        Duration::from_hours(x).unwrap()
    }

    #[test]
    fn unavailability_closed_form() {
        let p = FailureProcess {
            ttf: Distribution::exponential(h(999.0)).unwrap(),
            ttr: Distribution::exponential(h(1.0)).unwrap(),
        };
        assert!((p.unavailability().get() - 0.001).abs() < 1e-15);
    }

    #[test]
    fn from_unavailability_inverts() {
        let q = Probability::new(1e-4).unwrap();
        let p = FailureProcess::from_unavailability(q, h(4.0)).unwrap();
        assert!((p.unavailability().get() - 1e-4).abs() < 1e-16);
    }

    #[test]
    fn means_match_samples() {
        // 200k samples: standard error of the mean is sd/sqrt(n); for these
        // shapes sd <= 1.5 * mean, so 5 standard errors is < 1.7% of the mean.
        let dists = [
            Distribution::exponential(h(4.0)).unwrap(),
            Distribution::weibull(0.8, h(10.0)).unwrap(),
            Distribution::weibull(2.0, h(10.0)).unwrap(),
            Distribution::lognormal(h(6.0), 0.8).unwrap(),
            Distribution::fixed(h(3.0)),
        ];
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        for d in dists {
            let n = 200_000;
            let mean: f64 = (0..n).map(|_| d.sample_secs(&mut rng)).sum::<f64>() / n as f64;
            let rel = (mean - d.mean_secs()).abs() / d.mean_secs();
            assert!(
                rel < 0.017,
                "{d:?}: sample mean {mean}, exact {}",
                d.mean_secs()
            );
        }
    }

    #[test]
    fn event_process_activity() {
        // 0.1 events/yr lasting 3.65 days: load 0.001, P = 1 - e^-0.001.
        let e = EventProcess {
            annual_rate: 0.1,
            duration: Distribution::fixed(Duration::from_hours(87.6).unwrap()),
        };
        assert!((e.active_probability().get() - (1.0 - (-0.001f64).exp())).abs() < 1e-15);
    }

    /// P(X < x) against the share of 200k samples below x (5 standard
    /// errors of a proportion, at most 0.0056).
    #[test]
    fn prob_below_matches_samples() {
        let dists = [
            Distribution::exponential(h(4.0)).unwrap(),
            Distribution::weibull(0.8, h(10.0)).unwrap(),
            Distribution::lognormal(h(6.0), 0.8).unwrap(),
            Distribution::fixed(h(3.0)),
        ];
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(9);
        for d in dists {
            let n = 200_000;
            let xs: Vec<f64> = (0..n).map(|_| d.sample_secs(&mut rng)).collect();
            for x in [h(1.0), h(3.0), h(6.0), h(20.0)] {
                let below = xs.iter().filter(|&&v| v < x.secs()).count() as f64 / n as f64;
                let p = d.prob_below(x.secs());
                assert!((below - p).abs() < 0.0056, "{d:?} at {x:?}: {below} vs {p}");
            }
        }
    }

    #[test]
    fn rejects_bad_parameters() {
        assert!(Distribution::exponential(Duration::ZERO).is_err());
        assert!(Distribution::weibull(0.0, h(1.0)).is_err());
        assert!(Distribution::weibull(f64::NAN, h(1.0)).is_err());
        assert!(Distribution::lognormal(h(1.0), -1.0).is_err());
    }
}
