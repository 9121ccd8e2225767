//! `drsim merge PARTS...`: joins the parts written by `--shard I/N` into
//! exactly the output of the unsharded command (same schema and numbers;
//! only reliability's `seconds` differs: it is the sum of the parts'
//! compute times).

use super::part::{Part, RunPart};
use super::{compare, reliability, run};
use anyhow::{Context, bail};
use drsim::reliability::parts::EstimateData;
use drsim::simulate::{RunData, SimConfig};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub use super::args::TableFormat as Format;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Part files written by `drsim run|compare|reliability --shard I/N`, one per shard, in any order.
    #[arg(required = true, value_name = "PARTS")]
    pub parts: Vec<PathBuf>,
    /// Output format of the merged result [default: text].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the result here (atomically) instead of standard output.
    #[arg(short = 'o', long = "out", value_name = "PATH", alias = "output")]
    pub out: Option<PathBuf>,
    /// Topology file to report against (default: the path recorded in the
    /// parts). It must be the file the shards ran on, unchanged.
    #[arg(long, value_name = "FILE")]
    pub topology: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let parts: Vec<(PathBuf, Part)> = args
        .parts
        .iter()
        .map(|p| Ok((p.clone(), Part::read(p)?)))
        .collect::<anyhow::Result<_>>()?;
    check_consistent(&parts)?;
    let first = &parts[0].1;
    let text = match first.command.as_str() {
        "run" => merge_run(&args, &parts)?,
        "compare" => merge_compare(&args, &parts)?,
        "reliability" => merge_reliability(&args, &parts)?,
        other => bail!("parts of '{other}' cannot be merged"),
    };
    super::output::emit(&text, args.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// Same command, inputs and shard count everywhere, and each shard exactly
/// once: checked here so the errors can name the files.
fn check_consistent(parts: &[(PathBuf, Part)]) -> anyhow::Result<()> {
    let (p0, first) = &parts[0];
    for (path, p) in &parts[1..] {
        let differ = |what: &str, a: String, b: String| -> anyhow::Result<()> {
            if a != b {
                bail!(
                    "{} and {} come from different runs: {what} '{a}' vs '{b}'",
                    p0.display(),
                    path.display()
                );
            }
            Ok(())
        };
        differ("command", first.command.clone(), p.command.clone())?;
        differ(
            "topology fingerprint",
            first.topology.fingerprint.clone(),
            p.topology.fingerprint.clone(),
        )?;
        differ("seed", first.seed.to_string(), p.seed.to_string())?;
        differ(
            "shard count",
            first.shard.count().to_string(),
            p.shard.count().to_string(),
        )?;
        if let (Some(a), Some(b)) = (&first.run, &p.run) {
            differ("trials", a.trials.to_string(), b.trials.to_string())?;
            differ("years", a.years.to_string(), b.years.to_string())?;
            differ("plans", plan_list(a), plan_list(b))?;
            same_layout((p0, a), (path, b))?;
            let version = |r: &RunPart| r.plans.first().map_or(1, |d| d.sampler);
            same_sampler(
                (p0, version(a)),
                (path, version(b)),
                drsim::simulate::SAMPLER,
            )?;
        }
        if let (Some(a), Some(b)) = (&first.compare, &p.compare) {
            differ("risk metric", a.risk.clone(), b.risk.clone())?;
        }
        if let (Some(a), Some(b)) = (&first.reliability, &p.reliability) {
            differ("settings", a.settings.to_string(), b.settings.to_string())?;
            let current = a.data.stats.current_sampler();
            same_sampler((p0, a.data.sampler), (path, b.data.sampler), current)?;
        }
    }
    let mut seen: BTreeMap<u32, &Path> = BTreeMap::new();
    for (path, p) in parts {
        if let Some(other) = seen.insert(p.shard.index(), path) {
            bail!(
                "{} and {} both hold shard {} (each shard must be given once)",
                other.display(),
                path.display(),
                p.shard
            );
        }
    }
    let n = first.shard.count();
    let missing: Vec<String> = (0..n)
        .filter(|i| !seen.contains_key(i))
        .map(|i| format!("{i}/{n}"))
        .collect();
    if !missing.is_empty() {
        bail!(
            "shard{} {} missing: the run was split into {n} shards and {} part{} given",
            if missing.len() == 1 { "" } else { "s" },
            if missing.len() == 1 {
                format!("{} is", missing[0])
            } else {
                format!("{} are", missing.join(", "))
            },
            parts.len(),
            if parts.len() == 1 { " was" } else { "s were" }
        );
    }
    Ok(())
}

/// Refuses run parts cut into batches of different sizes: parts written
/// by a drsim that did not record its layout used 64 trials a batch for
/// every run, and this one cuts runs of 960 trials or fewer finer.
fn same_layout((pa, a): (&Path, &RunPart), (pb, b): (&Path, &RunPart)) -> anyhow::Result<()> {
    let size = |r: &RunPart| r.plans.first().map_or(0, |d| d.batch_trials);
    let (la, lb) = (size(a), size(b));
    if la == lb {
        return Ok(());
    }
    let current = drsim::simulate::batch_trials(a.trials);
    bail!(
        "{} and {} hold batches of different sizes ({} trials a batch in the first, {} in the \
         second): they were written by different versions of drsim (this one cuts a run of {} \
         trials into batches of {current}; older ones cut every run into batches of 64 and did \
         not record it), so their batches cannot be merged; run every shard with the same drsim",
        pa.display(),
        pb.display(),
        la,
        lb,
        a.trials
    )
}

/// Refuses parts of two sampler versions ([`drsim::shard::UNVERSIONED_SAMPLER`]):
/// the same seed gives each version other samples, so their merge would
/// be a valid estimate that matches neither version's unsharded run.
fn same_sampler(
    (pa, va): (&Path, u32),
    (pb, vb): (&Path, u32),
    current: u32,
) -> anyhow::Result<()> {
    if va == vb {
        return Ok(());
    }
    bail!(
        "{} and {} were sampled by different versions of drsim (sampler version {va} in the \
         first, {vb} in the second; this one writes version {current}, and parts that record \
         none are version {}): the same seed gives each version other samples, so their merge \
         would match neither version's unsharded run; run every shard with the same drsim",
        pa.display(),
        pb.display(),
        drsim::shard::UNVERSIONED_SAMPLER
    )
}

fn plan_list(r: &RunPart) -> String {
    r.plans
        .iter()
        .map(|d| d.plan.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The topology at the path a part records. That path comes from a file,
/// not from the user, so nothing read from it is ever shown: a part naming
/// `/etc/shadow` must not print its first line. Only the loader's verdict
/// without any quoted line is reported (the user can run `drsim validate`
/// on the path, or give `--topology`); devices and FIFOs are refused unread
/// by the loader.
fn recorded_topology(
    part: &Path,
    recorded: &str,
) -> anyhow::Result<(PathBuf, drsim::model::Topology)> {
    let path = PathBuf::from(recorded);
    let shown = drsim::model::text::escape(recorded).into_owned();
    match drsim::io::load_path(&path) {
        Ok(t) => Ok((path, t)),
        Err(e) => {
            // File-level problems (missing, not a regular file, too large)
            // quote nothing; anything else is summarised.
            let why = match e.diagnostics.as_slice() {
                [d] if d.line == 0 && d.snippet.is_none() => {
                    drsim::model::text::escape(&d.message).into_owned()
                }
                _ => "it does not load as a topology".to_string(),
            };
            bail!(
                "{}: the parts were computed from the topology {shown}, which cannot be used: \
                 {why}; give the topology with --topology FILE",
                part.display()
            )
        }
    }
}

/// The topology the run parts were computed from, checked by fingerprint,
/// and each plan's merged, complete [`RunData`].
fn merged_runs(
    args: &Args,
    parts: &[(PathBuf, Part)],
) -> anyhow::Result<(drsim::model::Topology, Vec<RunData>)> {
    let first = &parts[0].1;
    let (topo_path, topo) = match &args.topology {
        Some(p) => (
            p.clone(),
            drsim::io::load_path(p).map_err(|e| anyhow::anyhow!("{e}"))?,
        ),
        None => recorded_topology(&parts[0].0, &first.topology.path)?,
    };
    let fp = drsim::simulate::topology_fingerprint(&topo);
    if fp != first.topology.fingerprint {
        bail!(
            "{} is not the topology the parts were computed from (fingerprint {fp}, parts {}): \
             was it edited after the shards ran?",
            drsim::model::text::escape(&topo_path.display().to_string()),
            first.topology.fingerprint
        );
    }
    let run0 = first.run.as_ref().expect("checked by Part::read");
    let mut runs = Vec::new();
    for (i, plan) in run0.plans.iter().enumerate() {
        let datas: Vec<RunData> = parts
            .iter()
            .map(|(_, p)| p.run.as_ref().expect("checked").plans[i].clone())
            .collect();
        let merged = RunData::merge(datas).with_context(|| format!("plan '{}'", plan.plan))?;
        if merged.is_complete() && merged.trials_held() != run0.trials {
            bail!(
                "plan '{}': the parts hold {} trials, the run had {} (a part was altered)",
                plan.plan,
                merged.trials_held(),
                run0.trials
            );
        }
        runs.push(merged);
    }
    Ok((topo, runs))
}

fn merge_run(args: &Args, parts: &[(PathBuf, Part)]) -> anyhow::Result<String> {
    let (topo, runs) = merged_runs(args, parts)?;
    let reports = runs
        .iter()
        .map(|d| {
            d.report(&topo)
                .with_context(|| format!("plan '{}'", d.plan))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let run0 = parts[0].1.run.as_ref().expect("checked by Part::read");
    let cfg = SimConfig {
        trials: run0.trials,
        years: run0.years,
        seed: parts[0].1.seed,
    };
    let format = match args.format.unwrap_or(Format::Text) {
        Format::Text => run::Format::Text,
        Format::Json => run::Format::Json,
        Format::Csv => run::Format::Csv,
    };
    run::render(format, &topo.name, &cfg, &reports)
}

fn merge_compare(args: &Args, parts: &[(PathBuf, Part)]) -> anyhow::Result<String> {
    let (topo, runs) = merged_runs(args, parts)?;
    let risk = compare::parse_metric(&parts[0].1.compare.as_ref().expect("checked").risk)?;
    let scored = runs
        .iter()
        .map(|d| {
            drsim::score::ScoredPlan::from_run(&topo, d)
                .with_context(|| format!("plan '{}'", d.plan))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let format = match args.format.unwrap_or(Format::Text) {
        Format::Text => compare::Format::Text,
        Format::Json => compare::Format::Json,
        Format::Csv => compare::Format::Csv,
    };
    compare::render(format, &topo.name, &scored, risk)
}

fn merge_reliability(args: &Args, parts: &[(PathBuf, Part)]) -> anyhow::Result<String> {
    let format = match args.format.unwrap_or(Format::Text) {
        Format::Text => reliability::Format::Text,
        Format::Json => reliability::Format::Json,
        Format::Csv => bail!("reliability results have no CSV form: use --format text or json"),
    };
    if let Some(t) = &args.topology {
        let topo = drsim::io::load_path(t).map_err(|e| anyhow::anyhow!("{e}"))?;
        let fp = drsim::simulate::topology_fingerprint(&topo);
        if fp != parts[0].1.topology.fingerprint {
            bail!(
                "{} is not the topology the parts were computed from",
                t.display()
            );
        }
    }
    let datas: Vec<EstimateData> = parts
        .iter()
        .map(|(_, p)| p.reliability.as_ref().expect("checked").data.clone())
        .collect();
    let seconds: f64 = parts
        .iter()
        .map(|(_, p)| p.reliability.as_ref().expect("checked").seconds)
        .sum();
    let mut est = EstimateData::merge(datas)?.estimate()?;
    est.seconds = seconds;
    reliability::render(format, &est, None, None, None, None)
}
