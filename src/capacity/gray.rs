//! Gray sites at a random instant (`capacity --demand`): each gray serving
//! site of the plan is gray independently with its stationary probability
//! `mttr / (mtbf + mttr)`, and while gray fails `fraction` of the requests
//! it serves: the served demand split by capacity among the usable serving
//! sites, as the simulator splits a pool's load. Drawn from a stream of its
//! own, so the failure states are those of the same file without gray.

use crate::model::Topology;
use crate::service::flow::{DemandNetwork, Evaluator, snap};
use rand::Rng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The plan's gray serving sites: plan index, fraction failed, and the
/// threshold bits of their gray probability.
pub(super) struct GrayDraws {
    sites: Vec<(usize, f64, u64)>,
}

impl GrayDraws {
    /// `serving`: the plan's serving sites, in plan order.
    pub(super) fn new(t: &Topology, serving: &[u32]) -> GrayDraws {
        let sites = serving
            .iter()
            .enumerate()
            .filter_map(|(i, &s)| {
                let g = t.sites[s as usize].gray.as_ref()?;
                let (up, down) = (g.process.ttf.mean_secs(), g.process.ttr.mean_secs());
                let q = down / (up + down);
                (q > 0.0).then(|| (i, g.fraction, super::served::threshold_bits(q)))
            })
            .collect();
        GrayDraws { sites }
    }

    /// Key words a sample adds (one bit per gray site).
    pub(super) fn words(&self) -> usize {
        self.sites.len().div_ceil(64)
    }

    /// Draws which sites are gray into `key`; true when any is.
    pub(super) fn sample(&self, rng: &mut Xoshiro256PlusPlus, key: &mut [u64]) -> bool {
        key.fill(0);
        let mut any = false;
        for (k, &(_, _, thr)) in self.sites.iter().enumerate() {
            if (rng.next_u64() >> 11) < thr {
                key[k / 64] |= 1 << (k % 64);
                any = true;
            }
        }
        any
    }

    /// The served fraction `served` of the last solve, less the requests
    /// the gray sites of `key` fail of their capacity share of it.
    pub(super) fn served(
        &self,
        key: &[u64],
        served: f64,
        (dn, ev): (&DemandNetwork, &Evaluator),
    ) -> f64 {
        let lost: f64 = (self.sites.iter().enumerate())
            .filter(|(k, _)| key[k / 64] >> (k % 64) & 1 == 1)
            .map(|(_, &(i, fraction, _))| fraction * dn.capacity_share(i, ev))
            .sum();
        snap(served * (1.0 - lost.min(1.0)))
    }
}
