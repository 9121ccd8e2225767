//! The per-worker cache of service evaluations: the serving model runs only
//! for (state, active site) pairs not seen before. While the failures leave
//! the plan's reduced graph in one piece (the cut-space check,
//! [`crate::graph::cutspace`]) the service depends only on which terminals
//! are down, so such states share one evaluation by that much smaller key;
//! the others are keyed by the whole failure state. The cache grows while it
//! is hit and shrinks when it is not, within a byte budget
//! ([`crate::simulate::budget::MAX_CACHE_BYTES`]).

use super::{Scenario, TrialState};
use crate::simulate::serving::Eval;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

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

/// A set of small integers with O(1) insert and remove (the down elements).
#[derive(Clone, Debug, Default)]
pub(super) struct IndexSet {
    items: Vec<u32>,
    pos: Vec<u32>,
}

impl IndexSet {
    pub(super) fn new(n: usize) -> IndexSet {
        IndexSet {
            items: Vec::new(),
            pos: vec![0; n],
        }
    }
    pub(super) fn insert(&mut self, x: u32) {
        self.pos[x as usize] = self.items.len() as u32;
        self.items.push(x);
    }
    pub(super) fn remove(&mut self, x: u32) {
        let k = self.pos[x as usize] as usize;
        self.items.swap_remove(k);
        if let Some(&moved) = self.items.get(k) {
            self.pos[moved as usize] = k as u32;
        }
    }
    pub(super) fn clear(&mut self) {
        self.items.clear();
    }
    pub(super) fn items(&self) -> &[u32] {
        &self.items
    }
}

/// Exact keys of `width` words each and the evaluation each one names.
#[derive(Default)]
struct Table {
    map: HashMap<u64, u32, BuildHasherDefault<IdentityHasher>>,
    keys: Vec<u64>,
    eval_of: Vec<u32>,
}

impl Table {
    /// The evaluation stored under `key`, checked word by word so that a
    /// hash collision cannot return a wrong one.
    fn find(&self, hash: u64, key: &[u64]) -> Option<usize> {
        let j = *self.map.get(&hash)? as usize;
        let w = key.len();
        (self.keys[j * w..(j + 1) * w] == *key).then(|| self.eval_of[j] as usize)
    }
    fn insert(&mut self, hash: u64, key: &[u64], eval: usize) {
        let j = self.eval_of.len() as u32;
        self.keys.extend_from_slice(key);
        self.eval_of.push(eval as u32);
        // On a (vanishingly rare) hash collision the newer state wins.
        self.map.insert(hash, j);
    }
    fn clear(&mut self) {
        self.map.clear();
        self.keys.clear();
        self.eval_of.clear();
    }
    fn bytes(&self, width: usize) -> usize {
        // The map's entry (hash, index, control byte) and the stored key.
        self.eval_of.len() * (17 + 4 + 8 * width)
    }
}

/// Smallest and first size of the cache: a few pages, so a run whose
/// states never repeat holds almost nothing.
const MIN_CACHE_BYTES: usize = 1 << 18;

/// The two tables, their common evaluations' size and the hit rate that
/// sizes them.
pub(super) struct EvalCache {
    full: Table,
    joined: Table,
    key: Vec<u64>,
    eval_bytes: usize,
    limit: usize,
    hits: u64,
    misses: u64,
}

impl Default for EvalCache {
    fn default() -> Self {
        EvalCache {
            full: Table::default(),
            joined: Table::default(),
            key: Vec::new(),
            eval_bytes: 0,
            limit: MIN_CACHE_BYTES,
            hits: 0,
            misses: 0,
        }
    }
}

impl EvalCache {
    /// Bytes held now (keys, map entries and evaluations).
    fn bytes(&self, full_w: usize, joined_w: usize) -> usize {
        self.full.bytes(full_w) + self.joined.bytes(joined_w) + self.eval_bytes
    }

    /// Makes room when the limit is reached: twice the room while at least
    /// half the lookups since the last change hit (up to the budget), else
    /// it starts over, with half the room below one hit in ten (the
    /// evaluations are a pure function of the state, so this changes how
    /// much is recomputed, never a number).
    fn make_room(&mut self, evals: &mut Vec<Eval>, full_w: usize, joined_w: usize) {
        if self.bytes(full_w, joined_w) < self.limit {
            return;
        }
        let looked = (self.hits + self.misses).max(1);
        let max = crate::simulate::budget::MAX_CACHE_BYTES;
        let hits = self.hits;
        (self.hits, self.misses) = (0, 0);
        if hits * 2 >= looked && self.limit < max {
            self.limit = (self.limit * 2).min(max);
            return;
        }
        if hits * 10 < looked {
            self.limit = (self.limit / 2).max(MIN_CACHE_BYTES);
        }
        self.full.clear();
        self.joined.clear();
        evals.clear();
        self.eval_bytes = 0;
    }
}

/// What an evaluation holds on the heap, roughly, plus itself.
fn eval_bytes(e: &Eval) -> usize {
    let groups: usize = e
        .groups
        .iter()
        .map(|g| std::mem::size_of_val(g) + 4 * (g.demands.len() + g.sites.len()))
        .sum();
    std::mem::size_of::<Eval>()
        + 4 * e.unserved.len()
        + groups
        + e.usable.len()
        + e.control_ok.len()
        + 8 * e.served.len()
}

impl TrialState {
    /// Keeps the down sets and the terminals' key as element `e` of the
    /// reduced graph goes down or comes back.
    pub(super) fn note_flip(&mut self, e: usize, now_down: bool) {
        let kept = self.model.n_kept();
        // Services (past the graph's elements) are terminals only.
        let set = if e < kept {
            Some((&mut self.down_nodes, e))
        } else if e < self.model.n_graph() {
            Some((&mut self.down_edges, e - kept))
        } else {
            None
        };
        match set {
            Some((set, x)) if now_down => set.insert(x as u32),
            Some((set, x)) => set.remove(x as u32),
            None => {}
        }
        let t = self.term_index[e];
        if t != u32::MAX {
            self.term_bits[t as usize / 64] ^= 1 << (t % 64);
            self.term_hash ^= self.zobrist[e];
        }
    }

    /// The evaluation of the current failure state with this active site,
    /// from the cache or computed and stored.
    pub(super) fn lookup(&mut self, s: &Scenario<'_>, active: Option<usize>) -> usize {
        let active_word = active.map_or(u64::MAX, |a| a as u64);
        // With link bandwidth the served fractions see every link.
        let joined = s.flow.is_none()
            && self
                .model
                .stays_connected(self.down_nodes.items(), self.down_edges.items());
        let (bits, hash) = if joined {
            (
                &self.term_bits,
                self.term_hash ^ zobrist(active_word ^ (2 << 32)),
            )
        } else {
            (
                &self.down_bits,
                self.state_hash ^ zobrist(active_word ^ (1 << 32)),
            )
        };
        // The key: down bits, partial fractions in progress, active site.
        let hash = hash ^ self.partial.hash;
        self.cache.key.clear();
        self.cache.key.extend_from_slice(bits);
        self.cache.key.extend_from_slice(&self.partial.key);
        self.cache.key.push(active_word);
        let c = &mut self.cache;
        let table = if joined { &c.joined } else { &c.full };
        if let Some(i) = table.find(hash, &c.key) {
            c.hits += 1;
            return i;
        }
        c.misses += 1;
        let extra = self.partial.key.len() + 1;
        let (full_w, joined_w) = (self.down_bits.len() + extra, self.term_bits.len() + extra);
        c.make_room(&mut self.evals, full_w, joined_w);
        let e = self.evaluate(s, active, joined);
        let i = self.push_eval(e);
        let c = &mut self.cache;
        let table = if joined { &mut c.joined } else { &mut c.full };
        table.insert(hash, &c.key, i);
        i
    }

    /// Stores an evaluation (counted in the cache's size, and dropped with
    /// it); returns its index. A key may name it afterwards.
    pub(super) fn push_eval(&mut self, e: Eval) -> usize {
        self.cache.eval_bytes += eval_bytes(&e);
        self.evals.push(e);
        self.evals.len() - 1
    }

    /// Evaluates the current failure state with the serving model (`joined`:
    /// the cut-space check found the graph in one piece).
    fn evaluate(&mut self, s: &Scenario<'_>, active: Option<usize>, joined: bool) -> Eval {
        for (u, &d) in self.element_up.iter_mut().zip(&self.element_down) {
            *u = d == 0;
        }
        let mut e = Eval::default();
        if joined {
            self.model
                .evaluate_one_piece(&self.element_up, active, &mut e);
        } else {
            self.model
                .evaluate_elements(&self.element_up, active, &mut e);
        }
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
        e
    }
}
