//! Rolling (trailing) SLO windows: the window `[t - W, t)` ending at every
//! instant `t` from `W` to the trial's end. A trial's bad time is a list of
//! spans, so the trailing bad time `f(t) = B(t) - B(t - W)` is piecewise
//! linear: the time share with `f > budget` (P(miss)), its mean and whether
//! a year holds a miss are exact from its breakpoints. Percentiles come from
//! an hourly grid binned by bad fraction. Definitions in docs/internals.md,
//! "simulate/rolling.rs".

use serde::{Deserialize, Serialize};

/// Histogram bins per decade of the bad fraction `f / W` (a bin is 2.3%
/// wide, the precision of the reported percentiles).
const PER_DECADE: f64 = 100.0;
/// Decades below 1 binned; smaller non-zero fractions share the first bin.
const DECADES: usize = 9;
/// Bin 0 holds windows with no bad time; bin `k` the fractions up to
/// `10^((k - BINS + 1) / PER_DECADE)`.
pub(crate) const BINS: usize = 1 + DECADES * PER_DECADE as usize;
/// Grid step of the percentiles.
const GRID_SECS: f64 = 3600.0;

/// Per-trial rolling-window results of a run, in trial order, and the
/// histogram of every trial's hourly grid.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RollingTally {
    /// The share of the trial's window end times whose window missed.
    pub missed: Vec<f64>,
    /// The share of the trial's years in which some window ending in the
    /// year missed.
    pub any_year: Vec<f64>,
    /// Mean bad seconds of the trailing window over its end times.
    pub mean_bad: Vec<f64>,
    /// Window end times on the hourly grid per bad-fraction bin.
    pub hist: Vec<f64>,
}

fn bin_of(frac: f64) -> usize {
    if frac <= 0.0 {
        return 0;
    }
    let k = (frac.log10() * PER_DECADE).ceil() + (BINS - 1) as f64;
    (k.max(1.0) as usize).min(BINS - 1)
}

/// The upper edge of bin `k` as a bad fraction.
fn bin_edge(k: usize) -> f64 {
    if k == 0 {
        0.0
    } else {
        10f64.powf((k as f64 - (BINS - 1) as f64) / PER_DECADE)
    }
}

/// Cumulative bad time up to `t`, from sorted disjoint `spans` and their
/// prefix sums (`prefix[i]` = bad time of spans before `i`).
fn cumulative(spans: &[(f64, f64)], prefix: &[f64], t: f64) -> f64 {
    let i = spans.partition_point(|s| s.0 < t);
    if i == 0 {
        return 0.0;
    }
    let (a, b) = spans[i - 1];
    prefix[i - 1] + (t.min(b) - a).max(0.0)
}

impl RollingTally {
    pub fn is_empty(&self) -> bool {
        self.missed.is_empty()
    }

    pub fn trials(&self) -> usize {
        self.missed.len()
    }

    /// Adds one trial of `horizon` seconds and `years` years whose bad time
    /// is `spans` (sorted, disjoint), for windows of `window` seconds and a
    /// budget of `budget` bad seconds (missed when above it).
    pub(crate) fn push_trial(
        &mut self,
        spans: &[(f64, f64)],
        (window, budget): (f64, f64),
        horizon: f64,
        years: usize,
    ) {
        let mut prefix = Vec::with_capacity(spans.len());
        let mut acc = 0.0;
        for &(a, b) in spans {
            prefix.push(acc);
            acc += b - a;
        }
        let f = |t: f64| cumulative(spans, &prefix, t) - cumulative(spans, &prefix, t - window);
        // Breakpoints of f in [window, horizon]: span ends, shifted by the
        // window, and the year boundaries.
        let year = horizon / years as f64;
        let mut xs: Vec<f64> = spans
            .iter()
            .flat_map(|&(a, b)| [a, b, a + window, b + window])
            .chain((0..=years).map(|y| y as f64 * year))
            .map(|x| x.clamp(window, horizon))
            .collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        let span = horizon - window;
        let (mut over, mut integral) = (0.0, 0.0);
        // f is linear between breakpoints and the year boundaries are
        // among them, so a year holds a miss when f exceeds the budget at
        // one of its breakpoints (a boundary belongs to both its years).
        let mut any = vec![false; years];
        let mut values = Vec::with_capacity(xs.len());
        for &x in &xs {
            let v = f(x);
            if v > budget {
                let y = ((x / year) as usize).min(years - 1);
                any[y] = true;
                if y > 0 && x <= y as f64 * year {
                    any[y - 1] = true;
                }
            }
            values.push(v);
        }
        for (w, v) in xs.windows(2).zip(values.windows(2)) {
            integral += 0.5 * (v[0] + v[1]) * (w[1] - w[0]);
            over += above(v[0], v[1], budget) * (w[1] - w[0]);
        }
        let f0 = values[0];
        let (missed, mean) = if span > 0.0 {
            (over / span, integral / span)
        } else {
            (f64::from(u8::from(f0 > budget)), f0)
        };
        self.missed.push(missed);
        self.any_year
            .push(any.iter().filter(|&&x| x).count() as f64 / years as f64);
        self.mean_bad.push(mean);
        self.hist.resize(BINS, 0.0);
        let mut t = window;
        while t <= horizon * (1.0 + 1e-12) {
            self.hist[bin_of(f(t.min(horizon)) / window)] += 1.0;
            t += GRID_SECS;
        }
    }

    /// Appends another part's trials (in trial order) and adds its grid.
    pub fn append(&mut self, other: &RollingTally) {
        self.missed.extend_from_slice(&other.missed);
        self.any_year.extend_from_slice(&other.any_year);
        self.mean_bad.extend_from_slice(&other.mean_bad);
        if self.hist.is_empty() {
            self.hist = other.hist.clone();
        } else {
            for (a, b) in self.hist.iter_mut().zip(&other.hist) {
                *a += b;
            }
        }
    }

    /// The bad fraction at or above which a share `q` of the grid's
    /// windows fall (nearest rank, upper bin edge), e.g. `q = 0.01` for the
    /// availability that 1% of windows fall to or below.
    pub fn bad_fraction_quantile_from_top(&self, q: f64) -> f64 {
        let total: f64 = self.hist.iter().sum();
        if total <= 0.0 {
            return 0.0;
        }
        let rank = (q * total).ceil().max(1.0);
        let mut seen = 0.0;
        for k in (0..self.hist.len()).rev() {
            seen += self.hist[k];
            if seen >= rank {
                return bin_edge(k);
            }
        }
        0.0
    }

    /// Grid points per trial (the windows the percentiles count).
    pub fn grid_per_trial(&self) -> usize {
        let total: f64 = self.hist.iter().sum();
        (total / self.trials().max(1) as f64).round() as usize
    }
}

/// The share of a linear segment from `f0` to `f1` that lies above `b`.
fn above(f0: f64, f1: f64, b: f64) -> f64 {
    match (f0 > b, f1 > b) {
        (true, true) => 1.0,
        (false, false) => 0.0,
        (true, false) => (f0 - b) / (f0 - f1),
        (false, true) => (f1 - b) / (f1 - f0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One bad hour at day 100, 30-day windows, a 1-minute budget: the
    /// trailing bad time rises over the hour (past the budget 1 minute in),
    /// stays an hour until day 130 and falls over the next hour, so windows
    /// ending in (100 d + 1 min, 130 d + 59 min) miss.
    #[test]
    fn one_bad_hour_misses_for_the_windows_that_hold_it() {
        let day = 86_400.0;
        let (w, h) = (30.0 * day, 365.0 * day);
        let mut t = RollingTally::default();
        t.push_trial(&[(100.0 * day, 100.0 * day + 3600.0)], (w, 60.0), h, 1);
        let want = (30.0 * day + 58.0 * 60.0) / (h - w);
        assert!(
            (t.missed[0] - want).abs() < 1e-12,
            "{} vs {want}",
            t.missed[0]
        );
        assert_eq!(t.any_year[0], 1.0);
        // The mean trailing bad time: the hour, in each of the 30 days of
        // windows that hold it, over the 335 days of end times.
        assert!((t.mean_bad[0] - 3600.0 * w / (h - w)).abs() < 1e-6);
        // Near the start, windows end from day 30 only: a bad hour at day
        // 10 makes those ending in [30 d, 40 d + 59 min) miss.
        let mut e = RollingTally::default();
        e.push_trial(&[(10.0 * day, 10.0 * day + 3600.0)], (w, 60.0), h, 1);
        let want = (10.0 * day + 59.0 * 60.0) / (h - w);
        assert!(
            (e.missed[0] - want).abs() < 1e-12,
            "{} vs {want}",
            e.missed[0]
        );
        // No span: nothing misses.
        let mut u = RollingTally::default();
        u.push_trial(&[], (w, 60.0), h, 1);
        assert_eq!((u.missed[0], u.any_year[0], u.mean_bad[0]), (0.0, 0.0, 0.0));
        assert_eq!(u.bad_fraction_quantile_from_top(0.01), 0.0);
    }

    /// A miss is booked to the year its window ends in: a bad day at the
    /// end of year 1 of 2 makes windows ending in years 1 and 2 miss.
    #[test]
    fn any_year_counts_the_year_each_window_ends_in() {
        let (day, year) = (86_400.0, 365.0 * 86_400.0);
        let mut t = RollingTally::default();
        t.push_trial(&[(year - day, year)], (30.0 * day, 600.0), 2.0 * year, 2);
        assert_eq!(t.any_year[0], 1.0);
        let mut t = RollingTally::default();
        t.push_trial(
            &[(100.0 * day, 101.0 * day)],
            (30.0 * day, 600.0),
            2.0 * year,
            2,
        );
        assert_eq!(t.any_year[0], 0.5);
    }

    #[test]
    fn bins_round_up_to_their_edge() {
        for x in [1e-9, 3.3e-5, 0.01, 0.5, 1.0] {
            let k = bin_of(x);
            assert!(bin_edge(k) >= x * (1.0 - 1e-12), "{x}");
            assert!(bin_edge(k - 1) < x || k == 1, "{x}");
        }
        assert_eq!(bin_of(0.0), 0);
    }
}
