//! Shared printing helpers for the subcommands.

use anyhow::Context;
use drsim::simulate::{Estimate, PlanReport};
use std::io::Write;
use std::path::Path;

/// Refuses, before any work, an output that is one of the inputs (`drsim
/// run t.toml -o t.toml` replaced the topology with its results) or that
/// two outputs share (`check -o x --junit x` kept only one of them).
pub fn refuse_clobber(inputs: &[&Path], outputs: &[&Path]) -> anyhow::Result<()> {
    // Existing files by their resolved path (symlinks and `..` followed);
    // outputs not yet written by their absolute path.
    let key = |p: &Path| p.canonicalize().or_else(|_| std::path::absolute(p)).ok();
    for (i, out) in outputs.iter().enumerate() {
        let Some(k) = key(out) else { continue };
        let same = |p: &&&Path| p.canonicalize().ok().as_ref() == Some(&k);
        if let Some(input) = inputs.iter().find(same) {
            anyhow::bail!(
                "{}: would overwrite the input {}; write the output elsewhere",
                out.display(),
                input.display()
            );
        }
        if let Some(other) = outputs[..i].iter().find(|p| key(p).as_ref() == Some(&k)) {
            anyhow::bail!(
                "{}: given as two outputs ({} too); give each output its own path",
                out.display(),
                other.display()
            );
        }
    }
    Ok(())
}

/// Prints an error chain once, `error: outer: inner`, ripgrep style. File
/// diagnostics already read `file:line:col: error: ...` (compiler style), so
/// they are printed as they are rather than as `error: file:...: error:`.
pub fn report_error(e: &anyhow::Error) {
    let text = format!("{e:#}");
    let first = text.lines().next().unwrap_or("");
    if first.contains(": error: ") {
        eprintln!("{text}");
    } else {
        eprintln!("error: {text}");
    }
}

/// Writes an output file by the library's rules (atomic replace, modes
/// kept, symlinks followed, devices and FIFOs written directly).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    Ok(drsim::io::write::write_atomic(path, bytes)?)
}

/// The result to `--out PATH` (atomically) or to standard output.
pub fn emit(text: &str, out: Option<&Path>) -> anyhow::Result<()> {
    match out {
        Some(path) => write_atomic(path, text.as_bytes()),
        None => Ok(std::io::stdout().write_all(text.as_bytes())?),
    }
}

/// Most trial-years of one plan's run (the library's limit).
pub const MAX_TRIAL_YEARS: usize = drsim::simulate::budget::MAX_TRIAL_YEARS;

/// Most Monte Carlo samples one `capacity`/`reliability` run may ask for:
/// results are kept per batch of samples, and 10^10 samples is hours of
/// work even at the fastest measured rate.
pub const MAX_SAMPLES: u64 = 10_000_000_000;

/// Most worker threads: more than the machine has cores only costs memory
/// and start-up (a million threads took over 30 s and 231 MB).
pub const MAX_THREADS: usize = 4095;

/// Refuses flag values no simulation takes, naming the flag.
pub fn check_sim_size(trials: usize, years: usize) -> anyhow::Result<()> {
    if trials == 0 {
        anyhow::bail!("--trials must be at least 1");
    }
    if years == 0 || years > 1000 {
        anyhow::bail!("--years must be between 1 and 1000 (got {years})");
    }
    if trials
        .checked_mul(years)
        .is_none_or(|n| n > MAX_TRIAL_YEARS)
    {
        anyhow::bail!(
            "--trials {trials} x --years {years} is more than {MAX_TRIAL_YEARS} trial-years: \
             every trial-year's values are kept in memory, so this run would not fit; \
             use fewer trials (the 95% intervals shrink as 1/sqrt(trials))"
        );
    }
    Ok(())
}

/// The library's estimate of the run's work and memory
/// ([`drsim::simulate::budget`]) over the plans the command will simulate
/// (indices into the file's plans), before any simulation starts; its
/// refusal is prefixed with the file.
pub fn check_failure_load(
    topo: &drsim::model::Topology,
    file: &str,
    (trials, years): (usize, usize),
    plans: &[usize],
) -> anyhow::Result<drsim::simulate::budget::Work> {
    drsim::simulate::budget::check(topo, trials, years, plans).map_err(|e| {
        use drsim::simulate::budget::BudgetError;
        let hint = match e {
            BudgetError::TrialYears { .. } => " (--trials, --years)",
            BudgetError::PlanTrialYears { .. } => " (--trials, --years, or --plans where offered)",
            BudgetError::Events { max_trials: 0, .. }
            | BudgetError::Graph { max_trials: 0, .. }
            | BudgetError::FlowWork { max_trials: 0, .. } => "",
            BudgetError::Events { .. }
            | BudgetError::Graph { .. }
            | BudgetError::FlowWork { .. } => " (--trials)",
            BudgetError::Memory { .. } => " (--threads)",
        };
        anyhow::anyhow!("{file}: {e}{hint}")
    })
}

/// The `note:` line of an estimate (`what`) that stopped short of the
/// relative error asked, and why: `cap_flag` is the flag of the caller's
/// sample cap.
pub fn stopped_short_note(
    what: &str,
    why: drsim::sampling::StoppedShort,
    cap_flag: &str,
) -> String {
    use drsim::sampling::StoppedShort as S;
    let why = match why {
        S::WorkBudget => "the work budget of a run on this model was spent".to_string(),
        S::SampleCap => format!("{cap_flag} was spent"),
        S::Underflow => "every sample was 0, below what a float holds".to_string(),
    };
    format!("note: {what} stopped short of the relative error asked: {why}")
}

/// Warns on standard error, for an engine that looks at one random instant
/// (`reliability`, `capacity --demand`), about each of plan `plan`'s
/// settings that only `drsim run` models, naming the file, plan and
/// feature; `gray_counted` when the engine counts gray sites itself.
pub fn warn_time_only(
    topo: &drsim::model::Topology,
    plan: drsim::model::PlanId,
    file: &str,
    gray_counted: bool,
) {
    let key = &topo.plan(plan).key;
    for f in drsim::model::time_only_features(topo, plan) {
        let (what, verb) = match f {
            "gray" if gray_counted => continue,
            "gray" => ("gray failure of its serving sites", "is"),
            "repair crews" => ("repair crews (a repair waiting for a free member)", "are"),
            other => (other, "is"),
        };
        eprintln!(
            "{file}: warning: plan '{key}': {what} {verb} modelled by drsim run only; this \
             random-instant estimate leaves it out"
        );
    }
}

/// A worker pool of `threads` (default: all cores).
pub fn thread_pool(threads: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    if threads == Some(0) {
        anyhow::bail!("--threads must be at least 1");
    }
    if let Some(n) = threads.filter(|&n| n > MAX_THREADS) {
        anyhow::bail!("--threads {n} is more than {MAX_THREADS}; use at most the number of cores");
    }
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n);
    }
    builder.build().context("starting worker threads")
}

fn estimate_row(rows: &mut Vec<[String; 4]>, metric: &str, e: &Estimate) {
    rows.push([
        metric.to_string(),
        e.mean.to_string(),
        e.lo.to_string(),
        e.hi.to_string(),
    ]);
}

fn value_row(rows: &mut Vec<[String; 4]>, metric: &str, v: f64) {
    rows.push([
        metric.to_string(),
        v.to_string(),
        String::new(),
        String::new(),
    ]);
}

/// A plan report as CSV rows `metric, value, lo, hi` (lo/hi empty for values
/// without an interval); the metric names are the JSON field names.
pub fn plan_metric_rows(r: &PlanReport) -> Vec<[String; 4]> {
    let mut rows = Vec::new();
    estimate_row(&mut rows, "availability_time", &r.availability_time);
    estimate_row(&mut rows, "availability_demand", &r.availability_demand);
    estimate_row(&mut rows, "served_fraction_time", &r.served_fraction_time);
    let d = &r.downtime_minutes_per_year;
    estimate_row(&mut rows, "downtime_minutes_per_year", &d.mean);
    value_row(&mut rows, "downtime_minutes_p50", d.p50);
    value_row(&mut rows, "downtime_minutes_p90", d.p90);
    value_row(&mut rows, "downtime_minutes_p99", d.p99);
    value_row(&mut rows, "downtime_minutes_max", d.max);
    estimate_row(&mut rows, "p_outage_over_1h", &r.p_outage_over_1h);
    estimate_row(
        &mut rows,
        "user_minutes_lost_per_year",
        &r.user_minutes_lost_per_year,
    );
    estimate_row(
        &mut rows,
        "data_lost_minutes_per_year",
        &r.data_lost_minutes_per_year,
    );
    let rpo = &r.rpo;
    value_row(&mut rows, "rpo_incidents_per_year", rpo.incidents_per_year);
    estimate_row(
        &mut rows,
        "rpo_total_losses_per_year",
        &rpo.total_losses_per_year,
    );
    value_row(&mut rows, "rpo_mean_minutes", rpo.mean_minutes);
    for (name, v) in [
        ("rpo_p50_minutes", rpo.p50_minutes),
        ("rpo_p90_minutes", rpo.p90_minutes),
        ("rpo_p99_minutes", rpo.p99_minutes),
        ("rpo_max_minutes", rpo.max_minutes),
    ] {
        // A quantile that falls on a total loss is unbounded.
        value_row(&mut rows, name, v.unwrap_or(f64::INFINITY));
    }
    value_row(&mut rows, "recovery_mean_minutes", r.recovery.mean_minutes);
    value_row(&mut rows, "recovery_p99_minutes", r.recovery.p99_minutes);
    value_row(&mut rows, "cost_per_year", r.cost_per_year);
    for c in &r.downtime_by_cause {
        value_row(
            &mut rows,
            &format!("downtime_minutes_{}", c.cause),
            c.minutes_per_year,
        );
    }
    if let Some(slo) = &r.slo {
        slo_rows(&mut rows, slo);
    }
    rows
}

/// The SLO forecast's rows, named `slo_` and the JSON path.
fn slo_rows(rows: &mut Vec<[String; 4]>, slo: &drsim::simulate::SloReport) {
    estimate_row(rows, "slo_p_miss", &slo.p_miss);
    estimate_row(rows, "slo_error_budget_burn", &slo.error_budget_burn);
    value_row(rows, "slo_burn_p50", slo.burn_p50);
    value_row(rows, "slo_burn_p95", slo.burn_p95);
    if let Some(e) = &slo.p_any_miss_per_year {
        estimate_row(rows, "slo_p_any_miss_per_year", e);
    }
    let dists = [
        ("window_availability", Some(&slo.window_availability)),
        (
            "window_served_requests",
            slo.window_served_requests.as_ref(),
        ),
    ];
    for (name, d) in dists.iter().filter_map(|(n, d)| Some((n, (*d)?))) {
        for (stat, v) in [("mean", d.mean), ("p1", d.p1), ("p5", d.p5), ("p50", d.p50)] {
            value_row(rows, &format!("slo_{name}_{stat}"), v);
        }
    }
    value_row(rows, "slo_target", slo.target);
    value_row(rows, "slo_threshold", slo.threshold);
    value_row(rows, "slo_windows_per_trial", slo.windows_per_trial as f64);
}

/// CSV text from a header and rows.
pub fn csv_string<R: AsRef<[String]>>(header: &[&str], rows: &[R]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for row in rows {
        w.write_record(row.as_ref())?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// An aligned plain-text table for terminals and CI logs: columns padded to
/// their widest cell, numbers (cells starting with a digit, sign or '[')
/// right-aligned.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let n = header.len();
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(n) {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let numeric = |i: usize| {
        !rows.is_empty()
            && rows.iter().all(|r| {
                r.get(i).is_none_or(|c| {
                    c.is_empty()
                        || c.starts_with(|ch: char| {
                            ch.is_ascii_digit() || matches!(ch, '+' | '-' | '[')
                        })
                })
            })
    };
    let right: Vec<bool> = (0..n).map(numeric).collect();
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::new();
        for (i, c) in cells.enumerate().take(n) {
            if i > 0 {
                s.push_str("  ");
            }
            let pad = width[i].saturating_sub(c.chars().count());
            if right[i] {
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            } else {
                s.push_str(c);
                if i + 1 < n {
                    s.push_str(&" ".repeat(pad));
                }
            }
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut s = line(&mut header.iter().copied());
    for r in rows {
        s.push_str(&line(&mut r.iter().map(String::as_str)));
    }
    s
}
