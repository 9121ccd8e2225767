//! Load feedback in a trial: retries when a demand's service comes back, a
//! standby warming up after it takes over, and gray sites failing some of
//! their requests ([`crate::model::Retry`], [`crate::model::Warmup`],
//! [`crate::model::Gray`]). Inside a retry or warm-up window the demand and
//! the capacity change within a piece of the demand curve, so the window is
//! integrated in closed form here; outside it accounting.rs runs unchanged.
//! The rules are in docs/internals.md, "simulate/trial/load.rs".

use super::{Event, N_CAUSES, Scenario, TrialRecord, TrialState};
use crate::simulate::serving::Eval;

/// Retries stop counting once their excess is below this fraction of the
/// rate: the window ends ln((factor - 1) / EPS) decay times after service
/// came back.
const EPS: f64 = 1e-12;

/// Per-trial load-feedback state.
#[derive(Debug, Default)]
pub(super) struct LoadState {
    /// Per demand: when its service last came back (-inf: not this trial).
    back_at: Vec<f64>,
    /// Per demand: served in the current evaluation, and scratch for the
    /// next one.
    served: Vec<bool>,
    now_served: Vec<bool>,
    /// Until when retries or a warm-up can change the load.
    until: f64,
    /// When the active standby took over (-inf: none warming).
    warm_from: f64,
    last_active: Option<usize>,
    /// The blame of the outage in progress before the last event, and its
    /// share of each cause: retry and warm-up shedding is booked to it.
    mix: Vec<(u32, f64)>,
    cause_mix: [f64; N_CAUSES],
    /// Per site: gray now.
    pub(super) gray: Vec<bool>,
    n_gray: usize,
}

impl LoadState {
    pub(super) fn reset(&mut self, s: &Scenario<'_>) {
        let nd = s.topo.demands.len();
        self.back_at.clear();
        self.back_at.resize(nd, f64::NEG_INFINITY);
        self.served.clear();
        self.served.resize(nd, true);
        self.until = f64::NEG_INFINITY;
        self.warm_from = f64::NEG_INFINITY;
        self.last_active = None;
        self.mix.clear();
        self.cause_mix = [0.0; N_CAUSES];
        self.gray.clear();
        self.gray.resize(s.topo.sites.len(), false);
        self.n_gray = 0;
    }
}

/// One group's load against its capacity over a piece, as functions of the
/// time u since the piece began: demand `base + extra * exp(-u / tau)`
/// (retries decaying), capacity `c0 + k * u` (a standby warming up).
#[derive(Clone, Copy, Debug)]
pub(super) struct Excess {
    pub base: f64,
    pub extra: f64,
    pub tau: f64,
    pub c0: f64,
    pub k: f64,
}

impl Excess {
    fn at(&self, u: f64) -> f64 {
        self.demand(u) - self.c0 - self.k * u
    }

    fn demand(&self, u: f64) -> f64 {
        if self.extra > 0.0 {
            self.base + self.extra * (-u / self.tau).exp()
        } else {
            self.base
        }
    }

    /// How long, from the start, demand exceeds capacity within `[0, dt)`
    /// (the excess only falls, so it is a prefix).
    pub fn length(&self, dt: f64) -> f64 {
        if self.at(0.0) <= 0.0 {
            return 0.0;
        }
        if self.at(dt) >= 0.0 {
            return dt;
        }
        let spare = self.c0 - self.base;
        if self.k == 0.0 {
            // base + extra e^(-u/tau) = c0.
            return (self.tau * (self.extra / spare).ln()).clamp(0.0, dt);
        }
        if self.extra == 0.0 {
            return (-spare / self.k).clamp(0.0, dt);
        }
        // Both move: bisection on the falling excess, to the last bit.
        let (mut lo, mut hi) = (0.0, dt);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if self.at(mid) > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        hi
    }

    /// Requests shed over `[0, l)`: the integral of demand minus capacity.
    pub fn shed(&self, l: f64) -> f64 {
        let retry = if self.extra > 0.0 {
            self.extra * self.tau * -(-l / self.tau).exp_m1()
        } else {
            0.0
        };
        (self.base - self.c0) * l - 0.5 * self.k * l * l + retry
    }

    /// The integral over `[0, l)` of the shed fraction 1 - capacity/demand
    /// (user-seconds lost per user).
    pub fn shed_fraction(&self, l: f64) -> f64 {
        if l <= 0.0 {
            return 0.0;
        }
        let (a, b, tau) = (self.base, self.extra, self.tau);
        if self.k == 0.0 && b > 0.0 {
            // The integral of 1 / (a + b e^(-u/tau)) is
            // (u + tau ln(a + b e^(-u/tau))) / a, or tau e^(u/tau) / b at a = 0.
            let served = if a > 0.0 {
                (l + tau * ((a + b * (-l / tau).exp()) / (a + b)).ln()) / a
            } else {
                tau * (l / tau).exp_m1() / b
            };
            return l - self.c0 * served;
        }
        if b == 0.0 {
            return if a > 0.0 {
                l - (self.c0 * l + 0.5 * self.k * l * l) / a
            } else {
                0.0
            };
        }
        // Both move: composite Simpson on a smooth integrand.
        let n = 64;
        let h = l / n as f64;
        let f = |u: f64| 1.0 - (self.c0 + self.k * u) / self.demand(u);
        let mut sum = f(0.0) + f(l);
        for i in 1..n {
            sum += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        sum * h / 3.0
    }
}

impl TrialState {
    /// Before an event: while some demand is unserved, remembers whom the
    /// outage is blamed on (its components will be back by the time the
    /// retries it causes are shed).
    pub(super) fn note_outage(&mut self, s: &Scenario<'_>) {
        if !s.feedback || self.evals[self.cur].unserved.is_empty() {
            return;
        }
        if self.blame_dirty {
            self.compute_blame(s);
        }
        self.load.mix.clone_from(&self.blame);
        self.load.cause_mix = self.blame_cause_mix();
    }

    /// After a re-evaluation: demands served again start their retries, and
    /// a standby that took over starts warming up.
    pub(super) fn follow_load(&mut self, s: &Scenario<'_>) {
        if !s.feedback {
            return;
        }
        let t = self.now;
        let plan = &s.topo.plans[s.plan_index];
        let ld = &mut self.load;
        ld.now_served.clear();
        ld.now_served.resize(ld.served.len(), true);
        for &d in &self.evals[self.cur].unserved {
            ld.now_served[d as usize] = false;
        }
        for (d, served) in ld.served.iter_mut().enumerate() {
            let now = ld.now_served[d];
            if now && !*served {
                ld.back_at[d] = t;
                if let Some(r) = &plan.retry
                    && r.factor > 1.0
                {
                    let window = r.decay.secs() * ((r.factor - 1.0) / EPS).ln();
                    ld.until = ld.until.max(t + window);
                }
            }
            *served = now;
        }
        if let Some(a) = self.active {
            if let (Some(w), Some(last)) = (&plan.warmup, ld.last_active)
                && last != a
            {
                ld.warm_from = t;
                ld.until = ld.until.max(t + w.duration.secs());
            }
            ld.last_active = Some(a);
        }
    }

    /// Integrates `[t0, t)`, inside a retry or warm-up window, piece by
    /// piece of the demand curve (split where a warm-up ends).
    pub(super) fn feedback_window(
        &mut self,
        s: &Scenario<'_>,
        eval: &Eval,
        (t0, t): (f64, f64),
        rec: &mut TrialRecord,
    ) {
        let warm_end = s.topo.plans[s.plan_index]
            .warmup
            .map_or(f64::NEG_INFINITY, |w| {
                self.load.warm_from + w.duration.secs()
            });
        let mut a = t0;
        while a < t {
            let (p, end) = s.curve.piece_at(a);
            let mut b = if end > a { end.min(t) } else { t };
            if warm_end > a && warm_end < b {
                b = warm_end;
            }
            self.feedback_piece(s, eval, p, a, b, rec);
            a = b;
        }
    }

    /// The excess of one group at time `a` of piece `p`.
    fn excess(
        &self,
        s: &Scenario<'_>,
        g: &crate::simulate::serving::Group,
        p: usize,
        a: f64,
    ) -> Excess {
        let plan = &s.topo.plans[s.plan_index];
        let curve = &s.curve;
        let base: f64 = g.demands.iter().map(|&d| curve.rate(p, d as usize)).sum();
        let (extra, tau) = match &plan.retry {
            Some(r) if r.factor > 1.0 => {
                let tau = r.decay.secs();
                let back: f64 = g
                    .demands
                    .iter()
                    .map(|&d| {
                        let since = a - self.load.back_at[d as usize];
                        curve.rate(p, d as usize) * (-since / tau).exp()
                    })
                    .sum();
                ((r.factor - 1.0) * back, tau)
            }
            _ => (0.0, 1.0),
        };
        let (c0, k) = match &plan.warmup {
            Some(w) if a < self.load.warm_from + w.duration.secs() => (
                g.capacity * w.fraction(a - self.load.warm_from),
                g.capacity * (1.0 - w.capacity) / w.duration.secs(),
            ),
            _ => (g.capacity, 0.0),
        };
        Excess {
            base,
            extra,
            tau,
            c0,
            k,
        }
    }

    fn feedback_piece(
        &mut self,
        s: &Scenario<'_>,
        eval: &Eval,
        p: usize,
        a: f64,
        b: f64,
        rec: &mut TrialRecord,
    ) {
        let curve = &s.curve;
        let dt = b - a;
        let mut congested = false;
        let (mut over, mut shed_total) = (0.0_f64, 0.0);
        let mut base_shed = 0.0;
        let mut excess = Vec::with_capacity(eval.groups.len());
        for g in &eval.groups {
            let e = self.excess(s, g, p, a);
            congested |= e.base > g.capacity;
            base_shed += (e.base - g.capacity).max(0.0);
            let l = e.length(dt);
            if l > 0.0 {
                over = over.max(l);
                let shed = e.shed(l);
                shed_total += shed;
                rec.lost_requests += shed;
                let fraction = e.shed_fraction(l);
                for &d in &g.demands {
                    rec.user_secs_lost += curve.users[d as usize] * fraction;
                }
            }
            excess.push(e);
        }
        for &d in &eval.unserved {
            rec.lost_requests += curve.rate(p, d as usize) * dt;
            rec.user_secs_lost += curve.users[d as usize] * dt;
        }
        let share = super::graded::piece_share(curve, p, &eval.unserved, shed_total / dt);
        rec.lost_share_secs += share * dt;
        // How long the piece is bad: all-or-nothing, while anything is lost;
        // graded, while the lost share is above 1 - threshold (it only falls).
        // Gray losses count under a threshold: the time they alone make bad
        // (`bad..gray_bad`) is theirs.
        let (bad, gray_bad) = match s.graded_threshold() {
            None if !eval.unserved.is_empty() || congested => (dt, dt),
            None => (over, over),
            Some(th) => {
                let len = |limit| bad_length(curve, p, &eval.unserved, &excess, limit, dt);
                let bad = len(1.0 - th);
                (bad, len(1.0 - th - self.gray_share(s, eval, p)).max(bad))
            }
        };
        if gray_bad > bad {
            self.attribute_gray(eval, gray_bad - bad, rec);
        }
        if gray_bad > 0.0 {
            self.piece(s, a, a + gray_bad, true, rec);
        }
        if bad > 0.0 {
            if !eval.unserved.is_empty() {
                self.attribute(s, bad, rec);
            } else if congested {
                // Above what the state could carry without feedback:
                // booked as accounting.rs books it (the failures' part,
                // then congestion).
                self.book_shed(s, curve.vector_of[p] as usize, base_shed, bad, rec);
            } else {
                self.attribute_outage(bad, rec);
            }
        }
        if gray_bad < dt {
            self.piece(s, a + gray_bad, b, false, rec);
        }
    }

    /// Books `dt` seconds of shedding to the outage that caused it.
    fn attribute_outage(&self, dt: f64, rec: &mut TrialRecord) {
        if self.load.mix.is_empty() {
            rec.unattributed_secs += dt;
            return;
        }
        for &(c, w) in &self.load.mix {
            rec.component_secs[c as usize] += w * dt;
        }
        for (k, &w) in self.load.cause_mix.iter().enumerate() {
            rec.cause_secs[k] += w * dt;
        }
    }

    /// Starts every gray-failure process (streams after all the others).
    pub(super) fn start_gray(&mut self, s: &Scenario<'_>) {
        for (k, &i) in s.gray_sites.iter().enumerate() {
            if let Some(g) = &s.topo.sites[i as usize].gray {
                let d = g.process.ttf.sample_secs(&mut self.rngs[s.layout.gray + k]);
                self.queue.push(d, Event::GrayStart(i));
            }
        }
    }

    /// A site goes gray or heals; the failure state does not change.
    pub(super) fn gray_event(&mut self, s: &Scenario<'_>, t: f64, i: u32, on: bool) {
        let k = s.gray_sites.partition_point(|&x| x < i);
        if let Some(g) = &s.topo.sites[i as usize].gray {
            let rng = &mut self.rngs[s.layout.gray + k];
            let (d, next) = if on {
                (g.process.ttr.sample_secs(rng), Event::GrayEnd(i))
            } else {
                (g.process.ttf.sample_secs(rng), Event::GrayStart(i))
            };
            self.queue.push(t + d, next);
        }
        let was = std::mem::replace(&mut self.load.gray[i as usize], on);
        match (was, on) {
            (false, true) => self.load.n_gray += 1,
            (true, false) => self.load.n_gray -= 1,
            _ => {}
        }
    }

    /// Requests failed at gray sites over `[t0, t)`: each gray serving site
    /// fails its fraction of the requests its group sends it (groups split
    /// their load by capacity), counted on the demand the group serves.
    pub(super) fn gray_loss(
        &self,
        s: &Scenario<'_>,
        eval: &Eval,
        span: (f64, f64),
        rec: &mut TrialRecord,
    ) {
        let (t0, t) = span;
        if self.load.n_gray == 0 {
            return;
        }
        let curve = &s.curve;
        let gray = self.gray_groups(s, eval);
        if gray.is_empty() {
            return;
        }
        let mut a = t0;
        while a < t {
            let (p, end) = curve.piece_at(a);
            let b = if end > a { end.min(t) } else { t };
            let mut lost_rps = 0.0;
            for &(g, failed) in &gray {
                let rate: f64 = g.demands.iter().map(|&d| curve.rate(p, d as usize)).sum();
                // A congested pool serves its capacity.
                lost_rps += failed * rate.min(g.capacity);
                for &d in &g.demands {
                    rec.user_secs_lost += curve.users[d as usize] * failed * (b - a);
                }
            }
            rec.lost_requests += lost_rps * (b - a);
            let total: f64 = (0..curve.n_demands).map(|d| curve.rate(p, d)).sum();
            if total > 0.0 {
                rec.lost_share_secs += (lost_rps / total).min(1.0) * (b - a);
            }
            a = b;
        }
    }
}

impl LoadState {
    /// Sites gray now.
    pub(super) fn gray_count(&self) -> usize {
        self.n_gray
    }
}

impl TrialState {
    /// Until when retries or a warm-up can change the load (-inf: none).
    pub(super) fn load_until(&self) -> f64 {
        self.load.until
    }
}

/// Under a graded SLO: how long from the start of piece `p` the lost share
/// of offered requests (the `unserved` demands plus each pool's excess)
/// stays above `limit`, within `[0, dt)`. The share only falls.
fn bad_length(
    curve: &crate::simulate::demand::DemandCurve,
    p: usize,
    unserved: &[u32],
    excess: &[Excess],
    limit: f64,
    dt: f64,
) -> f64 {
    let total: f64 = (0..curve.n_demands).map(|d| curve.rate(p, d)).sum();
    if unserved.len() == curve.n_demands || total <= 0.0 {
        return if unserved.is_empty() { 0.0 } else { dt };
    }
    let lost: f64 = unserved.iter().map(|&d| curve.rate(p, d as usize)).sum();
    let over = |u: f64| {
        let shed: f64 = excess.iter().map(|e| e.at(u).max(0.0)).sum();
        (lost + shed) / total > limit
    };
    if !over(0.0) {
        return 0.0;
    }
    if over(dt) {
        return dt;
    }
    let (mut lo, mut hi) = (0.0, dt);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if over(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}
