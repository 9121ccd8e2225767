//! `drsim compare FILE`: every plan scored side by side, ranked, with the
//! cost-vs-risk Pareto frontier and why each other plan is dominated.
//!
//! JSON: schema `drsim.compare/1`, documented in `drsim::score::compare`.
//! CSV: one row per plan and metric, columns
//! `rank,plan,pareto_optimal,metric,value,lo,hi` (metric names as in
//! `drsim run`'s CSV).

use super::args::{OutArgs, PlanArgs, RunArgs};
use super::part::{self, ComparePart, Part};
use super::progress::Trials;
use super::{output, text};
use drsim::score::compare::{Comparison, compare};
use drsim::score::{Metric, ScoredPlan};
use drsim::shard::Shard;
use drsim::simulate::{run_plan_data, shard_trials};
use std::path::PathBuf;
use std::process::ExitCode;

pub use super::args::TableFormat as Format;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Topology file (TOML, or a GraphML/SNDlib network).
    pub file: PathBuf,
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Risk metric for ranking and the frontier: downtime, availability,
    /// availability-demand, user-minutes, data-lost or long-outage.
    #[arg(long, default_value = "downtime")]
    pub risk: String,
    #[command(flatten)]
    pub sim: RunArgs,
    /// Output format [default: text]. A `--shard` part is always JSON.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    #[command(flatten)]
    pub out: OutArgs,
    #[command(flatten)]
    pub shard: super::args::ShardArgs,
}

/// Plan indices for `--plans` (all when empty), with a clear error.
pub fn select_plans(
    topo: &drsim::model::Topology,
    file: &std::path::Path,
    plans: &[String],
) -> anyhow::Result<Vec<usize>> {
    let v: Vec<usize> = if plans.is_empty() {
        (0..topo.plans.len()).collect()
    } else {
        plans
            .iter()
            .map(|p| {
                topo.plan_id(p).map(|id| id.index()).ok_or_else(|| {
                    let known: Vec<&str> = topo.plans.iter().map(|p| p.key.as_str()).collect();
                    anyhow::anyhow!(
                        "{}: no plan '{p}' (plans: {})",
                        file.display(),
                        known.join(", ")
                    )
                })
            })
            .collect::<anyhow::Result<_>>()?
    };
    if v.is_empty() {
        anyhow::bail!("{}: the topology has no plan", file.display());
    }
    Ok(v)
}

pub fn parse_metric(s: &str) -> anyhow::Result<Metric> {
    Metric::parse(s).ok_or_else(|| {
        let names: Vec<&str> = Metric::ALL.iter().map(|m| m.short()).collect();
        anyhow::anyhow!("unknown metric '{s}' (use one of: {})", names.join(", "))
    })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let risk = parse_metric(&args.risk)?;
    let topo = drsim::io::load_path(&args.file).map_err(|e| anyhow::anyhow!("{e}"))?;
    let idx = select_plans(&topo, &args.file, &args.plan.plans)?;
    let cfg = args.sim.config()?;
    let file = args.file.display().to_string();
    let work = output::check_failure_load(&topo, &file, (cfg.trials, cfg.years), &idx)?;
    super::progress::work_note(&work, args.sim.exec.quiet);
    let shard = args.shard.shard.unwrap_or(Shard::WHOLE);
    if args.shard.shard.is_some() {
        part::require_json(args.format.map(|f| f == Format::Json))?;
    }
    let pool = args.sim.exec.pool()?;
    let bar = Trials::new(
        shard_trials(cfg.trials, shard) as u64,
        idx.len(),
        args.sim.exec.quiet,
    );
    let mut runs = Vec::with_capacity(idx.len());
    for (k, &p) in idx.iter().enumerate() {
        bar.plan(k, &topo.plans[p].key);
        let tick = |n: u64| bar.inc(n);
        let d = pool
            .install(|| run_plan_data(&topo, p, &cfg, shard, &tick))
            .map_err(|e| {
                anyhow::anyhow!("{}: plan '{}': {e}", args.file.display(), topo.plans[p].key)
            })?;
        runs.push(d);
    }
    bar.finish();
    let text = if args.shard.shard.is_some() {
        let mut part = Part::of_run("compare", &args.file, &topo, &cfg, shard, runs);
        part.compare = Some(ComparePart {
            risk: risk.short().to_string(),
        });
        part.to_json()?
    } else {
        let scored = runs
            .iter()
            .map(|d| ScoredPlan::from_run(&topo, d))
            .collect::<Result<Vec<_>, _>>()?;
        render(
            args.format.unwrap_or(Format::Text),
            &topo.name,
            &scored,
            risk,
        )?
    };
    output::emit(&text, args.out.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// The comparison in `format`; shared with `drsim merge`.
pub fn render(
    format: Format,
    topology: &str,
    scored: &[ScoredPlan],
    risk: Metric,
) -> anyhow::Result<String> {
    let c = compare(topology, scored, risk)?;
    Ok(match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&c)?;
            s.push('\n');
            s
        }
        Format::Csv => csv_text(&c)?,
        Format::Text => text_report(&c, risk),
    })
}

fn csv_text(c: &Comparison) -> anyhow::Result<String> {
    let mut rows = Vec::new();
    for p in &c.plans {
        for [metric, value, lo, hi] in output::plan_metric_rows(&p.scores) {
            rows.push([
                p.rank.to_string(),
                p.plan.clone(),
                p.pareto_optimal.to_string(),
                metric,
                value,
                lo,
                hi,
            ]);
        }
    }
    output::csv_string(
        &[
            "rank",
            "plan",
            "pareto_optimal",
            "metric",
            "value",
            "lo",
            "hi",
        ],
        &rows,
    )
}

/// `mean [lo, hi]` at a precision that suits the metric.
fn interval(m: Metric, e: &drsim::simulate::Estimate) -> String {
    match m {
        Metric::AvailabilityTime | Metric::AvailabilityDemand => format!(
            "{:.4}% [{:.4}, {:.4}]",
            100.0 * e.mean,
            100.0 * e.lo,
            100.0 * e.hi
        ),
        Metric::UserMinutesLost => text::interval(e),
        Metric::LongOutage => format!("{:.3} [{:.3}, {:.3}]", e.mean, e.lo, e.hi),
        _ => format!("{:.1} [{:.1}, {:.1}]", e.mean, e.lo, e.hi),
    }
}

pub fn text_report(c: &Comparison, risk: Metric) -> String {
    let mut s = String::new();
    let head = format!(
        "{}: {} plans, {} trials x {} year(s), seed {}; ranked by {}; 95% intervals in brackets",
        c.topology,
        c.plans.len(),
        c.settings.trials,
        c.settings.years_per_trial,
        c.settings.seed,
        risk.noun()
    );
    s.push_str(&text::wrap_words(&head, 2));
    s.push('\n');
    score_tables(&mut s, c, risk);
    cause_table(&mut s, c);
    frontier_lines(&mut s, c, risk);
    s
}

/// The plans' scores: two tables of at most ~100 columns rather than one of
/// 190, and the risk metric's own when it is neither of the first table's.
fn score_tables(s: &mut String, c: &Comparison, risk: Metric) {
    use std::fmt::Write as _;
    let rows: Vec<Vec<String>> = c
        .plans
        .iter()
        .map(|p| {
            let r = &p.scores;
            vec![
                p.rank.to_string(),
                p.plan.clone(),
                if p.pareto_optimal { "*" } else { "" }.to_string(),
                text::money(p.cost_per_year),
                interval(Metric::AvailabilityTime, &r.availability_time),
                interval(Metric::DowntimeMinutes, &r.downtime_minutes_per_year.mean),
            ]
        })
        .collect();
    s.push_str(&output::table(
        &[
            "rank",
            "plan",
            "pareto",
            "cost/yr",
            "availability (time)",
            "downtime min/yr",
        ],
        &rows,
    ));
    let _ = writeln!(s);
    let rows: Vec<Vec<String>> = c
        .plans
        .iter()
        .map(|p| {
            let r = &p.scores;
            let d = &r.downtime_minutes_per_year;
            vec![
                p.plan.clone(),
                text::si(d.p50),
                text::si(d.p99),
                text::interval(&r.user_minutes_lost_per_year),
                text::si(r.data_lost_minutes_per_year.mean),
                text::si(r.recovery.mean_minutes),
                text::si(r.recovery.p99_minutes),
            ]
        })
        .collect();
    s.push_str(&output::table(
        &[
            "plan",
            "p50 min",
            "p99 min",
            "user-min lost/yr",
            "data lost min/yr",
            // As `run` names it; "recovery min" took campus-fire's table
            // to 101 columns.
            "RTO min",
            "p99",
        ],
        &rows,
    ));
    if risk != Metric::DowntimeMinutes && risk != Metric::AvailabilityTime {
        let _ = writeln!(s);
        let rows: Vec<Vec<String>> = c
            .plans
            .iter()
            .map(|p| vec![p.plan.clone(), interval(risk, &p.risk)])
            .collect();
        s.push_str(&output::table(&["plan", risk.label()], &rows));
    }
}

/// Downtime by cause, one row per plan.
fn cause_table(s: &mut String, c: &Comparison) {
    use std::fmt::Write as _;
    let _ = writeln!(s, "\ndowntime by cause, min/year:");
    let causes: Vec<&str> = c
        .plans
        .first()
        .map(|p| p.scores.downtime_by_cause.iter().map(|c| c.cause).collect())
        .unwrap_or_default();
    let mut header = vec!["plan"];
    header.extend(&causes);
    let rows: Vec<Vec<String>> = c
        .plans
        .iter()
        .map(|p| {
            let mut v = vec![p.plan.clone()];
            v.extend(
                p.scores
                    .downtime_by_cause
                    .iter()
                    .map(|c| text::si(c.minutes_per_year)),
            );
            v
        })
        .collect();
    s.push_str(&output::table(&header, &rows));
}

/// The cost-vs-risk frontier, why each other plan is dominated, and notes.
fn frontier_lines(s: &mut String, c: &Comparison, risk: Metric) {
    use std::fmt::Write as _;
    let frontier: Vec<&str> = c
        .plans
        .iter()
        .filter(|p| p.pareto_optimal)
        .map(|p| p.plan.as_str())
        .collect();
    let _ = writeln!(
        s,
        "\ncost-vs-{} frontier (*): {}",
        risk.noun(),
        frontier.join(", ")
    );
    for p in &c.plans {
        if let Some(d) = p.standing.dominated_by.first() {
            let others = p.standing.dominated_by.len() - 1;
            let mut line = format!("  dominated: {}", d.reason);
            if others > 0 {
                let _ = write!(line, " (and dominated by {others} more)");
            }
            s.push_str(&text::wrap_words(&line, 4));
        }
    }
    for p in &c.plans {
        for n in &p.standing.notes {
            s.push_str(&text::wrap_words(
                &format!("  note: plan {} {n}", p.plan),
                4,
            ));
        }
    }
}
