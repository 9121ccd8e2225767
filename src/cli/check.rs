//! `drsim check FILE`: test every plan's targets, for CI gates.
//!
//! Exit status: 0 every target met with 95% confidence, 1 a target missed
//! with confidence, 3 inconclusive after the trial budget (the output says
//! how many trials would settle it), 2 bad input or usage.
//!
//! JSON: schema `drsim.check/1`, documented in `drsim::score::check`.
//! CSV: one row per plan and target, columns
//! `plan,target,method,required,observed,outcome,lo,hi,trials,trials_needed`.
//! `--junit PATH` also writes a JUnit XML report (atomically).

use super::args::{OutArgs, PlanArgs, RunArgs};
use super::progress;
use super::{color, output, text};
use drsim::score::check::{self, CheckOptions, CheckReport, Outcome};
use std::path::PathBuf;
use std::process::ExitCode;

pub use super::args::TableFormat as Format;

#[derive(clap::Args, Debug)]
#[command(mut_arg("trials", |a| a
    .default_value("20000")
    .help("Trial budget per plan: the most trials the adaptive run may use")))]
pub struct Args {
    /// Topology file (TOML, or a GraphML/SNDlib network).
    pub file: PathBuf,
    #[command(flatten)]
    pub plan: PlanArgs,
    #[command(flatten)]
    pub run: RunArgs,
    /// Trials of the first round; each undecided round doubles them.
    #[arg(long, default_value_t = 1_000)]
    pub min_trials: usize,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub out: OutArgs,
    /// Also write a JUnit XML report here (atomically): one test case per
    /// plan and target; missed targets fail, inconclusive ones are skipped.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let topo = drsim::io::load_path(&args.file).map_err(|e| anyhow::anyhow!("{e}"))?;
    let topo = super::slo::with_openslo_targets(&topo, &args.file)?;
    let idx = super::compare::select_plans(&topo, &args.file, &args.plan.plans)?;
    if args.min_trials == 0 {
        anyhow::bail!("--min-trials must be at least 1");
    }
    let cfg = args.run.config()?;
    let file = args.file.display().to_string();
    let work = output::check_failure_load(&topo, &file, (cfg.trials, cfg.years), &idx)?;
    super::progress::work_note(&work, args.run.exec.quiet);
    let opts = CheckOptions {
        first_trials: args.min_trials,
        max_trials: cfg.trials,
        years: cfg.years,
        seed: cfg.seed,
    };
    let pool = args.run.exec.pool()?;
    let bar = progress::spinner("checking", Some("trials"), args.run.exec.quiet);
    let tick = |n: u64| bar.inc(n);
    let report = pool
        .install(|| check::check(&topo, &idx, &opts, &tick))
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    bar.finish_and_clear();
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&report)?;
            s.push('\n');
            s
        }
        Format::Csv => csv_text(&report)?,
        Format::Text => {
            use color::Tone::{Bad, Good, Unsure};
            color::paint_words(
                &text_report(&report, &args.file.display().to_string()),
                &[
                    ("FAIL", Bad),
                    ("MISSED", Bad),
                    ("missed", Bad),
                    ("ok", Good),
                    ("MET", Good),
                    ("met", Good),
                    ("??", Unsure),
                    ("INCONCLUSIVE", Unsure),
                    ("inconclusive", Unsure),
                ],
                color::enabled_for(args.out.out.as_deref()),
            )
        }
    };
    if let Some(path) = &args.junit {
        output::write_atomic(path, check::junit_xml(&report).as_bytes())?;
    }
    output::emit(&text, args.out.out.as_deref())?;
    Ok(match report.outcome {
        Outcome::Met => ExitCode::SUCCESS,
        Outcome::Missed => ExitCode::from(1),
        Outcome::Inconclusive => ExitCode::from(3),
    })
}

fn csv_text(r: &CheckReport) -> anyhow::Result<String> {
    let rows: Vec<[String; 10]> = r
        .results
        .iter()
        .map(|t| {
            let [lo, hi] = t.bounds.map_or([String::new(), String::new()], |b| {
                [b[0].to_string(), b[1].to_string()]
            });
            [
                t.plan.clone(),
                t.target.to_string(),
                t.method.to_string(),
                t.required.clone(),
                t.observed.clone(),
                t.outcome.as_str().to_string(),
                lo,
                hi,
                t.trials.to_string(),
                t.trials_needed.map_or(String::new(), |n| n.to_string()),
            ]
        })
        .collect();
    output::csv_string(
        &[
            "plan",
            "target",
            "method",
            "required",
            "observed",
            "outcome",
            "lo",
            "hi",
            "trials",
            "trials_needed",
        ],
        &rows,
    )
}

fn text_report(r: &CheckReport, file: &str) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let head = format!(
        "drsim check {file} ({}): seed {}, {} year(s) per trial, at most {} trials per plan",
        r.topology, r.seed, r.years_per_trial, r.max_trials
    );
    s.push_str(&text::wrap_words(&head, 2));
    s.push('\n');
    let rows: Vec<Vec<String>> = r
        .results
        .iter()
        .map(|t| {
            vec![
                match t.outcome {
                    Outcome::Met => "ok",
                    Outcome::Missed => "FAIL",
                    Outcome::Inconclusive => "??",
                }
                .to_string(),
                t.plan.clone(),
                t.target.to_string(),
                t.required.clone(),
                t.observed.clone(),
                t.method.to_string(),
            ]
        })
        .collect();
    let table = output::table(
        &["", "plan", "target", "required", "observed", "method"],
        &rows,
    );
    // Each row followed by its reason, indented, so a CI log reads top down.
    let mut lines = table.lines();
    if let Some(h) = lines.next() {
        let _ = writeln!(s, "{h}");
    }
    for (line, t) in lines.zip(&r.results) {
        let _ = writeln!(s, "{line}");
        s.push_str(&text::wrap_words(
            &format!("      {}: {}", t.outcome.as_str(), t.detail),
            8,
        ));
        if let Some(d) = &t.design {
            s.push_str(&text::wrap_words(&format!("      design rule: {d}"), 8));
        }
    }
    if !r.plans_without_targets.is_empty() {
        let _ = writeln!(
            s,
            "\nplans without targets (not checked): {}",
            r.plans_without_targets.join(", ")
        );
    }
    let count = |o: Outcome| r.results.iter().filter(|t| t.outcome == o).count();
    let _ = writeln!(
        s,
        "\n{} targets: {} met, {} missed, {} inconclusive -> {} (exit {})",
        r.results.len(),
        count(Outcome::Met),
        count(Outcome::Missed),
        count(Outcome::Inconclusive),
        r.outcome.as_str().to_uppercase(),
        match r.outcome {
            Outcome::Met => 0,
            Outcome::Missed => 1,
            Outcome::Inconclusive => 3,
        }
    );
    s
}
