//! Partial failures at a random instant (`capacity --demand`): each source
//! ([`crate::static_model::partial_sources`]) is in progress independently
//! with its probability, and one in progress draws its fraction. Drawn from
//! a stream of their own, so the failure states are those of the same file
//! without partial modes.

use crate::model::{PartialTarget, Topology};
use crate::static_model::{PartialSource, partial_sources};
use rand::Rng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The sources that can change a plan's service, and the capacity they
/// leave in the last sample.
pub(super) struct PartialDraws {
    sources: Vec<(PartialSource, u64)>,
    serving: Vec<u32>,
    site_left: Vec<f64>,
    link_left: Vec<f64>,
    serving_left: Vec<f64>,
    /// (train, site) pairs a partial release already hit in this sample.
    hit: Vec<(u32, u32)>,
}

impl PartialDraws {
    /// `serving`: the plan's serving sites, in plan order.
    pub(super) fn new(t: &Topology, serving: &[u32]) -> PartialDraws {
        let sources = partial_sources(t)
            .into_iter()
            .filter(|p| p.prob > 0.0)
            .filter(|p| {
                p.targets.iter().any(|t| match t {
                    PartialTarget::Site(i) => serving.contains(&i.0),
                    PartialTarget::Link(_) => true,
                })
            })
            .map(|p| {
                let thr = super::served::threshold_bits(p.prob);
                (p, thr)
            })
            .collect();
        PartialDraws {
            sources,
            serving: serving.to_vec(),
            site_left: vec![1.0; t.sites.len()],
            link_left: vec![1.0; t.links.len()],
            serving_left: Vec::with_capacity(serving.len()),
            hit: Vec::new(),
        }
    }

    /// Key words a sample adds: one per source.
    pub(super) fn words(&self) -> usize {
        self.sources.len()
    }

    /// Draws which sources are in progress and their fractions, writing
    /// each one's fraction bits (0: not in progress) to `key`; true when any
    /// is.
    pub(super) fn sample(&mut self, rng: &mut Xoshiro256PlusPlus, key: &mut [u64]) -> bool {
        if self.sources.is_empty() {
            return false;
        }
        self.site_left.fill(1.0);
        self.link_left.fill(1.0);
        self.hit.clear();
        let mut any = false;
        for (k, (p, thr)) in self.sources.iter().enumerate() {
            key[k] = 0;
            if (rng.next_u64() >> 11) >= *thr {
                continue;
            }
            let f = p.fraction.sample(rng);
            key[k] = f.to_bits();
            any |= f > 0.0;
            for &t in &p.targets {
                match t {
                    PartialTarget::Site(i) => {
                        // A train's fraction breaks a site once.
                        if let Some(train) = p.train {
                            if self.hit.contains(&(train, i.0)) {
                                continue;
                            }
                            self.hit.push((train, i.0));
                        }
                        self.site_left[i.index()] *= 1.0 - f;
                    }
                    PartialTarget::Link(j) => self.link_left[j.index()] *= 1.0 - f,
                }
            }
        }
        any
    }

    /// The capacity left by the last sample: of each serving site (plan
    /// order), and of each link.
    pub(super) fn left(&mut self) -> (&[f64], &[f64]) {
        self.serving_left.clear();
        let s = &self.site_left;
        self.serving_left
            .extend(self.serving.iter().map(|&x| s[x as usize]));
        (&self.serving_left, &self.link_left)
    }
}
