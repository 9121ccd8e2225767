//! Services in a trial: holds on a service as a whole, recoveries that wait
//! for the services they need, and the cold start of dependency cycles.
//!
//! All of it is network-wide and plan-independent (recovery staff and a
//! cycle's instances do not care which plan is scored), so every plan of a
//! file still sees the same component history. It runs only after an event
//! changed some component ([`TrialState::settle`]): no polling.

use super::{Event, HARDWARE, N_CAUSES, RELEASE, Scenario, TrialState};
use crate::model::Recovery;
use crate::service::{FailedSet, instances_working, recovery_met, recovery_possible};

/// A recovery whose normal time has come while what it needs was down: it
/// finishes when that is back, or when its manual fallback elapses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pending {
    /// Slot free (its generation is bumped on reuse).
    Free(u32),
    /// The rollback of an escaped bad release of train `k`.
    Train { k: u32, generation: u32 },
    /// The restore of service `k` after its own failure.
    Service { k: u32, generation: u32 },
}

impl Pending {
    fn generation(self) -> u32 {
        match self {
            Pending::Free(g) | Pending::Train { generation: g, .. } => g,
            Pending::Service { generation: g, .. } => g,
        }
    }
}

impl TrialState {
    /// Holds service `k` down as a whole (or lets it up) for `cause`.
    pub(super) fn service_hold(&mut self, k: u32, cause: usize, down: bool) -> bool {
        self.blame_dirty = true;
        let k = k as usize;
        let c = self.site_down.len() + self.link_down.len() + k;
        if down {
            self.svc_causes[k][cause] += 1;
            self.svc_down[k] += 1;
            self.flip_if(c, self.svc_down[k] == 1, true)
        } else {
            self.svc_causes[k][cause] -= 1;
            self.svc_down[k] -= 1;
            self.flip_if(c, self.svc_down[k] == 0, false)
        }
    }

    /// The trial's state as the rule sees it; `warm` lets the members of
    /// that cycle up from their cold-start hold (are its supports back?).
    fn network_state(&self, s: &Scenario<'_>, warm: Option<usize>) -> FailedSet {
        let mut nodes: Vec<bool> = self.site_down.iter().map(|&d| d > 0).collect();
        let n = nodes.len();
        nodes.extend(self.svc_down.iter().map(|&d| d > 0));
        if let Some(c) = warm {
            for &m in &s.cycles[c].members {
                nodes[n + m as usize] = self.svc_down[m as usize] > 1;
            }
        }
        let links: Vec<bool> = self.link_down.iter().map(|&d| d > 0).collect();
        FailedSet::from_nodes(n, &nodes, &links)
    }

    /// A recovery's normal time has come: true when it may finish now,
    /// else it waits in a slot until its needs are met or `fallback` more.
    pub(super) fn recovery_due(
        &mut self,
        s: &Scenario<'_>,
        t: f64,
        r: Option<&Recovery>,
        what: Pending,
    ) -> bool {
        let Some(r) = r else { return true };
        if recovery_possible(s.topo, r, &self.network_state(s, None)) {
            return true;
        }
        let slot = match self
            .pending
            .iter()
            .position(|p| matches!(p, Pending::Free(_)))
        {
            Some(i) => i,
            None => {
                self.pending.push(Pending::Free(0));
                self.pending.len() - 1
            }
        };
        let generation = self.pending[slot].generation().wrapping_add(1);
        self.pending[slot] = match what {
            Pending::Train { k, .. } => Pending::Train { k, generation },
            Pending::Service { k, .. } => Pending::Service { k, generation },
            Pending::Free(_) => unreachable!("a waiting recovery names what it restores"),
        };
        self.queue.push(
            t + r.fallback.secs(),
            Event::RecoveryFallback(slot as u32, generation),
        );
        false
    }

    /// The manual fallback of slot `slot` is done (unless it finished
    /// earlier: a stale generation).
    pub(super) fn recovery_fallback(
        &mut self,
        s: &Scenario<'_>,
        t: f64,
        slot: u32,
        generation: u32,
    ) -> bool {
        let p = self.pending[slot as usize];
        if matches!(p, Pending::Free(_)) || p.generation() != generation {
            return false;
        }
        self.finish_pending(s, t, slot as usize)
    }

    fn finish_pending(&mut self, s: &Scenario<'_>, t: f64, slot: usize) -> bool {
        let p = self.pending[slot];
        self.pending[slot] = Pending::Free(p.generation());
        match p {
            Pending::Train { k, .. } => self.release_rolled_back(s, k),
            Pending::Service { k, .. } => self.service_restored(s, t, k),
            Pending::Free(_) => false,
        }
    }

    /// An escaped bad release of train `k` is rolled back.
    pub(super) fn release_rolled_back(&mut self, s: &Scenario<'_>, k: u32) -> bool {
        let train = &s.topo.release_trains[k as usize];
        self.origins.train_holds[k as usize] -= 1;
        let mut changed = false;
        for site in &train.sites {
            changed |= self.release_hold(s, k, site.0, false);
        }
        for svc in &train.services {
            changed |= self.service_hold(svc.0, RELEASE, false);
        }
        changed
    }

    /// Service `k` is restored after its own failure: its next failure is
    /// drawn from its stream now.
    pub(super) fn service_restored(&mut self, s: &Scenario<'_>, t: f64, k: u32) -> bool {
        if let Some(f) = &s.topo.services[k as usize].failure {
            let d = f
                .ttf
                .sample_secs(&mut self.rngs[s.layout.service + k as usize]);
            self.queue.push(t + d, Event::ServiceFail(k));
        }
        self.service_hold(k, HARDWARE, false)
    }

    /// After a change: finishes the waiting recoveries whose needs are met,
    /// and moves dependency cycles between warm, cold and booting, until
    /// nothing more changes. True when some component changed.
    pub(super) fn settle(&mut self, s: &Scenario<'_>, t: f64) -> bool {
        if !s.has_services {
            return false;
        }
        let mut changed = false;
        // Each pass finishes a recovery or makes a cycle cold (finitely
        // many), or stops.
        'pass: loop {
            // Every recovery and cycle of a pass is judged on one state: a
            // pass ends at the first change.
            let waiting = self.pending.iter().any(|p| !matches!(p, Pending::Free(_)));
            if !waiting && s.cycles.is_empty() {
                return changed;
            }
            let w = instances_working(s.topo, &self.network_state(s, None));
            if waiting {
                for slot in 0..self.pending.len() {
                    let r = match self.pending[slot] {
                        Pending::Free(_) => continue,
                        Pending::Train { k, .. } => &s.topo.release_trains[k as usize].recovery,
                        Pending::Service { k, .. } => &s.topo.services[k as usize].recovery,
                    };
                    if r.as_ref().is_none_or(|r| recovery_met(r, &w)) {
                        changed |= self.finish_pending(s, t, slot);
                        continue 'pass;
                    }
                }
            }
            for c in 0..s.cycles.len() {
                if self.cycle_cold[c].is_none() {
                    if self.cycle_goes_cold(s, c, &w) {
                        changed = true;
                        continue 'pass;
                    }
                } else {
                    self.cycle_boot(s, t, c);
                }
            }
            return changed;
        }
    }

    /// Makes cycle `c` cold when every instance of every member is not
    /// working: its members are held down (for the cause that weighs most
    /// among what is down around them) until bootstrapped.
    fn cycle_goes_cold(&mut self, s: &Scenario<'_>, c: usize, w: &[Vec<bool>]) -> bool {
        let members = &s.cycles[c].members;
        let any_instance = members
            .iter()
            .any(|&m| !s.topo.services[m as usize].sites.is_empty());
        if !any_instance {
            return false;
        }
        if members.iter().any(|&m| w[m as usize].iter().any(|&x| x)) {
            return false;
        }
        let mut weight = [0u32; N_CAUSES];
        for &m in members {
            let svc = &s.topo.services[m as usize];
            let sites = svc.sites.iter().map(|x| &self.site_causes[x.index()]);
            for causes in std::iter::once(&self.svc_causes[m as usize]).chain(sites) {
                for (w, &n) in weight.iter_mut().zip(causes) {
                    *w += u32::from(n);
                }
            }
        }
        for causes in &self.link_causes {
            for (w, &n) in weight.iter_mut().zip(causes) {
                *w += u32::from(n);
            }
        }
        // Ties go to the lower slot; with nothing down at all, hardware.
        let cause = (0..N_CAUSES)
            .rev()
            .max_by_key(|&k| weight[k])
            .filter(|&k| weight[k] > 0)
            .unwrap_or(HARDWARE);
        for &m in members {
            self.service_hold(m, cause, true);
        }
        self.cycle_cold[c] = Some(cause);
        self.cycle_booting[c] = false;
        true
    }

    /// A cold cycle boots once its supports are back (it would work were
    /// it not cold) and stops booting when they go again.
    fn cycle_boot(&mut self, s: &Scenario<'_>, t: f64, c: usize) {
        let w = instances_working(s.topo, &self.network_state(s, Some(c)));
        let supports = s.cycles[c]
            .members
            .iter()
            .any(|&m| w[m as usize].iter().any(|&x| x));
        if supports == self.cycle_booting[c] {
            return;
        }
        self.cycle_booting[c] = supports;
        self.cycle_gen[c] = self.cycle_gen[c].wrapping_add(1);
        if supports {
            let d = s.cycles[c]
                .bootstrap
                .as_ref()
                .map_or(0.0, |b| b.sample_secs(&mut self.rngs[s.layout.cycle + c]));
            self.queue
                .push(t + d, Event::BootstrapDone(c as u32, self.cycle_gen[c]));
        }
    }

    /// Cycle `c`'s bootstrap of generation `g` completes.
    pub(super) fn bootstrap_done(&mut self, s: &Scenario<'_>, c: u32, g: u32) -> bool {
        let c = c as usize;
        let Some(cause) = self.cycle_cold[c] else {
            return false;
        };
        if g != self.cycle_gen[c] || !self.cycle_booting[c] {
            return false;
        }
        self.cycle_cold[c] = None;
        self.cycle_booting[c] = false;
        let mut changed = false;
        for &m in &s.cycles[c].members {
            changed |= self.service_hold(m, cause, false);
        }
        changed
    }
}
