//! `drsim reliability FILE`: probability that the network (two-terminal,
//! all-terminal or a plan's service) is down at a random instant.

use super::args::{ExecArgs, OutArgs};
use super::part::{self, Part, ReliabilityPart};
use super::progress;
use anyhow::{Context, bail};
use drsim::io;
use drsim::model::{PlanId, Topology};
use drsim::reliability::importance::{CutSet, Importance, Structure};
use drsim::reliability::parts::{check_shardable, estimate_data};
use drsim::reliability::{
    Criterion, Estimate, EstimateError, EstimateOptions, Method, ServiceCriterionError,
    estimate_with, importance,
};
use drsim::shard::Shard;
use drsim::static_model::{Overrides, StaticModel};
use drsim::units::Probability;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodArg {
    Exact,
    Crude,
    Pmc,
    Auto,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("criterion").required(true).args(["from", "all_terminal", "service"])))]
pub struct Args {
    /// Topology file (native TOML, GraphML or SNDlib).
    pub file: PathBuf,
    /// Plan whose serving sites and quorum define `--service` (and whose
    /// operator-error factor applies).
    #[arg(long)]
    pub plan: Option<String>,
    /// Two-terminal: source site (id or unique name); needs --to.
    #[arg(long, requires = "to")]
    pub from: Option<String>,
    /// Two-terminal: destination site.
    #[arg(long, requires = "from")]
    pub to: Option<String>,
    /// Up means every site is up and all are connected.
    #[arg(long)]
    pub all_terminal: bool,
    /// Up means every demand's entry sites reach a quorum of the plan's
    /// serving sites.
    #[arg(long)]
    pub service: bool,
    #[command(flatten)]
    pub what_if: super::what_if::WhatIfArgs,
    /// Failure probability of every link (nodes then default to perfect).
    #[arg(long, value_parser = parse_probability)]
    pub link_failure: Option<Probability>,
    /// Failure probability of every site.
    #[arg(long, value_parser = parse_probability)]
    pub node_failure: Option<Probability>,
    #[arg(long, value_enum, default_value = "auto")]
    pub method: MethodArg,
    /// Samples for Monte Carlo methods (without --target-re).
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=super::output::MAX_SAMPLES))]
    pub samples: u64,
    /// Keep sampling until this relative error (e.g. 0.01) or the sample cap.
    #[arg(long)]
    pub target_re: Option<f64>,
    /// Most samples spent chasing --target-re.
    #[arg(long, default_value_t = 100_000_000, value_parser = clap::value_parser!(u64).range(1..=super::output::MAX_SAMPLES))]
    pub max_samples: u64,
    #[command(flatten)]
    pub exec: ExecArgs,
    /// Output format [default: text]. A `--shard` part is always JSON.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    #[command(flatten)]
    pub out: OutArgs,
    /// Run only shard I of N (0-based) of a crude or pmc estimate with a
    /// fixed --samples, and write its partial result (JSON, schema
    /// drsim.part/1) for `drsim merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Birnbaum and criticality importance of every node, link and shock
    /// (two extra estimates per event, with the same method), plus the
    /// bridges and articulation points of the intact graph.
    #[arg(long)]
    pub importance: bool,
    /// Minimal cut sets of up to K events (node, link, service and shock
    /// failures); with services, a cut that stops the front end through a
    /// dependency shows the chain.
    #[arg(long, value_name = "K")]
    pub cut_sets: Option<usize>,
}

fn parse_probability(s: &str) -> Result<Probability, String> {
    let p: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    Probability::new(p).ok_or_else(|| format!("probability must be between 0 and 1, got {s}"))
}

fn pick_plan(t: &Topology, key: Option<&str>) -> anyhow::Result<Option<PlanId>> {
    let Some(key) = key else { return Ok(None) };
    match t.plan_id(key) {
        Some(id) => Ok(Some(id)),
        None => {
            let known: Vec<&str> = t.plans.iter().map(|p| p.key.as_str()).collect();
            bail!(
                "no plan '{key}' in the topology (plans: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )
        }
    }
}

fn criterion(args: &Args, t: &Topology, plan: Option<PlanId>) -> anyhow::Result<Criterion> {
    if let (Some(from), Some(to)) = (&args.from, &args.to) {
        let (s, d) = super::args::terminals(t, from, to)?;
        return Ok(Criterion::TwoTerminal { s: s.0, t: d.0 });
    }
    if args.all_terminal {
        return Ok(Criterion::AllTerminal);
    }
    let plan = match plan {
        Some(p) => p,
        None => default_service_plan(t)?,
    };
    Criterion::service(t, plan).map_err(|e| anyhow::anyhow!("--service: {e}"))
}

fn default_service_plan(t: &Topology) -> anyhow::Result<PlanId> {
    Criterion::default_plan(t).map_err(|e| match e {
        ServiceCriterionError::PlanNeeded(n, list) => {
            anyhow::anyhow!(
                "--service: the topology has {n} plans, choose one with --plan ({list})"
            )
        }
        ServiceCriterionError::NoPlans => {
            anyhow::anyhow!("--service needs a plan and the topology has none")
        }
        e => anyhow::anyhow!("--service: {e}"),
    })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let topo = io::load_path(&args.file)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("cannot load {}", args.file.display()))?;
    let mut plan = pick_plan(&topo, args.plan.as_deref())?;
    if args.service && plan.is_none() {
        // The plan's own model: with services, they are nodes of it.
        plan = Some(default_service_plan(&topo)?);
    }
    let overrides = Overrides {
        link_failure: args.link_failure,
        node_failure: args
            .node_failure
            .or(args.link_failure.map(|_| Probability::ZERO)),
    };
    let mut model = match plan {
        Some(p) => StaticModel::for_plan(&topo, p, overrides)?,
        None => StaticModel::from_topology(&topo, overrides)?,
    };
    if !args.service {
        model.without_services(topo.sites.len());
    }
    let what_if = args.what_if.state(&topo)?;
    let with_services = model.n_nodes() > topo.sites.len();
    if !with_services && what_if.services_down().iter().any(|&d| d) {
        bail!(
            "--down: a service is held down, but only --service with a plan that serves a \
             service (serves = ...) models services"
        );
    }
    model.force_down(&what_if.node_flags(), what_if.links_down());
    let partial = drsim::static_model::partial_sources(&topo).len();
    if partial > 0 && !args.exec.quiet {
        // Reachability is all this engine asks; say what it leaves out.
        eprintln!(
            "note: {partial} partial failure(s) (partial modes, releases with instances) keep \
             their components up:\n  reachability does not change, so reliability ignores \
             them (run and capacity --demand count them)"
        );
    }
    let crit = criterion(&args, &topo, plan)?;
    if let Some(p) = plan {
        super::output::warn_time_only(&topo, p, &args.file.display().to_string(), false);
    }
    let opts = EstimateOptions {
        method: match args.method {
            MethodArg::Exact => Method::Exact,
            MethodArg::Crude => Method::Crude,
            MethodArg::Pmc => Method::Pmc,
            MethodArg::Auto => Method::Auto,
        },
        samples: args.samples,
        target_re: args.target_re,
        max_samples: args.max_samples,
        seed: args.exec.seed,
    };
    let pool = args.exec.pool()?;
    if let Some(shard) = args.shard {
        return run_shard(&args, &topo, (&model, &crit, &opts), &pool, shard);
    }
    // Samples against the plan and the relative error against the target
    // while the estimate and each of the importance ranking's conditional
    // estimates run; a spinner with the elapsed time for cut sets.
    let bar = progress::Samples::new(
        &format!("reliability ({})", opts.method.as_str()),
        args.exec.quiet,
    );
    let file = || format!("{}", args.file.display());
    if args.importance {
        importance::check_work(&model, &crit, &opts)
            .map_err(name_the_flag)
            .with_context(file)?;
    }
    let est = pool
        .install(|| estimate_with(&model, &crit, &opts, &bar))
        .map_err(name_the_flag)
        .with_context(file)?;
    bar.suspend(|| warn_short_of_target(&args, &est));
    let imp = if args.importance {
        let u = est.unreliability;
        Some(pool.install(|| importance::importance_with(&model, &crit, &opts, u, &bar))?)
    } else {
        None
    };
    let structure = args.importance.then(|| importance::structure(&model));
    let cuts = match args.cut_sets {
        Some(k) => {
            bar.phase("cut sets");
            Some(importance::cut_sets_in(&topo, &model, &crit, k)?)
        }
        None => None,
    };
    bar.finish();
    let text = render(
        args.format.unwrap_or(Format::Text),
        &est,
        imp.as_deref(),
        structure.as_ref(),
        cuts.as_deref(),
        args.cut_sets,
    )?;
    let json = args.format == Some(Format::Json);
    let text = args.what_if.tag(text, json)?;
    super::output::emit(&text, args.out.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// `--shard I/N`: the batches of one shard of the main estimate, as a part
/// for `drsim merge`.
fn run_shard(
    args: &Args,
    topo: &Topology,
    (model, crit, opts): (&StaticModel, &Criterion, &EstimateOptions),
    pool: &rayon::ThreadPool,
    shard: Shard,
) -> anyhow::Result<ExitCode> {
    if !args.what_if.down.is_empty() {
        bail!("--shard cannot split a --down scenario: run it unsharded");
    }
    part::require_json(args.format.map(|f| f == Format::Json))?;
    if args.importance || args.cut_sets.is_some() {
        bail!("--shard splits the main estimate only: run --importance and --cut-sets unsharded");
    }
    // The library decides what can be sharded; the messages name flags.
    check_shardable(opts).map_err(|e| match e {
        EstimateError::ShardTargetRe => anyhow::anyhow!(
            "--shard cannot split a --target-re run (its rounds are sized from its own \
             results): give a fixed --samples"
        ),
        EstimateError::ShardMethod(m) => anyhow::anyhow!(
            "--shard needs --method crude or pmc: {} has no batches to split{}",
            m.as_str(),
            if m == Method::Auto {
                " (auto may pick the exact method)"
            } else {
                ""
            }
        ),
        e => e.into(),
    })?;
    let start = std::time::Instant::now();
    let data = pool
        .install(|| estimate_data(model, crit, opts, shard))
        .map_err(name_the_flag)?;
    let settings = serde_json::json!({
        "plan": args.plan,
        "from": args.from,
        "to": args.to,
        "all_terminal": args.all_terminal,
        "service": args.service,
        "link_failure": args.link_failure.map(|p| p.get()),
        "node_failure": args.node_failure.map(|p| p.get()),
        "method": opts.method.as_str(),
        "samples": args.samples,
    });
    let part = Part::new(
        "reliability",
        &args.file,
        topo,
        args.exec.seed,
        shard,
        None,
        Some(ReliabilityPart {
            settings,
            seconds: start.elapsed().as_secs_f64(),
            data,
        }),
    );
    super::output::emit(&part.to_json()?, args.out.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// Not an error (the estimate and its interval are sound), but when the
/// precision `--target-re` asked for was not delivered, say so rather than
/// exit quietly after spending the whole budget.
/// The library's refusals of too much work, with the flag that changes it.
fn name_the_flag(e: EstimateError) -> anyhow::Error {
    let flag = match e {
        EstimateError::CrudeTooSlow(_)
        | EstimateError::TurnipTooSlow { .. }
        | EstimateError::ImportanceTooSlow { .. }
        | EstimateError::ImportanceTurnipTooSlow { .. } => " (--samples)",
        _ => "",
    };
    anyhow::anyhow!("{e}{flag}")
}

fn warn_short_of_target(args: &Args, est: &Estimate) {
    let Some(re) = args.target_re else { return };
    if est.method == "pmc" && est.unreliability == 0.0 && est.samples > 0 {
        eprintln!(
            "warning: every sample was exactly 0 after {} samples: the unreliability is \
             below what a 64-bit float holds (about 1e-308), so no sample count can reach \
             --target-re {re}; stopped early",
            est.samples
        );
    } else if (est.relative_error.is_nan() || est.relative_error > re)
        && est.samples < args.max_samples
    {
        eprintln!(
            "warning: stopped after {} samples, the most one run may draw on a model of this \
             size, at relative error {:.3e}, above --target-re {re}",
            est.samples, est.relative_error
        );
    } else if est.relative_error.is_nan() || est.relative_error > re {
        eprintln!(
            "warning: stopped after {} samples (--max-samples {}) at relative error {:.3e}, \
             above --target-re {re}; raise --max-samples for more precision",
            est.samples, args.max_samples, est.relative_error
        );
    }
}

/// The command's output, shared with `drsim merge`.
pub(super) fn render(
    format: Format,
    est: &Estimate,
    imp: Option<&[Importance]>,
    structure: Option<&Structure>,
    cuts: Option<&[CutSet]>,
    max_cut: Option<usize>,
) -> anyhow::Result<String> {
    use std::fmt::Write as _;
    let mut out = String::new();
    match format {
        Format::Json => {
            let mut v = serde_json::to_value(est)?;
            let obj = v.as_object_mut().expect("an estimate is a JSON object");
            if let Some(imp) = imp {
                obj.insert("importance".into(), serde_json::to_value(imp)?);
            }
            if let Some(s) = structure {
                obj.insert("structure".into(), serde_json::to_value(s)?);
            }
            if let Some(c) = cuts {
                obj.insert("cut_sets".into(), serde_json::to_value(c)?);
            }
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        Format::Text => {
            write_text(&mut out, est)?;
            if let Some(imp) = imp {
                writeln!(out)?;
                writeln!(
                    out,
                    "{:<40} {:>12} {:>12} {:>12}",
                    "event", "probability", "birnbaum", "criticality"
                )?;
                for i in imp {
                    writeln!(
                        out,
                        "{:<40} {:>12.3e} {:>12.3e} {:>12.3e}",
                        i.event.name, i.event.prob, i.birnbaum, i.criticality
                    )?;
                }
                let short: Vec<_> = imp.iter().filter_map(|i| i.stopped_short).collect();
                if let Some(&why) = short.first() {
                    let what = format!(
                        "the importance estimates of {} of the {} events",
                        short.len(),
                        imp.len()
                    );
                    let note = super::output::stopped_short_note(&what, why, "--max-samples");
                    writeln!(out, "{note}")?;
                }
            }
            if let Some(s) = structure {
                writeln!(out)?;
                writeln!(out, "bridges              {}", list(&s.bridges))?;
                writeln!(out, "articulation points  {}", list(&s.articulation_points))?;
            }
            if let Some(c) = cuts {
                writeln!(out)?;
                writeln!(
                    out,
                    "minimal cut sets (up to {} events): {}",
                    max_cut.unwrap_or(0),
                    c.len()
                )?;
                for cut in c {
                    writeln!(out, "  {:>10.3e}  {}", cut.prob, cut.events.join(" + "))?;
                    if let Some(chain) = &cut.chain {
                        writeln!(out, "              ({chain})")?;
                    }
                }
            }
        }
    }
    Ok(out)
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn write_text(out: &mut String, e: &Estimate) -> std::fmt::Result {
    use std::fmt::Write as _;
    writeln!(out, "unreliability   {:.6e}", e.unreliability)?;
    writeln!(out, "availability    {:.12}", 1.0 - e.unreliability)?;
    writeln!(out, "std error       {:.3e}", e.std_error)?;
    writeln!(
        out,
        "95% interval    [{:.6e}, {:.6e}]",
        e.ci95_low, e.ci95_high
    )?;
    writeln!(out, "relative error  {:.3e}", e.relative_error)?;
    writeln!(out, "samples         {}", e.samples)?;
    writeln!(out, "method          {}", e.method)?;
    writeln!(out, "seconds         {:.3}", e.seconds)?;
    if let Some(why) = e.stopped_short {
        let note = super::output::stopped_short_note("the estimate", why, "--max-samples");
        writeln!(out, "{note}")?;
    }
    Ok(())
}
