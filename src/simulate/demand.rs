//! Demand over a year as piecewise-constant rates.
//!
//! Each demand's rate changes only at UTC hour boundaries (its daily profile)
//! and at surge boundaries, so the year is cut at those instants and every
//! piece holds one rate per demand. Prefix integrals make "requests between
//! t0 and t1" O(log pieces); the same year repeats for multi-year trials.
//! A surge that would run past the end of the year is cut at 31 December
//! 24:00 (it does not wrap into January).

use crate::model::Topology;
use crate::units::{SECONDS_PER_HOUR, SECONDS_PER_YEAR};

#[derive(Clone, Debug)]
pub(crate) struct DemandCurve {
    pub n_demands: usize,
    /// Piece start times within the year, ascending, first 0.
    starts: Vec<f64>,
    /// rps[piece * n_demands + d].
    rps: Vec<f64>,
    /// Requests from the start of the year to the start of each piece,
    /// cum[piece * n_demands + d]; one extra row for the end of the year.
    cum: Vec<f64>,
    /// Highest rate of each demand over the year.
    pub max_rps: Vec<f64>,
    pub users: Vec<f64>,
}

impl DemandCurve {
    pub fn new(t: &Topology) -> DemandCurve {
        let nd = t.demands.len();
        let mut cuts: Vec<f64> = (0..8760).map(|h| h as f64 * SECONDS_PER_HOUR).collect();
        for s in &t.surges {
            let a = s.day_of_year as f64 * 86_400.0 + s.start_hour_utc * SECONDS_PER_HOUR;
            let b = a + s.duration.secs();
            for c in [a, b] {
                if c > 0.0 && c < SECONDS_PER_YEAR {
                    cuts.push(c);
                }
            }
        }
        cuts.sort_by(f64::total_cmp);
        cuts.dedup();
        let np = cuts.len();
        let mut rps = vec![0.0; np * nd];
        for (p, &start) in cuts.iter().enumerate() {
            let end = cuts.get(p + 1).copied().unwrap_or(SECONDS_PER_YEAR);
            let mid = 0.5 * (start + end);
            let hour = (mid / SECONDS_PER_HOUR) as usize % 24;
            for (d, dem) in t.demands.iter().enumerate() {
                let mut r = dem.rps_at_hour(hour);
                for s in &t.surges {
                    let a = s.day_of_year as f64 * 86_400.0 + s.start_hour_utc * SECONDS_PER_HOUR;
                    let b = a + s.duration.secs();
                    let applies = s.demands.is_empty() || s.demands.iter().any(|x| x.index() == d);
                    if applies && mid >= a && mid < b {
                        r *= s.multiplier;
                    }
                }
                rps[p * nd + d] = r;
            }
        }
        let mut cum = vec![0.0; (np + 1) * nd];
        for p in 0..np {
            let len = cuts.get(p + 1).copied().unwrap_or(SECONDS_PER_YEAR) - cuts[p];
            for d in 0..nd {
                cum[(p + 1) * nd + d] = cum[p * nd + d] + rps[p * nd + d] * len;
            }
        }
        let max_rps = (0..nd)
            .map(|d| (0..np).map(|p| rps[p * nd + d]).fold(0.0, f64::max))
            .collect();
        DemandCurve {
            n_demands: nd,
            starts: cuts,
            rps,
            cum,
            max_rps,
            users: t.demands.iter().map(|d| d.users).collect(),
        }
    }

    fn piece(&self, t_in_year: f64) -> usize {
        self.starts
            .partition_point(|&s| s <= t_in_year)
            .saturating_sub(1)
    }

    /// Requests of demand `d` from time 0 to `t` (any number of years).
    pub fn integral(&self, d: usize, t: f64) -> f64 {
        let nd = self.n_demands;
        let years = (t / SECONDS_PER_YEAR).floor();
        let y = t - years * SECONDS_PER_YEAR;
        let p = self.piece(y);
        let per_year = self.cum[self.starts.len() * nd + d];
        years * per_year + self.cum[p * nd + d] + self.rps[p * nd + d] * (y - self.starts[p])
    }

    /// The piece containing `t` and when it ends (absolute time).
    pub fn piece_at(&self, t: f64) -> (usize, f64) {
        let years = (t / SECONDS_PER_YEAR).floor();
        let y = t - years * SECONDS_PER_YEAR;
        let p = self.piece(y);
        let end = self.starts.get(p + 1).copied().unwrap_or(SECONDS_PER_YEAR);
        (p, years * SECONDS_PER_YEAR + end)
    }

    pub fn rate(&self, piece: usize, d: usize) -> f64 {
        self.rps[piece * self.n_demands + d]
    }
}
