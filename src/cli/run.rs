//! `drsim run FILE`: simulate trial-years of a topology and score its plans
//! (text, JSON schema `drsim.run/1`, CSV or OpenMetrics). The JSON and CSV
//! layouts are in docs/internals.md, "cli/run.rs".

use super::args::{OutArgs, PlanArgs, RunArgs};
use super::part::{self, Part};
use super::progress::Trials;
use anyhow::Context;
use drsim::shard::Shard;
use drsim::simulate::{self, Estimate, PlanReport, RunData, SimConfig};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Csv,
    /// OpenMetrics text (Prometheus reads it too), with Sloth-style SLO
    /// metrics for every availability objective.
    Openmetrics,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Topology file (TOML, or a GraphML/SNDlib network).
    pub file: PathBuf,
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Simulate every plan of the topology (the default).
    #[arg(long, conflicts_with = "plans")]
    pub all_plans: bool,
    #[command(flatten)]
    pub run: RunArgs,
    /// Output format [default: text]. A `--shard` part is always JSON.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    #[command(flatten)]
    pub out: OutArgs,
    #[command(flatten)]
    pub shard: super::args::ShardArgs,
    #[command(flatten)]
    pub what_if: super::what_if::WhatIfArgs,
}

#[derive(serde::Serialize)]
pub(super) struct RunOutput<'a> {
    pub schema: &'static str,
    pub topology: &'a str,
    #[serde(flatten)]
    pub settings: drsim::score::RunSettings,
    pub plans: &'a [PlanReport],
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let topo = drsim::io::load_path(&args.file).map_err(|e| anyhow::anyhow!("{e}"))?;
    let plan_indices = super::compare::select_plans(&topo, &args.file, &args.plan.plans)?;
    let cfg = args.run.config()?;
    let file = args.file.display().to_string();
    let work =
        super::output::check_failure_load(&topo, &file, (cfg.trials, cfg.years), &plan_indices)?;
    super::progress::work_note(&work, args.run.exec.quiet);
    let pool = args.run.exec.pool()?;
    let shard = args.shard.shard.unwrap_or(Shard::WHOLE);
    let what_if = args.what_if.state(&topo)?;
    if args.shard.shard.is_some() && !what_if.is_empty() {
        anyhow::bail!("--shard cannot split a --down scenario: run it unsharded");
    }
    if args.shard.shard.is_some() {
        part::require_json(args.format.map(|f| f == Format::Json))?;
    }
    // The SLO export's objectives, read (and refused) before simulating.
    let objectives = if args.format == Some(Format::Openmetrics) {
        // A what-if scenario's figures are not the plans' SLO figures.
        if !what_if.is_empty() {
            anyhow::bail!("--format openmetrics exports the plans' own figures: drop --down");
        }
        Some(super::slo::objectives(&topo, &args.file)?)
    } else {
        None
    };
    let bar = Trials::new(
        simulate::shard_trials(cfg.trials, shard) as u64,
        plan_indices.len(),
        args.run.exec.quiet,
    );
    let out = args.out.out.as_deref();
    if args.shard.shard.is_some() {
        let mut plans: Vec<RunData> = Vec::new();
        for (k, &p) in plan_indices.iter().enumerate() {
            bar.plan(k, &topo.plans[p].key);
            let tick = |n: u64| bar.inc(n);
            let d = pool
                .install(|| simulate::run_plan_data(&topo, p, &cfg, shard, &tick))
                .with_context(|| {
                    format!("{}: plan '{}'", args.file.display(), topo.plans[p].key)
                })?;
            plans.push(d);
        }
        bar.finish();
        let part = Part::of_run("run", &args.file, &topo, &cfg, shard, plans);
        super::output::emit(&part.to_json()?, out)?;
        return Ok(ExitCode::SUCCESS);
    }
    // One plan's per-trial values at a time: only the reports are kept.
    let mut reports = Vec::new();
    for (k, &p) in plan_indices.iter().enumerate() {
        bar.plan(k, &topo.plans[p].key);
        let tick = |n: u64| bar.inc(n);
        let r = pool
            .install(|| simulate::run_what_if(&topo, p, &cfg, &tick, &what_if))
            .with_context(|| format!("{}: plan '{}'", args.file.display(), topo.plans[p].key))?;
        reports.push(r);
    }
    bar.finish();
    if let Some(objectives) = &objectives {
        let text = drsim::report::openmetrics::render(&topo.name, &reports, objectives);
        super::output::emit(&text, out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = render(
        args.format.unwrap_or(Format::Text),
        &topo.name,
        &cfg,
        &reports,
    )?;
    // Text and JSON name the scenario; CSV and OpenMetrics keep their
    // formats (a stray first line would break their parsers).
    let text = match args.format.unwrap_or(Format::Text) {
        Format::Text => args.what_if.tag(text, false)?,
        Format::Json => args.what_if.tag(text, true)?,
        _ => text,
    };
    super::output::emit(&text, out)?;
    Ok(ExitCode::SUCCESS)
}

/// The unsharded command's output, shared with `drsim merge`.
pub(super) fn render(
    format: Format,
    topology: &str,
    cfg: &SimConfig,
    reports: &[PlanReport],
) -> anyhow::Result<String> {
    Ok(match format {
        Format::Json => {
            let out = RunOutput {
                schema: "drsim.run/1",
                topology,
                settings: drsim::score::RunSettings {
                    seed: cfg.seed,
                    trials: cfg.trials,
                    years_per_trial: cfg.years,
                },
                plans: reports,
            };
            let mut s = serde_json::to_string_pretty(&out)?;
            s.push('\n');
            s
        }
        Format::Csv => csv_text(reports)?,
        Format::Text => text_report(topology, cfg, reports),
        // Needs the topology's objectives: `run` renders it itself.
        Format::Openmetrics => anyhow::bail!("--format openmetrics is only for drsim run"),
    })
}

fn csv_text(reports: &[PlanReport]) -> anyhow::Result<String> {
    let mut rows = Vec::new();
    for r in reports {
        for [metric, value, lo, hi] in super::output::plan_metric_rows(r) {
            rows.push([r.plan.clone(), metric, value, lo, hi]);
        }
    }
    super::output::csv_string(&["plan", "metric", "value", "lo", "hi"], &rows)
}

fn pct(e: &Estimate) -> String {
    format!(
        "{:.5}% [{:.5}, {:.5}]",
        100.0 * e.mean,
        100.0 * e.lo,
        100.0 * e.hi
    )
}

/// The text report: human numbers (`144 G` user-minutes, `$680M`), lines
/// within 100 columns (long lists wrap under their value column).
fn text_report(topology: &str, cfg: &SimConfig, reports: &[PlanReport]) -> String {
    use super::text::{interval, money, si, wrapped};
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{topology}: {} trials x {} year(s), seed {} (95% intervals in brackets)",
        cfg.trials, cfg.years, cfg.seed
    );
    for r in reports {
        let d = &r.downtime_minutes_per_year;
        let _ = writeln!(s, "\nplan {} ({})", r.plan, r.mode);
        if r.name != r.plan {
            s.push_str(&super::text::wrap_words(&format!("  {}", r.name), 2));
        }
        let rec = &r.recovery;
        let rows = [
            ("availability (time)", pct(&r.availability_time)),
            ("served (requests)", pct(&r.availability_demand)),
            ("served (time-weighted)", pct(&r.served_fraction_time)),
            (
                "downtime min/year",
                format!(
                    "{}  p50 {}  p90 {}  p99 {}  max {}",
                    interval(&d.mean),
                    si(d.p50),
                    si(d.p90),
                    si(d.p99),
                    si(d.max)
                ),
            ),
            ("P(outage > 1h in year)", interval(&r.p_outage_over_1h)),
            (
                "user-minutes lost/year",
                interval(&r.user_minutes_lost_per_year),
            ),
            (
                "data lost min/year",
                interval(&r.data_lost_minutes_per_year),
            ),
        ];
        for (label, value) in rows {
            let _ = writeln!(s, "  {label:<24}{value}");
        }
        // Wrapped like the RPO line: thousands of outages with minutes in
        // k ran to 102 columns.
        let rto = [
            format!("{} outages", rec.episodes),
            format!("mean {}", si(rec.mean_minutes)),
            format!("p50 {}", si(rec.p50_minutes)),
            format!("p90 {}", si(rec.p90_minutes)),
            format!("p99 {}", si(rec.p99_minutes)),
            format!("max {} min", si(rec.max_minutes)),
        ];
        s.push_str(&wrapped("  RTO (per outage)", 26, &rto));
        let _ = writeln!(s, "  {:<24}{}", "cost/year", money(r.cost_per_year));
        s.push_str(&wrapped("  RPO (per incident)", 26, &rpo_parts(&r.rpo)));
        let mut causes: Vec<String> = r
            .downtime_by_cause
            .iter()
            .filter(|c| c.minutes_per_year > 0.0)
            .map(|c| {
                format!(
                    "{} {} ({:.0}%)",
                    c.cause,
                    si(c.minutes_per_year),
                    100.0 * c.share
                )
            })
            .collect();
        // Downtime no down component explains (e.g. a plan that is down by
        // construction) is shown, not left to the JSON alone.
        if r.unattributed_minutes_per_year >= 0.005 {
            causes.push(format!(
                "unattributed {}",
                si(r.unattributed_minutes_per_year)
            ));
        }
        s.push_str(&wrapped("  downtime by cause", 26, &causes));
        let comps: Vec<String> = r
            .top_components
            .iter()
            .take(5)
            .map(|c| format!("{} {}", c.component, si(c.minutes_per_year)))
            .collect();
        s.push_str(&wrapped("  top components", 26, &comps));
        if let Some(slo) = &r.slo {
            s.push_str(&slo_text(slo));
        }
    }
    s
}

/// The SLO forecast lines of a plan's text report.
pub(super) fn slo_text(slo: &drsim::simulate::SloReport) -> String {
    let p = |x: f64| format!("{:.4}%", 100.0 * x);
    let si = drsim::human::trimmed;
    let dist = |d: &drsim::simulate::WindowDistribution| {
        format!(
            "mean {}  p1 {}  p5 {}  p50 {}",
            p(d.mean),
            p(d.p1),
            p(d.p5),
            p(d.p50)
        )
    };
    let graded = if slo.threshold < 1.0 {
        format!(", bad below {}% served", si(100.0 * slo.threshold))
    } else {
        String::new()
    };
    let b = &slo.error_budget_burn;
    let (kind, count) = if slo.rolling {
        (
            "rolling ",
            format!("{} hourly window ends a trial", slo.windows_per_trial),
        )
    } else {
        ("", format!("{} windows a trial", slo.windows_per_trial))
    };
    let mut out = format!(
        "  SLO                     {}% of each {} {kind}window{graded}; {count}\n\
         \x20 window availability     {}\n",
        si(100.0 * slo.target),
        slo.window,
        dist(&slo.window_availability),
    );
    if let Some(d) = &slo.window_served_requests {
        out += &format!("  window served (req.)    {}\n", dist(d));
    }
    out += &format!(
        "  P(window misses)        {}\n",
        drsim::human::percent_interval(&slo.p_miss)
    );
    if let Some(e) = &slo.p_any_miss_per_year {
        out += &format!(
            "  P(a year has a miss)    {}\n",
            drsim::human::percent_interval(e)
        );
    }
    out + &format!(
        "  error-budget burn       mean {:.1}% [{:.1}, {:.1}]  p50 {:.1}%  p95 {:.1}%\n",
        100.0 * b.mean,
        100.0 * b.lo,
        100.0 * b.hi,
        100.0 * slo.burn_p50,
        100.0 * slo.burn_p95,
    )
}

/// The RPO row: incidents that lost writes, their mean and quantiles
/// ("all" for a quantile that falls on a total loss), and the yearly rate
/// of total losses when there are any.
fn rpo_parts(d: &drsim::simulate::DataLoss) -> Vec<String> {
    use super::text::{interval, si};
    if d.incidents == 0 {
        return vec!["no incident lost writes".into()];
    }
    let m = drsim::human::minutes;
    let q = |v: Option<f64>| v.map_or_else(|| "all".to_string(), m);
    let mut v = vec![
        format!(
            "{} incidents ({}/yr)",
            d.incidents,
            si(d.incidents_per_year)
        ),
        format!("mean {}", m(d.mean_minutes)),
        format!("p50 {}", q(d.p50_minutes)),
        format!("p90 {}", q(d.p90_minutes)),
        format!("p99 {}", q(d.p99_minutes)),
        format!("max {}", q(d.max_minutes)),
    ];
    if d.total_losses_per_year.mean > 0.0 {
        v.push(format!(
            "all data lost {}/yr",
            interval(&d.total_losses_per_year)
        ));
    }
    v
}
