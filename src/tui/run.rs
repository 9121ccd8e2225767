//! A Monte Carlo run on a worker thread, streaming one tally per batch over
//! a channel so the UI keeps drawing and taking keys while it converges.

use drsim::eval::FailedSet;
use drsim::instant_mc::{Estimate, Tally, run_batch};
use drsim::model::{PlanId, Topology};
use drsim::static_model::{Overrides, StaticModel};

use super::stream::Stream;

/// Size and length of a run; tests use small ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunConfig {
    pub batch_size: u64,
    pub batches: u64,
}

impl Default for RunConfig {
    fn default() -> Self {
        // 4 million samples: resolves P(down) near 1e-4 to about ±5%
        // relative standard error, in a few seconds.
        RunConfig {
            batch_size: 20_000,
            batches: 200,
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
    /// How many what-if items were forced down when the run started.
    pub forced_items: usize,
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
        forced_items: usize,
        seed: u64,
        config: RunConfig,
    ) -> Run {
        let (t, forced) = (t.clone(), forced.clone());
        let mut model: Option<StaticModel> = None;
        let stream = Stream::spawn(config.batches, move |b| {
            if model.is_none() {
                let m = StaticModel::for_plan(&t, plan, Overrides::default())
                    .map_err(|e| e.to_string())?;
                model = Some(m);
            }
            let m = model.as_ref().expect("built above");
            Ok(run_batch(&t, plan, m, &forced, seed, b, config.batch_size))
        });
        Run {
            plan,
            seed,
            config,
            forced_items,
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
