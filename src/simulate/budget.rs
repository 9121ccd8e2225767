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
         a rate of 1e300?) or use fewer trials or plans"
    )]
    Events {
        expected: f64,
        per_year: f64,
        busiest: String,
        busiest_rate: f64,
    },
}

/// Expected events per trial-year, from every source the simulator draws:
/// up/down cycles of sites, links and shared-risk groups (at their long-run
/// cycle rate), hazard events and the per-site hit each one draws, escaped
/// and canary-caught bad releases with the sites each takes down, and
/// operator errors (at the largest plan factor, as the simulator draws
/// them). Returns the total and the busiest source with its rate.
pub fn events_per_year(topo: &Topology) -> (f64, String, f64) {
    let cycles = |f: &crate::model::FailureProcess| {
        SECONDS_PER_YEAR / (f.ttf.mean_secs() + f.ttr.mean_secs())
    };
    let mut sources: Vec<(String, f64)> = Vec::new();
    sources.extend(
        topo.sites
            .iter()
            .filter_map(|s| Some((format!("site '{}'", s.key), cycles(s.failure.as_ref()?)))),
    );
    sources.extend(
        topo.links
            .iter()
            .filter_map(|l| Some((format!("link '{}'", l.key), cycles(l.failure.as_ref()?)))),
    );
    sources.extend(
        topo.shared_risks
            .iter()
            .map(|g| (format!("shared-risk group '{}'", g.key), cycles(&g.failure))),
    );
    for (r, region) in topo.regions.iter().enumerate() {
        let n = topo
            .sites_in_region(crate::model::RegionId(r as u32))
            .count() as f64;
        for h in &region.hazards {
            sources.push((
                format!("the '{}' hazard of region '{}'", h.kind, region.key),
                h.events.annual_rate * (1.0 + n),
            ));
        }
    }
    for t in &topo.release_trains {
        let bad = t.releases_per_year * t.bad_release_probability.get();
        let catch = t.canary_catch.get();
        let escaped = bad * (1.0 - catch) * (1.0 + t.sites.len() as f64);
        let caught = bad * catch * (1.0 + t.canary_sites.len() as f64);
        sources.push((format!("release train '{}'", t.key), escaped + caught));
    }
    if let Some(o) = &topo.operator_errors {
        let envelope = topo
            .plans
            .iter()
            .map(|p| p.operator_error_factor)
            .fold(1.0, f64::max);
        sources.push(("operator errors".into(), o.events.annual_rate * envelope));
    }
    let mut total = 0.0;
    let mut busiest = (String::new(), 0.0);
    for (what, rate) in sources {
        // A NaN rate counts as unbounded, not as nothing.
        let rate = if rate.is_nan() { f64::INFINITY } else { rate };
        total += rate;
        if rate > busiest.1 || busiest.0.is_empty() {
            busiest = (what, rate);
        }
    }
    (total, busiest.0, busiest.1)
}

/// Refuses a simulation of `plans` plans x `trials` trials x `years` years
/// that would not fit in memory or could not finish.
pub fn check(
    topo: &Topology,
    trials: usize,
    years: usize,
    plans: usize,
) -> Result<(), BudgetError> {
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
    let (per_year, busiest, busiest_rate) = events_per_year(topo);
    // Each trial also draws a first failure for every component.
    let components = (topo.sites.len() + topo.links.len() + topo.shared_risks.len()) as f64;
    let per_trial = per_year * years as f64 + components;
    let expected = per_trial * trials as f64 * plans.max(1) as f64;
    if expected.is_nan() || expected > MAX_RUN_EVENTS {
        return Err(BudgetError::Events {
            expected,
            per_year,
            busiest,
            busiest_rate,
        });
    }
    Ok(())
}
