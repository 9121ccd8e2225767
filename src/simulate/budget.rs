//! How much work and memory a simulation will take, estimated before it
//! starts, so a run that could not finish or fit is refused with what to
//! change instead of aborting (or running for days) half-way. Every front
//! end goes through [`check`]: the CLI with the plans it will run, the TUI
//! through [`super::run_plan_data`] for its one plan.

use crate::model::Topology;
use crate::units::SECONDS_PER_YEAR;

/// Most trial-years one plan's run may hold: every trial-year's values are
/// kept (percentiles, paired differences and shard merges need them all),
/// about 50 bytes each.
pub const MAX_TRIAL_YEARS: usize = 10_000_000;

/// Most trial-years over all the plans of one command (about 2 GB of kept
/// values): `compare` of 200 plans at 400,000 trials ran out of memory.
pub const MAX_PLAN_TRIAL_YEARS: usize = 40_000_000;

/// Most events a whole command may expect to simulate. Every failure,
/// hazard hit, bad release and operator error is an event (about 3.6
/// million a second measured on one core), so this is minutes of work; a
/// slip such as a "1ms" repair or a hazard rate of 1e300 would otherwise run
/// for days and exhaust memory.
pub const MAX_RUN_EVENTS: f64 = 1e9;

/// Event-equivalents of work per element of a plan's reduced graph each
/// time the service is evaluated: every state change of a component that
/// matters re-checks who is served over the whole reduced graph (union-find
/// and pools). Measured about 2.9e8 elements a second against 3.6e6 events
/// (80 to 1) on a 100 x 100 grid; 64 keeps a margin. The first
/// [`ELEMENTS_IN_AN_EVENT`] elements are free: the events-a-second figure
/// was measured with evaluations of graphs that small included.
pub const ELEMENTS_PER_EVENT: f64 = 64.0;

/// Elements of a reduced graph whose evaluation the per-event cost already
/// covers (the bundled default's plans have 44 at most).
pub const ELEMENTS_IN_AN_EVENT: usize = 64;

/// Most bytes a worker's evaluation cache holds (keys, map entries and
/// evaluations): it starts at a few pages and grows only while it is hit
/// (`trial/cache.rs`). A fixed 65,536 states cost 190-277 MB on 1,000-site
/// graphs that never repeated a state, and 2.2 GB on a 270,000-element grid.
pub const MAX_CACHE_BYTES: usize = 64 << 20;

/// Most bytes the workers of one run may hold (each holds its trial state,
/// a per-component record and an evaluation cache of at most 64 MiB).
pub const MAX_WORKER_BYTES: f64 = 8.0 * (1u64 << 30) as f64;

/// Why a run is refused before it starts. The messages say what to change
/// in words (fewer trials, a rate in the file), not in any front end's flags.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BudgetError {
    #[error(
        "{trials} trials x {years} years is more than {MAX_TRIAL_YEARS} trial-years: every \
         trial-year's values are kept in memory, so this run would not fit; use fewer trials \
         (the 95% intervals shrink as 1/sqrt(trials))"
    )]
    TrialYears { trials: usize, years: usize },
    #[error(
        "{plans} plans x {trials} trials x {years} years is more than {MAX_PLAN_TRIAL_YEARS} \
         plan-trial-years: every trial-year's values are kept in memory for every plan, so this \
         run would not fit; use fewer trials or fewer plans"
    )]
    PlanTrialYears {
        plans: usize,
        trials: usize,
        years: usize,
    },
    #[error(
        "this run would simulate about {expected:.1e} events ({per_year:.2e} per trial-year; \
         {busiest} alone {busiest_rate:.2e} a year), more than the {MAX_RUN_EVENTS:.0e} a run \
         can handle: check that component's rates and repair times (a repair in milliseconds? \
         a rate of 1e300?) or use fewer trials or plans{}", affordable(*max_trials)
    )]
    Events {
        expected: f64,
        per_year: f64,
        busiest: String,
        busiest_rate: f64,
        max_trials: usize,
    },
    #[error(
        "this run would cost about {expected:.1e} event-equivalents of work, more than the \
         {MAX_RUN_EVENTS:.0e} a run can handle: every change of a component that matters \
         re-checks who is served over the graph of plan '{plan}' ({elements} elements: the \
         sites and link chains that can matter to it), about {evaluations:.2e} times a \
         trial-year; use fewer trials or plans{}, or model the network coarser (fewer sites \
         and links, or lower failure rates)", affordable(*max_trials)
    )]
    Graph {
        expected: f64,
        plan: String,
        elements: usize,
        evaluations: f64,
        max_trials: usize,
    },
    #[error(
        "plan '{plan}' serves its demand through link bandwidth (some link can bind), so each \
         new failure state costs a max-flow per peak of the demand the intact plan serves (the \
         day's, the year's) and per demand vector of a day that no such peak covers: about \
         {:.1e} max-flows of {} elements, more than the {:.0e} element-visits a run can handle; \
         use fewer trials{}", work.samples as f64, work.size, super::trial::MAX_FLOW_WORK,
         affordable(*max_trials)
    )]
    FlowWork {
        plan: String,
        work: crate::static_model::Overwork,
        max_trials: usize,
    },
    #[error(
        "this run would hold about {gib:.1} GiB in its {workers} workers ({per_worker_mib:.0} \
         MiB each for {components} sites and links), more than the {} GiB allowed: use fewer \
         worker threads", MAX_WORKER_BYTES / (1u64 << 30) as f64
    )]
    Memory {
        gib: f64,
        workers: usize,
        per_worker_mib: f64,
        components: usize,
    },
}

fn affordable(max_trials: usize) -> String {
    match max_trials {
        0 => " (not even one trial fits)".to_string(),
        n => format!(" (at most {n} trials fit)"),
    }
}

/// One source of events: what it is, its rate a trial-year, and the
/// component (sites, then links) it moves, when it moves one.
struct Source {
    what: String,
    rate: f64,
    component: Option<usize>,
}

/// Every source the simulator draws: up/down cycles of sites, links and
/// shared-risk groups (at their long-run cycle rate), hazard events and the
/// per-site hit each one draws, escaped and canary-caught bad releases with
/// the sites each takes down, and operator errors (at the largest plan
/// factor, as the simulator draws them).
fn sources(topo: &Topology) -> Vec<Source> {
    let cycles = |f: &crate::model::FailureProcess| {
        SECONDS_PER_YEAR / (f.ttf.mean_secs() + f.ttr.mean_secs())
    };
    let mut out: Vec<Source> = Vec::new();
    let n = topo.sites.len();
    for (i, s) in topo.sites.iter().enumerate() {
        if let Some(f) = &s.failure {
            out.push(Source {
                what: format!("site '{}'", s.key),
                rate: cycles(f),
                component: Some(i),
            });
        }
    }
    for (j, l) in topo.links.iter().enumerate() {
        if let Some(f) = &l.failure {
            out.push(Source {
                what: format!("link '{}'", l.key),
                rate: cycles(f),
                component: Some(n + j),
            });
        }
    }
    // Partial modes: a start and an end per cycle, each recomputing what
    // its component has left from all of that component's modes.
    for m in &topo.partials {
        let (what, component) = match m.target {
            crate::model::PartialTarget::Site(i) => {
                (format!("site '{}'", topo.site(i).key), i.index())
            }
            crate::model::PartialTarget::Link(j) => {
                (format!("link '{}'", topo.link(j).key), n + j.index())
            }
        };
        out.push(Source {
            what: format!("a partial mode of {what}"),
            rate: cycles(&m.process),
            component: Some(component),
        });
    }
    let mut other = |what: String, rate: f64| {
        out.push(Source {
            what,
            rate,
            component: None,
        })
    };
    for g in &topo.shared_risks {
        other(format!("shared-risk group '{}'", g.key), cycles(&g.failure));
    }
    for (r, region) in topo.regions.iter().enumerate() {
        let n = topo
            .sites_in_region(crate::model::RegionId(r as u32))
            .count() as f64;
        for h in &region.hazards {
            other(
                format!("the '{}' hazard of region '{}'", h.kind, region.key),
                h.events.annual_rate * (1.0 + n),
            );
        }
    }
    for t in &topo.release_trains {
        let bad = t.releases_per_year * t.bad_release_probability.get();
        let catch = t.canary_catch.get();
        let escaped = bad * (1.0 - catch) * (1.0 + t.sites.len() as f64);
        let caught = bad * catch * (1.0 + t.canary_sites.len() as f64);
        // In waves: a down and an up event per wave reached.
        let waves = bad * 2.0 * t.waves.len() as f64;
        other(
            format!("release train '{}'", t.key),
            escaped + caught + waves,
        );
    }
    if let Some(o) = &topo.operator_errors {
        let envelope = topo
            .plans
            .iter()
            .map(|p| p.operator_error_factor)
            .fold(1.0, f64::max);
        other("operator errors".into(), o.events.annual_rate * envelope);
    }
    for s in &mut out {
        // A NaN rate counts as unbounded, not as nothing.
        if s.rate.is_nan() {
            s.rate = f64::INFINITY;
        }
    }
    out
}

/// Expected events per trial-year over every source ([`sources`]). Returns
/// the total and the busiest source with its rate.
pub fn events_per_year(topo: &Topology) -> (f64, String, f64) {
    let mut total = 0.0;
    let mut busiest = (String::new(), 0.0);
    for s in sources(topo) {
        total += s.rate;
        if s.rate > busiest.1 || busiest.0.is_empty() {
            busiest = (s.what, s.rate);
        }
    }
    (total, busiest.0, busiest.1)
}

/// What one plan's trials cost beyond the events themselves: the size of
/// its reduced graph and how often a trial-year re-evaluates it.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanLoad {
    pub plan: String,
    /// Kept sites plus link chains of the plan's reduced graph.
    pub elements: usize,
    /// Evaluations of the service a trial-year, at most: two (down and up)
    /// for every cycle of a component in the reduced graph and for every
    /// event of a source that can hold several components down.
    pub evaluations: f64,
}

impl PlanLoad {
    /// Event-equivalents of one trial of `years` years, given the events
    /// a trial-year and the file's sites + links + shared risks (each trial
    /// draws a first failure for every component and resets its state).
    fn per_trial(&self, events: f64, components: f64, years: usize) -> f64 {
        let eval = self.elements.saturating_sub(ELEMENTS_IN_AN_EVENT) as f64 / ELEMENTS_PER_EVENT;
        (events + self.evaluations * eval) * years as f64 + components + eval
    }
}

/// The load of plan `plan` ([`PlanLoad`]): its reduced graph is built once
/// here (linear in sites + links).
pub fn plan_load(topo: &Topology, plan: usize) -> PlanLoad {
    let model = super::serving::ServingModel::new(topo, crate::model::PlanId(plan as u32));
    let relevant =
        |c: Option<usize>| c.is_none_or(|c| model.element_of[c] != super::serving::IRRELEVANT);
    let evaluations = sources(topo)
        .iter()
        .filter(|s| relevant(s.component))
        .map(|s| 2.0 * s.rate)
        .sum();
    PlanLoad {
        plan: topo.plans[plan].key.clone(),
        elements: model.n_elements(),
        evaluations,
    }
}

/// The loads of the plans a run will simulate, one [`PlanLoad`] each (a
/// plan is run on its own even when another shares its reduced graph, but
/// that graph is built once per distinct set of serving sites and served
/// service).
fn plan_loads(topo: &Topology, plans: &[usize]) -> Vec<PlanLoad> {
    type Key = (Vec<crate::model::SiteId>, Option<crate::model::ServiceId>);
    let mut built: std::collections::HashMap<Key, PlanLoad> = Default::default();
    plans
        .iter()
        .map(|&p| {
            let plan = &topo.plans[p];
            let mut sites = plan.serving_sites.clone();
            sites.sort_unstable();
            let load = built
                .entry((sites, plan.serves))
                .or_insert_with(|| plan_load(topo, p));
            PlanLoad {
                plan: plan.key.clone(),
                ..load.clone()
            }
        })
        .collect()
}

/// The run's expected work, once [`check`] has let it through.
#[derive(Clone, Debug, PartialEq)]
pub struct Work {
    /// Event-equivalents over every trial and plan (about 3.6 million a
    /// second on one core).
    pub expected: f64,
}

impl Work {
    /// A rough single-core duration, for a front end's "this will take a
    /// while" note.
    pub fn seconds_on_one_core(&self) -> f64 {
        self.expected / 3.6e6
    }
}

/// Refuses a simulation of the plans `plans` (indices into the file's
/// plans, each run on its own) x `trials` trials x `years` years that would
/// not fit in memory or could not finish, costing each plan by its own
/// reduced graph: a cheap plan is not charged for a heavy one it does not
/// run with.
pub fn check(
    topo: &Topology,
    trials: usize,
    years: usize,
    plans: &[usize],
) -> Result<Work, BudgetError> {
    check_sizes(trials, years, plans.len())?;
    let plans: Vec<usize> = plans
        .iter()
        .copied()
        .filter(|&p| p < topo.plans.len())
        .collect();
    for &p in &plans {
        super::trial::check_flow_work(topo, p, trials, years)?;
    }
    check_work(topo, trials, years, &plan_loads(topo, &plans))
}

/// [`check`] for one run of plan `plan`.
pub fn check_plan(
    topo: &Topology,
    trials: usize,
    years: usize,
    plan: usize,
) -> Result<Work, BudgetError> {
    check_sizes(trials, years, 1)?;
    let load: Vec<PlanLoad> = (plan < topo.plans.len())
        .then(|| plan_load(topo, plan))
        .into_iter()
        .collect();
    if plan < topo.plans.len() {
        super::trial::check_flow_work(topo, plan, trials, years)?;
    }
    check_work(topo, trials, years, &load)
}

fn check_sizes(trials: usize, years: usize, plans: usize) -> Result<(), BudgetError> {
    let trial_years = trials.checked_mul(years);
    if trial_years.is_none_or(|n| n > MAX_TRIAL_YEARS) {
        return Err(BudgetError::TrialYears { trials, years });
    }
    let plan_trial_years = trial_years.and_then(|n| n.checked_mul(plans.max(1)));
    if plan_trial_years.is_none_or(|n| n > MAX_PLAN_TRIAL_YEARS) {
        return Err(BudgetError::PlanTrialYears {
            plans,
            trials,
            years,
        });
    }
    Ok(())
}

/// The work of `loads` (one per plan run; none means one run of the
/// events alone) against [`MAX_RUN_EVENTS`]; a refusal names the plan with
/// the most graph work when the graph dominates.
fn check_work(
    topo: &Topology,
    trials: usize,
    years: usize,
    loads: &[PlanLoad],
) -> Result<Work, BudgetError> {
    let (per_year, busiest, busiest_rate) = events_per_year(topo);
    let components = (topo.sites.len() + topo.links.len() + topo.shared_risks.len()) as f64;
    let none = [PlanLoad {
        plan: String::new(),
        elements: 0,
        evaluations: 0.0,
    }];
    let loads = if loads.is_empty() { &none[..] } else { loads };
    // Every plan's trials are run on their own: the run's work per trial is
    // the sum of each plan's.
    let per_trial: f64 = loads
        .iter()
        .map(|l| l.per_trial(per_year, components, years))
        .sum();
    let expected = per_trial * trials as f64;
    if expected.is_nan() || expected > MAX_RUN_EVENTS {
        let max_trials = (MAX_RUN_EVENTS / per_trial).floor();
        let max_trials = if max_trials.is_finite() {
            max_trials as usize
        } else {
            0
        };
        let graph = |l: &PlanLoad| {
            l.evaluations * l.elements.saturating_sub(ELEMENTS_IN_AN_EVENT) as f64
                / ELEMENTS_PER_EVENT
        };
        let heaviest = loads
            .iter()
            .max_by(|a, b| graph(a).total_cmp(&graph(b)))
            .expect("at least one load");
        // Blame whichever dominates: the events or the graph they re-check.
        if graph(heaviest) > per_year && busiest_rate <= graph(heaviest) {
            return Err(BudgetError::Graph {
                expected,
                plan: heaviest.plan.clone(),
                elements: heaviest.elements,
                evaluations: heaviest.evaluations,
                max_trials,
            });
        }
        return Err(BudgetError::Events {
            expected,
            per_year,
            busiest,
            busiest_rate,
            max_trials,
        });
    }
    Ok(Work { expected })
}

/// Refuses a run whose `workers` worker states (at most one per thread and
/// per batch in flight) would not fit: each holds per-component counters,
/// random streams and a record (about 80 bytes a site or link) and an
/// evaluation cache of at most [`MAX_CACHE_BYTES`].
pub fn check_workers(topo: &Topology, workers: usize) -> Result<(), BudgetError> {
    let components = topo.sites.len() + topo.links.len();
    let per_worker = components as f64 * 80.0 + MAX_CACHE_BYTES as f64;
    let total = per_worker * workers as f64;
    if total > MAX_WORKER_BYTES {
        return Err(BudgetError::Memory {
            gib: total / (1u64 << 30) as f64,
            workers,
            per_worker_mib: per_worker / (1u64 << 20) as f64,
            components,
        });
    }
    Ok(())
}
