//! Accounting: integrates the metrics of a trial over time with the current
//! service (lost requests, user-seconds, outage episodes, downtime per
//! year) and attributes downtime to the components and causes to blame.

use super::{Scenario, TrialRecord, TrialState};
use crate::simulate::demand::DemandCurve;
use crate::simulate::serving::{Eval, IRRELEVANT};
use crate::units::SECONDS_PER_YEAR;

impl TrialState {
    pub(super) fn compute_blame(&mut self, s: &Scenario<'_>) {
        self.blame.clear();
        for &site in &self.model.key_sites {
            if self.site_down[site as usize] > 0 {
                self.blame.push((site, 1.0));
            }
        }
        if self.blame.is_empty() {
            // Down links and sites that can matter to the plan (a component
            // the reduced graph dropped cannot have caused the outage), from
            // the list kept as they flip: a scan of every component here
            // made each event of an outage cost O(sites + links). Links
            // first, then sites, each by index, as the sums have always run.
            let n = s.topo.sites.len() as u32;
            let mut down = std::mem::take(&mut self.down_relevant);
            down.sort_unstable_by_key(|&c| (c < n, c));
            self.blame.extend(down.iter().map(|&c| (c, 1.0)));
            self.down_relevant = down;
            for (k, &c) in self.down_relevant.iter().enumerate() {
                self.down_pos[c as usize] = k as u32;
            }
            // Services the plan needs, down as a whole.
            let m = n as usize + self.link_down.len();
            for (k, &d) in self.svc_down.iter().enumerate() {
                if d > 0 && self.model.element_of[m + k] != IRRELEVANT {
                    self.blame.push(((m + k) as u32, 1.0));
                }
            }
            self.blame_partial(s);
        }
        // From components to the sources holding them, weighted (blame.rs).
        self.blame_sources();
        self.blame_dirty = false;
    }

    /// Keeps [`TrialState::down_relevant`] as component `c` (sites, then
    /// links) of the reduced graph goes down or comes back.
    pub(super) fn track_down(&mut self, c: usize, now_down: bool) {
        if now_down {
            self.down_pos[c] = self.down_relevant.len() as u32;
            self.down_relevant.push(c as u32);
        } else {
            let k = self.down_pos[c] as usize;
            self.down_relevant.swap_remove(k);
            if let Some(&moved) = self.down_relevant.get(k) {
                self.down_pos[moved as usize] = k as u32;
            }
        }
    }

    /// Attributes `dt` seconds of downtime when some demand is unserved.
    pub(super) fn attribute(&mut self, s: &Scenario<'_>, dt: f64, rec: &mut TrialRecord) {
        self.note_episode();
        if let Some((site, cause)) = self.restore_blame() {
            rec.component_secs[site] += dt;
            rec.cause_secs[cause] += dt;
            return;
        }
        if self.blame_dirty {
            self.compute_blame(s);
        }
        if self.blame.is_empty() {
            rec.unattributed_secs += dt;
            return;
        }
        for (&(source, w), &cause) in self.blame.iter().zip(&self.origins.cause) {
            rec.component_secs[source as usize] += w * dt;
            rec.cause_secs[cause as usize] += w * dt;
        }
    }

    /// The holds by cause on component `c` (sites, then links, then
    /// services; `n` sites) and how many there are.
    pub(super) fn causes_of(&self, n: usize, c: usize) -> (&[u16; super::N_CAUSES], u16) {
        let m = n + self.link_down.len();
        let held = if c < n {
            (&self.site_causes[c], self.site_down[c])
        } else if c < m {
            (&self.link_causes[c - n], self.link_down[c - n])
        } else {
            (&self.svc_causes[c - m], self.svc_down[c - m])
        };
        if held.1 == 0 && c < m {
            // Up, so blamed for the partial modes in progress on it.
            return self.partial.causes_of(n, c);
        }
        held
    }

    /// Integrates the metrics over `[now, t)` with the current service.
    pub(super) fn advance(&mut self, s: &Scenario<'_>, t: f64, rec: &mut TrialRecord) {
        let t0 = self.now;
        self.now = t;
        if t <= t0 {
            return;
        }
        // Taken out for the duration so that `self` can be borrowed mutably.
        let mut eval = std::mem::take(&mut self.evals[self.cur]);
        self.serve_surges(s, &mut eval, t0, t);
        match &s.slo {
            Some(slo) if slo.rolling.is_none() => self.integrate_windows(s, slo, &eval, t0, t, rec),
            _ => self.integrate(s, &eval, t0, t, rec),
        }
        self.evals[self.cur] = eval;
    }

    pub(super) fn integrate(
        &mut self,
        s: &Scenario<'_>,
        eval: &Eval,
        t0: f64,
        t: f64,
        rec: &mut TrialRecord,
    ) {
        self.gray_loss(s, eval, (t0, t), rec);
        // An active-active plan's balancer still sending a failed site its
        // share, or short of a site awaiting failback: shift.rs takes it.
        let t0 = if self.shift_until() > t0 {
            let end = self.shift_until().min(t);
            self.shift_window(s, eval, (t0, end), rec);
            if end >= t {
                return;
            }
            end
        } else {
            t0
        };
        // Retries or a warm-up in progress: load.rs takes the window.
        let t0 = if self.load_until() > t0 {
            let end = self.load_until().min(t);
            self.feedback_window(s, eval, (t0, end), rec);
            if end >= t {
                return;
            }
            end
        } else {
            t0
        };
        if !eval.may_congest {
            self.steady(s, eval, t0, t, rec);
        } else if eval.daily_congest {
            self.hourly(s, eval, t0, t, rec);
        } else {
            // Only surges can overload this state: the stretches between
            // them go in one step, the surge windows hour by hour (when
            // their peak can exceed a group's capacity at all).
            let curve = &s.curve;
            let mut a = t0;
            while a < t {
                let (sa, sb) = curve.next_surge(a, t);
                if sa > a {
                    self.steady(s, eval, a, sa, rec);
                }
                if sb > sa {
                    let over = if eval.served.is_empty() {
                        eval.groups.iter().any(|g| {
                            let peak: f64 = g
                                .demands
                                .iter()
                                .map(|&d| curve.max_between(d as usize, sa, sb))
                                .sum();
                            peak > g.capacity
                        })
                    } else {
                        flow_short_between(eval, curve, sa, sb)
                    };
                    if over {
                        self.hourly(s, eval, sa, sb, rec);
                    } else {
                        self.steady(s, eval, sa, sb, rec);
                    }
                }
                a = sb;
            }
        }
    }

    /// `[t0, t)` when no group can be overloaded in it.
    fn steady(&mut self, s: &Scenario<'_>, eval: &Eval, t0: f64, t: f64, rec: &mut TrialRecord) {
        if eval.unserved.is_empty() {
            if self.load.gray_count() > 0 && s.graded_threshold().is_some() {
                let curve = &s.curve;
                super::graded::each_piece(curve, t0, t, |a, b, p| {
                    self.good_unless_gray(s, eval, (a, b, p), 0.0, rec);
                });
            } else {
                self.piece(s, t0, t, false, rec);
            }
            return;
        }
        let curve = &s.curve;
        for &d in &eval.unserved {
            let d = d as usize;
            rec.lost_requests += curve.integral(d, t) - curve.integral(d, t0);
            rec.user_secs_lost += curve.users[d] * (t - t0);
        }
        rec.lost_share_secs += super::graded::unserved_share_secs(curve, &eval.unserved, t0, t);
        if let Some(th) = s.graded_threshold()
            && eval.unserved.len() < curve.n_demands
        {
            return self.graded_steady(s, th, eval, t0, t, rec);
        }
        self.piece(s, t0, t, true, rec);
        self.attribute(s, t - t0, rec);
    }

    /// `[t0, t)` piece by piece of the demand curve, shedding overload: by
    /// the flow network's served fractions when links can bind, else by the
    /// fast path's groups (each sheds its overload evenly).
    fn hourly(&mut self, s: &Scenario<'_>, eval: &Eval, t0: f64, t: f64, rec: &mut TrialRecord) {
        let curve = &s.curve;
        super::graded::each_piece(curve, t0, t, |a, b, p| {
            let loss = if eval.served.is_empty() {
                groups_loss(curve, eval, p, b - a, rec)
            } else {
                flow_loss(curve, eval, p, b - a, rec)
            };
            self.book_piece(s, eval, (a, b, p), loss, rec);
        });
    }

    /// Books demand piece `p` over `[a, b)` once its losses are counted:
    /// down by the SLO threshold when graded, else when short; blamed on
    /// what is down when some demand gets nothing, else on the failures
    /// that took the shed capacity away.
    fn book_piece(
        &mut self,
        s: &Scenario<'_>,
        eval: &Eval,
        (a, b, p): (f64, f64, usize),
        loss: PieceLoss,
        rec: &mut TrialRecord,
    ) {
        let dt = b - a;
        rec.lost_share_secs += loss.share * dt;
        let down = match s.graded_threshold() {
            Some(th) => 1.0 - loss.share < th,
            None => loss.short,
        };
        if !down && s.graded_threshold().is_some() {
            return self.good_unless_gray(s, eval, (a, b, p), loss.share, rec);
        }
        self.piece(s, a, b, down, rec);
        if down && !eval.unserved.is_empty() {
            self.attribute(s, dt, rec);
        } else if down && loss.short {
            let v = s.curve.vector_of[p] as usize;
            self.book_shed(s, v, loss.shed, dt, rec);
        }
    }
}

/// What one demand piece lost: the share of offered requests, whether any
/// demand was short, and the requests/s shed by overload.
struct PieceLoss {
    share: f64,
    short: bool,
    shed: f64,
}

/// Demand piece `p`'s losses over `dt` seconds under the flow network.
fn flow_loss(c: &DemandCurve, e: &Eval, p: usize, dt: f64, rec: &mut TrialRecord) -> PieceLoss {
    let nd = c.n_demands;
    let v = c.vector_of[p] as usize;
    let mut shed = 0.0;
    for d in 0..nd {
        let lost = 1.0 - e.served[v * nd + d];
        if lost > 0.0 {
            shed += c.rate(p, d) * lost;
            rec.user_secs_lost += c.users[d] * lost * dt;
        }
    }
    rec.lost_requests += shed * dt;
    let short = e.served[v * nd..(v + 1) * nd].iter().any(|&f| f < 1.0);
    // (`shed` already holds the unserved demands' whole rate.)
    let share = super::graded::piece_share(c, p, &[], shed);
    PieceLoss { share, short, shed }
}

/// Demand piece `p`'s losses over `dt` seconds by the fast path's groups.
fn groups_loss(c: &DemandCurve, e: &Eval, p: usize, dt: f64, rec: &mut TrialRecord) -> PieceLoss {
    let mut congested = false;
    let mut shed_rps = 0.0;
    for g in &e.groups {
        let demand: f64 = g.demands.iter().map(|&d| c.rate(p, d as usize)).sum();
        if demand > g.capacity {
            congested = true;
            let shed = 1.0 - g.capacity / demand;
            shed_rps += demand - g.capacity;
            rec.lost_requests += (demand - g.capacity) * dt;
            for &d in &g.demands {
                rec.user_secs_lost += c.users[d as usize] * shed * dt;
            }
        }
    }
    for &d in &e.unserved {
        rec.lost_requests += c.rate(p, d as usize) * dt;
        rec.user_secs_lost += c.users[d as usize] * dt;
    }
    let share = super::graded::piece_share(c, p, &e.unserved, shed_rps);
    let short = congested || !e.unserved.is_empty();
    PieceLoss {
        share,
        short,
        shed: shed_rps,
    }
}

/// Does a flow-served state shed load at some piece of `[a, b)`?
fn flow_short_between(eval: &Eval, curve: &DemandCurve, a: f64, b: f64) -> bool {
    let nd = curve.n_demands;
    let mut x = a;
    while x < b {
        let (p, end) = curve.piece_at(x);
        let v = curve.vector_of[p] as usize;
        if eval.served[v * nd..(v + 1) * nd].iter().any(|&f| f < 1.0) {
            return true;
        }
        x = if end > x { end } else { b };
    }
    false
}

impl TrialState {
    /// Records `[a, b)` as up or down time: outage episodes and per-year
    /// downtime.
    pub(super) fn piece(
        &mut self,
        s: &Scenario<'_>,
        a: f64,
        b: f64,
        down: bool,
        rec: &mut TrialRecord,
    ) {
        if down {
            rec.bad_secs += b - a;
            if s.slo.as_ref().is_some_and(|x| x.rolling.is_some()) {
                match rec.bad_spans.last_mut() {
                    Some(last) if last.1 >= a => last.1 = last.1.max(b),
                    _ => rec.bad_spans.push((a, b)),
                }
            }
            if self.outage_start.is_none() {
                self.outage_start = Some(a);
            }
            // Split across year boundaries.
            let mut x = a;
            while x < b {
                let year = ((x / SECONDS_PER_YEAR) as usize).min(s.years - 1);
                let end = ((year + 1) as f64 * SECONDS_PER_YEAR).min(b);
                let end = if end > x { end } else { b };
                rec.year_down[year] += end - x;
                x = end;
            }
        } else if let Some(start) = self.outage_start.take() {
            rec.end_episode(start, a);
        }
    }
}
