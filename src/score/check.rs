//! Plans against their targets (`targets = { availability, rto, rpo }`), for
//! gating a pull request: availability by an adaptive, Bonferroni-corrected
//! simulation (met, missed or inconclusive); RTO and RPO on the simulated
//! incidents' quantiles (`check_recovery`), with the plan's design rule. The decision rules and the JSON schema `drsim.check/1`
//! ([`CheckReport`]) are in docs/internals.md, "score/check.rs".

use super::{Metric, ScoreError, ScoredPlan, Z95};
use crate::model::{Plan, PlanMode, Replication, Topology};
use crate::simulate::{Estimate, SimConfig};
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

pub const SCHEMA: &str = "drsim.check/1";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Met,
    Inconclusive,
    Missed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Met => "met",
            Outcome::Missed => "missed",
            Outcome::Inconclusive => "inconclusive",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TargetResult {
    pub plan: String,
    pub target: &'static str,
    pub required: String,
    pub observed: String,
    pub method: &'static str,
    pub outcome: Outcome,
    pub detail: String,
    pub estimate: Option<Estimate>,
    pub bounds: Option<[f64; 2]>,
    pub trials: usize,
    pub trials_needed: Option<u64>,
    /// The plan's design rule for the same target, as a second line where
    /// the target is simulated (RTO, RPO).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub design: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckReport {
    pub schema: &'static str,
    pub topology: String,
    pub seed: u64,
    pub years_per_trial: usize,
    pub max_trials: usize,
    pub outcome: Outcome,
    pub results: Vec<TargetResult>,
    pub plans_without_targets: Vec<String>,
}

/// The worst outcome: any miss fails, else any undecided target is
/// inconclusive.
pub fn overall(results: &[TargetResult]) -> Outcome {
    results
        .iter()
        .map(|r| r.outcome)
        .max()
        .unwrap_or(Outcome::Met)
}

/// Trial counts of the adaptive run: `first`, doubled until `max`.
pub fn schedule(first: usize, max: usize) -> Vec<usize> {
    let max = max.max(1);
    let mut n = first.clamp(1, max);
    let mut v = vec![n];
    while n < max {
        n = n.saturating_mul(2).min(max);
        v.push(n);
    }
    v
}

/// Two-sided normal quantile that keeps `looks` tests at 5% overall.
pub fn z_for_looks(looks: usize) -> f64 {
    if looks <= 1 {
        return Z95;
    }
    let n = Normal::standard();
    n.inverse_cdf(1.0 - 0.025 / looks as f64)
}

/// The decision on an availability-type target from per-trial values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decision {
    pub estimate: Estimate,
    pub lo: f64,
    pub hi: f64,
    pub outcome: Outcome,
    pub trials_needed: Option<u64>,
}

/// Met when the mean's lower bound (`mean - z SE`) reaches `target`, missed
/// when its upper bound stays below. With no spread at all among the trials
/// (every trial at the same value `v`) the normal interval says nothing; the
/// values are availabilities in [0, 1], so the mean lies within
/// `v ± p` (towards 0 or 1) where `p`, the chance that a trial differs from
/// `v`, is at most `1 - a^(1/n)` at the one-sided level `a` of `z` (none
/// differed in `n` trials). A plan down all the time in every trial is then
/// missed, one never down is met only when `n` is large enough.
pub fn decide(values: &[f64], target: f64, z: f64) -> Decision {
    let mut estimate = Estimate::of(values);
    estimate.lo = estimate.lo.max(0.0);
    estimate.hi = estimate.hi.min(1.0);
    let (m, se) = (estimate.mean, estimate.se);
    let n = values.len() as f64;
    let spread = se > 0.0;
    let (lo, hi) = if spread {
        (m - z * se, m + z * se)
    } else {
        let a = 1.0 - Normal::standard().cdf(z);
        let p = -(a.ln() / n).exp_m1();
        (m - m * p, m + (1.0 - m) * p)
    };
    // The mean of values in [0, 1] is in [0, 1] (float noise otherwise
    // printed a bound of -0.00000%).
    let (lo, hi) = (lo.max(0.0), hi.min(1.0));
    let outcome = if lo >= target {
        Outcome::Met
    } else if hi < target {
        Outcome::Missed
    } else {
        Outcome::Inconclusive
    };
    let gap = (m - target).abs();
    let trials_needed = (outcome == Outcome::Inconclusive && spread && gap > 0.0)
        .then(|| (n * (z * se / gap).powi(2)).ceil())
        .filter(|x| x.is_finite() && *x < u64::MAX as f64)
        .map(|x| x as u64);
    Decision {
        estimate,
        lo,
        hi,
        outcome,
        trials_needed,
    }
}

/// Design RTO in seconds, or `None` when service waits for a repair; with
/// the reason in words.
pub fn design_rto(plan: &Plan) -> (Option<f64>, String) {
    let n = plan.serving_sites.len();
    match plan.mode {
        PlanMode::ActivePassive if n >= 2 => (
            Some(plan.detection.secs() + plan.switchover.secs()),
            format!(
                "failover takes detection {} + switchover {}",
                plan.detection, plan.switchover
            ),
        ),
        PlanMode::ActivePassive => (
            None,
            "one serving site: no failover, an outage lasts until repair".into(),
        ),
        PlanMode::ActiveActive if n as u32 > plan.quorum => (
            Some(plan.traffic_shift_secs()),
            format!(
                "active-active: the quorum of {} out of {n} survives one site loss; the lost site's \
                 traffic is shifted after detection {} + switchover {}",
                plan.quorum, plan.detection, plan.switchover
            ),
        ),
        PlanMode::ActiveActive => (
            None,
            format!(
                "active-active with a quorum of {} out of {n}: one site loss stops service until repair",
                plan.quorum
            ),
        ),
    }
}

/// Design RPO in seconds, or `None` when one incident can lose everything;
/// with the reason in words.
pub fn design_rpo(topo: &Topology, plan: &Plan) -> (Option<f64>, String) {
    let replicas = &plan.serving_sites[..(plan.replicas as usize).min(plan.serving_sites.len())];
    let first_region = replicas.first().and_then(|s| topo.site(*s).region);
    // Only hazards that destroy what they hit lose data.
    let one_region = first_region.filter(|r| {
        replicas.iter().all(|s| topo.site(*s).region == Some(*r))
            && topo.regions[r.index()]
                .hazards
                .iter()
                .any(|h| h.destroys_data())
    });
    if let Some(r) = one_region {
        let region = &topo.regions[r.index()].key;
        // Every copy of the backups in that region too: one disaster there
        // can reach them all.
        let data = &plan.data;
        let all_there = data.copies() > 0
            && data
                .backup_sites
                .iter()
                .all(|s| topo.site(*s).region == Some(r))
            && data.backup_regions.iter().all(|x| *x == r);
        let copies: Vec<String> = data
            .backup_sites
            .iter()
            .map(|s| format!("site '{}'", topo.site(*s).key))
            .chain(
                data.backup_regions
                    .iter()
                    .map(|_| format!("region '{region}'")),
            )
            .collect();
        return match plan.backup_interval {
            Some(_) if all_there => (
                None,
                format!(
                    "every replica and the backups ({}) are in region '{region}': one disaster there can lose all data",
                    copies.join(", ")
                ),
            ),
            Some(b) => (
                Some(b.secs()),
                format!(
                    "every replica is in region '{region}': one disaster there loses the writes since the last backup (every {b})"
                ),
            ),
            None => (
                None,
                format!(
                    "every replica is in region '{region}' and there are no backups: one disaster there loses all data"
                ),
            ),
        };
    }
    match plan.replication {
        Replication::Sync => (
            Some(0.0),
            "synchronous replication to replicas that no single regional disaster destroys together".into(),
        ),
        Replication::Async { lag } => (
            Some(lag.secs()),
            format!("asynchronous replication: a lost primary takes its last {lag} of writes"),
        ),
    }
}

/// How much to simulate for availability targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckOptions {
    pub first_trials: usize,
    pub max_trials: usize,
    pub years: usize,
    pub seed: u64,
}

fn pct(v: f64) -> String {
    format!("{:.5}%", 100.0 * v)
}

/// Runs the adaptive schedule until `look` (given the run's configuration
/// and the z of its number of looks) decides, or the budget ends: each step
/// re-runs from trial 0 with the same seed, so the first trials are the
/// same as before and the bigger run extends the smaller one. Returns the
/// last step's trials, decision and whatever `look` gave with it.
pub(super) fn adaptive<T>(
    opts: &CheckOptions,
    mut look: impl FnMut(&SimConfig, f64) -> Result<(Decision, T), ScoreError>,
) -> Result<(usize, Decision, T), ScoreError> {
    let steps = schedule(opts.first_trials, opts.max_trials);
    let z = z_for_looks(steps.len());
    let mut last = None;
    for &n in &steps {
        let cfg = SimConfig {
            trials: n,
            years: opts.years,
            seed: opts.seed,
        };
        let (d, extra) = look(&cfg, z)?;
        let done = d.outcome != Outcome::Inconclusive;
        last = Some((n, d, extra));
        if done {
            break;
        }
    }
    Ok(last.expect("the schedule has at least one step"))
}

/// [`adaptive`] over whole runs of plan `plan_index`: `look` decides from
/// each step's run and the z of its looks.
pub(super) fn adaptive_runs<T>(
    topo: &Topology,
    plan_index: usize,
    opts: &CheckOptions,
    progress: &(dyn Fn(u64) + Sync),
    mut look: impl FnMut(&crate::simulate::RunData, f64) -> (Decision, T),
) -> Result<(usize, Decision, T), ScoreError> {
    adaptive(opts, |cfg, z| {
        let data = crate::simulate::run_plan_data(
            topo,
            plan_index,
            cfg,
            crate::shard::Shard::WHOLE,
            progress,
        )?;
        Ok(look(&data, z))
    })
}

/// Checks every target of plan `plan_index`; `progress` gets the trials each
/// finished batch adds (including re-runs of the adaptive schedule).
pub fn check_plan(
    topo: &Topology,
    plan_index: usize,
    opts: &CheckOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<TargetResult>, ScoreError> {
    let plan = &topo.plans[plan_index];
    let mut out = Vec::new();
    if let Some(target) = plan.targets.availability {
        let target = target.get();
        let (n, d, ()) = adaptive(opts, |cfg, z| {
            let s = ScoredPlan::simulate(topo, plan_index, cfg, progress)?;
            Ok((decide(s.values(Metric::AvailabilityTime), target, z), ()))
        })?;
        let bounds = format!("[{}, {}]", pct(d.lo), pct(d.hi));
        let spread = d.estimate.se > 0.0;
        let detail = match d.outcome {
            Outcome::Met => format!(
                "lower bound {} >= target {} after {n} trials",
                pct(d.lo),
                pct(target)
            ),
            Outcome::Missed => format!(
                "upper bound {} < target {} after {n} trials",
                pct(d.hi),
                pct(target)
            ),
            Outcome::Inconclusive => match d.trials_needed {
                _ if !spread => format!(
                    "all {n} trials had the same downtime; bounds {bounds} (from how often a trial could differ unseen) contain the target {}",
                    pct(target)
                ),
                Some(k) => format!(
                    "bounds {bounds} contain the target {} after {n} trials (the budget); about {k} trials would settle it",
                    pct(target)
                ),
                None => format!(
                    "bounds {bounds} contain the target {} after {n} trials (the budget); the estimate sits on the target, so no trial count would settle it",
                    pct(target)
                ),
            },
        };
        out.push(TargetResult {
            plan: plan.key.clone(),
            target: "availability",
            required: pct(target),
            observed: format!("{} {bounds}", pct(d.estimate.mean)),
            method: "simulated",
            outcome: d.outcome,
            detail,
            estimate: Some(d.estimate),
            bounds: Some([d.lo, d.hi]),
            trials: n,
            trials_needed: d.trials_needed,
            design: None,
        });
    }
    out.extend(super::check_slo::check_slo(
        topo, plan_index, opts, progress,
    )?);
    out.extend(super::check_recovery::check_recovery(
        topo, plan_index, opts, progress,
    )?);
    Ok(out)
}

/// Checks plans `plans` (indices into `topo.plans`); those without targets
/// are listed as such.
pub fn check(
    topo: &Topology,
    plans: &[usize],
    opts: &CheckOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<CheckReport, ScoreError> {
    let mut results = Vec::new();
    let mut without = Vec::new();
    for &i in plans {
        let p = &topo.plans[i];
        let r = check_plan(topo, i, opts, progress)?;
        if r.is_empty() {
            without.push(p.key.clone());
        }
        results.extend(r);
    }
    Ok(CheckReport {
        schema: SCHEMA,
        topology: topo.name.clone(),
        seed: opts.seed,
        years_per_trial: opts.years,
        max_trials: opts.max_trials,
        outcome: overall(&results),
        results,
        plans_without_targets: without,
    })
}

/// JUnit XML: one test case per plan and target; a missed target is a
/// failure, an inconclusive one is skipped (so CI shows it without failing on
/// it alone; the exit status still says 3).
pub fn junit_xml(r: &CheckReport) -> String {
    use std::fmt::Write as _;
    let failures = r
        .results
        .iter()
        .filter(|t| t.outcome == Outcome::Missed)
        .count();
    let skipped = r
        .results
        .iter()
        .filter(|t| t.outcome == Outcome::Inconclusive)
        .count();
    let tests = r.results.len();
    let name = crate::escape::xml(&format!("drsim check {}", r.topology));
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<testsuites name=\"{name}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">"
    );
    let _ = writeln!(
        s,
        "  <testsuite name=\"{name}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">"
    );
    let _ = writeln!(s, "    <properties>");
    let _ = writeln!(
        s,
        "      <property name=\"seed\" value=\"{}\"/>\n      <property name=\"max_trials\" value=\"{}\"/>\n      <property name=\"years_per_trial\" value=\"{}\"/>",
        r.seed, r.max_trials, r.years_per_trial
    );
    let _ = writeln!(s, "    </properties>");
    for t in &r.results {
        let _ = write!(
            s,
            "    <testcase classname=\"{}\" name=\"{}\"",
            crate::escape::xml(&t.plan),
            crate::escape::xml(&format!(
                "{} {} {}",
                t.target,
                match t.target {
                    "availability" => ">=",
                    // Its requirement states its own comparison.
                    "slo" => ":",
                    _ => "<=",
                },
                t.required
            ))
        );
        let msg = crate::escape::xml(&format!(
            "{}: observed {} ({})",
            t.outcome.as_str(),
            t.observed,
            t.method
        ));
        let detail = crate::escape::xml(&match &t.design {
            Some(d) => format!("{}\ndesign rule: {d}", t.detail),
            None => t.detail.clone(),
        });
        match t.outcome {
            Outcome::Met => {
                let _ = writeln!(
                    s,
                    ">\n      <system-out>{detail}</system-out>\n    </testcase>"
                );
            }
            Outcome::Missed => {
                let _ = writeln!(
                    s,
                    ">\n      <failure message=\"{msg}\" type=\"target_missed\">{detail}</failure>\n    </testcase>"
                );
            }
            Outcome::Inconclusive => {
                let _ = writeln!(
                    s,
                    ">\n      <skipped message=\"{msg}\"/>\n      <system-out>{detail}</system-out>\n    </testcase>"
                );
            }
        }
    }
    s.push_str("  </testsuite>\n</testsuites>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_doubles_up_to_the_budget() {
        assert_eq!(schedule(100, 1000), vec![100, 200, 400, 800, 1000]);
        assert_eq!(schedule(100, 100), vec![100]);
        assert_eq!(schedule(500, 100), vec![100]);
        assert_eq!(schedule(0, 3), vec![1, 2, 3]);
    }

    #[test]
    fn bonferroni_quantiles() {
        assert_eq!(z_for_looks(1), Z95);
        // Two looks at 2.5% each: the 98.75% quantile, 2.2414.
        assert!((z_for_looks(2) - 2.241_402_7).abs() < 1e-6);
        assert!(z_for_looks(5) > z_for_looks(2));
    }

    #[test]
    fn decisions_on_known_samples() {
        // mean 0.5, sample sd 0.5345, se 0.1890 over 8 values.
        let v = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0];
        let se = (2.0f64 / 7.0).sqrt() / 8f64.sqrt();
        let d = decide(&v, 0.1, Z95);
        assert_eq!(d.outcome, Outcome::Met); // 0.5 - 1.96 * 0.189 = 0.13
        assert!((d.lo - (0.5 - Z95 * se)).abs() < 1e-12);
        assert_eq!(decide(&v, 0.9, Z95).outcome, Outcome::Missed);
        let d = decide(&v, 0.4, Z95);
        assert_eq!(d.outcome, Outcome::Inconclusive);
        // n (z se / 0.1)^2 = 8 * (1.96 * 0.189 / 0.1)^2 = 109.7 -> 110.
        let expect = (8.0 * (Z95 * se / 0.1).powi(2)).ceil() as u64;
        assert_eq!(d.trials_needed, Some(expect));
        assert_eq!(expect, 110);
        // On the target exactly: no count settles it.
        assert_eq!(decide(&v, 0.5, Z95).trials_needed, None);
        // No spread: the mean of [0, 1] values all at v lies in
        // [v (1 - p), v + (1 - v) p], p = 1 - 0.025^(1/n): 0.3083 for n = 10.
        let p10 = 1.0 - 0.025f64.powf(0.1);
        let d = decide(&[1.0; 10], 0.5, Z95);
        assert_eq!(d.outcome, Outcome::Met);
        assert!((d.lo - (1.0 - p10)).abs() < 1e-9, "{d:?}");
        assert_eq!(decide(&[1.0; 10], 0.9, Z95).outcome, Outcome::Inconclusive);
        // Down the whole year in every one of 1000 trials: missed, not
        // inconclusive (upper bound 1 - 0.025^(1/1000) = 0.0037).
        let d = decide(&[0.0; 1000], 0.5, Z95);
        assert_eq!(d.outcome, Outcome::Missed);
        assert!(d.hi < 0.004 && d.lo == 0.0, "{d:?}");
    }

    #[test]
    fn overall_takes_the_worst() {
        let r = |o| TargetResult {
            plan: "p".into(),
            target: "rto",
            required: "1m".into(),
            observed: "0s".into(),
            method: "design",
            outcome: o,
            detail: String::new(),
            estimate: None,
            bounds: None,
            trials: 0,
            trials_needed: None,
            design: None,
        };
        assert_eq!(overall(&[]), Outcome::Met);
        assert_eq!(
            overall(&[r(Outcome::Met), r(Outcome::Inconclusive)]),
            Outcome::Inconclusive
        );
        assert_eq!(
            overall(&[r(Outcome::Missed), r(Outcome::Inconclusive)]),
            Outcome::Missed
        );
        let rep = CheckReport {
            schema: SCHEMA,
            topology: "t<&>".into(),
            seed: 1,
            years_per_trial: 1,
            max_trials: 10,
            outcome: Outcome::Missed,
            results: vec![
                r(Outcome::Met),
                r(Outcome::Missed),
                r(Outcome::Inconclusive),
            ],
            plans_without_targets: vec![],
        };
        let xml = junit_xml(&rep);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let suite = doc
            .descendants()
            .find(|n| n.has_tag_name("testsuite"))
            .unwrap();
        assert_eq!(suite.attribute("name"), Some("drsim check t<&>"));
        assert_eq!(suite.attribute("failures"), Some("1"));
        assert_eq!(suite.attribute("skipped"), Some("1"));
        assert_eq!(
            doc.descendants()
                .filter(|n| n.has_tag_name("testcase"))
                .count(),
            3
        );
        assert_eq!(
            doc.descendants()
                .filter(|n| n.has_tag_name("failure"))
                .count(),
            1
        );
    }

    #[test]
    fn design_checks_of_the_bundled_plans() {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("topologies/global-messaging.toml");
        let t = crate::io::load_path(&p).unwrap();
        let plan = |k: &str| t.plan(t.plan_id(k).unwrap());
        // active-passive: detection 5m + switchover 15m.
        assert_eq!(design_rto(plan("active-passive")).0, Some(1200.0));
        // single-region: 2 sites, quorum 1: the balancer's detection 30s
        // + traffic shift 1m.
        assert_eq!(design_rto(plan("single-region")).0, Some(90.0));
        // active-passive: async, lag 5s; ash and fra are in different regions.
        assert_eq!(design_rpo(&t, plan("active-passive")).0, Some(5.0));
        // single-region: sync, both replicas in us-east, whose only hazard
        // is a severe storm: it cuts power and destroys nothing, so
        // synchronous replication loses no write.
        assert_eq!(design_rpo(&t, plan("single-region")).0, Some(0.0));
        // With the storm made destroying, one disaster there loses the
        // writes since the last (daily) backup.
        let mut t = t.clone();
        let us = t.regions.iter().position(|r| r.key == "us-east").unwrap();
        t.regions[us].hazards[0].destroys = Some(true);
        let plan = t.plan(t.plan_id("single-region").unwrap());
        assert_eq!(design_rpo(&t, plan).0, Some(86400.0));
    }
}
