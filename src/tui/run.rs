//! A Monte Carlo run on a worker thread, streaming one tally per batch over
//! a channel so the UI keeps drawing and taking keys while it converges.

use drsim::eval::FailedSet;
use drsim::failure::{Overrides, StaticModel};
use drsim::instant_mc::{Estimate, Tally, run_batch};
use drsim::model::{PlanId, Topology};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

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

enum Msg {
    Batch(Tally),
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
    pub status: RunStatus,
    /// The worker has exited (its sender is gone).
    pub worker_done: bool,
    rx: Receiver<Msg>,
    cancel: Arc<AtomicBool>,
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
        let (tx, rx) = channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let (t, forced, stop) = (t.clone(), forced.clone(), cancel.clone());
        std::thread::spawn(move || {
            let m = match StaticModel::for_plan(&t, plan, Overrides::default()) {
                Ok(m) => m,
                Err(e) => {
                    let _ = tx.send(Msg::Failed(e.to_string()));
                    return;
                }
            };
            for b in 0..config.batches {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let tally = run_batch(&t, plan, &m, &forced, seed, b, config.batch_size);
                if tx.send(Msg::Batch(tally)).is_err() {
                    return;
                }
            }
        });
        Run {
            plan,
            seed,
            config,
            forced_items,
            history: Vec::new(),
            status: RunStatus::Running,
            worker_done: false,
            rx,
            cancel,
        }
    }

    /// Takes every message that has arrived, without blocking.
    pub fn poll(&mut self) {
        loop {
            match self.rx.try_recv() {
                Ok(Msg::Batch(t)) => {
                    let (n, d) = self.history.last().map_or((0, 0), |e| (e.samples, e.down));
                    self.history
                        .push(Estimate::from_counts(n + t.samples, d + t.down));
                    if self.status == RunStatus::Running
                        && self.history.len() as u64 == self.config.batches
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

    pub fn latest(&self) -> Option<&Estimate> {
        self.history.last()
    }
}

impl Drop for Run {
    /// A replaced or abandoned run stops its worker at the next batch.
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}
