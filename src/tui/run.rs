//! The static run: the CLI's crude estimator (`drsim reliability --service
//! --method crude`) on a worker thread, with the what-if failures held down
//! (probability 1), streaming one batch's tally at a time over a channel so
//! the UI keeps drawing and taking keys while it converges. Same plan,
//! what-ifs, seed and samples give the CLI's numbers.

use drsim::model::{PlanId, Topology};
use drsim::reliability::Criterion;
use drsim::reliability::crude::{self, BATCH};
use drsim::service::FailedSet;
use drsim::static_model::{Overrides, StaticModel};

use super::stream::Stream;

/// Length of a run; tests use short ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunConfig {
    pub samples: u64,
}

impl RunConfig {
    /// Batches of the crude estimator's fixed size, the last possibly short.
    pub fn batches(&self) -> u64 {
        self.samples.div_ceil(BATCH)
    }
}

impl Default for RunConfig {
    fn default() -> Self {
        // About 4 million samples: resolves P(down) near 1e-4 to about ±5%
        // relative standard error, in a few seconds.
        RunConfig {
            samples: 489 * BATCH,
        }
    }
}

/// Samples and plan-down counts of one batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    pub samples: u64,
    pub down: u64,
}

/// The running estimate after some batches, with the library's interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub samples: u64,
    pub down: u64,
    pub p_down: f64,
    pub std_error: f64,
    /// Standard error over the estimate (infinite while no sample is down).
    pub relative_error: f64,
    /// The crude estimator's exact (Clopper-Pearson) 95% interval.
    pub ci95: (f64, f64),
}

impl Estimate {
    pub fn from_counts(samples: u64, down: u64) -> Estimate {
        let e = crude::finish(down, samples.max(1));
        Estimate {
            samples,
            down,
            p_down: e.unreliability,
            std_error: e.std_error,
            relative_error: e.relative_error,
            ci95: (e.ci95_low, e.ci95_high),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum RunStatus {
    Running,
    Done,
    Cancelled,
    Failed(String),
}

pub struct Run {
    pub plan: PlanId,
    pub seed: u64,
    pub config: RunConfig,
    /// The what-if items forced down when the run started, as `--down`
    /// names them (`region:europe`); empty for a plain run.
    pub what_if: Vec<String>,
    /// The estimate after each batch received, in batch order.
    pub history: Vec<Estimate>,
    /// The worker's tallies, one per batch.
    pub stream: Stream<Tally>,
}

impl Run {
    /// Starts the worker. Batches run in order on one thread, so the tallies
    /// equal `run_batch(.., seed, b, ..)` for b = 0, 1, ...
    pub fn start(
        t: &Topology,
        plan: PlanId,
        forced: &FailedSet,
        what_if: Vec<String>,
        seed: u64,
        config: RunConfig,
    ) -> Run {
        let (t, forced) = (t.clone(), forced.clone());
        let mut built: Option<(StaticModel, Criterion)> = None;
        let n = config.samples;
        let stream = Stream::spawn(config.batches(), move |b| {
            if built.is_none() {
                let mut m = StaticModel::for_plan(&t, plan, Overrides::default())
                    .map_err(|e| e.to_string())?;
                // Sites, then services: the model's nodes when the plan
                // serves a service (otherwise the services are not nodes).
                m.force_down(&forced.node_flags(), forced.links_down());
                let c = Criterion::service(&t, plan).map_err(|e| e.to_string())?;
                built = Some((m, c));
            }
            let (m, c) = built.as_ref().expect("built above");
            Ok(Tally {
                samples: BATCH.min(n - b * BATCH),
                down: crude::batch_tally(m, c, seed, b, n),
            })
        });
        Run {
            plan,
            seed,
            config,
            what_if,
            history: Vec::new(),
            stream,
        }
    }

    /// Takes every tally that has arrived, without blocking.
    pub fn poll(&mut self) {
        let history = &mut self.history;
        self.stream.poll(|t| {
            let (n, d) = history.last().map_or((0, 0), |e| (e.samples, e.down));
            history.push(Estimate::from_counts(n + t.samples, d + t.down));
        });
    }

    pub fn cancel(&mut self) {
        self.stream.cancel();
    }

    pub fn latest(&self) -> Option<&Estimate> {
        self.history.last()
    }
}
