//! `check`'s SLO gate: a plan whose `slo` carries `max_miss_probability`
//! passes when P(a window misses its target) is at most that. Decided like
//! availability (adaptive trials, Bonferroni-corrected bounds over trials;
//! see docs/internals.md, "score/check.rs"), on each trial's fraction of
//! windows missed.

use super::ScoreError;
use super::check::{CheckOptions, Outcome, TargetResult, adaptive_runs, decide};
use crate::human::trimmed;
use crate::model::Topology;
use crate::simulate::p_miss_estimate;

fn pct(v: f64) -> String {
    format!("{:.2}%", 100.0 * v)
}

/// The SLO result of plan `plan_index`, when its SLO has a gate.
pub(super) fn check_slo(
    topo: &Topology,
    plan_index: usize,
    opts: &CheckOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Option<TargetResult>, ScoreError> {
    let plan = &topo.plans[plan_index];
    let Some(slo) = plan.targets.slo else {
        return Ok(None);
    };
    let Some(max) = slo.max_miss_probability.map(|m| m.get()) else {
        return Ok(None);
    };
    let (n, d, estimate) = adaptive_runs(topo, plan_index, opts, progress, |data, z| {
        // P(miss) <= max is "the share of windows kept reaches 1 - max",
        // the form `decide` takes (with its rule for trials without spread).
        let missed = data.windows_missed(&slo);
        let kept: Vec<f64> = missed.iter().map(|m| 1.0 - m).collect();
        (decide(&kept, 1.0 - max, z), p_miss_estimate(&missed))
    })?;
    // The estimate is the one `run` reports; the bounds, the decision's.
    let (lo, hi) = (1.0 - d.hi, 1.0 - d.lo);
    let what = format!(
        "P({} {}window misses {}%)",
        slo.window,
        if slo.rolling { "rolling " } else { "" },
        trimmed(100.0 * slo.target.get())
    );
    let detail = match d.outcome {
        Outcome::Met => format!(
            "{what}: upper bound {} <= {} after {n} trials",
            pct(hi),
            pct(max)
        ),
        Outcome::Missed => format!(
            "{what}: lower bound {} > {} after {n} trials",
            pct(lo),
            pct(max)
        ),
        Outcome::Inconclusive => format!(
            "{what}: bounds [{}, {}] contain {} after {n} trials (the budget){}",
            pct(lo),
            pct(hi),
            pct(max),
            d.trials_needed.map_or(String::new(), |k| format!(
                "; about {k} trials would settle it"
            ))
        ),
    };
    Ok(Some(TargetResult {
        plan: plan.key.clone(),
        target: "slo",
        required: format!("{what} <= {}", pct(max)),
        observed: crate::human::percent_interval(&estimate),
        method: "simulated",
        outcome: d.outcome,
        design: None,
        detail,
        estimate: Some(estimate),
        bounds: Some([lo, hi]),
        trials: n,
        trials_needed: d.trials_needed,
    }))
}
