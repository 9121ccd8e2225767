//! The plan's data through a trial (`model::DataPlan`): which copies a
//! destroying event burnt, what an incident loses, and the restore that
//! keeps the plan down once every replica is gone. Rules in README.md
//! (`drsim run`, "Data: replicas, backups and restores").

use super::{Event, Scenario, TrialRecord, TrialState};
use crate::model::{Plan, Replication};
use crate::simulate::serving::Eval;

/// Per trial: the copies of the plan's data and its backups.
#[derive(Clone, Debug, Default)]
pub(super) struct DataState {
    /// The replica (serving index) taking writes.
    write_primary: Option<usize>,
    /// Per replica: its copy was destroyed and is not rebuilt yet.
    lost: Vec<bool>,
    /// Every copy was destroyed (the loss is counted once per incident).
    all_lost: bool,
    /// Backups scheduled at or after this instant exist; the store was
    /// destroyed before it (0: every backup since the trial began).
    backups_from: f64,
    /// The plan is down for a restore from backup: the cause slot of what
    /// destroyed the last copy, and the restore's generation.
    hold: Option<usize>,
    generation: u32,
    /// The cause slot of the last destroying event.
    cause: usize,
    /// When each corruption of the trial started (a bad release), and the
    /// ones noticed since the last re-evaluation.
    corruptions: Vec<f64>,
    noticed: Vec<f64>,
}

impl DataState {
    pub(super) fn reset(&mut self, s: &Scenario<'_>) {
        self.write_primary = None;
        self.lost.clear();
        self.lost.resize(s.n_replicas, false);
        self.all_lost = false;
        self.backups_from = 0.0;
        self.hold = None;
        self.generation = 0;
        self.cause = 0;
        self.corruptions.clear();
        self.noticed.clear();
    }

    /// The writes since the newest backup that still exists, or `None`
    /// when none does (no backups, or the store burnt since the last one).
    fn since_backup(&self, plan: &Plan, t: f64) -> Option<f64> {
        let b = plan.backup_interval?.secs();
        if b <= 0.0 {
            return Some(0.0);
        }
        let last = (t / b).floor() * b;
        (last >= self.backups_from).then_some(t - last)
    }
}

impl TrialState {
    /// A destroying event (cause slot `cause`) hit `site` at `t`: the
    /// replica there and the backups kept there are gone. True when the
    /// plan's data changed, so the plan is re-evaluated.
    pub(super) fn destroy_site(
        &mut self,
        s: &Scenario<'_>,
        site: u32,
        t: f64,
        cause: usize,
    ) -> bool {
        let plan = &s.topo.plans[s.plan_index];
        let mut hit = false;
        if plan.data.backup_site.is_some_and(|b| b.0 == site) {
            // Later backups go to new storage, from the next scheduled one.
            self.data.backups_from = match plan.backup_interval {
                Some(b) if b.secs() > 0.0 => ((t / b.secs()).floor() + 1.0) * b.secs(),
                _ => f64::INFINITY,
            };
            hit = true;
        }
        for r in 0..s.n_replicas {
            if self.model.serving[r] == site && !self.data.lost[r] {
                self.data.lost[r] = true;
                hit = true;
            }
        }
        if hit {
            self.data.cause = cause;
            self.relevant = true;
        }
        hit
    }

    /// The data rules after a state change at `now`: rebuilds, the loss
    /// when every replica is destroyed (and the restore it starts), and the
    /// async lag when writes move off a primary that went down.
    pub(super) fn follow_data(&mut self, s: &Scenario<'_>, plan: &Plan, rec: &mut TrialRecord) {
        let t = self.now;
        let serving = &self.model.serving;
        let n = s.n_replicas;
        // A burnt copy is rebuilt once its site is back (from a surviving
        // copy, or from backup when none survived and there is no restore
        // step), unless a restore is still running.
        if self.data.hold.is_none() {
            for (lost, &site) in self.data.lost.iter_mut().zip(serving) {
                if *lost && self.site_down[site as usize] == 0 {
                    *lost = false;
                }
            }
        }
        let all = self.data.lost.iter().all(|&l| l);
        if all && !self.data.all_lost {
            match self.data.since_backup(plan, t) {
                Some(loss) => rec.data_loss(loss),
                None => rec.total_losses += 1,
            }
            // Restored from backup: nothing further to lose from the lag.
            self.data.write_primary = None;
            if let Some(restore) = &plan.data.restore {
                let d = restore.sample_secs(&mut self.rngs[s.layout.restore]);
                self.data.generation = self.data.generation.wrapping_add(1);
                self.data.hold = Some(self.data.cause);
                let done = t + plan.detection.secs() + d;
                self.queue
                    .push(done, Event::DataRestored(self.data.generation));
            }
        }
        self.data.all_lost = all;
        // A corruption noticed now: back to the newest surviving backup
        // taken before it started, then a restore (if the plan has one).
        for k in 0..self.data.noticed.len() {
            let start = self.data.noticed[k];
            match self.data.since_backup(plan, start) {
                Some(before) => rec.data_loss(before + (t - start)),
                None => rec.total_losses += 1,
            }
            if let Some(restore) = &plan.data.restore {
                let d = restore.sample_secs(&mut self.rngs[s.layout.restore]);
                self.data.generation = self.data.generation.wrapping_add(1);
                self.data.hold = Some(super::RELEASE);
                self.queue
                    .push(t + d, Event::DataRestored(self.data.generation));
            }
        }
        self.data.noticed.clear();
        let primary = (0..n).find(|&r| self.site_down[serving[r] as usize] == 0);
        if let Some(new) = primary {
            if let Some(old) = self.data.write_primary {
                let old_down = self.site_down[serving[old] as usize] > 0;
                if let (true, true, Replication::Async { lag }) =
                    (old != new, old_down, plan.replication)
                {
                    rec.data_loss(lag.secs());
                }
            }
            self.data.write_primary = Some(new);
        }
    }

    /// The restore of `generation` is done: every copy is rebuilt (a
    /// replica whose site is still down resyncs when it returns).
    pub(super) fn data_restored(&mut self, generation: u32) -> bool {
        if self.data.hold.is_none() || generation != self.data.generation {
            return false;
        }
        self.data.hold = None;
        self.data.lost.fill(false);
        self.data.all_lost = false;
        self.relevant = true;
        true
    }

    /// An escaped bad release of train `k` at `t`, noticed `detection`
    /// later: with the train's `corrupts` probability (drawn for every
    /// escaped release, from the train's own stream) it corrupts the data
    /// of a plan with a replica on one of its sites.
    pub(super) fn release_corrupts(&mut self, s: &Scenario<'_>, t: f64, k: u32, detection: f64) {
        let train = &s.topo.release_trains[k as usize];
        let p = train.corrupts.get();
        if p <= 0.0 {
            return;
        }
        let u: f64 = rand::RngExt::random(&mut self.rngs[s.layout.corrupt + k as usize]);
        let serving = &self.model.serving[..s.n_replicas];
        if u < p && train.sites.iter().any(|x| serving.contains(&x.0)) {
            self.data.corruptions.push(t);
            let slot = (self.data.corruptions.len() - 1) as u32;
            self.queue.push(t + detection, Event::DataCorrupted(slot));
        }
    }

    /// Corruption `slot` is noticed: the plan is re-evaluated to book it.
    pub(super) fn corruption_noticed(&mut self, slot: u32) -> bool {
        let start = self.data.corruptions[slot as usize];
        self.data.noticed.push(start);
        self.relevant = true;
        true
    }

    /// While a restore runs the plan serves nothing, whatever is up: the
    /// current evaluation becomes one with every demand unserved.
    pub(super) fn hold_for_restore(&mut self, s: &Scenario<'_>) {
        if self.data.hold.is_none() {
            return;
        }
        // No cache entry points here: the cache's tables map keys to
        // evaluations, and this one is never looked up.
        self.cur = self.push_eval(Eval {
            unserved: (0..s.curve.n_demands as u32).collect(),
            usable: vec![false; self.model.serving.len()],
            ..Eval::default()
        });
    }

    /// Downtime during a restore goes to what destroyed the last copy,
    /// through the first replica's site; `None` when no restore runs.
    pub(super) fn restore_blame(&self) -> Option<(usize, usize)> {
        let cause = self.data.hold?;
        Some((self.model.serving[0] as usize, cause))
    }
}
