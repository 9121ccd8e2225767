//! Availability objectives from OpenSLO v1 files (`kind: SLO`), for the
//! SLO exports (`drsim run --format openmetrics`).
//!
//! An SLO belongs to the plan named by its `metadata.labels["drsim.plan"]`,
//! else to the plan whose id is its `metadata.name`. Each of its
//! `spec.objectives[]` gives a target (`target` as a ratio, or
//! `targetPercent`); `spec.timeWindow[0].duration` (e.g. `28d`) is the
//! period. Other kinds in the same file (Service, SLI, ...) are skipped.

use super::openmetrics::Objective;
use crate::model::Topology;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum OpenSloError {
    #[error("{file}:{line}:{column}: error: {msg}")]
    Yaml {
        file: String,
        line: usize,
        column: usize,
        msg: String,
    },
    #[error("{file}: error: {msg}")]
    Invalid { file: String, msg: String },
}

#[derive(Deserialize)]
struct Doc {
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    kind: Option<String>,
    #[serde(default)]
    metadata: Metadata,
    spec: Option<Spec>,
}

#[derive(Deserialize, Default)]
struct Metadata {
    name: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, serde_norway::Value>,
}

#[derive(Deserialize)]
struct Spec {
    #[serde(rename = "timeWindow", default)]
    time_window: Vec<TimeWindow>,
    #[serde(default)]
    objectives: Vec<Target>,
}

#[derive(Deserialize)]
struct TimeWindow {
    duration: Option<String>,
}

#[derive(Deserialize)]
struct Target {
    #[serde(rename = "displayName")]
    display_name: Option<String>,
    target: Option<f64>,
    #[serde(rename = "targetPercent")]
    target_percent: Option<f64>,
}

/// The label that maps an SLO to a plan.
pub const PLAN_LABEL: &str = "drsim.plan";

/// A period such as `28d`, `4w`, `1h`: digits and one unit letter.
fn valid_window(w: &str) -> bool {
    let (n, unit) = w.split_at(w.len().saturating_sub(1));
    !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && matches!(unit, "m" | "h" | "d" | "w")
}

/// The objectives in `text` (the contents of `file`), mapped to `topo`'s plans.
pub fn parse(text: &str, file: &str, topo: &Topology) -> Result<Vec<Objective>, OpenSloError> {
    let invalid = |msg: String| OpenSloError::Invalid {
        file: file.to_string(),
        msg,
    };
    let mut out = Vec::new();
    for de in serde_norway::Deserializer::from_str(text) {
        let doc = Doc::deserialize(de).map_err(|e| {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            OpenSloError::Yaml {
                file: file.to_string(),
                line,
                column,
                msg: e.to_string(),
            }
        })?;
        if doc.kind.as_deref() != Some("SLO") {
            continue;
        }
        let name = doc
            .metadata
            .name
            .clone()
            .ok_or_else(|| invalid("an SLO without metadata.name".into()))?;
        if doc.api_version.as_deref() != Some("openslo/v1") {
            return Err(invalid(format!(
                "SLO '{name}': apiVersion {:?} is not openslo/v1",
                doc.api_version.unwrap_or_default()
            )));
        }
        let plan = match doc.metadata.labels.get(PLAN_LABEL) {
            Some(serde_norway::Value::String(p)) => p.clone(),
            Some(_) => {
                return Err(invalid(format!(
                    "SLO '{name}': label {PLAN_LABEL} must be a string"
                )));
            }
            None => name.clone(),
        };
        if topo.plan_id(&plan).is_none() {
            let known: Vec<&str> = topo.plans.iter().map(|p| p.key.as_str()).collect();
            return Err(invalid(format!(
                "SLO '{name}' is for plan '{plan}', which the topology does not have (plans: {}); \
                 name the plan with metadata.labels.{PLAN_LABEL} or metadata.name",
                known.join(", ")
            )));
        }
        let spec = doc
            .spec
            .ok_or_else(|| invalid(format!("SLO '{name}' has no spec")))?;
        let window = spec
            .time_window
            .first()
            .and_then(|w| w.duration.clone())
            .ok_or_else(|| invalid(format!("SLO '{name}' has no spec.timeWindow[0].duration")))?;
        if !valid_window(&window) {
            return Err(invalid(format!(
                "SLO '{name}': timeWindow duration '{window}' is not a number and one of m, h, d, w"
            )));
        }
        if spec.objectives.is_empty() {
            return Err(invalid(format!("SLO '{name}' has no spec.objectives")));
        }
        let several = spec.objectives.len() > 1;
        for (i, o) in spec.objectives.iter().enumerate() {
            let target = match (o.target, o.target_percent) {
                (Some(t), None) => t,
                (None, Some(p)) => p / 100.0,
                _ => {
                    return Err(invalid(format!(
                        "SLO '{name}', objective {}: give exactly one of target and targetPercent",
                        i + 1
                    )));
                }
            };
            if !(target > 0.0 && target < 1.0) {
                return Err(invalid(format!(
                    "SLO '{name}', objective {}: target {target} must be between 0 and 1 (exclusive)",
                    i + 1
                )));
            }
            let slo = match (&o.display_name, several) {
                (_, false) => name.clone(),
                (Some(d), true) => format!("{name}-{d}"),
                (None, true) => format!("{name}-{}", i + 1),
            };
            out.push(Objective {
                plan: plan.clone(),
                slo,
                target,
                window: window.clone(),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn windows() {
        assert!(super::valid_window("28d") && super::valid_window("1w"));
        assert!(
            !super::valid_window("d") && !super::valid_window("28") && !super::valid_window("2.5d")
        );
    }
}
