//! Graded service: the share of offered requests unserved at each instant
//! (its time integral gives the time-weighted served fraction), downtime by
//! an SLO threshold (an instant is bad while less than `threshold` of the
//! requests is served), and the per-window tallies of a plan with an SLO.
//! Plans without an SLO keep the all-or-nothing accounting bit for bit.

use super::{Scenario, TrialRecord, TrialState};
use crate::simulate::demand::DemandCurve;
use crate::simulate::serving::Eval;

/// What a plan's SLO needs of each trial: calendar windows of `window`
/// seconds tiling the trial from its start (a trailing part shorter than a
/// window is in none) and the requests offered in each; or, for rolling
/// windows, the trial's bad spans (no calendar window).
#[derive(Clone, Debug)]
pub(crate) struct SloSpec {
    /// Below 1: downtime graded by the threshold; `None`: all-or-nothing.
    pub threshold: Option<f64>,
    pub window: f64,
    /// Requests offered in each calendar window (the same in every trial).
    pub offered: Vec<f64>,
    /// Rolling windows: the budget in bad seconds.
    pub rolling: Option<f64>,
}

impl SloSpec {
    pub fn new(slo: &crate::model::Slo, horizon: f64, curve: &DemandCurve) -> SloSpec {
        let window = slo.window.secs();
        // A window that ends within a rounding error of the horizon fits.
        let n = if slo.rolling {
            0
        } else {
            ((horizon / window) * (1.0 + 1e-12)).floor() as usize
        };
        let total = |t: f64| {
            (0..curve.n_demands)
                .map(|d| curve.integral(d, t))
                .sum::<f64>()
        };
        let offered = (0..n)
            .map(|w| total((w + 1) as f64 * window) - total(w as f64 * window))
            .collect();
        SloSpec {
            threshold: slo.graded_threshold(),
            window,
            offered,
            rolling: slo.rolling.then(|| slo.budget_secs()),
        }
    }

    pub fn n_windows(&self) -> usize {
        self.offered.len()
    }
}

/// The unserved share of offered requests in demand piece `p` when the
/// demands `unserved` get nothing and `shed_rps` more is shed by overload.
/// With nothing offered, an instant with any demand unserved counts as
/// wholly unserved (the all-or-nothing reading).
pub(super) fn piece_share(curve: &DemandCurve, p: usize, unserved: &[u32], shed_rps: f64) -> f64 {
    if unserved.len() == curve.n_demands {
        return 1.0;
    }
    let total: f64 = (0..curve.n_demands).map(|d| curve.rate(p, d)).sum();
    let lost = shed_rps
        + unserved
            .iter()
            .map(|&d| curve.rate(p, d as usize))
            .sum::<f64>();
    if total > 0.0 {
        (lost / total).min(1.0)
    } else if lost > 0.0 || !unserved.is_empty() {
        1.0
    } else {
        0.0
    }
}

/// Calls `f(a, b, piece)` for each demand piece overlapping `[t0, t)`.
pub(super) fn each_piece(curve: &DemandCurve, t0: f64, t: f64, mut f: impl FnMut(f64, f64, usize)) {
    let mut a = t0;
    while a < t {
        let (p, end) = curve.piece_at(a);
        let b = if end > a { end.min(t) } else { t };
        f(a, b, p);
        a = b;
    }
}

/// Seconds-weighted unserved share over `[t0, t)` with `unserved` getting
/// nothing: the whole length when every demand is unserved.
pub(super) fn unserved_share_secs(curve: &DemandCurve, unserved: &[u32], t0: f64, t: f64) -> f64 {
    if unserved.is_empty() {
        return 0.0;
    }
    if unserved.len() == curve.n_demands {
        return t - t0;
    }
    let mut secs = 0.0;
    each_piece(curve, t0, t, |a, b, p| {
        secs += piece_share(curve, p, unserved, 0.0) * (b - a);
    });
    secs
}

impl TrialState {
    /// `[t0, t)` without overload while some (not all) demands are unserved,
    /// graded by `threshold`: bad only in the pieces where the served share
    /// is below it.
    pub(super) fn graded_steady(
        &mut self,
        s: &Scenario<'_>,
        threshold: f64,
        eval: &Eval,
        t0: f64,
        t: f64,
        rec: &mut TrialRecord,
    ) {
        let curve = &s.curve;
        each_piece(curve, t0, t, |a, b, p| {
            let share = piece_share(curve, p, &eval.unserved, 0.0);
            let bad = 1.0 - share < threshold;
            if !bad {
                return self.good_unless_gray(s, eval, (a, b, p), share, rec);
            }
            self.piece(s, a, b, bad, rec);
            if bad {
                self.attribute(s, b - a, rec);
            }
        });
    }

    /// [`TrialState::integrate`] cut at window boundaries, booking each
    /// part's bad seconds and lost requests to its window.
    pub(super) fn integrate_windows(
        &mut self,
        s: &Scenario<'_>,
        slo: &SloSpec,
        eval: &Eval,
        t0: f64,
        t: f64,
        rec: &mut TrialRecord,
    ) {
        let mut a = t0;
        while a < t {
            let mut w = (a / slo.window) as usize;
            if (w + 1) as f64 * slo.window <= a {
                w += 1;
            }
            let end = ((w + 1) as f64 * slo.window).min(t);
            let b = if end > a { end } else { t };
            let (bad0, lost0) = (rec.bad_secs, rec.lost_requests);
            self.integrate(s, eval, a, b, rec);
            if w < slo.n_windows() {
                rec.window_bad[w] += rec.bad_secs - bad0;
                rec.window_lost[w] += rec.lost_requests - lost0;
            }
            a = b;
        }
    }
}
