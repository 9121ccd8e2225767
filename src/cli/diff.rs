//! `drsim diff OLD NEW` or `drsim diff FILE --against REV`: what changed in
//! the model and how every plan's scores moved, with paired verdicts.
//!
//! JSON: schema `drsim.diff/1`, documented in `drsim::score::diff`.
//! CSV: one row per plan and metric, columns
//! `plan,metric,old,new,difference,lo,hi,verdict` (`cost_per_year` has no
//! interval and no verdict; model changes are only in text and JSON).

use super::args::{OutArgs, RunArgs};
use super::progress::Trials;
use super::{color, output, text};
use anyhow::Context;
use drsim::model::Topology;
use drsim::score::diff::{self, ChangeKind, DiffReport};
use drsim::score::{Metric, RunSettings, ScoredPlan};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

pub use super::args::TableFormat as Format;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The old topology file; with --against, the file whose old version is
    /// read from git.
    pub old: PathBuf,
    /// The new topology file.
    #[arg(required_unless_present = "against", conflicts_with = "against")]
    pub new: Option<PathBuf>,
    /// Compare FILE with its version at this git revision (e.g. HEAD,
    /// origin/main, a commit hash).
    #[arg(long, value_name = "GIT_REV")]
    pub against: Option<String>,
    /// Only the model changes, no simulation.
    #[arg(long)]
    pub model_only: bool,
    #[command(flatten)]
    pub sim: RunArgs,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub out: OutArgs,
}

fn git(dir: &Path, args: &[&str]) -> anyhow::Result<Result<String, String>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .context("cannot run git (is it installed?)")?;
    if out.status.success() {
        Ok(Ok(String::from_utf8_lossy(&out.stdout).into_owned()))
    } else {
        Ok(Err(String::from_utf8_lossy(&out.stderr).trim().to_string()))
    }
}

/// The text of `file` at git revision `rev`, and a label `REV:path`.
fn git_show(file: &Path, rev: &str) -> anyhow::Result<(String, String)> {
    if rev.starts_with('-') || rev.is_empty() {
        anyhow::bail!("--against '{rev}' is not a git revision");
    }
    let abs = file
        .canonicalize()
        .with_context(|| format!("{}: cannot read", file.display()))?;
    let dir = abs.parent().unwrap_or(Path::new("/"));
    let top = git(dir, &["rev-parse", "--show-toplevel"])?.map_err(|e| {
        anyhow::anyhow!(
            "{}: not in a git repository, so --against has nothing to read ({e})",
            file.display()
        )
    })?;
    let top = PathBuf::from(top.trim())
        .canonicalize()
        .context("cannot resolve the repository root")?;
    let rel = abs.strip_prefix(&top).with_context(|| {
        format!(
            "{} is outside its repository {}",
            file.display(),
            top.display()
        )
    })?;
    let rel: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let spec = format!("{rev}:{}", rel.join("/"));
    // The blob's size first: a revision could hold a file of any size, and
    // `git show` would hand all of it over.
    let size = git(&top, &["cat-file", "-s", &spec])?
        .map_err(|e| anyhow::anyhow!("git show {spec} failed: {e}"))?;
    let limit = drsim::io::load::MAX_FILE_BYTES;
    if size.trim().parse::<u64>().is_ok_and(|n| n > limit) {
        anyhow::bail!(
            "{spec}: file is {} bytes; topology files are limited to {limit} bytes",
            size.trim()
        );
    }
    let text =
        git(&top, &["show", &spec])?.map_err(|e| anyhow::anyhow!("git show {spec} failed: {e}"))?;
    Ok((text, spec))
}

fn load(path: &Path) -> anyhow::Result<Topology> {
    drsim::io::load_path(path).map_err(|e| anyhow::anyhow!("{e}"))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (old, new, old_label, new_label) = match (&args.new, &args.against) {
        (Some(new), None) => (
            load(&args.old)?,
            load(new)?,
            args.old.display().to_string(),
            new.display().to_string(),
        ),
        (None, Some(rev)) => {
            let new = load(&args.old)?;
            let (text, spec) = git_show(&args.old, rev)?;
            let old = drsim::io::load_text_with(
                &text,
                Path::new(&spec),
                &drsim::io::import::ImportOptions::default(),
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .topology;
            (old, new, spec, args.old.display().to_string())
        }
        _ => anyhow::bail!("give either NEW or --against GIT_REV"),
    };
    let model = diff::model_diff(&old, &new);
    let (both, removed, added) = diff::match_plans(&old, &new);
    let cfg = args.sim.config()?;
    if !args.model_only {
        // Each matched plan runs once on either side.
        let (olds, news): (Vec<usize>, Vec<usize>) = both.iter().copied().unzip();
        let size = (cfg.trials, cfg.years);
        let a = output::check_failure_load(&old, &old_label, size, &olds)?;
        let b = output::check_failure_load(&new, &new_label, size, &news)?;
        let work = drsim::simulate::budget::Work {
            expected: a.expected + b.expected,
        };
        super::progress::work_note(&work, args.sim.exec.quiet);
    }
    let mut plans = Vec::new();
    if !args.model_only {
        let pool = args.sim.exec.pool()?;
        // Each plan runs twice (old and new file): its bar counts both.
        let bar = Trials::new(2 * cfg.trials as u64, both.len(), args.sim.exec.quiet);
        let tick = |n: u64| bar.inc(n);
        for (k, &(i, j)) in both.iter().enumerate() {
            bar.plan(k, &new.plans[j].key);
            let sim = |t: &Topology, k: usize, label: &str| {
                pool.install(|| ScoredPlan::simulate(t, k, &cfg, &tick))
                    .map_err(|e| anyhow::anyhow!("{label}: plan '{}': {e}", t.plans[k].key))
            };
            let a = sim(&old, i, &old_label)?;
            let b = sim(&new, j, &new_label)?;
            plans.push(diff::plan_delta(&a, &b)?);
        }
        bar.finish();
    }
    let report = DiffReport {
        schema: diff::SCHEMA,
        old: old_label,
        new: new_label,
        settings: RunSettings {
            seed: cfg.seed,
            trials: if args.model_only { 0 } else { cfg.trials },
            years_per_trial: cfg.years,
        },
        model,
        plans,
        plans_added: added,
        plans_removed: removed,
    };
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&report)?;
            s.push('\n');
            s
        }
        Format::Csv => csv_text(&report)?,
        Format::Text => color::paint_words(
            &text_report(&report),
            &[("better", color::Tone::Good), ("worse", color::Tone::Bad)],
            color::enabled_for(args.out.out.as_deref()),
        ),
    };
    output::emit(&text, args.out.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

fn csv_text(r: &DiffReport) -> anyhow::Result<String> {
    let mut rows = Vec::new();
    for p in &r.plans {
        for m in &p.metrics {
            rows.push([
                p.plan.clone(),
                m.metric.to_string(),
                m.old.mean.to_string(),
                m.new.mean.to_string(),
                m.difference.mean.to_string(),
                m.difference.lo.to_string(),
                m.difference.hi.to_string(),
                m.verdict.as_str().to_string(),
            ]);
        }
        rows.push([
            p.plan.clone(),
            "cost_per_year".into(),
            p.cost_old.to_string(),
            p.cost_new.to_string(),
            (p.cost_new - p.cost_old).to_string(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    output::csv_string(
        &[
            "plan",
            "metric",
            "old",
            "new",
            "difference",
            "lo",
            "hi",
            "verdict",
        ],
        &rows,
    )
}

fn text_report(r: &DiffReport) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    s.push_str(&text::wrap_words(
        &format!("model changes, {} -> {}:", r.old, r.new),
        2,
    ));
    if r.model.is_empty() {
        let _ = writeln!(s, "  none");
    }
    for c in &r.model {
        let what = match c.change {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        };
        let _ = writeln!(s, "  {} {}: {what}", c.kind, c.id);
        for f in &c.fields {
            // A description or a list can be long: wrapped at 100 columns.
            s.push_str(&text::wrap_words(
                &format!(
                    "      {}: {} -> {}",
                    f.field,
                    f.old.as_deref().unwrap_or("(none)"),
                    f.new.as_deref().unwrap_or("(none)")
                ),
                8,
            ));
        }
    }
    if r.settings.trials > 0 {
        s.push('\n');
        s.push_str(&text::wrap_words(
            &format!(
                "scores, new - old paired over {} trials x {} year(s), seed {}; a verdict needs the 95% interval to exclude 0:",
                r.settings.trials, r.settings.years_per_trial, r.settings.seed
            ),
            2,
        ));
        for p in &r.plans {
            let _ = writeln!(s, "\nplan {} ({})", p.plan, p.name);
            let mut rows: Vec<Vec<String>> = Metric::ALL
                .iter()
                .filter_map(|&m| p.metric(m).map(|d| (m, d)))
                .map(|(m, d)| {
                    // Counts in the hundreds of billions read as `329 G`.
                    let (old, new, diff) = if m == Metric::UserMinutesLost {
                        let e = &d.difference;
                        let signed =
                            |v: f64| format!("{}{}", if v >= 0.0 { "+" } else { "" }, text::si(v));
                        (
                            text::si(d.old.mean),
                            text::si(d.new.mean),
                            format!("{} [{}, {}]", signed(e.mean), signed(e.lo), signed(e.hi)),
                        )
                    } else {
                        // The row's label carries the unit ("downtime
                        // min/year"), so the cells do not: a row stays
                        // within 100 columns.
                        (
                            m.number(d.old.mean),
                            m.number(d.new.mean),
                            m.format_difference_bare(&d.difference),
                        )
                    };
                    vec![
                        m.label().to_string(),
                        old,
                        new,
                        diff,
                        d.verdict.as_str().to_string(),
                    ]
                })
                .collect();
            let dc = p.cost_new - p.cost_old;
            rows.push(vec![
                "cost/year".into(),
                text::money(p.cost_old),
                text::money(p.cost_new),
                format!("{}{}", if dc >= 0.0 { "+" } else { "" }, text::money(dc)),
                if dc > 0.0 {
                    "costs more"
                } else if dc < 0.0 {
                    "costs less"
                } else {
                    "same cost"
                }
                .into(),
            ]);
            s.push_str(&output::table(
                &["metric", "old", "new", "difference [95%]", "verdict"],
                &rows,
            ));
        }
    }
    if !r.plans_removed.is_empty() {
        let _ = writeln!(
            s,
            "\nplans only in the old model: {}",
            r.plans_removed.join(", ")
        );
    }
    if !r.plans_added.is_empty() {
        let _ = writeln!(
            s,
            "\nplans only in the new model: {}",
            r.plans_added.join(", ")
        );
    }
    s
}
