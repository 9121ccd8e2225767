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

/// Pieces per block of [`DemandCurve::range_max`].
const BLOCK: usize = 64;

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
    /// Block maxima for range maxima: `block_max[i * nd + d]` is the highest
    /// rate of demand `d` over pieces `i * BLOCK .. (i + 1) * BLOCK`. Lets
    /// the simulator skip the piece-by-piece congestion check for an
    /// interval whose peak demand fits (the common case; surges make the
    /// yearly maximum useless as a filter). A sparse table answered in O(1)
    /// but held 13 copies of the rates: 455 MB for 500 demands.
    block_max: Vec<f64>,
    /// Each demand's rate at each UTC hour without surges.
    pub hourly: Vec<[f64; 24]>,
    /// Surge windows within the year, `[start, end)`.
    surges: Vec<(f64, f64)>,
    /// The distinct demand vector of each piece ([`crate::service::year`]),
    /// and the vectors: the simulator serves per (failure state, vector).
    pub vector_of: Vec<u32>,
    pub vectors: Vec<Vec<f64>>,
    /// The piece holding the start of each hour of the year: finding the
    /// piece of an instant takes a step or two instead of a binary search.
    hour_piece: Vec<u32>,
}

impl DemandCurve {
    pub fn new(t: &Topology) -> DemandCurve {
        let year = crate::service::year::YearDemand::new(t);
        let vectors = year.distinct();
        let nd = year.n_demands;
        let (cuts, rps) = (year.starts, year.rps);
        let np = cuts.len();
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
        let block_max = (0..np.div_ceil(BLOCK) * nd)
            .map(|k| {
                let (i, d) = (k / nd, k % nd);
                (i * BLOCK..((i + 1) * BLOCK).min(np))
                    .map(|p| rps[p * nd + d])
                    .fold(0.0, f64::max)
            })
            .collect();
        let surges = t
            .surges
            .iter()
            .map(|s| {
                let (a, b) = crate::service::year::surge_window(s);
                (a.min(SECONDS_PER_YEAR), b.min(SECONDS_PER_YEAR))
            })
            .filter(|(a, b)| b > a)
            .collect();
        let surges = merge_windows(surges);
        let hour_piece = (0..8760)
            .map(|h| (cuts.partition_point(|&c| c <= h as f64 * SECONDS_PER_HOUR) - 1) as u32)
            .collect();
        DemandCurve {
            vector_of: vectors.of_piece,
            vectors: vectors.rps,
            hour_piece,
            hourly: t
                .demands
                .iter()
                .map(|d| std::array::from_fn(|h| d.rps_at_hour(h)))
                .collect(),
            surges,
            block_max,
            n_demands: nd,
            starts: cuts,
            rps,
            cum,
            max_rps,
            users: t.demands.iter().map(|d| d.users).collect(),
        }
    }

    /// The last piece starting at or before `t_in_year`.
    fn piece(&self, t_in_year: f64) -> usize {
        let h = ((t_in_year / SECONDS_PER_HOUR).max(0.0) as usize).min(self.hour_piece.len() - 1);
        let mut p = self.hour_piece[h] as usize;
        // Rounding in the division can land one hour late or early.
        while p > 0 && self.starts[p] > t_in_year {
            p -= 1;
        }
        while p + 1 < self.starts.len() && self.starts[p + 1] <= t_in_year {
            p += 1;
        }
        p
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

    /// Highest rate of demand `d` over pieces `a..=b` (within one year):
    /// the pieces of the partial blocks at both ends, the blocks between.
    fn range_max(&self, d: usize, a: usize, b: usize) -> f64 {
        let nd = self.n_demands;
        let piece = |p: usize| self.rps[p * nd + d];
        let (ba, bb) = (a / BLOCK, b / BLOCK);
        if ba == bb {
            return (a..=b).map(piece).fold(0.0, f64::max);
        }
        let ends = (a..(ba + 1) * BLOCK).chain(bb * BLOCK..=b).map(piece);
        let blocks = (ba + 1..bb).map(|i| self.block_max[i * nd + d]);
        ends.chain(blocks).fold(0.0, f64::max)
    }

    /// Highest rate of demand `d` at any instant of `[t0, t1)`.
    pub fn max_between(&self, d: usize, t0: f64, t1: f64) -> f64 {
        if t1 - t0 >= SECONDS_PER_YEAR {
            return self.max_rps[d];
        }
        let (p0, _) = self.piece_at(t0);
        // The piece holding the last instant before t1.
        let (p1, _) = self.piece_at(t1.max(t0) - 1e-6_f64.max(t1 * 1e-15));
        let (y0, y1) = (
            (t0 / SECONDS_PER_YEAR).floor(),
            ((t1 - 1e-6) / SECONDS_PER_YEAR).floor(),
        );
        if y0 == y1 && p1 >= p0 {
            self.range_max(d, p0, p1)
        } else {
            // Wraps past 31 December.
            let last = self.starts.len() - 1;
            self.range_max(d, p0, last).max(self.range_max(d, 0, p1))
        }
    }

    /// The first surge window overlapping `[t0, t1)`, clipped to it, or
    /// `(t1, t1)` when there is none. Outside surge windows every rate is
    /// its demand's hourly profile value.
    pub fn next_surge(&self, t0: f64, t1: f64) -> (f64, f64) {
        let mut base = (t0 / SECONDS_PER_YEAR).floor() * SECONDS_PER_YEAR;
        while base < t1 && !self.surges.is_empty() {
            // Windows are sorted and disjoint.
            for &(a, b) in &self.surges {
                let (a, b) = (base + a, base + b);
                if b > t0 && a < t1 {
                    return (a.max(t0), b.min(t1));
                }
            }
            base += SECONDS_PER_YEAR;
        }
        (t1, t1)
    }

    /// Per distinct vector: is it met outside every surge window (on an
    /// ordinary day)?
    pub fn daily_vectors(&self) -> Vec<bool> {
        let mut daily = vec![false; self.vectors.len()];
        for (p, &start) in self.starts.iter().enumerate() {
            let end = self.starts.get(p + 1).copied().unwrap_or(SECONDS_PER_YEAR);
            let (a, b) = self.next_surge(start, end);
            if b <= a {
                daily[self.vector_of[p] as usize] = true;
            }
        }
        daily
    }

    pub fn rate(&self, piece: usize, d: usize) -> f64 {
        self.rps[piece * self.n_demands + d]
    }
}

/// Sorts windows and joins those that overlap or touch.
fn merge_windows(mut w: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    w.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(w.len());
    for (a, b) in w {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Demand, DemandId, Surge, TopologyParts};
    use crate::units::Duration;

    #[test]
    fn range_max_equals_brute_force() {
        let profile: [f64; 24] = std::array::from_fn(|h| ((h * 7) % 24) as f64 / 23.0);
        let t = Topology::from_parts(TopologyParts {
            sites: vec![crate::model::Site {
                key: "s".into(),
                name: "s".into(),
                region: None,
                location: None,
                capacity_rps: 1.0,
                failure: None,
                gray: None,
            }],
            demands: vec![Demand {
                key: "d".into(),
                name: "d".into(),
                entry_sites: vec![crate::model::SiteId(0)],
                users: 1.0,
                peak_rps: 10.0,
                profile,
                kbit_per_request: 1.0,
            }],
            surges: vec![Surge {
                key: "s".into(),
                name: "s".into(),
                day_of_year: 100,
                start_hour_utc: 3.5,
                duration: Duration::from_hours(2.0).unwrap(),
                multiplier: 4.0,
                demands: vec![DemandId(0)],
            }],
            ..TopologyParts::default()
        })
        .unwrap();
        let c = DemandCurve::new(&t);
        let brute = |t0: f64, t1: f64| {
            let mut m = c.rate(c.piece_at(t0).0, 0);
            let mut x = t0;
            while x < t1 {
                let (p, end) = c.piece_at(x);
                m = m.max(c.rate(p, 0));
                x = end;
            }
            m
        };
        let h = SECONDS_PER_HOUR;
        for (a, b) in [
            (0.0, 0.5 * h),
            (100.0 * 86_400.0, 100.0 * 86_400.0 + 4.0 * h),
            (100.0 * 86_400.0 + 5.0 * h, 100.0 * 86_400.0 + 5.6 * h),
            (3.3 * h, 27.9 * h),
            // Across many blocks of pieces, into the surge and out of it.
            (20.5 * h, 100.0 * 86_400.0 + 4.0 * h),
            (20.5 * h, 3_000.5 * h),
            (SECONDS_PER_YEAR - 2.5 * h, SECONDS_PER_YEAR + 1.5 * h),
            (
                SECONDS_PER_YEAR + 99.0 * 86_400.0,
                SECONDS_PER_YEAR + 101.0 * 86_400.0,
            ),
        ] {
            assert_eq!(c.max_between(0, a, b), brute(a, b), "[{a}, {b})");
        }
        // Surge x4 over hours 3..5, whose profile peaks at 21/23.
        assert!((c.max_rps[0] - 40.0 * 21.0 / 23.0).abs() < 1e-12);
        assert_eq!(c.max_between(0, 0.0, 2.0 * SECONDS_PER_YEAR), c.max_rps[0]);
    }

    /// The simulator integrates whole stretches between surge windows with
    /// the hourly profile alone: every piece outside [`DemandCurve::next_surge`]
    /// windows must have exactly its hour's profile rate, and every piece
    /// inside one must lie in the window that `next_surge` returns.
    #[test]
    fn piece_lookup_equals_binary_search() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("topologies")
            .join("global-messaging.toml");
        let c = DemandCurve::new(&crate::io::load_path(&path).unwrap());
        let search = |y: f64| c.starts.partition_point(|&s| s <= y).saturating_sub(1);
        let mut probes = vec![
            0.0,
            SECONDS_PER_YEAR - 1e-6,
            SECONDS_PER_YEAR * (1.0 - 1e-16),
        ];
        for &s in &c.starts {
            probes.extend([s, s - 1e-7, s + 1e-7, s - 1e-3, s + 0.5]);
        }
        for y in probes
            .into_iter()
            .filter(|y| (0.0..SECONDS_PER_YEAR).contains(y))
        {
            assert_eq!(c.piece(y), search(y), "t = {y}");
        }
    }

    #[test]
    fn outside_surge_windows_rates_follow_the_hourly_profile() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("topologies")
            .join("global-messaging.toml");
        let t = crate::io::load_path(&path).unwrap();
        let c = DemandCurve::new(&t);
        let mut surged = 0;
        for (p, &start) in c.starts.iter().enumerate() {
            let end = c.starts.get(p + 1).copied().unwrap_or(SECONDS_PER_YEAR);
            let (a, b) = c.next_surge(start, end);
            let in_surge = b > a;
            if in_surge {
                assert!(a == start && b == end, "piece {p} partly in a window");
                surged += 1;
            }
            let hour = (start / SECONDS_PER_HOUR) as usize % 24;
            for d in 0..c.n_demands {
                if !in_surge {
                    assert_eq!(c.rate(p, d), c.hourly[d][hour], "piece {p}, demand {d}");
                }
            }
        }
        // New Year's Eve: windows of 2, 3, 2 and 3 h on 31 December (the
        // last cut at midnight) and 6 h on 1 January, all on hour or half-hour
        // cuts: 13:00-15:00, 15:00-18:00, 18:30-20:30, 22:00-24:00 and
        // 03:00-09:00 give 2 + 3 + 3 + 2 + 6 pieces.
        assert_eq!(surged, 16);
        // A stretch in the second year finds the second year's window.
        let y = SECONDS_PER_YEAR;
        assert_eq!(
            c.next_surge(y + 3600.0, y + 86_400.0),
            (y + 3.0 * 3600.0, y + 9.0 * 3600.0)
        );
        assert_eq!(
            c.next_surge(10.0 * 86_400.0, 20.0 * 86_400.0),
            (20.0 * 86_400.0, 20.0 * 86_400.0)
        );
    }
}
