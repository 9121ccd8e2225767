//! A time-based run on a worker thread: trial-years of the discrete-event
//! simulation ([`drsim::simulate::run_plan`]), streamed in groups so the
//! chart shows the downtime estimate converging and the histogram filling.
//!
//! Each trial-year is its own `run_plan` call of one trial, so the UI sees
//! every year's downtime (the report only keeps percentiles). Trial `k` of a
//! run with seed `s` uses seed `s << 32 | k`; a group's trials run in
//! parallel with rayon and are collected in trial order, so a seed fixes the
//! result whatever the thread count.

use drsim::model::{PlanId, Topology};
use drsim::simulate::{Estimate, SimConfig, run_plan};
use rayon::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use super::run::RunStatus;

/// Length of a time-based run; tests use small ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeConfig {
    /// Trial-years per streamed group (one chart point each).
    pub group: u64,
    pub groups: u64,
}

impl Default for TimeConfig {
    fn default() -> Self {
        // 4000 trial-years: the mean downtime of the built-in plans (2-3
        // hours a year, dominated by rare long outages) to about ±10%.
        TimeConfig {
            group: 40,
            groups: 100,
        }
    }
}

/// Causes in the order of `PlanReport::downtime_by_cause`.
pub const CAUSES: usize = 6;

/// What one trial-year contributed.
#[derive(Clone, Debug, PartialEq)]
pub struct Year {
    pub downtime_min: f64,
    /// Minutes of downtime by cause, in `Cause::ALL` order.
    pub cause_min: [f64; CAUSES],
    pub unattributed_min: f64,
    /// An outage longer than an hour started this year.
    pub long_outage: bool,
}

enum Msg {
    Group(Vec<Year>),
    Failed(String),
}

/// One point of the convergence chart: the estimate after `trials` years.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub trials: u64,
    pub downtime: Estimate,
}

pub struct TimeRun {
    pub plan: PlanId,
    pub seed: u64,
    pub config: TimeConfig,
    /// Every trial-year received, in trial order.
    pub years: Vec<Year>,
    /// The mean downtime (minutes per year) and its 95% interval after
    /// each group.
    pub history: Vec<Point>,
    pub cause_names: Vec<&'static str>,
    pub status: RunStatus,
    pub worker_done: bool,
    rx: Receiver<Msg>,
    cancel: Arc<AtomicBool>,
}

/// The seed of trial `k`.
pub fn trial_seed(seed: u64, k: u64) -> u64 {
    seed << 32 | (k & 0xffff_ffff)
}

/// Runs trial-year `k` alone.
pub fn run_year(t: &Topology, plan: PlanId, seed: u64, k: u64) -> Result<Year, String> {
    let cfg = SimConfig {
        trials: 1,
        years: 1,
        seed: trial_seed(seed, k),
    };
    let r = run_plan(t, plan.index(), &cfg, &|_| {}).map_err(|e| e.to_string())?;
    let mut cause_min = [0.0; CAUSES];
    for (c, share) in cause_min.iter_mut().zip(&r.downtime_by_cause) {
        *c = share.minutes_per_year;
    }
    Ok(Year {
        downtime_min: r.downtime_minutes_per_year.mean.mean,
        cause_min,
        unattributed_min: r.unattributed_minutes_per_year,
        long_outage: r.p_outage_over_1h.mean > 0.0,
    })
}

impl TimeRun {
    pub fn start(t: &Topology, plan: PlanId, seed: u64, config: TimeConfig) -> TimeRun {
        let (tx, rx) = channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let (t, stop) = (t.clone(), cancel.clone());
        let cause_names = drsim::failure::Cause::ALL.map(|c| c.as_str()).to_vec();
        std::thread::spawn(move || {
            for g in 0..config.groups {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let first = g * config.group;
                let years: Result<Vec<Year>, String> = (first..first + config.group)
                    .into_par_iter()
                    .map(|k| run_year(&t, plan, seed, k))
                    .collect();
                let msg = match years {
                    Ok(y) => Msg::Group(y),
                    Err(e) => {
                        let _ = tx.send(Msg::Failed(e));
                        return;
                    }
                };
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        TimeRun {
            plan,
            seed,
            config,
            years: Vec::new(),
            history: Vec::new(),
            cause_names,
            status: RunStatus::Running,
            worker_done: false,
            rx,
            cancel,
        }
    }

    /// Takes every group that has arrived, without blocking.
    pub fn poll(&mut self) {
        loop {
            match self.rx.try_recv() {
                Ok(Msg::Group(y)) => {
                    self.years.extend(y);
                    let down: Vec<f64> = self.years.iter().map(|y| y.downtime_min).collect();
                    self.history.push(Point {
                        trials: self.years.len() as u64,
                        downtime: Estimate::of(&down),
                    });
                    if self.status == RunStatus::Running
                        && self.history.len() as u64 == self.config.groups
                    {
                        self.status = RunStatus::Done;
                    }
                }
                Ok(Msg::Failed(e)) => self.status = RunStatus::Failed(e),
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => {
                    self.worker_done = true;
                    return;
                }
            }
        }
    }

    pub fn cancel(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
        if self.status == RunStatus::Running {
            self.status = RunStatus::Cancelled;
        }
    }

    pub fn latest(&self) -> Option<&Point> {
        self.history.last()
    }

    pub fn total(&self) -> u64 {
        self.config.group * self.config.groups
    }

    /// Mean minutes per year by cause, then unattributed.
    pub fn cause_means(&self) -> (Vec<f64>, f64) {
        let n = self.years.len().max(1) as f64;
        let mut c = vec![0.0; CAUSES];
        let mut un = 0.0;
        for y in &self.years {
            for (a, b) in c.iter_mut().zip(y.cause_min) {
                *a += b;
            }
            un += y.unattributed_min;
        }
        (c.into_iter().map(|x| x / n).collect(), un / n)
    }

    /// The one-year probability of an outage over an hour (Wilson 95%).
    pub fn long_outage(&self) -> Option<Estimate> {
        if self.years.is_empty() {
            return None;
        }
        let k = self.years.iter().filter(|y| y.long_outage).count();
        Some(Estimate::wilson(k, self.years.len()))
    }

    /// Downtime quantile over the years so far (the same rank rule as the
    /// library's report: the ceil(q n)-th smallest).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.years.is_empty() {
            return None;
        }
        let mut v: Vec<f64> = self.years.iter().map(|y| y.downtime_min).collect();
        v.sort_by(f64::total_cmp);
        let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
        Some(v[rank - 1])
    }

    /// Counts of years per downtime bin of [`BINS`].
    pub fn histogram(&self) -> Vec<u64> {
        let mut h = vec![0u64; BINS.len()];
        for y in &self.years {
            let i = BINS
                .iter()
                .position(|&(_, hi)| y.downtime_min <= hi)
                .unwrap_or(BINS.len() - 1);
            h[i] += 1;
        }
        h
    }
}

/// Downtime-per-year bins (label, upper bound in minutes, inclusive):
/// logarithmic, since most years have none and a few have days.
pub const BINS: [(&str, f64); 7] = [
    ("0", 0.0),
    ("≤5m", 5.0),
    ("≤30m", 30.0),
    ("≤2h", 120.0),
    ("≤8h", 480.0),
    ("≤1d", 1440.0),
    (">1d", f64::INFINITY),
];

impl Drop for TimeRun {
    /// A replaced or abandoned run stops its worker after the current group.
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
impl TimeRun {
    /// A finished run made of the given years, streamed through the same
    /// `poll` as a real one: renders independently of the engine's numbers.
    pub fn finished(plan: PlanId, seed: u64, config: TimeConfig, years: Vec<Year>) -> TimeRun {
        let (tx, rx) = channel();
        for g in years.chunks(config.group as usize) {
            tx.send(Msg::Group(g.to_vec())).unwrap();
        }
        drop(tx);
        let mut r = TimeRun {
            plan,
            seed,
            config,
            years: Vec::new(),
            history: Vec::new(),
            cause_names: drsim::failure::Cause::ALL.map(|c| c.as_str()).to_vec(),
            status: RunStatus::Running,
            worker_done: false,
            rx,
            cancel: Arc::new(AtomicBool::new(false)),
        };
        r.poll();
        r
    }
}
