//! The availability objectives a run exports: each plan's
//! `targets.availability` from the topology file (SLO `PLAN-availability`,
//! period 30d, Sloth's default), replaced for a plan by the objectives of
//! the OpenSLO file beside the topology (`STEM.openslo.yaml` or `.yml`).

use anyhow::Context;
use drsim::model::Topology;
use drsim::report::openmetrics::Objective;
use std::path::{Path, PathBuf};

/// The OpenSLO file that goes with `file`, if there is one.
pub fn openslo_path(file: &Path) -> Option<PathBuf> {
    let stem = file.file_stem()?.to_str()?;
    ["openslo.yaml", "openslo.yml"]
        .iter()
        .map(|ext| file.with_file_name(format!("{stem}.{ext}")))
        .find(|p| p.is_file())
}

pub fn objectives(topo: &Topology, file: &Path) -> anyhow::Result<Vec<Objective>> {
    let from_slo = match openslo_path(file) {
        Some(p) => {
            let text = std::fs::read_to_string(&p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            drsim::report::openslo::parse(&text, &p.display().to_string(), topo)?
        }
        None => Vec::new(),
    };
    let mut out: Vec<Objective> = topo
        .plans
        .iter()
        .filter(|p| !from_slo.iter().any(|o| o.plan == p.key))
        .filter_map(|p| {
            Some(Objective {
                plan: p.key.clone(),
                slo: format!("{}-availability", p.key),
                target: p.targets.availability?.get(),
                window: "30d".into(),
            })
        })
        .collect();
    out.extend(from_slo);
    Ok(out)
}
