//! Partial failures: a rack, a cluster or a line card lost, a bad config on
//! part of a fleet. The component stays up (it still connects and serves),
//! but only part of its capacity or bandwidth is left while the mode lasts.
//! Several modes in progress on one component combine multiplicatively (each
//! takes its fraction of what the others left), as independent racks do.

use super::{FailureProcess, LinkId, SiteId};
use rand::{Rng, RngExt};
use rand_distr::{Beta, Distribution as _};

/// The fraction of a capacity lost, fixed or drawn per incident.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fraction {
    /// Always this fraction, in (0, 1].
    Fixed(f64),
    /// Uniform on `[lo, hi]`, `0 <= lo < hi <= 1`.
    Uniform { lo: f64, hi: f64 },
    /// Beta(alpha, beta) on [0, 1], both parameters positive.
    Beta { alpha: f64, beta: f64 },
}

impl Fraction {
    /// Draws one incident's fraction (a fixed fraction draws nothing).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            Fraction::Fixed(f) => f,
            Fraction::Uniform { lo, hi } => lo + (hi - lo) * rng.random::<f64>(),
            Fraction::Beta { alpha, beta } => {
                // Parameters were checked at construction.
                Beta::new(alpha, beta).map_or(0.5, |d| d.sample(rng))
            }
        }
    }

    /// The mean fraction.
    pub fn mean(&self) -> f64 {
        match *self {
            Fraction::Fixed(f) => f,
            Fraction::Uniform { lo, hi } => (lo + hi) / 2.0,
            Fraction::Beta { alpha, beta } => alpha / (alpha + beta),
        }
    }

    /// The largest fraction an incident can take.
    pub fn max(&self) -> f64 {
        match *self {
            Fraction::Fixed(f) => f,
            Fraction::Uniform { hi, .. } => hi,
            Fraction::Beta { .. } => 1.0,
        }
    }

    /// Is it a fraction of a capacity, as its variant requires?
    pub fn is_valid(&self) -> bool {
        let unit = |x: f64| (0.0..=1.0).contains(&x);
        match *self {
            Fraction::Fixed(f) => f > 0.0 && f <= 1.0,
            Fraction::Uniform { lo, hi } => unit(lo) && unit(hi) && lo < hi,
            Fraction::Beta { alpha, beta } => {
                alpha.is_finite() && beta.is_finite() && alpha > 0.0 && beta > 0.0
            }
        }
    }
}

/// What a partial mode takes capacity from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PartialTarget {
    /// Requests per second of a site.
    Site(SiteId),
    /// Bandwidth of a link.
    Link(LinkId),
}

/// A partial failure mode of one site or link, with its own up/down
/// process: while "down", the component keeps `1 - fraction` of its
/// capacity (`fraction` drawn at each incident).
#[derive(Clone, Debug, PartialEq)]
pub struct PartialMode {
    pub target: PartialTarget,
    pub fraction: Fraction,
    pub process: FailureProcess,
}

/// Most partial modes one site or link may have: each start or end of one
/// recomputes its component's capacity from all of them.
pub const MAX_PARTIAL_MODES: usize = 100;

/// Bounds of the partial modes (the loader reports the same with the line;
/// this guards programmatic models).
pub(super) fn check_partials(p: &super::TopologyParts) -> Result<(), super::ModelError> {
    for m in &p.partials {
        let (kind, index, key) = match m.target {
            PartialTarget::Site(i) => ("site", i.index(), p.sites.get(i.index()).map(|s| &s.key)),
            PartialTarget::Link(j) => ("link", j.index(), p.links.get(j.index()).map(|l| &l.key)),
        };
        let Some(key) = key else {
            return Err(super::ModelError::Dangling {
                kind: "partial mode",
                id: String::new(),
                target: kind,
                index,
            });
        };
        if !m.fraction.is_valid() {
            return Err(super::ModelError::invalid(
                kind,
                key,
                "a partial mode's fraction must be in (0, 1] (uniform bounds in [0, 1], beta parameters positive)",
            ));
        }
    }
    let mut per = std::collections::HashMap::new();
    for m in &p.partials {
        let n = per.entry(m.target).or_insert(0usize);
        *n += 1;
        if *n > MAX_PARTIAL_MODES {
            return Err(super::ModelError::Invalid {
                kind: "partial mode",
                id: format!("{:?}", m.target),
                message: format!("more than {MAX_PARTIAL_MODES} partial modes on one component"),
            });
        }
    }
    for t in &p.release_trains {
        if let Some(f) = t.instances {
            let message = if !(f > 0.0 && f <= 1.0) {
                "instances must be a fraction in (0, 1]"
            } else if !t.services.is_empty() {
                "a partial release (instances) cannot push to services"
            } else {
                continue;
            };
            return Err(super::ModelError::invalid("release train", &t.key, message));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Draws stay in the fraction's range and average to its mean.
    #[test]
    fn draws_match_the_stated_distribution() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        for f in [
            Fraction::Fixed(0.5),
            Fraction::Uniform { lo: 0.2, hi: 0.8 },
            Fraction::Beta {
                alpha: 2.0,
                beta: 5.0,
            },
        ] {
            assert!(f.is_valid());
            let n = 200_000;
            let xs: Vec<f64> = (0..n).map(|_| f.sample(&mut rng)).collect();
            assert!(xs.iter().all(|&x| (0.0..=f.max()).contains(&x)), "{f:?}");
            let mean = xs.iter().sum::<f64>() / n as f64;
            // Each variance is at most 1/4: 5 standard errors is 0.0056.
            assert!((mean - f.mean()).abs() < 0.0056, "{f:?}: {mean}");
        }
        assert!(!Fraction::Fixed(0.0).is_valid());
        assert!(!Fraction::Fixed(f64::NAN).is_valid());
        assert!(!Fraction::Uniform { lo: 0.5, hi: 0.5 }.is_valid());
        assert!(
            !Fraction::Beta {
                alpha: 0.0,
                beta: 1.0
            }
            .is_valid()
        );
    }
}
