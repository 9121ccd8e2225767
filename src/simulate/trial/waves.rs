//! Release trains that roll out in waves ([`crate::model::Wave`]): each bad
//! release draws, from the train's own stream, its next arrival, the
//! trigger delay, detection and rollback times, and one catch draw per
//! wave but the last (drawn whatever happens, so the stream never depends
//! on the outcome). The wave that catches it is where the rollout stops;
//! every site reached so far comes back together at the rollback. Whether
//! it corrupts data is drawn from the train's corrupt stream (`data.rs`).

use super::{Event, Scenario, TrialState, exp_sample};
use crate::units::SECONDS_PER_YEAR;
use rand::RngExt;

/// Bad releases a second of a train rolled out in waves.
pub(super) fn bad_rate(s: &Scenario<'_>, k: usize) -> f64 {
    let train = &s.topo.release_trains[k];
    train.releases_per_year * train.bad_release_probability.get() / SECONDS_PER_YEAR
}

/// Where and when a bad release of a wave train stops: the wave that
/// caught it (or the last), its trigger delay after each wave's deploy, and
/// the detection after it triggered there.
#[derive(Clone, Copy, Debug)]
pub(super) struct WaveStop {
    pub(super) stop: usize,
    pub(super) trigger: f64,
    pub(super) detection: f64,
}

impl TrialState {
    /// A bad release of wave train `k` starts at `t`: schedules each
    /// reached wave's sites going down (as the bug triggers there) and
    /// their common return.
    pub(super) fn wave_release(&mut self, s: &Scenario<'_>, t: f64, k: u32) -> bool {
        let k = k as usize;
        let train = &s.topo.release_trains[k];
        let rng = &mut self.rngs[s.layout.wave + k];
        let next = exp_sample(rng, bad_rate(s, k));
        self.queue.push(t + next, Event::WaveRelease(k as u32));
        let trigger = train.trigger.as_ref().map_or(0.0, |d| d.sample_secs(rng));
        let detection = train.detection.sample_secs(rng);
        let fix = detection + train.rollback.sample_secs(rng);
        let n = train.waves.len();
        let mut stop = n - 1;
        for (w, wave) in train.waves[..n - 1].iter().enumerate() {
            let u: f64 = rng.random();
            // A bake only catches a bug that triggered during it.
            if stop == n - 1 && trigger < wave.bake.secs() && u < wave.catch.get() {
                stop = w;
            }
        }
        let at = WaveStop {
            stop,
            trigger,
            detection,
        };
        self.wave_corrupts(s, t, k, at);
        let starts = &s.wave_starts[k];
        let up = t + starts[stop] + trigger + fix;
        for (v, start) in starts[..=stop].iter().enumerate() {
            self.queue
                .push(t + start + trigger, Event::WaveDown(k as u32, v as u32));
        }
        // One event for the common return: one wave at a time would show
        // the plans an instant with only the earlier waves back (a write
        // primary moved there and back loses its async lag).
        self.queue.push(up, Event::WaveUp(k as u32, stop as u32));
        false
    }

    /// Waves `0..=last` of train `k` come back together.
    pub(super) fn waves_up(&mut self, s: &Scenario<'_>, k: u32, last: u32) -> bool {
        (0..=last).fold(false, |changed, v| self.wave_hold(s, k, v, false) | changed)
    }

    /// The sites wave `v` of train `k` added go down (or come back).
    pub(super) fn wave_hold(&mut self, s: &Scenario<'_>, k: u32, v: u32, down: bool) -> bool {
        let holds = &mut self.origins.train_holds[k as usize];
        *holds = if down { *holds + 1 } else { *holds - 1 };
        let mut changed = false;
        for &site in &s.wave_sites[k as usize][v as usize] {
            changed |= self.release_hold(s, k, site, down);
        }
        changed
    }
}
