//! `drsim report FILE -o report.html`: simulate every plan and write the
//! self-contained design-review page (`drsim::report`).

use super::args::RunArgs;
use super::progress::Trials;
use anyhow::Context;
use drsim::model::PlanId;
use drsim::reliability::Criterion;
use drsim::reliability::importance::cut_sets_in;
use drsim::report::{
    PlanSection, Provenance, ReportInput, date_of_unix, describe_events, render_html, shell_quote,
};
use drsim::score::ScoredPlan;
use drsim::score::check::{self, CheckOptions};
use drsim::shard::Shard;
use drsim::simulate;
use drsim::static_model::{Overrides, StaticModel};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Topology file (TOML, or a GraphML/SNDlib network).
    pub file: PathBuf,
    /// Where to write the HTML page (atomically).
    #[arg(short = 'o', long = "out", value_name = "PATH", alias = "output")]
    pub out: PathBuf,
    #[command(flatten)]
    pub run: RunArgs,
    /// Date printed on the page (YYYY-MM-DD). Default: SOURCE_DATE_EPOCH
    /// (reproducible builds) when set, else today (UTC). Everything else on
    /// the page depends only on the inputs and the seed.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<String>,
}

fn parse_date(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let ok = b.len() == 10 && b[4] == b'-' && b[7] == b'-' && digits(0..4) && digits(5..7);
    let ok = ok && digits(8..10);
    let (m, d) = if ok {
        (
            s[5..7].parse::<u32>().unwrap_or(0),
            s[8..10].parse::<u32>().unwrap_or(0),
        )
    } else {
        (0, 0)
    };
    let year = if ok {
        s[..4].parse::<u32>().unwrap_or(0)
    } else {
        0
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    // 2026-02-30 is no date: the page would print it as one.
    if ok && (1..=12).contains(&m) && (1..=days).contains(&d) {
        Ok(s.to_string())
    } else {
        Err(format!("'{s}' is not a date YYYY-MM-DD"))
    }
}

/// The page's date: `--date`, else SOURCE_DATE_EPOCH, else today (UTC).
fn page_date(given: Option<&str>) -> anyhow::Result<String> {
    if let Some(d) = given {
        return Ok(d.to_string());
    }
    if let Ok(v) = std::env::var("SOURCE_DATE_EPOCH") {
        // Years 0000-9999 only, the page's YYYY-MM-DD (a 64-bit time would
        // print the year 292277026596).
        let secs: i64 = v
            .trim()
            .parse()
            .ok()
            .filter(|s| (-62_167_219_200..=253_402_300_799).contains(s))
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "SOURCE_DATE_EPOCH='{v}' is not a Unix time in seconds between the years 0 and 9999"
                )
            })?;
        return Ok(date_of_unix(secs));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    Ok(date_of_unix(now))
}

/// `commit abc1234`, of the file's last change in its git repository, with
/// a note when the file has uncommitted changes; None outside a repository
/// or without git.
fn git_commit(file: &std::path::Path) -> Option<String> {
    let abs = file.canonicalize().ok()?;
    let dir = abs.parent()?;
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .arg(&abs)
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let hash = git(&["log", "-1", "--format=%h", "--"])?;
    if hash.is_empty() {
        return None; // in a repository, but never committed
    }
    let dirty = git(&["status", "--porcelain", "--"]).is_some_and(|s| !s.is_empty());
    Some(if dirty {
        format!("commit {hash}, with uncommitted changes to the file")
    } else {
        format!("commit {hash}")
    })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let topo = drsim::io::load_path(&args.file).map_err(|e| anyhow::anyhow!("{e}"))?;
    if topo.plans.is_empty() {
        anyhow::bail!(
            "{}: the topology has no plan to report on",
            args.file.display()
        );
    }
    let cfg = args.run.config()?;
    // OpenSLO objectives beside the file take the place of its targets
    // (read first, so a bad file is refused before any simulation).
    let judged = super::slo::with_openslo_targets(&topo, &args.file)?;
    let file = args.file.display().to_string();
    let work = super::output::check_failure_load(
        &topo,
        &file,
        (cfg.trials, cfg.years),
        &(0..topo.plans.len()).collect::<Vec<_>>(),
    )?;
    super::progress::work_note(&work, args.run.exec.quiet);
    let pool = args.run.exec.pool()?;
    let bar = Trials::new(cfg.trials as u64, topo.plans.len(), args.run.exec.quiet);
    let mut plans = Vec::new();
    for p in 0..topo.plans.len() {
        let key = &topo.plans[p].key;
        bar.plan(p, key);
        let tick = |n: u64| bar.inc(n);
        let data = pool
            .install(|| simulate::run_plan_data(&topo, p, &cfg, Shard::WHOLE, &tick))
            .with_context(|| format!("{}: plan '{key}'", args.file.display()))?;
        let scored = ScoredPlan::from_run(&topo, &data).with_context(|| format!("plan '{key}'"))?;
        let id = PlanId(p as u32);
        let model = StaticModel::for_plan(&topo, id, Overrides::default());
        let events = model
            .as_ref()
            .map_or_else(|_| Default::default(), |m| describe_events(&topo, m));
        let cuts = model.map_err(|e| e.to_string()).and_then(|m| {
            let c = Criterion::service(&topo, id).map_err(|e| e.to_string())?;
            cut_sets_in(&topo, &m, &c, 2).map_err(|e| e.to_string())
        });
        plans.push(PlanSection {
            scored,
            cut_sets: cuts,
            events,
        });
    }
    bar.finish();
    // The targets as `drsim check --min-trials N --trials N` decides them
    // (one look, same seed): the library's check, not a second rule here.
    let all: Vec<usize> = (0..topo.plans.len()).collect();
    let opts = CheckOptions {
        first_trials: cfg.trials,
        max_trials: cfg.trials,
        years: cfg.years,
        seed: cfg.seed,
    };
    let spin = super::progress::spinner("checking targets", Some("trials"), args.run.exec.quiet);
    let tick = |n: u64| spin.inc(n);
    let targets = pool
        .install(|| check::check(&judged, &all, &opts, &tick))
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    spin.finish_and_clear();
    let provenance = Provenance {
        date: page_date(args.date.as_deref())?,
        fingerprint: drsim::simulate::topology_fingerprint(&topo),
        git: git_commit(&args.file),
    };
    let command = std::iter::once("drsim".to_string())
        .chain(std::env::args().skip(1))
        .map(|a| shell_quote(&a))
        .collect::<Vec<_>>()
        .join(" ");
    let html = render_html(&ReportInput {
        topo: &topo,
        source: args.file.display().to_string(),
        plans,
        seed: cfg.seed,
        trials: cfg.trials,
        years: cfg.years,
        command,
        targets,
        provenance,
    })?;
    super::output::write_atomic(&args.out, html.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
