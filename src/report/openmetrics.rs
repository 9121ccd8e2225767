//! `drsim run --format openmetrics`: the simulated figures as OpenMetrics
//! text (which Prometheus also reads), so teams can put them next to their
//! live SLO dashboards. Objectives use Sloth's names and labels with the
//! *expected* values from the simulation; everything else is `drsim_*` with
//! a `plan` label (docs/internals.md, "report/openmetrics.rs").

use crate::simulate::PlanReport;
use std::fmt::Write as _;

/// An availability objective of one plan (from the topology's `targets` or
/// an OpenSLO file).
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    /// The plan's id.
    pub plan: String,
    /// The SLO's name (`sloth_slo`).
    pub slo: String,
    /// Target availability in (0, 1).
    pub target: f64,
    /// The SLO period as written (`30d`, `4w`); names the SLI error metric.
    pub window: String,
}

/// Escapes a label value: backslash, double quote and line feed.
pub use crate::escape::label as escape_label;

/// A metric family: its TYPE and HELP lines and samples `(labels, value)`.
struct Family<'a> {
    out: &'a mut String,
}

impl Family<'_> {
    fn gauge(&mut self, name: &str, help: &str, samples: &[(Vec<(&str, String)>, f64)]) {
        if samples.is_empty() {
            return;
        }
        let _ = writeln!(self.out, "# TYPE {name} gauge");
        let _ = writeln!(
            self.out,
            "# HELP {name} {}",
            help.replace('\\', "\\\\").replace('\n', "\\n")
        );
        for (labels, v) in samples {
            let l: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
                .collect();
            let _ = writeln!(self.out, "{name}{{{}}} {}", l.join(","), number(*v));
        }
    }
}

/// Numbers as OpenMetrics writes them (`+Inf`, `NaN`, else Rust's shortest
/// round-trip form).
fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v:?}")
    }
}

/// A gauge with one sample per plan: name, help, the plan's value.
type PlanGauge = (&'static str, &'static str, fn(&PlanReport) -> f64);

/// The per-plan gauges in exposition order; the downtime quantiles go after
/// the first [`BEFORE_QUANTILES`].
const PLAN_GAUGES: [PlanGauge; 9] = [
    (
        "drsim_availability_ratio",
        "Simulated time-weighted availability of the plan (mean over trial-years).",
        |r| r.availability_time.mean,
    ),
    (
        "drsim_availability_lower_ratio",
        "Lower end of the 95% interval of the simulated availability.",
        |r| r.availability_time.lo,
    ),
    (
        "drsim_availability_upper_ratio",
        "Upper end of the 95% interval of the simulated availability.",
        |r| r.availability_time.hi,
    ),
    (
        "drsim_demand_availability_ratio",
        "Simulated demand-weighted availability (share of requests served).",
        |r| r.availability_demand.mean,
    ),
    (
        "drsim_downtime_minutes_per_year",
        "Simulated mean downtime, minutes per year.",
        |r| r.downtime_minutes_per_year.mean.mean,
    ),
    (
        "drsim_long_outage_year_ratio",
        "Share of simulated years with an outage longer than one hour.",
        |r| r.p_outage_over_1h.mean,
    ),
    (
        "drsim_user_minutes_lost_per_year",
        "Simulated user-minutes lost per year.",
        |r| r.user_minutes_lost_per_year.mean,
    ),
    (
        "drsim_data_lost_minutes_per_year",
        "Simulated minutes of writes lost per year.",
        |r| r.data_lost_minutes_per_year.mean,
    ),
    (
        "drsim_cost_per_year",
        "The plan's cost per year, in the topology file's currency units.",
        |r| r.cost_per_year,
    ),
];
const BEFORE_QUANTILES: usize = 5;

/// The exposition for `service` (the topology's name): every plan's
/// simulated figures and every objective, ending with `# EOF`.
pub fn render(service: &str, reports: &[PlanReport], objectives: &[Objective]) -> String {
    let mut s = String::new();
    let mut f = Family { out: &mut s };
    let per_plan = |get: &dyn Fn(&PlanReport) -> f64| -> Vec<(Vec<(&str, String)>, f64)> {
        reports
            .iter()
            .map(|r| {
                (
                    vec![("service", service.to_string()), ("plan", r.plan.clone())],
                    get(r),
                )
            })
            .collect()
    };
    for &(name, help, get) in &PLAN_GAUGES[..BEFORE_QUANTILES] {
        f.gauge(name, help, &per_plan(&get));
    }
    let mut q = Vec::new();
    for r in reports {
        let d = &r.downtime_minutes_per_year;
        for (quantile, v) in [("0.5", d.p50), ("0.9", d.p90), ("0.99", d.p99)] {
            q.push((
                vec![
                    ("service", service.to_string()),
                    ("plan", r.plan.clone()),
                    ("quantile", quantile.to_string()),
                ],
                v,
            ));
        }
    }
    f.gauge(
        "drsim_downtime_quantile_minutes_per_year",
        "Quantiles of simulated downtime per year over trial-years, minutes.",
        &q,
    );
    for &(name, help, get) in &PLAN_GAUGES[BEFORE_QUANTILES..] {
        f.gauge(name, help, &per_plan(&get));
    }
    let mut causes = Vec::new();
    for r in reports {
        for c in &r.downtime_by_cause {
            causes.push((
                vec![
                    ("service", service.to_string()),
                    ("plan", r.plan.clone()),
                    ("cause", c.cause.to_string()),
                ],
                c.minutes_per_year,
            ));
        }
    }
    f.gauge(
        "drsim_downtime_by_cause_minutes_per_year",
        "Simulated downtime attributed to each cause, minutes per year.",
        &causes,
    );
    // Sloth-style SLO metadata and expected SLI values, per objective.
    let slo = |o: &Objective| {
        vec![
            ("sloth_service", service.to_string()),
            ("sloth_slo", o.slo.clone()),
            ("sloth_id", format!("{service}-{}", o.slo)),
            ("plan", o.plan.clone()),
        ]
    };
    let with = |get: &dyn Fn(&Objective, &PlanReport) -> f64| -> Vec<(Vec<(&str, String)>, f64)> {
        objectives
            .iter()
            .filter_map(|o| {
                let r = reports.iter().find(|r| r.plan == o.plan)?;
                Some((slo(o), get(o, r)))
            })
            .collect()
    };
    f.gauge(
        "slo:objective:ratio",
        "The SLO's availability objective.",
        &with(&|o, _| o.target),
    );
    f.gauge(
        "slo:error_budget:ratio",
        "The SLO's error budget, 1 - objective.",
        &with(&|o, _| 1.0 - o.target),
    );
    // One family per window, named as Sloth names its period SLI.
    let mut windows: Vec<&str> = objectives.iter().map(|o| o.window.as_str()).collect();
    windows.sort_unstable();
    windows.dedup();
    for w in windows {
        let samples: Vec<_> = objectives
            .iter()
            .filter(|o| o.window == w)
            .filter_map(|o| {
                let r = reports.iter().find(|r| r.plan == o.plan)?;
                Some((slo(o), 1.0 - r.availability_time.mean))
            })
            .collect();
        f.gauge(
            &format!("slo:sli_error:ratio_rate{w}"),
            "Expected error ratio (simulated mean unavailability) over the SLO period.",
            &samples,
        );
    }
    f.gauge(
        "slo:period_burn_rate:ratio",
        "Expected burn rate over the period: simulated error ratio / error budget.",
        &with(&|o, r| (1.0 - r.availability_time.mean) / (1.0 - o.target)),
    );
    f.gauge(
        "slo:period_error_budget_remaining:ratio",
        "Expected error budget left at the end of a period: 1 - burn rate.",
        &with(&|o, r| 1.0 - (1.0 - r.availability_time.mean) / (1.0 - o.target)),
    );
    s.push_str("# EOF\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape_label("x\ny"), "x\\ny");
    }

    #[test]
    fn numbers() {
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(f64::INFINITY), "+Inf");
        assert_eq!(number(f64::NAN), "NaN");
        assert_eq!(number(1e-5), "1e-5");
    }
}
