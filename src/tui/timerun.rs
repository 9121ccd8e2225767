//! A time-based run on a worker thread: trial-years of the discrete-event
//! simulation, streamed in groups so the chart shows the downtime estimate
//! converging and the histogram filling.
//!
//! A run of `trials` trial-years with seed `s` is exactly `drsim run --trials
//! <trials> --seed <s> --plan <p>`: group `g` of `G` is shard `g/G` of that
//! run ([`run_plan_data`]), whose raw results give every trial's downtime
//! (the report alone keeps only percentiles). Each group holds whole batches,
//! so groups never split a batch and the numbers do not depend on grouping
//! or threads.

use drsim::model::{PlanId, Topology};
use drsim::service::FailedSet;
use drsim::shard::Shard;
use drsim::simulate::{
    BATCH_TRIALS, Estimate, RollingTally, SimConfig, SloReport, TrialMetric, run_what_if_data,
    slo_forecast,
};

use super::stream::Stream;

/// Length of a time-based run, in whole batches of [`BATCH_TRIALS`]
/// trial-years; tests use small ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeConfig {
    /// Batches per streamed group (one chart point each).
    pub batches_per_group: u64,
    pub groups: u64,
}

impl Default for TimeConfig {
    fn default() -> Self {
        // 32 groups of 128: 4096 trial-years, the mean downtime of the
        // built-in plans (2-3 hours a year, dominated by rare long outages)
        // to about ±10%, in a few seconds.
        TimeConfig {
            batches_per_group: 2,
            groups: 32,
        }
    }
}

impl TimeConfig {
    pub fn group(&self) -> u64 {
        self.batches_per_group * BATCH_TRIALS as u64
    }

    pub fn trials(&self) -> u64 {
        self.group() * self.groups
    }
}

/// Causes in the order of `RunData::cause_secs`: `Cause::ALL`, then the
/// what-if scenario's own slot (downtime the forced components explain).
pub const CAUSES: usize = drsim::static_model::Cause::ALL.len() + 1;

/// The names of the [`CAUSES`] slots.
pub fn cause_names() -> Vec<&'static str> {
    use drsim::static_model::Cause;
    Cause::ALL
        .iter()
        .chain([&Cause::WhatIf])
        .map(|c| c.as_str())
        .collect()
}

/// What one trial-year gave.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Year {
    pub downtime_min: f64,
    /// An outage longer than an hour started this year.
    pub long_outage: bool,
}

/// One streamed group: its years in trial order and its downtime minutes by
/// cause (in `Cause::ALL` order) and unattributed, summed over its years.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub years: Vec<Year>,
    pub cause_min: [f64; CAUSES],
    pub unattributed_min: f64,
    /// The plan's SLO windows of these years, in order: bad seconds and
    /// lost request fractions (empty without an SLO).
    pub window_bad: Vec<f64>,
    pub window_lost: Vec<f64>,
    /// Rolling windows of these years (empty without a rolling SLO).
    pub rolling: RollingTally,
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
    /// The what-if scenario: the marked components, named as `drsim run
    /// --down` takes them (`region:europe`), held down for every whole
    /// trial-year; empty for a plain run.
    pub what_if: Vec<String>,
    pub config: TimeConfig,
    /// Every trial-year received, in trial order.
    pub years: Vec<Year>,
    /// The mean downtime (minutes per year) and its 95% interval after
    /// each group.
    pub history: Vec<Point>,
    pub cause_names: Vec<&'static str>,
    /// Downtime minutes by cause and unattributed, summed over every year.
    cause_min: [f64; CAUSES],
    unattributed_min: f64,
    /// The plan's SLO, its windows so far and their forecast (recomputed
    /// as groups arrive, not per frame).
    pub slo: Option<drsim::model::Slo>,
    window_bad: Vec<f64>,
    window_lost: Vec<f64>,
    rolling: RollingTally,
    pub slo_report: Option<SloReport>,
    /// The worker's groups, in order.
    pub stream: Stream<Group>,
}

/// Group `g` of a run: shard `g/groups` of `drsim run --trials
/// config.trials() --seed seed` (with `--down` for each component of
/// `what_if`).
pub fn run_group(
    t: &Topology,
    plan: PlanId,
    seed: u64,
    config: TimeConfig,
    g: u64,
    what_if: &FailedSet,
) -> Result<Group, String> {
    let cfg = SimConfig {
        trials: config.trials() as usize,
        years: 1,
        seed,
    };
    let shard = Shard::new(g as u32, config.groups as u32).map_err(|e| e.to_string())?;
    let d = run_what_if_data(t, plan.index(), &cfg, shard, &|_| {}, what_if)
        .map_err(|e| e.to_string())?;
    let down = d.per_trial(TrialMetric::DowntimeSecs);
    let long = d.per_trial(TrialMetric::LongOutageFraction);
    let (cause_secs, un_secs) = d.cause_secs();
    let (window_bad, window_lost) = d.windows();
    Ok(Group {
        window_bad,
        window_lost,
        rolling: d.rolling(),
        years: down
            .iter()
            .zip(&long)
            .map(|(&s, &l)| Year {
                downtime_min: s / 60.0,
                long_outage: l > 0.0,
            })
            .collect(),
        cause_min: cause_secs.map(|s| s / 60.0),
        unattributed_min: un_secs / 60.0,
    })
}

impl TimeRun {
    /// A run of `plan` with `failed` held down, whose components are named
    /// `what_if` (empty and none for a plain run).
    pub fn start(
        t: &Topology,
        plan: PlanId,
        seed: u64,
        config: TimeConfig,
        failed: &FailedSet,
        what_if: Vec<String>,
    ) -> TimeRun {
        let t = t.clone();
        let failed = failed.clone();
        let cause_names = cause_names();
        let slo = t.plan(plan).targets.slo;
        let stream = Stream::spawn(config.groups, move |g| {
            run_group(&t, plan, seed, config, g, &failed)
        });
        TimeRun {
            plan,
            seed,
            what_if,
            config,
            years: Vec::new(),
            history: Vec::new(),
            cause_names,
            cause_min: [0.0; CAUSES],
            unattributed_min: 0.0,
            slo,
            window_bad: Vec::new(),
            window_lost: Vec::new(),
            rolling: RollingTally::default(),
            slo_report: None,
            stream,
        }
    }

    /// Takes every group that has arrived, without blocking.
    pub fn poll(&mut self) {
        let mut groups = Vec::new();
        self.stream.poll(|g| groups.push(g));
        for g in groups {
            self.years.extend(g.years);
            for (a, b) in self.cause_min.iter_mut().zip(g.cause_min) {
                *a += b;
            }
            self.unattributed_min += g.unattributed_min;
            self.window_bad.extend(g.window_bad);
            self.window_lost.extend(g.window_lost);
            self.rolling.append(&g.rolling);
            let down: Vec<f64> = self.years.iter().map(|y| y.downtime_min).collect();
            self.history.push(Point {
                trials: self.years.len() as u64,
                downtime: Estimate::of(&down),
            });
        }
        self.refresh_slo();
    }

    /// The SLO forecast over the windows received so far.
    fn refresh_slo(&mut self) {
        if let Some(slo) = &self.slo
            && !self.years.is_empty()
            && !(self.window_bad.is_empty() && self.rolling.is_empty())
        {
            let n = self.years.len();
            let (bad, lost) = (&self.window_bad, &self.window_lost);
            self.slo_report = Some(slo_forecast(slo, n, bad, lost, &self.rolling));
        }
    }

    pub fn cancel(&mut self) {
        self.stream.cancel();
    }

    pub fn latest(&self) -> Option<&Point> {
        self.history.last()
    }

    pub fn total(&self) -> u64 {
        self.config.trials()
    }

    /// Mean minutes per year by cause, then unattributed.
    pub fn cause_means(&self) -> (Vec<f64>, f64) {
        let n = self.years.len().max(1) as f64;
        (
            self.cause_min.iter().map(|x| x / n).collect(),
            self.unattributed_min / n,
        )
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

#[cfg(test)]
impl TimeRun {
    /// A finished run made of the given groups, streamed through the same
    /// `poll` as a real one: renders independently of the engine's numbers.
    pub fn finished(plan: PlanId, seed: u64, config: TimeConfig, groups: Vec<Group>) -> TimeRun {
        let mut pending = groups.into_iter();
        let mut r = TimeRun {
            plan,
            seed,
            what_if: Vec::new(),
            config,
            years: Vec::new(),
            history: Vec::new(),
            cause_names: cause_names(),
            cause_min: [0.0; CAUSES],
            unattributed_min: 0.0,
            slo: None,
            window_bad: Vec::new(),
            window_lost: Vec::new(),
            rolling: RollingTally::default(),
            slo_report: None,
            stream: Stream::spawn(config.groups, move |_| {
                pending.next().ok_or_else(|| "no more groups".to_string())
            }),
        };
        while !r.stream.worker_done {
            r.poll();
            std::thread::yield_now();
        }
        r.poll();
        r
    }

    /// This finished run judged against `slo` (as if its plan had it).
    pub fn with_slo(mut self, slo: drsim::model::Slo) -> TimeRun {
        self.slo = Some(slo);
        self.refresh_slo();
        self
    }
}
