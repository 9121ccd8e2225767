//! `drsim run FILE`: simulate trial-years of a topology and score its plans.
//!
//! JSON output, schema `drsim.run/1`:
//! `{ "schema": "drsim.run/1", "topology": str, "seed": u64, "trials": n,
//!    "years_per_trial": n, "plans": [PlanReport...] }`, where each plan
//! object holds `availability_time`, `availability_demand`,
//! `user_minutes_lost_per_year`, `data_lost_minutes_per_year`,
//! `p_outage_over_1h` (each `{mean, lo, hi, se}`, 95% intervals),
//! `downtime_minutes_per_year` (`{mean: {..}, p50, p90, p99, max}`),
//! `recovery` (`{episodes, mean_minutes, p99_minutes, max_minutes}`),
//! `cost_per_year`, `downtime_by_cause` (`[{cause, minutes_per_year, share}]`),
//! `unattributed_minutes_per_year` and `top_components`
//! (`[{component, minutes_per_year}]`). CSV: one row per plan and metric,
//! columns `plan,metric,value,lo,hi`.

use anyhow::Context;
use drsim::simulate::{self, Estimate, PlanReport, SimConfig};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Csv,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Topology file (TOML, or a GraphML/SNDlib network).
    pub file: PathBuf,
    /// Plan to simulate (by id); repeat for several. Default: every plan.
    #[arg(long = "plan", conflicts_with = "all_plans")]
    pub plans: Vec<String>,
    /// Simulate every plan of the topology (the default).
    #[arg(long)]
    pub all_plans: bool,
    /// Independent trials per plan.
    #[arg(long, default_value_t = 10_000)]
    pub trials: usize,
    /// Years simulated per trial.
    #[arg(long, default_value_t = 1)]
    pub years: usize,
    /// Seed; the same seed gives the same numbers on any number of threads.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the result here (atomically) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(serde::Serialize)]
struct RunOutput<'a> {
    schema: &'static str,
    topology: &'a str,
    seed: u64,
    trials: usize,
    years_per_trial: usize,
    plans: &'a [PlanReport],
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let topo = drsim::io::load_path(&args.file).map_err(|e| anyhow::anyhow!("{e}"))?;
    let plan_indices: Vec<usize> = if args.plans.is_empty() {
        (0..topo.plans.len()).collect()
    } else {
        args.plans
            .iter()
            .map(|p| {
                topo.plan_id(p).map(|id| id.index()).ok_or_else(|| {
                    let known: Vec<&str> = topo.plans.iter().map(|p| p.key.as_str()).collect();
                    anyhow::anyhow!(
                        "{}: no plan '{p}' (plans: {})",
                        args.file.display(),
                        known.join(", ")
                    )
                })
            })
            .collect::<anyhow::Result<_>>()?
    };
    if plan_indices.is_empty() {
        anyhow::bail!(
            "{}: the topology has no plan to simulate",
            args.file.display()
        );
    }
    if args.threads == Some(0) {
        anyhow::bail!("--threads must be at least 1");
    }
    let cfg = SimConfig {
        trials: args.trials,
        years: args.years,
        seed: args.seed,
    };
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = args.threads {
        builder = builder.num_threads(n);
    }
    let pool = builder.build().context("starting worker threads")?;
    let bar = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new((args.trials * plan_indices.len()) as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {wide_bar} {pos}/{len} trials ({per_sec}, eta {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut reports = Vec::new();
    for &p in &plan_indices {
        let tick = |n: u64| bar.inc(n);
        let r = pool
            .install(|| simulate::run_plan(&topo, p, &cfg, &tick))
            .with_context(|| format!("{}: plan '{}'", args.file.display(), topo.plans[p].key))?;
        reports.push(r);
    }
    bar.finish_and_clear();
    let text = match args.format {
        Format::Json => {
            let out = RunOutput {
                schema: "drsim.run/1",
                topology: &topo.name,
                seed: args.seed,
                trials: args.trials,
                years_per_trial: args.years,
                plans: &reports,
            };
            let mut s = serde_json::to_string_pretty(&out)?;
            s.push('\n');
            s
        }
        Format::Csv => csv_text(&reports)?,
        Format::Text => text_report(&topo.name, &cfg, &reports),
    };
    match &args.out {
        Some(path) => super::output::write_atomic(path, text.as_bytes())?,
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
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

fn num(e: &Estimate) -> String {
    format!("{:.3} [{:.3}, {:.3}]", e.mean, e.lo, e.hi)
}

fn text_report(topology: &str, cfg: &SimConfig, reports: &[PlanReport]) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{topology}: {} trials x {} year(s), seed {} (95% intervals in brackets)",
        cfg.trials, cfg.years, cfg.seed
    );
    for r in reports {
        let d = &r.downtime_minutes_per_year;
        let _ = writeln!(s, "\nplan {} ({}, {})", r.plan, r.name, r.mode);
        let _ = writeln!(s, "  availability (time)     {}", pct(&r.availability_time));
        let _ = writeln!(
            s,
            "  availability (demand)   {}",
            pct(&r.availability_demand)
        );
        let _ = writeln!(
            s,
            "  downtime min/year       {}  p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
            num(&d.mean),
            d.p50,
            d.p90,
            d.p99,
            d.max
        );
        let _ = writeln!(s, "  P(outage > 1h in year)  {}", num(&r.p_outage_over_1h));
        let _ = writeln!(
            s,
            "  user-minutes lost/year  {}",
            num(&r.user_minutes_lost_per_year)
        );
        let _ = writeln!(
            s,
            "  data lost min/year      {}",
            num(&r.data_lost_minutes_per_year)
        );
        let _ = writeln!(
            s,
            "  recovery                {} episodes, mean {:.1} min, p99 {:.1} min",
            r.recovery.episodes, r.recovery.mean_minutes, r.recovery.p99_minutes
        );
        let _ = writeln!(s, "  cost/year               {}", r.cost_per_year);
        let causes: Vec<String> = r
            .downtime_by_cause
            .iter()
            .filter(|c| c.minutes_per_year > 0.0)
            .map(|c| {
                format!(
                    "{} {:.2} ({:.0}%)",
                    c.cause,
                    c.minutes_per_year,
                    100.0 * c.share
                )
            })
            .collect();
        let _ = writeln!(s, "  downtime by cause       {}", causes.join(", "));
        let comps: Vec<String> = r
            .top_components
            .iter()
            .take(5)
            .map(|c| format!("{} {:.2}", c.component, c.minutes_per_year))
            .collect();
        let _ = writeln!(s, "  top components          {}", comps.join(", "));
    }
    s
}
