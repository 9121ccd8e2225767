//! Command-line front end: one file per subcommand, each with its clap
//! arguments and a `run` that calls the library and prints.
//!
//! Exit codes: 0 success, 1 a checked condition failed (e.g. a target missed),
//! 2 bad input or usage, 3 inconclusive.

mod args;
mod capacity;
mod check;
mod color;
mod compare;
mod diff;
mod import;
mod merge;
mod meta;
mod output;
mod part;
mod progress;
mod reliability;
mod report;
mod run;
mod slo;
mod text;
mod tui;
mod validate;
mod what_if;

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "drsim",
    version,
    about = "Disaster-recovery planning simulator: which redundancy plan should we run, and what does it buy us?",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Colour in text output: auto (on a terminal, unless NO_COLOR is set),
    /// always or never.
    #[arg(long, value_enum, global = true, default_value_t = color::ColorChoice::Auto)]
    pub color: color::ColorChoice,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check topology files: syntax, units, ranges, references, structure.
    Validate(validate::Args),
    /// Distribution of the maximum A->B flow under random failures.
    Capacity(capacity::Args),
    /// Simulate trial-years and score the plans: availability, downtime, RTO, RPO, causes.
    Run(run::Args),
    /// Probability that the network is down at a random instant, with
    /// exact, crude Monte Carlo or rare-event (turnip) estimators.
    Reliability(reliability::Args),
    /// Convert a Topology Zoo GraphML or SNDlib file to a TOML topology.
    Import(import::Args),
    /// Write a self-contained HTML design-review page (plans compared,
    /// charts, single points of failure, how to reproduce).
    Report(report::Args),
    /// Join the parts written by `--shard I/N` into the unsharded result.
    Merge(merge::Args),
    /// Open the interactive terminal UI (the default with no command).
    Tui(tui::Args),
    /// Score plans side by side: ranking, cost-vs-risk frontier, why the others are dominated.
    Compare(compare::Args),
    /// What changed between two versions of a topology and how each plan's scores moved.
    Diff(diff::Args),
    /// Test every plan's targets (exit 0 met, 1 missed, 3 inconclusive); JUnit XML for CI.
    Check(check::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(meta::CompletionsArgs),
    /// Print the man page (roff) of drsim or of one of its commands.
    Man(meta::ManArgs),
}

impl Command {
    /// The files a command reads and the files it writes, for
    /// [`output::refuse_clobber`].
    fn files(&self) -> (Vec<&Path>, Vec<&Path>) {
        fn o(a: &args::OutArgs) -> Vec<&Path> {
            a.out.iter().map(PathBuf::as_path).collect()
        }
        match self {
            Command::Capacity(a) => (vec![a.file.as_path()], o(&a.out)),
            Command::Run(a) => (vec![a.file.as_path()], o(&a.out)),
            Command::Reliability(a) => (vec![a.file.as_path()], o(&a.out)),
            Command::Import(a) => (vec![a.file.as_path()], vec![a.output.as_path()]),
            Command::Merge(a) => {
                let mut inputs: Vec<&Path> = a.parts.iter().map(PathBuf::as_path).collect();
                inputs.extend(a.topology.as_deref());
                (inputs, a.out.as_deref().into_iter().collect())
            }
            Command::Report(a) => (vec![a.file.as_path()], vec![a.out.as_path()]),
            Command::Compare(a) => (vec![a.file.as_path()], o(&a.out)),
            Command::Diff(a) => {
                let mut inputs = vec![a.old.as_path()];
                inputs.extend(a.new.as_deref());
                (inputs, o(&a.out))
            }
            Command::Check(a) => {
                let mut outs = o(&a.out);
                outs.extend(a.junit.as_deref());
                (vec![a.file.as_path()], outs)
            }
            Command::Validate(_) | Command::Tui(_) | Command::Completions(_) | Command::Man(_) => {
                (Vec::new(), Vec::new())
            }
        }
    }
}

/// Whether the terminal gets colour (`--color`, `NO_COLOR`), for the TUI.
pub(crate) fn color_on_terminal() -> bool {
    color::enabled_for(None)
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    color::init(cli.color);
    if let Some(c) = &cli.command {
        let (inputs, outputs) = c.files();
        if let Err(e) = output::refuse_clobber(&inputs, &outputs) {
            output::report_error(&e);
            return ExitCode::from(2);
        }
    }
    let result = match cli.command {
        Some(Command::Validate(a)) => validate::run(a),
        Some(Command::Capacity(a)) => capacity::run(a),
        Some(Command::Run(a)) => run::run(a),
        Some(Command::Reliability(a)) => reliability::run(a),
        Some(Command::Import(a)) => import::run(a),
        Some(Command::Merge(a)) => merge::run(a),
        Some(Command::Report(a)) => report::run(a),
        Some(Command::Tui(a)) => tui::run(a),
        Some(Command::Compare(a)) => compare::run(a),
        Some(Command::Diff(a)) => diff::run(a),
        Some(Command::Check(a)) => check::run(a),
        Some(Command::Completions(a)) => meta::completions(a),
        Some(Command::Man(a)) => meta::man(a),
        None => tui::run(tui::Args::default()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            output::report_error(&e);
            ExitCode::from(2)
        }
    }
}
