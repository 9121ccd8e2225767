//! Repair crews in a trial: a repair covered by a crew waits in the crew's
//! first-come-first-served queue for a free member, then takes the crew's
//! response delay at that instant ([`crate::model::Response`]) and the time
//! drawn for it at failure (from the component's own stream, so common
//! random numbers hold: only the start of the repair moves).

use super::{Event, Scenario, TrialState};
use std::collections::VecDeque;

/// Per crew: members at work and the repairs waiting, each with its drawn
/// duration and the event that ends it.
#[derive(Debug, Default)]
pub(super) struct Crews {
    busy: Vec<u32>,
    waiting: Vec<VecDeque<(f64, Event)>>,
}

impl Crews {
    pub(super) fn new(n: usize) -> Crews {
        Crews {
            busy: vec![0; n],
            waiting: vec![VecDeque::new(); n],
        }
    }

    pub(super) fn reset(&mut self) {
        self.busy.fill(0);
        self.waiting.iter_mut().for_each(VecDeque::clear);
    }
}

impl TrialState {
    /// A repair of `secs` that ends with `done`: without a crew it starts
    /// now (today's unlimited repairs), else when a member of crew `c` is
    /// free.
    pub(super) fn repair(
        &mut self,
        s: &Scenario<'_>,
        c: Option<u32>,
        t: f64,
        secs: f64,
        done: Event,
    ) {
        let Some(c) = c.map(|c| c as usize) else {
            self.queue.push(t + secs, done);
            return;
        };
        if self.crews.busy[c] < s.crew_sizes[c] {
            self.crews.busy[c] += 1;
            self.queue.push(t + response(s, c, t) + secs, done);
        } else {
            self.crews.waiting[c].push_back((secs, done));
        }
    }

    /// A repair by crew `c` ended at `t`: its member takes the next waiting
    /// repair, if any.
    pub(super) fn repair_done(&mut self, s: &Scenario<'_>, c: Option<u32>, t: f64) {
        let Some(c) = c.map(|c| c as usize) else {
            return;
        };
        match self.crews.waiting[c].pop_front() {
            Some((secs, done)) => self.queue.push(t + response(s, c, t) + secs, done),
            None => self.crews.busy[c] -= 1,
        }
    }
}

/// Crew `c`'s response delay for a member dispatched at `t` (0 without one).
fn response(s: &Scenario<'_>, c: usize, t: f64) -> f64 {
    s.topo.crews[c].response.map_or(0.0, |r| r.delay_secs(t))
}
