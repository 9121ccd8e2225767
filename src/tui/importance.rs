//! The Importance tab's worker: for one plan, what takes it down. Minimal
//! cut sets of one and two events come first (single points of failure and
//! pairs; a millisecond), then the Birnbaum and criticality ranking, which
//! takes seconds, so it all runs on a worker thread and streams in. Every
//! number comes from [`drsim::reliability`] on [`StaticModel::for_plan`];
//! what the events are is in docs/internals.md, "tui/importance.rs".

use drsim::model::{PlanId, Topology};
use drsim::reliability::importance::{CutSet, Importance, cut_sets_in, importance_with};
use drsim::reliability::{
    Criterion, Estimate, EstimateOptions, Method, ServiceCriterionError, estimate_with,
};
use drsim::sampling::{Progress, Status, Under};
use drsim::static_model::{Overrides, StaticModel};
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::sync::{Arc, Mutex};

/// Turnip samples per conditional unreliability, when the exact method is
/// too expensive. The turnip's relative error does not grow as the plan gets
/// more reliable (crude Monte Carlo with a fixed budget sees almost no
/// failures of a 1e-5 plan); 2000 samples give about ±17% on each term for
/// the built-in topology, and the 77 events x 2 terms take seconds.
pub const SAMPLES: u64 = 2_000;

/// The estimator options of the ranking: exact when cheap, else the turnip.
pub fn options(seed: u64) -> EstimateOptions {
    EstimateOptions::fixed(Method::Auto, SAMPLES, seed)
}

/// What the job was computed for; a different key means it is stale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub plan: PlanId,
    pub seed: u64,
    /// `App::generation` when started: bumps on every parameter edit.
    pub generation: u64,
}

enum Msg {
    Cuts {
        model: Box<StaticModel>,
        singles: Vec<CutSet>,
        pairs: Vec<CutSet>,
    },
    Ranking {
        u: Estimate,
        ranking: Vec<Importance>,
    },
    Failed(String),
}

/// What one event takes down, by index: sites, links, services.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hits {
    pub sites: Vec<usize>,
    pub links: Vec<usize>,
    pub services: Vec<usize>,
}

/// Where the ranking's estimates stand, as the library reports them
/// ([`Progress`]): the stage ("importance 7/32 edge:fra-sin down: turnip"),
/// its last round and the samples drawn in it so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Now {
    pub stage: String,
    pub round: Option<Status>,
    pub drawn: u64,
}

/// The worker's progress sink; the view reads [`Tracker::now`].
#[derive(Debug, Default)]
pub struct Tracker(Mutex<Now>);

impl Tracker {
    pub fn now(&self) -> Now {
        self.0.lock().map(|n| n.clone()).unwrap_or_default()
    }
}

impl Progress for Tracker {
    fn stage(&self, what: &str) {
        if let Ok(mut n) = self.0.lock() {
            *n = Now {
                stage: what.to_string(),
                ..Now::default()
            };
        }
    }
    fn round(&self, status: Status) {
        if let Ok(mut n) = self.0.lock() {
            n.round = Some(status);
            n.drawn = status.done;
        }
    }
    fn drawn(&self, k: u64) {
        if let Ok(mut n) = self.0.lock() {
            n.drawn += k;
        }
    }
}

pub struct ImportanceJob {
    pub key: Key,
    /// What the worker was estimating at the last [`ImportanceJob::poll`].
    pub now: Now,
    /// The worker's progress sink.
    pub progress: Arc<Tracker>,
    /// Sites of the topology: the model's nodes after them are services.
    pub n_sites: usize,
    /// The model the events come from, to say what each one takes down.
    pub model: Option<StaticModel>,
    /// Minimal cut sets of one event: each alone takes the plan down.
    pub singles: Vec<CutSet>,
    /// Minimal cut sets of two events, most probable first.
    pub pairs: Vec<CutSet>,
    /// The plan's unavailability, estimated with the ranking's options.
    pub unavailability: Option<Estimate>,
    /// Every event by criticality, highest first; `None` while computing.
    pub ranking: Option<Vec<Importance>>,
    pub error: Option<String>,
    pub worker_done: bool,
    rx: Receiver<Msg>,
}

/// The service criterion of a plan (as `drsim reliability --service --plan`).
pub fn criterion(t: &Topology, plan: PlanId) -> Result<Criterion, String> {
    Criterion::service(t, plan).map_err(|e| match e {
        ServiceCriterionError::NoDemands => {
            "the topology has no demands, so there is no service to lose".to_string()
        }
        e => e.to_string(),
    })
}

impl ImportanceJob {
    pub fn start(t: &Topology, key: Key) -> ImportanceJob {
        let (tx, rx) = channel();
        let n_sites = t.sites.len();
        let t = t.clone();
        let progress = Arc::new(Tracker::default());
        let sink = progress.clone();
        std::thread::spawn(move || {
            let fail = |e: String| {
                let _ = tx.send(Msg::Failed(e));
            };
            let model = match StaticModel::for_plan(&t, key.plan, Overrides::default()) {
                Ok(m) => m,
                Err(e) => return fail(e.to_string()),
            };
            let crit = match criterion(&t, key.plan) {
                Ok(c) => c,
                Err(e) => return fail(e),
            };
            let cuts = cut_sets_in(&t, &model, &crit, 2).map_err(|e| e.to_string());
            let (singles, pairs): (Vec<CutSet>, Vec<CutSet>) = match cuts {
                Ok(c) => c.into_iter().partition(|c| c.events.len() == 1),
                Err(e) => return fail(e),
            };
            let sent = tx.send(Msg::Cuts {
                model: Box::new(model.clone()),
                singles,
                pairs,
            });
            if sent.is_err() {
                return; // Nobody is waiting any more.
            }
            let opts = options(key.seed);
            let heading = "unavailability";
            sink.stage(heading);
            let under = Under {
                heading,
                inner: &*sink,
            };
            let ranked = estimate_with(&model, &crit, &opts, &under).and_then(|u| {
                importance_with(&model, &crit, &opts, u.unreliability, &*sink).map(|r| (u, r))
            });
            let _ = tx.send(match ranked {
                Ok((u, ranking)) => Msg::Ranking { u, ranking },
                Err(e) => Msg::Failed(e.to_string()),
            });
        });
        ImportanceJob {
            key,
            now: Now::default(),
            progress,
            n_sites,
            model: None,
            singles: Vec::new(),
            pairs: Vec::new(),
            unavailability: None,
            ranking: None,
            error: None,
            worker_done: false,
            rx,
        }
    }

    /// Takes whatever has arrived, without blocking.
    pub fn poll(&mut self) {
        self.now = self.progress.now();
        loop {
            match self.rx.try_recv() {
                Ok(Msg::Cuts {
                    model,
                    singles,
                    pairs,
                }) => {
                    self.model = Some(*model);
                    self.singles = singles;
                    self.pairs = pairs;
                }
                Ok(Msg::Ranking { u, ranking }) => {
                    self.unavailability = Some(u);
                    self.ranking = Some(ranking);
                }
                Ok(Msg::Failed(e)) => self.error = Some(e),
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => {
                    self.worker_done = true;
                    return;
                }
            }
        }
    }

    /// How many of the ranked events' estimates stopped short of the
    /// relative error asked, and why the first of them did (a ranking
    /// with a target or a work budget; the tab's fixed sample count never
    /// stops short today).
    pub fn stopped_short(&self) -> Option<(usize, drsim::sampling::StoppedShort)> {
        let short: Vec<_> = self
            .ranking
            .as_ref()?
            .iter()
            .filter_map(|i| i.stopped_short)
            .collect();
        short.first().map(|&why| (short.len(), why))
    }

    /// The dependency chain of an event that alone takes the plan down
    /// through a service ("messaging needs auth needs dns, which is down").
    pub fn chain(&self, event: &str) -> Option<&str> {
        let single = self.singles.iter().find(|c| c.events[0] == event)?;
        single.chain.as_deref()
    }

    /// Sites, links and services an event takes down (for the detail line
    /// and the map): the node or edge itself, or every member of the shock.
    pub fn takes_down(&self, event: &str) -> Hits {
        self.model
            .as_ref()
            .map_or_else(Hits::default, |m| hits(m, self.n_sites, event))
    }
}

fn hits(m: &StaticModel, n_sites: usize, event: &str) -> Hits {
    // Service nodes are named "service:KEY" already, and so are their events.
    let (nodes, links) = if let Some(k) = event
        .strip_prefix("node:")
        .or(Some(event).filter(|e| e.starts_with("service:")))
        && let Some(i) = m.node_names.iter().position(|n| n == k)
    {
        (vec![i], vec![])
    } else if let Some(k) = event.strip_prefix("edge:")
        && let Some(i) = m.edge_names.iter().position(|n| n == k)
    {
        (vec![], vec![i])
    } else {
        match m.shocks.iter().find(|s| s.name == event) {
            Some(s) => (
                s.nodes.iter().map(|&v| v as usize).collect(),
                s.edges.iter().map(|&e| e as usize).collect(),
            ),
            None => (vec![], vec![]),
        }
    };
    let (sites, services) = nodes.into_iter().partition(|&v| v < n_sites);
    Hits {
        sites,
        links,
        services: services.into_iter().map(|v: usize| v - n_sites).collect(),
    }
}
