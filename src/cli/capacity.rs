//! `drsim capacity FILE --from A --to B`: the distribution of the maximum
//! A->B flow when links, sites and shared risks fail.

use super::args::{ExecArgs, OutArgs};
use super::{output, progress};
use anyhow::Context;
use drsim::capacity::served::{
    DemandAt, ServedError, ServedOptions, ServedReport, simulate_served,
};
use drsim::capacity::st_flow::refine_tail;
use drsim::capacity::{CapacityError, CapacityOptions, CapacityReport, SamplingCost, simulate};
use drsim::io;
use drsim::model::{PlanId, Topology};
use drsim::static_model::{Overrides, StaticModel};
use drsim::units::Probability;
use std::path::PathBuf;
use std::process::ExitCode;

pub use super::args::TableFormat as Format;

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("view").required(true).args(["from", "demand"])))]
pub struct Args {
    /// Topology file.
    pub file: PathBuf,
    /// Source site (id, or a unique name).
    #[arg(long, requires = "to")]
    pub from: Option<String>,
    /// Destination site (id, or a unique name).
    #[arg(long, requires = "from")]
    pub to: Option<String>,
    /// Instead of one A->B flow: the fraction of all demand the plan's
    /// serving sites can serve (one max-flow from every demand's entry
    /// sites to the serving sites, within link and site capacities).
    #[arg(long, conflicts_with_all = ["from", "to", "target_re"])]
    pub demand: bool,
    /// With --demand: the plan whose serving sites, mode, quorum and
    /// headroom apply (needed when the file has several).
    #[arg(long, requires = "demand")]
    pub plan: Option<String>,
    /// With --demand: take each demand at this UTC hour of its daily
    /// profile (no surges) instead of at a random instant of the year.
    #[arg(long, requires = "demand", conflicts_with = "at_peak", value_parser = clap::value_parser!(u32).range(0..24))]
    pub hour: Option<u32>,
    /// With --demand: take every demand at its daily peak at once (no
    /// surges), the pessimistic view, instead of at a random instant.
    #[arg(long, requires = "demand")]
    pub at_peak: bool,
    /// Failure probability of every link, replacing the file's. Alone, it
    /// makes sites perfectly reliable unless --node-failure is also given.
    #[arg(long, value_name = "Q", value_parser = parse_probability)]
    pub link_failure: Option<Probability>,
    /// Failure probability of every site, replacing the file's.
    #[arg(long, value_name = "Q", value_parser = parse_probability)]
    pub node_failure: Option<Probability>,
    /// Monte Carlo samples.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=super::output::MAX_SAMPLES))]
    pub samples: u64,
    /// Estimate P(flow = 0) (exactly when the network is small enough,
    /// else by the turnip) and P(flow < F) with --threshold (by importance
    /// sampling) to this relative error. Without it, they step in (at 5%)
    /// only when crude sampling sees under 10 such samples.
    #[arg(long, value_name = "R")]
    pub target_re: Option<f64>,
    /// Most samples a rare-event estimator may draw per probability.
    #[arg(long, default_value_t = 10_000_000, value_parser = clap::value_parser!(u64).range(1..=super::output::MAX_SAMPLES))]
    pub max_rare_samples: u64,
    #[command(flatten)]
    pub exec: ExecArgs,
    /// Capacity in Gbit/s of imported (GraphML/SNDlib) links that state
    /// none; native TOML files carry their own capacities.
    #[arg(long, value_name = "C", default_value_t = io::import::ImportOptions::default().default_capacity_gbps)]
    pub default_capacity: f64,
    /// Also estimate P(flow < F), in Gbit/s; with --demand, P(served
    /// fraction < F) for F in (0, 1].
    #[arg(long, value_name = "F")]
    pub threshold: Option<f64>,
    /// Output format. CSV: one row per figure, `metric,value,lo,hi`
    /// (metric names are the JSON keys; lo/hi the 95% interval when it has one).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub out: OutArgs,
}

fn parse_probability(s: &str) -> Result<Probability, String> {
    let p: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    Probability::new(p).ok_or_else(|| format!("{p} is not a probability in [0, 1]"))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !(args.default_capacity.is_finite() && args.default_capacity >= 0.0) {
        anyhow::bail!(
            "--default-capacity {} must be a finite number >= 0 (Gbit/s)",
            args.default_capacity
        );
    }
    let import = io::import::ImportOptions {
        default_capacity_gbps: args.default_capacity,
        ..Default::default()
    };
    let loaded = io::load_path_with(&args.file, &import).map_err(|e| anyhow::anyhow!("{e}"))?;
    for w in &loaded.warnings {
        eprintln!("{w}");
    }
    let topo = loaded.topology;
    if args.demand {
        return run_demand(&args, &topo);
    }
    let (Some(from), Some(to)) = (&args.from, &args.to) else {
        anyhow::bail!("give --from and --to, or --demand");
    };
    let (s, t) = super::args::terminals(&topo, from, to)?;
    if s == t {
        anyhow::bail!("--from and --to are the same site '{}'", topo.site(s).key);
    }
    let model = StaticModel::from_topology(&topo, overrides(&args))
        .with_context(|| format!("{}", args.file.display()))?;
    let opts = CapacityOptions {
        samples: args.samples,
        seed: args.exec.seed,
        threshold: args.threshold,
    };
    // A spinner while crude sampling runs, then the rare-event estimators'
    // samples and relative error.
    let bar = progress::Samples::new("capacity", args.exec.quiet);
    let work = || -> Result<CapacityReport, CapacityError> {
        let mut r = simulate(&model, s.0, t.0, &opts)?;
        refine_tail(
            &mut r,
            &model,
            s.0,
            t.0,
            args.exec.seed,
            args.target_re,
            args.max_rare_samples,
            &bar,
        )?;
        Ok(r)
    };
    let report = in_pool(args.exec.threads, work)?
        .map_err(name_the_flag)
        .with_context(|| format!("{}", args.file.display()))?;
    bar.finish();
    let text = match args.format {
        Format::Json => json(&report)?,
        Format::Csv => csv_rows(&report)?,
        Format::Text => print_text(&report, &site_label(&topo, s), &site_label(&topo, t)),
    };
    output::emit(&text, args.out.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// The library's refusals of too much work, with the flag that changes it.
fn name_the_flag(e: CapacityError) -> anyhow::Error {
    use drsim::reliability::EstimateError as E;
    let flag = match e {
        CapacityError::TooMuchWork(_) => " (--samples)",
        CapacityError::StaticEngine(E::CrudeTooSlow(_) | E::TurnipTooSlow { .. }) => {
            " (--max-rare-samples)"
        }
        _ => "",
    };
    anyhow::anyhow!("{e}{flag}")
}

fn overrides(args: &Args) -> Overrides {
    Overrides {
        link_failure: args.link_failure,
        // Asking about link failures alone means sites do not fail.
        node_failure: args
            .node_failure
            .or(args.link_failure.map(|_| Probability::ZERO)),
    }
}

fn in_pool<T: Send>(threads: Option<u64>, work: impl FnOnce() -> T + Send) -> anyhow::Result<T> {
    Ok(match threads {
        Some(n) => super::output::thread_pool(Some(n as usize))?.install(work),
        None => work(),
    })
}

fn pick_plan(args: &Args, t: &Topology) -> anyhow::Result<PlanId> {
    let keys = || {
        t.plans
            .iter()
            .map(|p| p.key.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &args.plan {
        Some(key) => t.plan_id(key).ok_or_else(|| {
            anyhow::anyhow!(
                "{}: no plan '{key}' (plans: {})",
                args.file.display(),
                if t.plans.is_empty() {
                    "none".to_string()
                } else {
                    keys()
                }
            )
        }),
        None if t.plans.len() == 1 => Ok(PlanId(0)),
        None if t.plans.is_empty() => anyhow::bail!(
            "{}: --demand needs a plan (its serving sites) and the file declares none",
            args.file.display()
        ),
        None => anyhow::bail!(
            "{}: {} plans, choose one with --plan ({})",
            args.file.display(),
            t.plans.len(),
            keys()
        ),
    }
}

fn run_demand(args: &Args, topo: &Topology) -> anyhow::Result<ExitCode> {
    if topo.demands.is_empty() {
        anyhow::bail!(
            "{}: the topology declares no [[demand]], so there is nothing to serve",
            args.file.display()
        );
    }
    let plan = pick_plan(args, topo)?;
    super::output::warn_time_only(topo, plan, &args.file.display().to_string(), true);
    let model = StaticModel::for_plan(topo, plan, overrides(args))
        .with_context(|| format!("{}", args.file.display()))?;
    let opts = ServedOptions {
        samples: args.samples,
        seed: args.exec.seed,
        threshold: args.threshold,
        demand_at: match (args.hour, args.at_peak) {
            (Some(h), _) => DemandAt::Hour(h),
            (None, true) => DemandAt::Peak,
            (None, false) => DemandAt::Year,
        },
    };
    let bar = progress::spinner("capacity --demand", None, args.exec.quiet);
    let report = in_pool(args.exec.threads, || {
        simulate_served(topo, plan, &model, &opts)
    })?
    .map_err(|e| match e {
        ServedError::Model(e) => name_the_flag(e),
        e => anyhow::anyhow!(e),
    })
    .with_context(|| format!("{}", args.file.display()))?;
    bar.finish_and_clear();
    let text = match args.format {
        Format::Json => json(&report)?,
        Format::Csv => csv_rows(&report)?,
        Format::Text => print_served(&report),
    };
    output::emit(&text, args.out.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

fn json<T: serde::Serialize>(r: &T) -> anyhow::Result<String> {
    let mut s = serde_json::to_string_pretty(r)?;
    s.push('\n');
    Ok(s)
}

/// The JSON report as `metric,value,lo,hi` rows: nested objects
/// (percentiles) become `percentiles.p50`, and a key's `_ci95_low`/
/// `_ci95_high` companions fill its lo/hi instead of rows of their own.
fn csv_rows<T: serde::Serialize>(r: &T) -> anyhow::Result<String> {
    let v = serde_json::to_value(r)?;
    let serde_json::Value::Object(map) = v else {
        anyhow::bail!("internal: the capacity report is not a JSON object");
    };
    let cell = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    let mut rows: Vec<[String; 4]> = Vec::new();
    for (k, v) in &map {
        if k.ends_with("_ci95_low") || k.ends_with("_ci95_high") {
            continue;
        }
        if let serde_json::Value::Object(inner) = v {
            for (k2, v2) in inner {
                rows.push([format!("{k}.{k2}"), cell(v2), String::new(), String::new()]);
            }
            continue;
        }
        let lo = map
            .get(&format!("{k}_ci95_low"))
            .map_or(String::new(), cell);
        let hi = map
            .get(&format!("{k}_ci95_high"))
            .map_or(String::new(), cell);
        rows.push([k.clone(), cell(v), lo, hi]);
    }
    output::csv_string(&["metric", "value", "lo", "hi"], &rows)
}

/// One `  label            value` line of a text report: the values of
/// both capacity reports start in one column.
fn line(s: &mut String, label: &str, value: impl std::fmt::Display) {
    use std::fmt::Write as _;
    let _ = writeln!(s, "  {label:<17}{value}");
}

/// A probability with its 95% interval.
fn ci(p: f64, lo: f64, hi: f64) -> String {
    format!("{p:.6e}  (95% CI {lo:.3e} .. {hi:.3e})")
}

/// The head both reports share: intact amount, mean with its standard
/// error, percentiles (each as `value` writes it).
fn summary_lines(
    s: &mut String,
    what: &str,
    (intact, mean, se): (f64, f64, f64),
    p: &drsim::stats::Percentiles,
    value: impl Fn(f64) -> String,
) {
    line(s, &format!("intact {what}"), format!("{intact:.6}"));
    line(
        s,
        &format!("mean {what}"),
        format!("{mean:.6} ± {se:.2e} (1 s.e.)"),
    );
    let ps = [("p1", p.p1), ("p5", p.p5), ("p10", p.p10), ("p50", p.p50)];
    let ps = ps.into_iter().chain([("p90", p.p90), ("p99", p.p99)]);
    let ps: Vec<String> = ps.map(|(k, x)| format!("{k} {}", value(x))).collect();
    line(s, "percentiles", ps.join("  "));
}

fn cost_line(s: &mut String, c: &SamplingCost) {
    use std::fmt::Write as _;
    let (secs, rate, solves) = (c.seconds, c.samples_per_second, c.max_flow_solves);
    let _ = writeln!(
        s,
        "  {secs:.3} s, {rate:.0} samples/s, {solves} max-flow solves"
    );
}

fn print_served(r: &ServedReport) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let gbps = super::text::si(r.total_demand_gbps);
    let when = match r.hour {
        Some(h) => format!("demand at {h:02}:00 UTC, {gbps} Gbit/s"),
        None if r.demand_at == "peak" => format!("every demand at its peak, {gbps} Gbit/s"),
        None => format!(
            "demand at a random instant of the year, surges applied, mean {gbps} Gbit/s, peak {} Gbit/s",
            super::text::si(r.peak_demand_gbps)
        ),
    };
    // The year's header names two demands: wrapped to stay within 100
    // columns.
    s.push_str(&super::text::wrap_words(
        &format!(
            "served fraction of demand, plan {} ({when}), {} samples",
            r.plan, r.cost.samples
        ),
        2,
    ));
    let head = (r.intact_served, r.mean_served, r.mean_served_std_error);
    summary_lines(&mut s, "served", head, &r.percentiles, |x| {
        format!("{x:.6}")
    });
    let (lo, hi) = (r.p_shortfall_ci95_low, r.p_shortfall_ci95_high);
    line(&mut s, "P(served < 1)", ci(r.p_shortfall, lo, hi));
    let (lo, hi) = (r.p_none_ci95_low, r.p_none_ci95_high);
    line(&mut s, "P(served = 0)", ci(r.p_none, lo, hi));
    if let (Some(x), Some(pb), Some(lo), Some(hi)) = (
        r.threshold,
        r.p_below_threshold,
        r.p_below_threshold_ci95_low,
        r.p_below_threshold_ci95_high,
    ) {
        let _ = writeln!(s, "  P(served < {x})  {}", ci(pb, lo, hi));
    }
    cost_line(&mut s, &r.cost);
    s
}

fn site_label(t: &Topology, id: drsim::model::SiteId) -> String {
    let s = t.site(id);
    if s.name.is_empty() || s.name == s.key {
        s.key.clone()
    } else {
        format!("{} ({})", s.name, s.key)
    }
}

fn print_text(r: &CapacityReport, from: &str, to: &str) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let method = |m: &str| {
        if m == "crude" {
            String::new()
        } else {
            format!("  [{m}]")
        }
    };
    let n = r.cost.samples;
    let _ = writeln!(s, "max flow {from} -> {to} (Gbit/s), {n} samples");
    let head = (r.intact_flow, r.mean_flow, r.mean_flow_std_error);
    summary_lines(&mut s, "flow", head, &r.percentiles, |x| format!("{x}"));
    let (lo, hi) = (r.p_zero_ci95_low, r.p_zero_ci95_high);
    let zero = ci(r.p_zero, lo, hi) + &method(r.p_zero_method);
    line(&mut s, "P(flow = 0)", zero);
    let (lo, hi) = (r.p_degraded_ci95_low, r.p_degraded_ci95_high);
    line(&mut s, "P(flow < intact)", ci(r.p_degraded, lo, hi));
    if let (Some(f), Some(pb), Some(lo), Some(hi)) = (
        r.threshold,
        r.p_below_threshold,
        r.p_below_threshold_ci95_low,
        r.p_below_threshold_ci95_high,
    ) {
        let _ = writeln!(
            s,
            "  P(flow < {f})  {}{}",
            ci(pb, lo, hi),
            method(r.p_below_threshold_method.unwrap_or("crude"))
        );
    }
    cost_line(&mut s, &r.cost);
    if let Some(n) = r.rare_event_samples {
        let _ = writeln!(s, "  {n} rare-event samples for the tail");
    }
    let figures = [
        ("P(flow = 0)", r.p_zero_stopped_short),
        ("P(flow < threshold)", r.p_below_threshold_stopped_short),
    ];
    for (what, why) in figures {
        let Some(why) = why else { continue };
        let note = output::stopped_short_note(what, why, "--max-rare-samples");
        let _ = writeln!(s, "  {note}");
    }
    s
}
