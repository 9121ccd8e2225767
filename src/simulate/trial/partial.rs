//! Partial failures in the simulator ([`crate::model::PartialMode`], and
//! release trains with `instances`). Each mode is its own process, its
//! times and per-incident fractions on two streams of their own after every
//! other (files without modes keep their layout and numbers). Neither
//! changes an up/down state: they scale what the plan runs on a site, or a
//! link's bandwidth, and the capacity lost is part of the evaluation
//! cache's key.

use super::{Event, HARDWARE, N_CAUSES, RELEASE, Scenario, TrialState};
use crate::model::{PartialTarget, Topology};
use crate::simulate::serving::{Eval, IRRELEVANT, ServingModel};

/// The stream names of every partial mode: its times, then its fractions.
pub(super) fn stream_names(topo: &Topology) -> Vec<String> {
    let mut seen = std::collections::HashMap::new();
    let mut names = Vec::new();
    for m in &topo.partials {
        let what = match m.target {
            PartialTarget::Site(i) => format!("site:{}", topo.site(i).key),
            PartialTarget::Link(j) => format!("link:{}", topo.link(j).key),
        };
        let k = seen.entry(what.clone()).or_insert(0u32);
        names.push(format!("partial:{what}:{k}"));
        names.push(format!("partial:{what}:{k}:fraction"));
        *k += 1;
    }
    names
}

/// The partial failures as one plan sees them, fixed for a run: the modes
/// of sites and links, and release trains whose bad releases break only a
/// fraction of each hit site's instances.
#[derive(Clone, Debug, Default)]
pub(crate) struct PartialSpec {
    /// Mode `k`'s times are on stream `stream + 2k`, its fractions on the next.
    pub(super) stream: usize,
    /// The cache-key slot of each site and link whose capacity partial
    /// failures can change for this plan (a serving site; a link the flow
    /// network uses, when links can bind).
    site_slot: Vec<Option<u32>>,
    link_slot: Vec<Option<u32>>,
    n_slots: usize,
    /// Modes of each site and of each link.
    site_modes: Vec<Vec<u32>>,
    link_modes: Vec<Vec<u32>>,
    /// Each train's fraction of instances broken by a bad release
    /// ([`crate::model::ReleaseTrain::instances`]); none: sites go down.
    train_fraction: Vec<Option<f64>>,
    /// The trains with a fraction that reach each site.
    site_trains: Vec<Vec<u32>>,
}

impl PartialSpec {
    pub(super) fn new(
        topo: &Topology,
        model: &ServingModel,
        flow: bool,
        stream: usize,
    ) -> PartialSpec {
        let n = topo.sites.len();
        let mut site_modes = vec![Vec::new(); n];
        let mut link_modes = vec![Vec::new(); topo.links.len()];
        for (k, m) in topo.partials.iter().enumerate() {
            match m.target {
                PartialTarget::Site(i) => site_modes[i.index()].push(k as u32),
                PartialTarget::Link(j) => link_modes[j.index()].push(k as u32),
            }
        }
        let train_fraction: Vec<Option<f64>> =
            topo.release_trains.iter().map(|t| t.instances).collect();
        let mut site_trains = vec![Vec::new(); n];
        for (k, t) in topo.release_trains.iter().enumerate() {
            if t.instances.is_some() {
                for s in t.sites.iter().chain(&t.canary_sites) {
                    if !site_trains[s.index()].contains(&(k as u32)) {
                        site_trains[s.index()].push(k as u32);
                    }
                }
            }
        }
        let mut next = 0u32;
        let mut slot = |yes: bool| {
            yes.then(|| {
                next += 1;
                next - 1
            })
        };
        let site_slot = (0..n)
            .map(|i| {
                let any = !site_modes[i].is_empty() || !site_trains[i].is_empty();
                slot(any && model.serving.contains(&(i as u32)))
            })
            .collect();
        let link_slot = (0..topo.links.len())
            .map(|j| {
                let used = flow && model.element_of[n + j] != IRRELEVANT;
                slot(used && !link_modes[j].is_empty())
            })
            .collect();
        PartialSpec {
            stream,
            site_slot,
            link_slot,
            n_slots: next as usize,
            site_modes,
            link_modes,
            train_fraction,
            site_trains,
        }
    }
}

/// The partial failures in progress in one trial.
#[derive(Clone, Debug, Default)]
pub(super) struct PartialState {
    /// Per mode: the fraction it takes now (0: not in progress).
    on: Vec<f64>,
    /// Per train with a fraction: its bad releases in progress on each site.
    train_holds: Vec<Vec<u16>>,
    /// Capacity left of each site and link: the product of `1 - fraction`
    /// over what is in progress on it.
    pub(super) site_factor: Vec<f64>,
    pub(super) link_factor: Vec<f64>,
    /// The capacity lost (bits of `1 - factor`, 0 when intact) of each slot:
    /// the part of the cache key, and its Zobrist-style hash.
    pub(super) key: Vec<u64>,
    pub(super) hash: u64,
    /// Slots with some capacity lost.
    n_on: usize,
    /// Partial failures in progress on each site and link, by cause: their
    /// blame.
    site_causes: Vec<[u16; N_CAUSES]>,
    link_causes: Vec<[u16; N_CAUSES]>,
    /// Scratch: the capacity left of each serving site, plan order.
    serving_factor: Vec<f64>,
}

impl PartialState {
    pub(super) fn reset(&mut self, s: &Scenario<'_>) {
        let t = s.topo;
        let n = t.sites.len();
        self.on.clear();
        self.on.resize(t.partials.len(), 0.0);
        self.train_holds.clear();
        self.train_holds.extend(
            s.partial
                .train_fraction
                .iter()
                .map(|f| vec![0; if f.is_some() { n } else { 0 }]),
        );
        self.site_factor.clear();
        self.site_factor.resize(n, 1.0);
        self.link_factor.clear();
        self.link_factor.resize(t.links.len(), 1.0);
        self.key.clear();
        self.key.resize(s.partial.n_slots, 0);
        self.hash = 0;
        self.n_on = 0;
        self.site_causes.clear();
        self.site_causes.resize(n, [0; N_CAUSES]);
        self.link_causes.clear();
        self.link_causes.resize(t.links.len(), [0; N_CAUSES]);
    }

    /// The capacity left of each serving site and link, for the flow
    /// network; `None` when nothing that matters is in progress.
    pub(super) fn flow_left(&mut self, model: &ServingModel) -> Option<(&[f64], &[f64])> {
        if self.n_on == 0 {
            return None;
        }
        self.serving_factor.clear();
        let f = &self.site_factor;
        self.serving_factor
            .extend(model.serving.iter().map(|&x| f[x as usize]));
        Some((&self.serving_factor, &self.link_factor))
    }

    /// The holds by cause of the partial failures in progress on component
    /// `c` (sites, then links), and how many there are.
    pub(super) fn causes_of(&self, n: usize, c: usize) -> (&[u16; N_CAUSES], u16) {
        let causes = if c < n {
            &self.site_causes[c]
        } else {
            &self.link_causes[c - n]
        };
        (causes, causes.iter().sum())
    }

    /// Recomputes site `i`'s capacity left from what is in progress on it;
    /// true when the plan's service may change.
    fn refresh_site(&mut self, spec: &PartialSpec, i: usize) -> bool {
        let on = &self.on;
        let modes: f64 = spec.site_modes[i]
            .iter()
            .map(|&k| 1.0 - on[k as usize])
            .product();
        let trains: f64 = spec.site_trains[i]
            .iter()
            .filter(|&&k| self.train_holds[k as usize][i] > 0)
            .map(|&k| 1.0 - spec.train_fraction[k as usize].unwrap_or(0.0))
            .product();
        self.site_factor[i] = modes * trains;
        spec.site_slot[i].is_some_and(|x| self.set_slot(x, 1.0 - modes * trains))
    }

    fn refresh_link(&mut self, spec: &PartialSpec, j: usize) -> bool {
        let on = &self.on;
        let left = spec.link_modes[j]
            .iter()
            .map(|&k| 1.0 - on[k as usize])
            .product();
        self.link_factor[j] = left;
        spec.link_slot[j].is_some_and(|x| self.set_slot(x, 1.0 - left))
    }

    /// Stores `lost` in key slot `x`; true (the key may have changed).
    fn set_slot(&mut self, x: u32, lost: f64) -> bool {
        let bits = if lost > 0.0 { lost.to_bits() } else { 0 };
        let old = std::mem::replace(&mut self.key[x as usize], bits);
        self.hash ^= slot_hash(x, old) ^ slot_hash(x, bits);
        self.n_on = self.n_on + usize::from(bits != 0) - usize::from(old != 0);
        true
    }
}

/// The hash word of a key slot holding `bits` (0 when intact).
fn slot_hash(slot: u32, bits: u64) -> u64 {
    if bits == 0 {
        0
    } else {
        crate::rng::key_hash_u64(bits ^ crate::rng::key_hash_u64(u64::from(slot) | 1 << 40))
    }
}

impl TrialState {
    /// Schedules the first incident of every partial mode.
    pub(super) fn start_partial(&mut self, s: &Scenario<'_>) {
        for (k, m) in s.topo.partials.iter().enumerate() {
            let d = m
                .process
                .ttf
                .sample_secs(&mut self.rngs[s.partial.stream + 2 * k]);
            self.queue.push(d, Event::PartialStart(k as u32));
        }
    }

    /// Mode `k` starts (drawing its fraction) or ends; true when the plan's
    /// service may change.
    pub(super) fn partial_event(&mut self, s: &Scenario<'_>, t: f64, k: u32, on: bool) -> bool {
        let k = k as usize;
        let m = &s.topo.partials[k];
        let times = &mut self.rngs[s.partial.stream + 2 * k];
        let (d, next) = if on {
            (
                m.process.ttr.sample_secs(times),
                Event::PartialEnd(k as u32),
            )
        } else {
            (
                m.process.ttf.sample_secs(times),
                Event::PartialStart(k as u32),
            )
        };
        self.queue.push(t + d, next);
        let f = if on {
            m.fraction
                .sample(&mut self.rngs[s.partial.stream + 2 * k + 1])
        } else {
            0.0
        };
        let p = &mut self.partial;
        let was = std::mem::replace(&mut p.on[k], f);
        let step: i16 = i16::from(f > 0.0) - i16::from(was > 0.0);
        let changed = match m.target {
            PartialTarget::Site(i) => {
                let c = &mut p.site_causes[i.index()][HARDWARE];
                *c = c.saturating_add_signed(step);
                p.refresh_site(&s.partial, i.index())
            }
            PartialTarget::Link(j) => {
                let c = &mut p.link_causes[j.index()][HARDWARE];
                *c = c.saturating_add_signed(step);
                p.refresh_link(&s.partial, j.index())
            }
        };
        self.blame_dirty = true;
        self.relevant |= changed;
        changed
    }

    /// A bad release of train `k` reaches site `i` (`down`) or is rolled
    /// back there: the whole site for a train without a fraction, else that
    /// fraction of the site's instances (several bad releases of one train
    /// in progress break the same fraction once).
    pub(super) fn release_hold(&mut self, s: &Scenario<'_>, k: u32, i: u32, down: bool) -> bool {
        if s.partial.train_fraction[k as usize].is_none() {
            return self.site_hold(i, RELEASE, down);
        }
        let (k, i) = (k as usize, i as usize);
        let p = &mut self.partial;
        let holds = &mut p.train_holds[k][i];
        let was = *holds;
        *holds = if down { was + 1 } else { was - 1 };
        let cause = &mut p.site_causes[i][RELEASE];
        *cause = if down { *cause + 1 } else { *cause - 1 };
        self.blame_dirty = true;
        if (was == 0) == (*holds == 0) {
            return false;
        }
        let changed = p.refresh_site(&s.partial, i);
        self.relevant |= changed;
        changed
    }

    /// Scales each pool of `e` to what its serving sites have left.
    pub(super) fn derate_groups(&self, e: &mut Eval) {
        if self.partial.n_on == 0 {
            return;
        }
        let cap = &self.model.capacity;
        let factor = |i: u32| self.partial.site_factor[self.model.serving[i as usize] as usize];
        for g in &mut e.groups {
            if g.sites.iter().any(|&i| factor(i) < 1.0) {
                g.capacity = g
                    .sites
                    .iter()
                    .map(|&i| match factor(i) {
                        0.0 => 0.0,
                        f => cap[i as usize] * f,
                    })
                    .sum();
            }
        }
    }

    /// When nothing is down, the shed load is the partial failures': blames
    /// the serving sites and links with capacity lost (each equally).
    pub(super) fn blame_partial(&mut self, s: &Scenario<'_>) {
        if self.partial.n_on == 0 {
            return;
        }
        let n = s.topo.sites.len();
        let spec = &s.partial;
        for (i, &f) in self.partial.site_factor.iter().enumerate() {
            if f < 1.0 && spec.site_slot[i].is_some() {
                self.blame.push((i as u32, 1.0));
            }
        }
        for (j, &f) in self.partial.link_factor.iter().enumerate() {
            if f < 1.0 && spec.link_slot[j].is_some() {
                self.blame.push(((n + j) as u32, 1.0));
            }
        }
    }
}
