//! Detection and traffic shift of an active-active plan
//! ([`crate::model::Failback`]): a serving site that stops being usable keeps
//! its share of every pool's requests, which are lost, until detection +
//! switchover after it failed (or until it is usable again, if sooner). With
//! a manual failback a site taken out of the rotation rejoins only that long
//! after it is usable again, its capacity missing from its pool meanwhile.
//! Outside these windows accounting.rs runs unchanged.

use super::{Scenario, TrialRecord, TrialState};
use crate::model::PlanMode;
use crate::simulate::serving::Eval;

/// Per-trial state of the balancer's rotation.
#[derive(Debug, Default)]
pub(super) struct ShiftState {
    /// Per serving site (plan order): usable in the last evaluation.
    usable: Vec<bool>,
    /// Per serving site: until when the balancer still sends it its share
    /// although it is not usable (-inf: none).
    lost_until: Vec<f64>,
    /// Per serving site: until when it stays out of the rotation although
    /// usable, waiting for a manual failback (-inf: none).
    out_until: Vec<f64>,
    /// The latest of both: after it accounting.rs takes over.
    until: f64,
}

impl ShiftState {
    pub(super) fn reset(&mut self) {
        self.usable.clear();
        self.lost_until.clear();
        self.out_until.clear();
        self.until = f64::NEG_INFINITY;
    }
}

impl TrialState {
    /// After a re-evaluation: a serving site that became unusable while in
    /// the rotation starts losing its share; one usable again stops, and
    /// waits for a manual failback if it had been taken out.
    pub(super) fn follow_shift(&mut self, s: &Scenario<'_>) {
        let plan = &s.topo.plans[s.plan_index];
        let shift = plan.traffic_shift_secs();
        let failback = plan.failback_secs();
        if plan.mode != PlanMode::ActiveActive || (shift <= 0.0 && failback <= 0.0) {
            return;
        }
        let t = self.now;
        let usable = &self.evals[self.cur].usable;
        let st = &mut self.shift;
        if st.usable.is_empty() {
            // Start of the trial: sites down now are out of the rotation.
            st.usable.clone_from(usable);
            st.lost_until.resize(usable.len(), f64::NEG_INFINITY);
            st.out_until.resize(usable.len(), f64::NEG_INFINITY);
            return;
        }
        for (i, &now) in usable.iter().enumerate() {
            let was = std::mem::replace(&mut st.usable[i], now);
            if was && !now {
                // A site waiting for its failback gets no traffic to lose.
                if st.out_until[i] <= t && shift > 0.0 {
                    st.lost_until[i] = t + shift;
                }
                st.out_until[i] = f64::NEG_INFINITY;
            } else if !was && now {
                let shifted = st.lost_until[i] <= t;
                st.lost_until[i] = f64::NEG_INFINITY;
                if shifted && failback > 0.0 {
                    st.out_until[i] = t + failback;
                }
            }
        }
        st.until = st
            .lost_until
            .iter()
            .chain(&st.out_until)
            .fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    }

    /// Until when a shift or a failback can change the service (-inf: none).
    pub(super) fn shift_until(&self) -> f64 {
        self.shift.until
    }

    /// Integrates `[t0, t)` inside a shift or failback window, cut where a
    /// site's window ends and at the demand curve's pieces.
    pub(super) fn shift_window(
        &mut self,
        s: &Scenario<'_>,
        eval: &Eval,
        (t0, t): (f64, f64),
        rec: &mut TrialRecord,
    ) {
        let mut a = t0;
        while a < t {
            let next = self
                .shift
                .lost_until
                .iter()
                .chain(&self.shift.out_until)
                .filter(|&&u| u > a)
                .fold(t, |m, &u| m.min(u));
            let (p, end) = s.curve.piece_at(a);
            let b = if end > a { end.min(next) } else { next };
            self.shift_piece(s, eval, p, (a, b), rec);
            a = b;
        }
    }

    /// One piece: each pool sends the sites still in its rotation their
    /// capacity share (lost at the failed ones) and sheds what its sites in
    /// the rotation cannot carry.
    fn shift_piece(
        &mut self,
        s: &Scenario<'_>,
        eval: &Eval,
        p: usize,
        (a, b): (f64, f64),
        rec: &mut TrialRecord,
    ) {
        let curve = &s.curve;
        let cap = &self.model.capacity;
        let st = &self.shift;
        let dt = b - a;
        let black_hole: f64 = (0..cap.len())
            .filter(|&i| st.lost_until[i] > a)
            .map(|i| cap[i])
            .sum();
        let mut lost_rps = 0.0;
        for g in &eval.groups {
            let (mut rotation, mut missing) = (0.0, 0.0);
            for &i in &g.sites {
                let i = i as usize;
                if st.out_until[i] > a {
                    missing += cap[i];
                } else {
                    rotation += cap[i];
                }
            }
            let rate: f64 = g.demands.iter().map(|&d| curve.rate(p, d as usize)).sum();
            let to_failed = if black_hole > 0.0 {
                black_hole / (black_hole + rotation)
            } else {
                0.0
            };
            let carried = (g.capacity - missing).max(0.0);
            let lost = rate * to_failed + (rate * (1.0 - to_failed) - carried).max(0.0);
            if lost > 0.0 && rate > 0.0 {
                lost_rps += lost;
                for &d in &g.demands {
                    rec.user_secs_lost += curve.users[d as usize] * (lost / rate) * dt;
                }
            }
        }
        for &d in &eval.unserved {
            rec.lost_requests += curve.rate(p, d as usize) * dt;
            rec.user_secs_lost += curve.users[d as usize] * dt;
        }
        rec.lost_requests += lost_rps * dt;
        let share = super::graded::piece_share(curve, p, &eval.unserved, lost_rps);
        rec.lost_share_secs += share * dt;
        let down = match s.graded_threshold() {
            Some(th) => 1.0 - share < th,
            None => lost_rps > 0.0 || !eval.unserved.is_empty(),
        };
        self.piece(s, a, b, down, rec);
        if down {
            if self.blame_dirty {
                self.compute_blame(s);
            }
            if self.blame.is_empty() {
                // Nothing down: a pool short of a site that waits for its
                // manual failback sheds, as an undersized pool does.
                rec.cause_secs[crate::static_model::Cause::Congestion as usize] += dt;
            } else {
                // The sites losing requests are down (or cut off), so the
                // usual blame names them and their causes.
                self.attribute(s, dt, rec);
            }
        }
    }
}
