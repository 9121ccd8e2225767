//! Static reliability: the probability that the network is "down" (the
//! chosen criterion fails) at a random instant, under independent node and
//! edge failures plus Marshall-Olkin shocks.
//!
//! One entry point, [`estimate`], dispatches to an exact algorithm
//! ([`exact`]), crude Monte Carlo ([`crude`]) or the turnip, a permutation
//! Monte Carlo estimator with bounded relative error ([`turnip`]).

pub mod crude;
mod eval;
pub mod exact;
pub mod importance;
pub mod instances;
pub mod lanes;
pub mod parts;
pub mod turnip;

use crate::sampling::{Progress, Silent, StoppedShort};
use crate::static_model::StaticModel;
use std::time::Instant;

pub use eval::Checker;

/// What "up" means for the network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Criterion {
    /// Nodes `s` and `t` are up and connected by up edges through up nodes.
    TwoTerminal { s: u32, t: u32 },
    /// Every node is up and all nodes are connected.
    AllTerminal,
    /// A plan's service, as [`crate::service`] decides it: active-active,
    /// for every group (a demand's entry nodes) at least `quorum` target
    /// nodes are up and connected to one and the same up node of the group;
    /// active-passive, the first target (in order) that is up and reached
    /// from some group's up node is reached from every group. Build it with
    /// [`Criterion::service`].
    Service {
        groups: Vec<Vec<u32>>,
        targets: Vec<u32>,
        quorum: u32,
        mode: crate::model::PlanMode,
    },
    /// A plan that serves a declared service: the rule itself decides, on
    /// a model whose nodes are the sites then the services
    /// ([`StaticModel::for_plan`]). No union-find shortcut exists for
    /// dependency chains, so this is slower per state than [`Self::Service`].
    Dependent(DependentRule),
}

/// The rule of a plan with services, shared by the samplers' threads, and
/// for an active-active plan the same plan's criterion without services: a
/// necessary condition (dependencies only take serving sites away, so a
/// quorum met with them is met without them), checked first because the
/// union-find answers it without running the rule. It does not hold for
/// active-passive, where a failing front end moves the active site.
#[derive(Clone, Debug)]
pub struct DependentRule(
    pub std::sync::Arc<crate::service::ServiceRule>,
    pub Option<std::sync::Arc<Criterion>>,
);

impl PartialEq for DependentRule {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for DependentRule {}

/// Why a plan's service criterion cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ServiceCriterionError {
    #[error("the topology has no plans")]
    NoPlans,
    #[error("the topology has {0} plans; choose one ({1})")]
    PlanNeeded(usize, String),
    #[error("the topology has no demands, so no entry sites to serve")]
    NoDemands,
}

impl Criterion {
    /// The plan's service at a random instant, from the one rule's view of
    /// the plan ([`crate::service::ServiceRule`]): its entry groups, serving
    /// sites, quorum and mode.
    pub fn service(
        t: &crate::model::Topology,
        plan: crate::model::PlanId,
    ) -> Result<Criterion, ServiceCriterionError> {
        if t.demands.is_empty() {
            return Err(ServiceCriterionError::NoDemands);
        }
        let rule = crate::service::ServiceRule::new(t, plan);
        let graph = Criterion::Service {
            groups: rule.entries().to_vec(),
            targets: rule.serving().to_vec(),
            quorum: rule.quorum(),
            mode: rule.mode(),
        };
        if rule.has_dependencies() {
            let necessary = (rule.mode() == crate::model::PlanMode::ActiveActive)
                .then(|| std::sync::Arc::new(graph));
            return Ok(Criterion::Dependent(DependentRule(
                std::sync::Arc::new(rule),
                necessary,
            )));
        }
        Ok(graph)
    }

    /// The plan to use when `plan` is not given: the only one, else an error
    /// listing them.
    pub fn default_plan(
        t: &crate::model::Topology,
    ) -> Result<crate::model::PlanId, ServiceCriterionError> {
        match t.plans.len() {
            0 => Err(ServiceCriterionError::NoPlans),
            1 => Ok(crate::model::PlanId(0)),
            n => Err(ServiceCriterionError::PlanNeeded(
                n,
                t.plans
                    .iter()
                    .map(|p| p.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            )),
        }
    }
}

/// Which estimator to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Exact computation (frontier decomposition, conditioning on shocks).
    Exact,
    /// Plain Monte Carlo with a Clopper-Pearson interval.
    Crude,
    /// Turnip: permutation Monte Carlo with merging, over anti-shocks.
    Pmc,
    /// Exact when cheap, otherwise the turnip.
    Auto,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Exact => "exact",
            Method::Crude => "crude",
            Method::Pmc => "pmc",
            Method::Auto => "auto",
        }
    }
}

/// Knobs shared by the estimators. `samples` is the sample count when no
/// `target_re` is given; with a target, sampling continues in rounds until
/// the relative error is reached or `max_samples` is spent.
#[derive(Clone, Debug, PartialEq)]
pub struct EstimateOptions {
    pub method: Method,
    pub samples: u64,
    pub target_re: Option<f64>,
    pub max_samples: u64,
    pub seed: u64,
}

impl EstimateOptions {
    /// `samples` draws of `method` from `seed`, with no target relative
    /// error (the other settings at their defaults).
    pub fn fixed(method: Method, samples: u64, seed: u64) -> Self {
        EstimateOptions {
            method,
            samples,
            seed,
            ..EstimateOptions::default()
        }
    }
}

impl Default for EstimateOptions {
    fn default() -> Self {
        EstimateOptions {
            method: Method::Auto,
            samples: 100_000,
            target_re: None,
            max_samples: 100_000_000,
            seed: 1,
        }
    }
}

/// The answer with its statistics. For `exact` the standard error is 0 and
/// the interval collapses to the value.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Estimate {
    pub unreliability: f64,
    pub std_error: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    /// Standard error over the estimate (infinite when the estimate is 0).
    pub relative_error: f64,
    pub samples: u64,
    pub method: String,
    pub seconds: f64,
    /// Set when a run with a target relative error stopped above it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_short: Option<StoppedShort>,
}

impl Estimate {
    pub(crate) fn exact(u: f64) -> Estimate {
        Estimate {
            unreliability: u,
            std_error: 0.0,
            ci95_low: u,
            ci95_high: u,
            relative_error: 0.0,
            samples: 0,
            method: "exact".into(),
            seconds: 0.0,
            stopped_short: None,
        }
    }
}

/// Why an estimate cannot be produced.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EstimateError {
    #[error("node {node} is out of range: the model has {n} nodes")]
    NodeOutOfRange { node: u32, n: usize },
    #[error("service criterion: {0}")]
    BadService(String),
    #[error("probability {what} = {value} is not in [0, 1]")]
    BadProbability { what: String, value: f64 },
    #[error("exact method: {0}")]
    ExactUnsupported(String),
    #[error("{0}")]
    BadOptions(String),
    #[error(
        "a run with a target relative error sizes its rounds from its own results, so it \
         cannot be sharded: give a fixed sample count"
    )]
    ShardTargetRe,
    #[error(
        "method {} cannot be sharded (only crude and pmc run in batches{})",
        .0.as_str(),
        if *.0 == Method::Auto { "; auto may pick the exact method" } else { "" }
    )]
    ShardMethod(Method),
    #[error(
        "crude Monte Carlo would take too long: {} samples x {} components and shock \
         members to draw and check each time is more than the {MAX_CRUDE_WORK:.0e} a run may \
         plan; use fewer samples (at most {} fit) or model the network coarser",
        .0.samples, .0.size, .0.max_samples
    )]
    CrudeTooSlow(crate::static_model::Overwork),
    #[error(
        "the importance ranking would take too long: {events} events, two estimates each of \
         {samples} samples x {size} components and shock members, is more than the \
         {max:.0e} a ranking may plan; use fewer samples (at most {max_samples} fit) or model \
         the network coarser",
        max = importance::MAX_IMPORTANCE_WORK
    )]
    ImportanceTooSlow {
        events: usize,
        samples: u64,
        size: usize,
        max_samples: u64,
    },
    #[error(
        "the importance ranking would take too long: {events} events, two estimates each of \
         {samples} samples, may each run the turnip, and together they pass {max} turnip runs' \
         work budget on this model; use fewer samples (at most {max_samples} fit), --method \
         crude, or model the network coarser",
        max = importance::IMPORTANCE_TURNIP_RUNS
    )]
    ImportanceTurnipTooSlow {
        events: usize,
        samples: u64,
        max_samples: u64,
    },
    #[error(
        "the turnip would take too long: {samples} samples over a model of {shocks} common-cause \
         shocks (a region hazard that hits each site with probability below 1 becomes one shock \
         per subset of its sites); use the crude method, fewer samples, or split the region"
    )]
    TurnipTooSlow { shocks: usize, samples: u64 },
}

/// Computes or estimates the unreliability of `model` under `criterion`.
/// Monte Carlo results depend only on `opts.seed`, never on the number of
/// rayon threads.
pub fn estimate(
    model: &StaticModel,
    criterion: &Criterion,
    opts: &EstimateOptions,
) -> Result<Estimate, EstimateError> {
    estimate_with(model, criterion, opts, &Silent)
}

/// [`estimate`], telling `progress` the samples drawn and, round by round,
/// the relative error against the target (the numbers do not depend on it).
pub fn estimate_with(
    model: &StaticModel,
    criterion: &Criterion,
    opts: &EstimateOptions,
    progress: &dyn Progress,
) -> Result<Estimate, EstimateError> {
    validate(model, criterion)?;
    if opts.samples == 0 && opts.target_re.is_none() && opts.method != Method::Exact {
        return Err(EstimateError::BadOptions(
            "samples must be at least 1".into(),
        ));
    }
    if let Some(r) = opts.target_re
        && !(r > 0.0 && r.is_finite())
    {
        return Err(EstimateError::BadOptions(format!(
            "target relative error must be positive, got {r}"
        )));
    }
    let start = Instant::now();
    let named = |what: &str| progress.stage(what);
    let mut est = match opts.method {
        Method::Exact => Estimate::exact(exact::unreliability(model, criterion)?),
        Method::Crude => {
            crude_work_ok(model, opts.samples)?;
            named("crude");
            crude::run(model, criterion, opts, progress)
        }
        Method::Pmc => {
            turnip_work_ok(model, criterion, opts.samples)?;
            named("turnip");
            turnip::run(model, criterion, opts, progress)
        }
        Method::Auto => {
            if exact::is_cheap(model, criterion) {
                let mut e = Estimate::exact(exact::unreliability(model, criterion)?);
                e.method = "auto:exact".into();
                e
            } else {
                // The turnip when the pilot finds failures rare (or crude
                // would not fit), else crude; neither fitting is refused
                // before the pilot spends its batch.
                let turnip_ok = turnip_work_ok(model, criterion, opts.samples).is_ok();
                let crude_ok = crude_work_ok(model, opts.samples);
                if turnip_ok
                    && (crude_ok.is_err() || crude_pilot_is_rare(model, criterion, opts.seed))
                {
                    named("turnip");
                    let mut e = turnip::run(model, criterion, opts, progress);
                    e.method = "auto:pmc".into();
                    e
                } else {
                    crude_ok?;
                    named("crude");
                    let mut e = crude::run(model, criterion, opts, progress);
                    e.method = "auto:crude".into();
                    e
                }
            }
        }
    };
    est.seconds = start.elapsed().as_secs_f64();
    Ok(est)
}

/// Unreliability from which `auto` prefers crude Monte Carlo: at 1% a
/// crude sample costs a few tens of nanoseconds and its relative variance
/// (1-u)/u is about 100, against 10-20 per turnip sample that costs 10-100
/// times more (README, the RV/WNRV table), so crude reaches a given
/// relative error sooner.
pub const NOT_RARE: f64 = 0.01;

/// Does a first batch of crude samples (the same stream a crude run starts
/// with, so a crude pick redraws them) see unreliability below
/// [`NOT_RARE`]?
fn crude_pilot_is_rare(model: &StaticModel, criterion: &Criterion, seed: u64) -> bool {
    let n = crude::BATCH;
    let k = crude::failures(model, criterion, (seed, 0), n, &Silent);
    (k as f64) < NOT_RARE * n as f64
}

/// Most turnip work one run may plan: samples x (shocks + components). A
/// turnip sample sorts and merges every anti-shock, so its cost grows with
/// the shock count: a 12-site region hazard with a hit probability below 1
/// decomposes into 4,095 shocks, and 100,000 samples ran for over 5 minutes
/// (10 sites: 75 s, 8 sites: 8 s, dev build). This cap admits the 8-site case.
pub const MAX_TURNIP_WORK: f64 = 6e7;

/// Most crude Monte Carlo work one run may plan: samples x (nodes, edges
/// and shock members), each drawn and checked once a sample. Measured about
/// 1e8 a second on a loaded core (a 160,000-site ring: 3.6 ms a sample),
/// so this is under a minute; 100,000 samples of that ring ran past 300 s.
pub const MAX_CRUDE_WORK: f64 = 5e9;

/// Refuses a crude run of `samples` (its first round, with a target
/// relative error) whose work is over [`MAX_CRUDE_WORK`].
pub(crate) fn crude_work_ok(model: &StaticModel, samples: u64) -> Result<(), EstimateError> {
    model
        .over_work(samples, MAX_CRUDE_WORK)
        .map_or(Ok(()), |w| Err(EstimateError::CrudeTooSlow(w)))
}

/// Most turnip samples one run may draw on `model` within
/// [`MAX_TURNIP_WORK`]: a `--target-re` run stops there (and says so)
/// rather than going on to its sample cap.
pub(crate) fn turnip_budget(model: &StaticModel, criterion: &Criterion) -> u64 {
    let size = (model.shocks.len() + model.n_nodes() + model.n_edges()) as f64;
    // With services every repair step may run the rule, itself linear in
    // the model: a 20,000-service chain ran for minutes at 1,000 samples.
    let per_step = match criterion {
        Criterion::Dependent(_) => (model.n_nodes() + model.n_edges()).max(1) as f64 / 64.0,
        _ => 1.0,
    };
    ((MAX_TURNIP_WORK / (size.max(1.0) * per_step.max(1.0))) as u64).max(1)
}

/// Most crude samples one run may draw on `model` within [`MAX_CRUDE_WORK`].
pub(crate) fn crude_budget(model: &StaticModel) -> u64 {
    ((MAX_CRUDE_WORK / model.sample_size().max(1) as f64) as u64).max(1)
}

/// Refuses a turnip run whose planned work is over [`MAX_TURNIP_WORK`].
fn turnip_work_ok(
    model: &StaticModel,
    criterion: &Criterion,
    samples: u64,
) -> Result<(), EstimateError> {
    if samples > turnip_budget(model, criterion) {
        return Err(EstimateError::TurnipTooSlow {
            shocks: model.shocks.len(),
            samples,
        });
    }
    Ok(())
}

fn validate(model: &StaticModel, criterion: &Criterion) -> Result<(), EstimateError> {
    let n = model.n_nodes();
    let check = |node: u32| {
        if (node as usize) < n {
            Ok(())
        } else {
            Err(EstimateError::NodeOutOfRange { node, n })
        }
    };
    let prob = |what: String, value: f64| {
        if (0.0..=1.0).contains(&value) {
            Ok(())
        } else {
            Err(EstimateError::BadProbability { what, value })
        }
    };
    for (i, &q) in model.node_q.iter().enumerate() {
        prob(format!("failure of node {}", model.node_names[i]), q)?;
    }
    for (i, &q) in model.edge_q.iter().enumerate() {
        prob(format!("failure of edge {}", model.edge_names[i]), q)?;
    }
    for s in &model.shocks {
        prob(format!("shock {}", s.name), s.prob)?;
        for &v in &s.nodes {
            check(v)?;
        }
        for &e in &s.edges {
            if e as usize >= model.n_edges() {
                return Err(EstimateError::BadOptions(format!(
                    "shock {} names edge {e}, the model has {} edges",
                    s.name,
                    model.n_edges()
                )));
            }
        }
    }
    for &(a, b) in &model.edges {
        check(a)?;
        check(b)?;
    }
    match criterion {
        Criterion::TwoTerminal { s, t } => {
            check(*s)?;
            check(*t)?;
        }
        Criterion::AllTerminal => {
            if n == 0 {
                return Err(EstimateError::BadOptions("the model has no nodes".into()));
            }
        }
        Criterion::Service {
            groups,
            targets,
            quorum,
            ..
        } => {
            if groups.is_empty() {
                return Err(EstimateError::BadService("no demand groups".into()));
            }
            if groups.iter().any(|g| g.is_empty()) {
                return Err(EstimateError::BadService(
                    "a demand group has no entry nodes".into(),
                ));
            }
            if *quorum == 0 || *quorum as usize > targets.len() {
                return Err(EstimateError::BadService(format!(
                    "quorum {quorum} must be between 1 and the {} serving sites",
                    targets.len()
                )));
            }
            for &v in groups.iter().flatten().chain(targets) {
                check(v)?;
            }
        }
        Criterion::Dependent(r) => {
            if r.0.n_sites() > n {
                return Err(EstimateError::BadService(format!(
                    "the plan has {} sites, the model {n} nodes",
                    r.0.n_sites()
                )));
            }
        }
    }
    Ok(())
}
