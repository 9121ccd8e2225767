//! A year of demand as pieces of constant rates (cut at UTC hours and at
//! surge boundaries) and the few distinct demand vectors those pieces take:
//! both engines serve demand per vector (the simulator integrates the
//! pieces, `capacity --demand` samples an instant of the year), so both cut
//! the year here, once.

use crate::model::Topology;
use crate::units::{SECONDS_PER_HOUR, SECONDS_PER_YEAR};

/// The year's pieces: `starts` ascending from 0, `rps[piece * nd + d]`.
#[derive(Clone, Debug)]
pub struct YearDemand {
    pub n_demands: usize,
    pub starts: Vec<f64>,
    pub rps: Vec<f64>,
}

/// A surge's window within the year, seconds.
pub fn surge_window(s: &crate::model::Surge) -> (f64, f64) {
    let a = s.day_of_year as f64 * 86_400.0 + s.start_hour_utc * SECONDS_PER_HOUR;
    (a, a + s.duration.secs())
}

impl YearDemand {
    pub fn new(t: &Topology) -> YearDemand {
        let nd = t.demands.len();
        let mut cuts: Vec<f64> = (0..8760).map(|h| h as f64 * SECONDS_PER_HOUR).collect();
        for s in &t.surges {
            let (a, b) = surge_window(s);
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
                    let (a, b) = surge_window(s);
                    let applies = s.demands.is_empty() || s.demands.iter().any(|x| x.index() == d);
                    if applies && mid >= a && mid < b {
                        r *= s.multiplier;
                    }
                }
                rps[p * nd + d] = r;
            }
        }
        YearDemand {
            n_demands: nd,
            starts: cuts,
            rps,
        }
    }

    /// Length of piece `p`, seconds.
    pub fn len(&self, p: usize) -> f64 {
        self.starts.get(p + 1).copied().unwrap_or(SECONDS_PER_YEAR) - self.starts[p]
    }

    /// The demand vector of piece `p`.
    pub fn vector(&self, p: usize) -> &[f64] {
        &self.rps[p * self.n_demands..(p + 1) * self.n_demands]
    }

    /// The distinct demand vectors (bit for bit) in order of first use, each
    /// with its share of the year, and the vector of every piece.
    pub fn distinct(&self) -> Vectors {
        let mut index: std::collections::HashMap<Vec<u64>, u32> = Default::default();
        let mut out = Vectors::default();
        for p in 0..self.starts.len() {
            let v = self.vector(p);
            let key: Vec<u64> = v.iter().map(|x| x.to_bits()).collect();
            let next = out.rps.len() as u32;
            let id = *index.entry(key).or_insert(next);
            if id == next {
                out.rps.push(v.to_vec());
                out.share.push(0.0);
            }
            out.share[id as usize] += self.len(p) / SECONDS_PER_YEAR;
            out.of_piece.push(id);
        }
        out
    }
}

/// The distinct demand vectors of a year ([`YearDemand::distinct`]).
#[derive(Clone, Debug, Default)]
pub struct Vectors {
    pub rps: Vec<Vec<f64>>,
    /// Fraction of the year each vector holds (they sum to 1).
    pub share: Vec<f64>,
    pub of_piece: Vec<u32>,
}

impl Vectors {
    /// Every demand's highest rate over the vectors.
    pub fn max_rps(&self) -> Vec<f64> {
        let nd = self.rps.first().map_or(0, Vec::len);
        (0..nd)
            .map(|d| self.rps.iter().map(|v| v[d]).fold(0.0, f64::max))
            .collect()
    }
}
