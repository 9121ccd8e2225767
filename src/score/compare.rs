//! Plans side by side: ranked by a risk metric, with the cost-vs-risk Pareto
//! frontier and the reason each plan off the frontier is there (dominance is
//! a significant paired difference at no lower cost). The rules and the JSON
//! schema `drsim.compare/1` ([`Comparison`]) are in docs/internals.md,
//! "score/compare.rs".

use super::{Metric, RunSettings, ScoreError, ScoredPlan, Verdict, format_cost, paired_difference};
use crate::simulate::{Estimate, PlanReport};
use serde::Serialize;

pub const SCHEMA: &str = "drsim.compare/1";

/// What dominance needs to know about a plan.
#[derive(Clone, Copy, Debug)]
pub struct Candidate<'a> {
    pub plan: &'a str,
    pub cost: f64,
    /// Per-trial values of the risk metric, paired across candidates.
    pub risk: &'a [f64],
}

/// Why a plan is off the frontier: another plan beats it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Domination {
    /// The plan that dominates.
    pub plan: String,
    /// This plan's cost minus the other's (>= 0).
    pub cost_difference: f64,
    /// This plan's risk minus the other's, paired over trials.
    pub risk_difference: Estimate,
    pub reason: String,
}

/// Where a candidate stands against the others.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Standing {
    /// Every plan that dominates it, in candidate order.
    pub dominated_by: Vec<Domination>,
    /// Cheaper plans it cannot be told apart from on risk.
    pub notes: Vec<String>,
}

/// Dominance among candidates with respect to `risk`, one [`Standing`] per
/// candidate.
pub fn dominance(cands: &[Candidate<'_>], risk: Metric) -> Result<Vec<Standing>, ScoreError> {
    let mut out = Vec::with_capacity(cands.len());
    for b in cands {
        let mut by = Vec::new();
        for a in cands {
            if std::ptr::eq(a, b) || a.cost > b.cost {
                continue;
            }
            let d = paired_difference(a.risk, b.risk)?;
            if Verdict::of(&d, risk.higher_is_better()) == Verdict::Worse {
                by.push(Domination {
                    plan: a.plan.to_string(),
                    cost_difference: b.cost - a.cost,
                    risk_difference: d,
                    reason: dominated_reason(b, a, &d, risk),
                });
            }
        }
        out.push(Standing {
            dominated_by: by,
            notes: Vec::new(),
        });
    }
    // Notes compare with cheaper plans on the frontier only: a plan that is
    // dominated anyway is no alternative worth naming.
    for (ib, b) in cands.iter().enumerate() {
        for (ia, a) in cands.iter().enumerate() {
            if ia == ib || a.cost >= b.cost || !out[ia].dominated_by.is_empty() {
                continue;
            }
            let d = paired_difference(a.risk, b.risk)?;
            if Verdict::of(&d, risk.higher_is_better()) == Verdict::NoSignificantChange {
                let note = format!(
                    "costs {} more than {} per year, but its {} is not significantly {}: {}",
                    format_cost(b.cost - a.cost),
                    a.plan,
                    risk.noun(),
                    if risk.higher_is_better() {
                        "higher"
                    } else {
                        "lower"
                    },
                    risk.format_difference(&d),
                );
                out[ib].notes.push(note);
            }
        }
    }
    Ok(out)
}

fn dominated_reason(b: &Candidate<'_>, a: &Candidate<'_>, d: &Estimate, risk: Metric) -> String {
    let cost = if b.cost > a.cost {
        format!(
            "costs more than {} ({} vs {} per year)",
            a.plan,
            format_cost(b.cost),
            format_cost(a.cost)
        )
    } else {
        format!("costs the same as {}", a.plan)
    };
    format!(
        "plan {} {cost} and has {}: {} (p < .05)",
        b.plan,
        risk.worse_phrase(),
        risk.format_difference(d),
    )
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComparedPlan {
    pub rank: usize,
    pub plan: String,
    pub name: String,
    pub cost_per_year: f64,
    pub risk: Estimate,
    pub pareto_optimal: bool,
    #[serde(flatten)]
    pub standing: Standing,
    pub scores: PlanReport,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub schema: &'static str,
    pub topology: String,
    #[serde(flatten)]
    pub settings: RunSettings,
    pub risk_metric: &'static str,
    pub plans: Vec<ComparedPlan>,
}

/// Ranks `plans` (runs with the same seed, trials and years) on `risk` and
/// marks the frontier.
pub fn compare(
    topology: &str,
    plans: &[ScoredPlan],
    risk: Metric,
) -> Result<Comparison, ScoreError> {
    let cands: Vec<Candidate<'_>> = plans
        .iter()
        .map(|p| Candidate {
            plan: p.plan(),
            cost: p.report.cost_per_year,
            risk: p.values(risk),
        })
        .collect();
    let dom = dominance(&cands, risk)?;
    let mut order: Vec<usize> = (0..plans.len()).collect();
    let key = |i: usize| {
        let m = plans[i].estimate(risk).mean;
        if risk.higher_is_better() { -m } else { m }
    };
    order.sort_by(|&i, &j| {
        key(i)
            .total_cmp(&key(j))
            .then(
                plans[i]
                    .report
                    .cost_per_year
                    .total_cmp(&plans[j].report.cost_per_year),
            )
            .then(plans[i].plan().cmp(plans[j].plan()))
    });
    let mut ranked = Vec::with_capacity(plans.len());
    for (rank, &i) in order.iter().enumerate() {
        let p = &plans[i];
        ranked.push(ComparedPlan {
            rank: rank + 1,
            plan: p.plan().to_string(),
            name: p.report.name.clone(),
            cost_per_year: p.report.cost_per_year,
            risk: p.estimate(risk),
            pareto_optimal: dom[i].dominated_by.is_empty(),
            standing: dom[i].clone(),
            scores: p.report.clone(),
        });
    }
    let first = plans.first();
    Ok(Comparison {
        schema: SCHEMA,
        topology: topology.to_string(),
        settings: RunSettings {
            seed: first.map_or(0, |p| p.seed),
            trials: first.map_or(0, |p| p.trials()),
            years_per_trial: first.map_or(0, |p| p.years),
        },
        risk_metric: risk.key(),
        plans: ranked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand<'a>(plan: &'a str, cost: f64, risk: &'a [f64]) -> Candidate<'a> {
        Candidate { plan, cost, risk }
    }

    fn dominators(d: &Standing) -> Vec<&str> {
        d.dominated_by.iter().map(|x| x.plan.as_str()).collect()
    }

    #[test]
    fn dominance_on_hand_made_trials() {
        // Per-trial downtime over four trials. B = A + 10 exactly in every
        // trial (SE of the difference 0): B is significantly worse. C is
        // A + {+1, -1, +1, -1}: mean 0, not distinguishable. D is far better
        // than everyone and the most expensive.
        let a = [10.0, 20.0, 30.0, 40.0];
        let b = [20.0, 30.0, 40.0, 50.0];
        let c = [11.0, 19.0, 31.0, 39.0];
        let d = [0.0, 1.0, 0.0, 1.0];
        let cands = [
            cand("a", 10.0, &a),
            cand("b", 20.0, &b),
            cand("c", 30.0, &c),
            cand("d", 40.0, &d),
        ];
        let r = dominance(&cands, Metric::DowntimeMinutes).unwrap();
        assert_eq!(dominators(&r[0]), Vec::<&str>::new());
        assert_eq!(dominators(&r[1]), vec!["a"]);
        // B is cheaper than C but worse (C - B = -9 in every trial), so it
        // does not dominate C; A is cheaper and cannot be told apart from C.
        assert_eq!(dominators(&r[2]), Vec::<&str>::new());
        assert_eq!(r[2].notes.len(), 1, "{:?}", r[2].notes);
        assert!(r[2].notes[0].contains("more than a"), "{}", r[2].notes[0]);
        assert_eq!(dominators(&r[3]), Vec::<&str>::new());
        let why = &r[1].dominated_by[0];
        assert_eq!(why.cost_difference, 10.0);
        assert_eq!(why.risk_difference.mean, 10.0);
        assert_eq!(why.risk_difference.se, 0.0);
        assert_eq!(
            why.reason,
            "plan b costs more than a ($20 vs $10 per year) and has more downtime: \
             +10.00 [+10.00, +10.00] min/year (p < .05)"
        );
    }

    #[test]
    fn equal_cost_and_worse_risk_dominates_but_equal_everything_does_not() {
        let a = [1.0, 2.0, 3.0];
        let b = [2.0, 3.0, 4.0];
        let r = dominance(
            &[cand("a", 5.0, &a), cand("b", 5.0, &b), cand("a2", 5.0, &a)],
            Metric::DowntimeMinutes,
        )
        .unwrap();
        assert_eq!(dominators(&r[0]), Vec::<&str>::new());
        assert_eq!(dominators(&r[1]), vec!["a", "a2"]);
        assert!(r[1].dominated_by[0].reason.contains("costs the same as a"));
        assert_eq!(dominators(&r[2]), Vec::<&str>::new());
        // Identical plans at the same cost get no note either.
        assert!(r[0].notes.is_empty() && r[2].notes.is_empty());
    }

    #[test]
    fn higher_is_better_metrics_dominate_the_other_way() {
        let hi = [0.99, 0.98, 0.99];
        let lo = [0.98, 0.97, 0.98];
        let r = dominance(
            &[cand("lo", 10.0, &lo), cand("hi", 5.0, &hi)],
            Metric::AvailabilityTime,
        )
        .unwrap();
        assert_eq!(dominators(&r[0]), vec!["hi"]);
        assert!(r[0].dominated_by[0].reason.contains("lower availability"));
        assert_eq!(dominators(&r[1]), Vec::<&str>::new());
    }

    #[test]
    fn unpaired_runs_are_an_error() {
        let r = dominance(
            &[cand("a", 1.0, &[1.0, 2.0]), cand("b", 2.0, &[1.0])],
            Metric::DowntimeMinutes,
        );
        assert!(matches!(r, Err(ScoreError::Unpaired { .. })));
    }
}
