//! The event queue of one trial.
//!
//! Events are ordered by time, then by the order they were scheduled in, so
//! two events at the same instant (fixed-length outages, zero delays) are
//! always handled in the same order and a seed fixes the whole trial.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Something that happens at an instant of a trial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    SiteFail(u32),
    SiteRepair(u32),
    LinkFail(u32),
    LinkRepair(u32),
    RiskFail(u32),
    RiskRepair(u32),
    /// A regional hazard strikes: (hazard index in the flattened list).
    Hazard(u32),
    /// The sites a hazard hit (a slot of the trial's hit-set slab) come back.
    HazardEnd(u32),
    /// A bad release escaped the canary stage on a train.
    ReleaseEscaped(u32),
    ReleaseEscapedEnd(u32),
    /// A bad release was caught on a train's canary sites.
    ReleaseCaught(u32),
    ReleaseCaughtEnd(u32),
    OperatorError,
    OperatorErrorEnd(u32),
    /// A service fails as a whole; its normal restore time has come.
    ServiceFail(u32),
    ServiceRepair(u32),
    /// The manual fallback of a waiting recovery (slot, generation) is done.
    RecoveryFallback(u32, u32),
    /// A cold dependency cycle's bootstrap (cycle, generation) completes.
    BootstrapDone(u32, u32),
    /// A bad release of a train rolled out in waves starts.
    WaveRelease(u32),
    /// The bug triggers on the sites a wave (train, wave) added; they come
    /// back at the rollback.
    WaveDown(u32, u32),
    /// The rollback: every wave of the train up to (train, wave) comes back.
    WaveUp(u32, u32),
    /// A crew finished restoring a site a hazard hit.
    DisasterRestored(u32),
    /// Detection plus switchover has elapsed for the failover of this
    /// generation (stale generations are ignored).
    FailoverDone(u32),
    /// A site goes gray (fails a fraction of its requests) or heals.
    GrayStart(u32),
    GrayEnd(u32),
    /// A partial failure mode (index in `Topology::partials`) starts or
    /// ends: its component keeps part of its capacity meanwhile.
    PartialStart(u32),
    PartialEnd(u32),
    /// The plan's data is restored from backup after every replica was
    /// destroyed (the restore of this generation).
    DataRestored(u32),
    /// A fleet-wide operator command (its index) hits its scope; one of
    /// the sites it hit (site index) is restored.
    FleetCommand(u32),
    FleetRestored(u32),
    /// A corruption a bad release carried to every replica (its slot in
    /// the trial's list) is noticed.
    DataCorrupted(u32),
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    time: f64,
    seq: u64,
    event: Event,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Reversed so that the max-heap pops the earliest (time, seq) first.
    /// Times are never negative, and the bits of non-negative floats order
    /// as the floats do: an integer compare is all it takes.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .to_bits()
            .cmp(&self.time.to_bits())
            .then(other.seq.cmp(&self.seq))
    }
}

/// A min-queue on (time, sequence). Events at or after the horizon are
/// dropped on push: nothing after the end of a trial can change its metrics.
#[derive(Debug, Default)]
pub(crate) struct Queue {
    heap: BinaryHeap<Entry>,
    seq: u64,
    horizon: f64,
}

impl Queue {
    pub fn reset(&mut self, horizon: f64) {
        self.heap.clear();
        self.seq = 0;
        self.horizon = horizon;
    }

    pub fn push(&mut self, time: f64, event: Event) {
        debug_assert!(time >= 0.0, "event at {time}");
        if time < self.horizon {
            self.seq += 1;
            self.heap.push(Entry {
                time,
                seq: self.seq,
                event,
            });
        }
    }

    pub fn pop(&mut self) -> Option<(f64, Event)> {
        self.heap.pop().map(|e| (e.time, e.event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_then_insertion_order() {
        let mut q = Queue::default();
        q.reset(100.0);
        q.push(5.0, Event::SiteFail(1));
        q.push(1.0, Event::SiteFail(2));
        q.push(5.0, Event::SiteFail(3));
        q.push(1.0, Event::SiteFail(4));
        q.push(150.0, Event::SiteFail(5));
        let order: Vec<Event> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(
            order,
            vec![
                Event::SiteFail(2),
                Event::SiteFail(4),
                Event::SiteFail(1),
                Event::SiteFail(3)
            ]
        );
    }
}
