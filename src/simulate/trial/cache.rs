//! The per-worker cache of service evaluations, keyed by the failure state:
//! the serving model runs only for (state, active site) pairs not seen
//! before.

use super::{Scenario, TrialState};
use crate::simulate::serving::Eval;
use std::hash::Hasher;

/// Passes a key that is already a uniform random hash straight through
/// (the cache is keyed by Zobrist hashes).
#[derive(Default, Clone, Copy)]
pub(super) struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The Zobrist value of element `c` of the reduced graph, or of an active
/// serving site (offset by 2^32): XORed into the state's hash, so the hash
/// follows each flip in O(1).
pub(super) fn zobrist(c: u64) -> u64 {
    crate::rng::key_hash_u64(c)
}

impl TrialState {
    /// The evaluation of the current failure state with this active site,
    /// from the cache or computed and stored.
    pub(super) fn lookup(&mut self, s: &Scenario<'_>, active: Option<usize>) -> usize {
        let active_word = active.map_or(u64::MAX, |a| a as u64);
        let hash = self.state_hash ^ self.partial.hash ^ zobrist(active_word ^ (1 << 32));
        // The key: down bits, partial fractions in progress, active site.
        let nb = self.down_bits.len();
        let w = nb + self.partial.key.len() + 1;
        if let Some(&i) = self.cache.get(&hash) {
            let k = &self.cache_keys[i as usize * w..(i as usize + 1) * w];
            if k[w - 1] == active_word
                && k[..nb] == self.down_bits[..]
                && k[nb..w - 1] == self.partial.key[..]
            {
                return i as usize;
            }
        }
        // The bandwidth path stores a served fraction per (vector, demand)
        // with each state: counted in the cache's memory budget too.
        let served = s
            .flow
            .as_ref()
            .map_or(0, |_| s.curve.vectors.len() * s.curve.n_demands);
        if self.evals.len() >= crate::simulate::budget::cached_states(w + served) {
            self.cache.clear();
            self.cache_keys.clear();
            self.evals.clear();
        }
        for (u, &d) in self.element_up.iter_mut().zip(&self.element_down) {
            *u = d == 0;
        }
        let mut e = Eval::default();
        self.model
            .evaluate_elements(&self.element_up, active, &mut e);
        self.derate_groups(&mut e);
        e.may_congest = e.groups.iter().any(|g| {
            let peak: f64 = g.demands.iter().map(|&d| s.curve.max_rps[d as usize]).sum();
            peak > g.capacity
        });
        e.daily_congest = e.may_congest
            && e.groups.iter().any(|g| {
                (0..24).any(|h| {
                    let rate: f64 = g
                        .demands
                        .iter()
                        .map(|&d| s.curve.hourly[d as usize][h])
                        .sum();
                    rate > g.capacity
                })
            });
        if s.flow.is_some() {
            self.serve_by_flow(s, active, &mut e);
        }
        self.evals.push(e);
        let i = self.evals.len() - 1;
        self.cache_keys.extend_from_slice(&self.down_bits);
        self.cache_keys.extend_from_slice(&self.partial.key);
        self.cache_keys.push(active_word);
        // On a (vanishingly rare) hash collision the newer state wins.
        self.cache.insert(hash, i as u32);
        i
    }
}
