//! The plan's data through a trial (`model::DataPlan`): which replicas and
//! backup copies a destroying event burnt, which bad releases corrupted it
//! (trains in waves too), what an incident loses (back to the newest backup
//! still kept), and the restore that keeps the plan down meanwhile. Rules
//! in README.md (`drsim run`, "Data: replicas, backups and restores").

use super::waves::WaveStop;
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
    /// Per backup copy (one when the backups are off-site): backups
    /// scheduled at or after this instant exist there; its store was
    /// destroyed before it (0: every backup since the trial began).
    backups_from: Vec<f64>,
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
        self.backups_from.clear();
        let copies = s.topo.plans[s.plan_index].data.copies();
        self.backups_from.resize(copies.max(1), 0.0);
        self.hold = None;
        self.generation = 0;
        self.cause = 0;
        self.corruptions.clear();
        self.noticed.clear();
    }

    /// The writes from the newest backup taken at or before `start` that
    /// still exists at `now` to `start`, or `None` when none does (no
    /// backups, every copy burnt since, or older than the retention).
    fn since_backup(&self, plan: &Plan, start: f64, now: f64) -> Option<f64> {
        let b = plan.backup_interval?.secs();
        if b <= 0.0 {
            return Some(0.0);
        }
        let last = (start / b).floor() * b;
        // A backup exists while one of its copies does.
        let from = self
            .backups_from
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let kept = plan.data.retention.is_none_or(|r| now - last <= r.secs());
        (last >= from && kept).then_some(start - last)
    }

    /// Backup copy `c`'s store was destroyed at `t`: later backups go to new
    /// storage there, from the next scheduled one.
    fn burn_copy(&mut self, plan: &Plan, c: usize, t: f64) {
        self.backups_from[c] = match plan.backup_interval {
            Some(b) if b.secs() > 0.0 => ((t / b.secs()).floor() + 1.0) * b.secs(),
            _ => f64::INFINITY,
        };
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
        for c in 0..plan.data.backup_sites.len() {
            if plan.data.backup_sites[c].0 == site {
                self.data.burn_copy(plan, c, t);
                hit = true;
            }
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
            match self.data.since_backup(plan, t, t) {
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
            match self.data.since_backup(plan, start, t) {
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
    /// later: if it corrupts ([`Self::release_corrupts_data`]), so is the
    /// data of a plan with a replica on one of its sites.
    pub(super) fn release_corrupts(&mut self, s: &Scenario<'_>, t: f64, k: u32, detection: f64) {
        if !self.release_corrupts_data(s, k) {
            return;
        }
        let train = &s.topo.release_trains[k as usize];
        let serving = &self.model.serving[..s.n_replicas];
        if train.sites.iter().any(|x| serving.contains(&x.0)) {
            self.corrupt_data(t, t + detection);
        }
    }

    /// A bad release of wave train `k` at `t` whose bug triggers `trigger`
    /// after each wave's deploy and is noticed `detection` after it
    /// triggered in wave `stop`: if it corrupts, the data of a plan with a
    /// replica on a site of waves `..=stop` is corrupt from the trigger in
    /// the first such wave (not its deploy: a latent bug writes nothing
    /// wrong until it triggers) until it is noticed.
    pub(super) fn wave_corrupts(&mut self, s: &Scenario<'_>, t: f64, k: usize, at: WaveStop) {
        if !self.release_corrupts_data(s, k as u32) {
            return;
        }
        let replicas = &self.model.serving[..s.n_replicas];
        let waves = &s.wave_sites[k][..=at.stop];
        let reached = waves
            .iter()
            .position(|w| w.iter().any(|x| replicas.contains(x)));
        if let Some(v) = reached {
            let starts = &s.wave_starts[k];
            let start = t + starts[v] + at.trigger;
            self.corrupt_data(start, t + starts[at.stop] + at.trigger + at.detection);
        }
    }

    /// Whether a bad release of train `k` corrupts data: with the train's
    /// `corrupts` probability, drawn for every bad release that can reach
    /// data (from the train's own stream, so plans share the draws).
    fn release_corrupts_data(&mut self, s: &Scenario<'_>, k: u32) -> bool {
        let p = s.topo.release_trains[k as usize].corrupts.get();
        if p <= 0.0 {
            return false;
        }
        let u: f64 = rand::RngExt::random(&mut self.rngs[s.layout.corrupt + k as usize]);
        u < p
    }

    /// The plan's data is corrupt from `start`, noticed at `noticed`.
    fn corrupt_data(&mut self, start: f64, noticed: f64) {
        self.data.corruptions.push(start);
        let slot = (self.data.corruptions.len() - 1) as u32;
        self.queue.push(noticed, Event::DataCorrupted(slot));
    }

    /// A destroying hazard `h` struck at `t`: it reaches the plan's backup
    /// copy kept in its region, if any, as it reaches a site (one draw per
    /// event from the hazard's own backup stream). True when it burnt one.
    pub(super) fn hazard_backups(&mut self, s: &Scenario<'_>, h: usize, t: f64) -> bool {
        let plan = &s.topo.plans[s.plan_index];
        let hz = &s.hazards[h];
        let first = plan.data.backup_sites.len();
        let Some(c) = plan
            .data
            .backup_regions
            .iter()
            .position(|r| r.0 == hz.region)
        else {
            return false;
        };
        let u: f64 = rand::RngExt::random(&mut self.rngs[s.layout.backup + h]);
        if hz.hit_p < 1.0 && u >= hz.hit_p {
            return false;
        }
        self.data.burn_copy(plan, first + c, t);
        self.relevant = true;
        true
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
        // The sites stay usable (failover and traffic shift follow them as
        // before); only the service waits for its data. No cache entry
        // points here.
        let usable = self.evals[self.cur].usable.clone();
        self.cur = self.push_eval(Eval {
            unserved: (0..s.curve.n_demands as u32).collect(),
            usable,
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
