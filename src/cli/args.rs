//! Arguments every command shares, written once and `#[command(flatten)]`ed
//! into each command, so a flag is spelt, documented and checked the same
//! way everywhere (issue 11).

use drsim::simulate::SimConfig;
use std::path::PathBuf;

/// Seed, threads and quiet: what every Monte Carlo command takes.
#[derive(clap::Args, Debug, Clone)]
pub struct ExecArgs {
    /// Seed; the same seed gives the same numbers on any number of threads.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..4096))]
    pub threads: Option<u64>,
    /// No progress display (it is only drawn when standard error is a terminal).
    #[arg(long, short)]
    pub quiet: bool,
}

impl ExecArgs {
    /// The worker pool for `--threads`.
    pub fn pool(&self) -> anyhow::Result<rayon::ThreadPool> {
        super::output::thread_pool(self.threads.map(|n| n as usize))
    }
}

/// Trials, years, seed, threads and quiet: the arguments of every command
/// that simulates trial-years (`run`, `compare`, `diff`, `check`, `report`).
#[derive(clap::Args, Debug, Clone)]
pub struct RunArgs {
    /// Independent trials per plan (every plan gets the same seed, so trial i
    /// of every plan is paired).
    #[arg(long, default_value_t = 10_000)]
    pub trials: usize,
    /// Years simulated per trial.
    #[arg(long, default_value_t = 1)]
    pub years: usize,
    #[command(flatten)]
    pub exec: ExecArgs,
}

impl RunArgs {
    /// The simulation settings, refused when they could not fit in memory.
    pub fn config(&self) -> anyhow::Result<SimConfig> {
        super::output::check_sim_size(self.trials, self.years)?;
        Ok(SimConfig {
            trials: self.trials,
            years: self.years,
            seed: self.exec.seed,
        })
    }
}

/// Output format of the commands whose results are tables.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableFormat {
    Text,
    Json,
    Csv,
}

/// `--shard I/N`: run one shard of a batched run for `drsim merge`.
#[derive(clap::Args, Debug, Clone)]
pub struct ShardArgs {
    /// Run only shard I of N (0-based) and write its partial result (JSON,
    /// schema drsim.part/1) for `drsim merge`, which then prints exactly
    /// the unsharded result.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<drsim::shard::Shard>,
}

/// `-o/--out PATH`: where a command writes its result (atomically) instead of
/// standard output. `--output` stays as a hidden alias for old scripts.
#[derive(clap::Args, Debug, Clone)]
pub struct OutArgs {
    /// Write the result here (atomically) instead of standard output.
    #[arg(short = 'o', long = "out", value_name = "PATH", alias = "output")]
    pub out: Option<PathBuf>,
}

/// `--plan P`, repeatable; `--plans a,b` stays as a hidden alias.
#[derive(clap::Args, Debug, Clone)]
pub struct PlanArgs {
    /// Plan to use (by id); repeat for several. Default: every plan.
    #[arg(
        long = "plan",
        value_name = "PLAN",
        alias = "plans",
        value_delimiter = ','
    )]
    pub plans: Vec<String>,
}

/// The sites `--from` and `--to` name (id or unique name), each error
/// naming its flag.
pub fn terminals(
    t: &drsim::model::Topology,
    from: &str,
    to: &str,
) -> anyhow::Result<(drsim::model::SiteId, drsim::model::SiteId)> {
    let site = |flag: &str, name: &str| {
        t.resolve_site(name)
            .map_err(|e| anyhow::anyhow!("--{flag}: {e}"))
    };
    Ok((site("from", from)?, site("to", to)?))
}
