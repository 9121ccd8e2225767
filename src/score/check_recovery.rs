//! `check`'s RTO and RPO gates on what the simulated incidents show: a
//! target bounds a quantile (p99 by default, `rto_quantile`/`rpo_quantile`
//! in the file) of the outage lengths (RTO) or of the writes lost per
//! incident that lost any (RPO). Decided on the quantile's distribution-free
//! interval (`stats::QuantileEstimate`) at the Bonferroni-corrected z of the
//! adaptive schedule; the design rule follows as a labelled second line.

use super::ScoreError;
use super::check::{
    CheckOptions, Decision, Outcome, TargetResult, adaptive_runs, design_rpo, design_rto,
};
use crate::model::{Topology, target_quantile};
use crate::simulate::{Estimate, Incidents};
use crate::stats::QuantileEstimate;
use crate::units::Duration;

/// Minutes for people, `unbounded` when there is no bound.
fn minutes(v: Option<f64>, unbounded: &str) -> String {
    v.map_or_else(|| unbounded.into(), crate::human::minutes)
}

/// The decision on "quantile q <= target" from its interval.
fn decide_quantile(e: &QuantileEstimate, target_min: f64) -> Decision {
    let inf = |v: Option<f64>| v.unwrap_or(f64::INFINITY);
    let (lo, hi) = (inf(e.lo), inf(e.hi));
    let outcome = if hi <= target_min {
        Outcome::Met
    } else if lo > target_min {
        Outcome::Missed
    } else {
        Outcome::Inconclusive
    };
    Decision {
        estimate: Estimate {
            mean: inf(e.value),
            lo,
            hi,
            se: f64::NAN,
        },
        lo,
        hi,
        outcome,
        trials_needed: None,
    }
}

/// The `rto` and `rpo` results of plan `plan_index` (those it has).
pub(super) fn check_recovery(
    topo: &Topology,
    plan_index: usize,
    opts: &CheckOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<TargetResult>, ScoreError> {
    let plan = &topo.plans[plan_index];
    let t = &plan.targets;
    let mut out = Vec::new();
    for (target, required, quantile, what) in [
        ("rto", t.rto, t.rto_quantile, Incidents::Outages),
        ("rpo", t.rpo, t.rpo_quantile, Incidents::DataLoss),
    ] {
        let Some(required) = required else { continue };
        let q = target_quantile(quantile);
        let target_min = required.secs() / 60.0;
        let (n, d, e) = adaptive_runs(topo, plan_index, opts, progress, |data, z| {
            let (sorted, unbounded) = data.incidents(what);
            let e = QuantileEstimate::of(&sorted, unbounded, q, z, 0.0);
            (decide_quantile(&e, target_min), e)
        })?;
        let p = format!("p{}", crate::human::trimmed(100.0 * q));
        let of = match what {
            Incidents::Outages => "outage lengths",
            Incidents::DataLoss => "writes lost per incident that lost any",
        };
        let all = match what {
            Incidents::Outages => "unbounded",
            Incidents::DataLoss => "all data",
        };
        let bounds = format!("[{}, {}]", minutes(e.lo, all), minutes(e.hi, all));
        let detail = match d.outcome {
            _ if e.n == 0 => format!("no incident in {n} trials: {p} of {of} is 0"),
            Outcome::Met => format!(
                "{p} of {of} ({} incidents, {n} trials): upper bound {} <= {required}",
                e.n,
                minutes(e.hi, all)
            ),
            Outcome::Missed => format!(
                "{p} of {of} ({} incidents, {n} trials): lower bound {} > {required}",
                e.n,
                minutes(e.lo, all)
            ),
            Outcome::Inconclusive => format!(
                "{p} of {of} ({} incidents, {n} trials, the budget): bounds {bounds} contain {required}; more trials (incidents) would narrow them",
                e.n
            ),
        };
        let (value, why) = match what {
            Incidents::Outages => design_rto(plan),
            Incidents::DataLoss => design_rpo(topo, plan),
        };
        out.push(TargetResult {
            plan: plan.key.clone(),
            target,
            required: format!("{required} ({p})"),
            observed: format!("{} {bounds}", minutes(e.value, all)),
            method: "simulated",
            outcome: d.outcome,
            detail,
            estimate: None,
            bounds: Some([d.lo, d.hi]),
            trials: n,
            trials_needed: None,
            design: Some(format!(
                "{why}: {}",
                value
                    .and_then(Duration::from_secs)
                    .map_or_else(|| "unbounded".into(), |d| d.to_string())
            )),
        });
    }
    Ok(out)
}
