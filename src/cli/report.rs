//! `drsim report FILE -o report.html`: simulate every plan and write the
//! self-contained design-review page (`drsim::report`).

use super::args::RunArgs;
use super::progress::Trials;
use anyhow::Context;
use drsim::model::PlanId;
use drsim::reliability::Criterion;
use drsim::reliability::importance::cut_sets;
use drsim::report::{PlanSection, ReportInput, render_html, shell_quote};
use drsim::score::ScoredPlan;
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
    let file = args.file.display().to_string();
    super::output::check_failure_load(&topo, &file, cfg.trials, cfg.years)?;
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
        let cuts = StaticModel::for_plan(&topo, id, Overrides::default())
            .map_err(|e| e.to_string())
            .and_then(|m| {
                let c = Criterion::service(&topo, id).map_err(|e| e.to_string())?;
                cut_sets(&m, &c, 2).map_err(|e| e.to_string())
            });
        plans.push(PlanSection {
            scored,
            cut_sets: cuts,
        });
    }
    bar.finish();
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
    })?;
    super::output::write_atomic(&args.out, html.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
