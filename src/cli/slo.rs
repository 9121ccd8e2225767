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

/// `topo` with the availability target of every plan that the OpenSLO file
/// beside `file` covers replaced by its strictest objective there (the
/// simulated availability is a long-run figure, so the window does not
/// change the verdict), for `check` and `report`. Says on standard error
/// which plans took their target from which file.
pub fn with_openslo_targets(topo: &Topology, file: &Path) -> anyhow::Result<Topology> {
    let Some(p) = openslo_path(file) else {
        return Ok(topo.clone());
    };
    let text =
        std::fs::read_to_string(&p).with_context(|| format!("cannot read {}", p.display()))?;
    let objectives = drsim::report::openslo::parse(&text, &p.display().to_string(), topo)?;
    let mut t = topo.clone();
    let mut plans = Vec::new();
    for plan in &mut t.plans {
        let strictest = objectives
            .iter()
            .filter(|o| o.plan == plan.key)
            .map(|o| o.target)
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
        if let Some(target) = strictest {
            plan.targets.availability = drsim::units::Probability::new(target);
            plans.push(plan.key.clone());
        }
    }
    if !plans.is_empty() {
        eprintln!(
            "note: availability targets of {} from {}",
            plans.join(", "),
            p.display()
        );
    }
    Ok(t)
}
