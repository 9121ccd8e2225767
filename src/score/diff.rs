//! Two versions of a topology: what changed in the model (compared in the
//! canonical TOML form of [`crate::io::save`], components matched by id), and
//! how each plan's scores moved (trial `i` of the old run paired with trial
//! `i` of the new). The JSON schema `drsim.diff/1` ([`DiffReport`]) is in
//! docs/internals.md, "score/diff.rs".

use super::{Metric, ScoreError, ScoredPlan, Verdict, paired_difference};
use crate::model::Topology;
use crate::simulate::Estimate;
use serde::Serialize;

pub const SCHEMA: &str = "drsim.diff/1";

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    /// `None`: the field is absent on that side.
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComponentChange {
    /// "topology", "region", "site", "link", "shared_risk", "release_train",
    /// "operator_errors", "demand", "surge", "service", "plan", "crew" or
    /// "fleet_command" (the file's table names).
    pub kind: &'static str,
    pub id: String,
    pub change: ChangeKind,
    pub fields: Vec<FieldChange>,
}

/// The file's array tables, in file order, each keyed by `id`.
const ARRAYS: [&str; 11] = [
    "region",
    "site",
    "link",
    "shared_risk",
    "release_train",
    "demand",
    "surge",
    "service",
    "plan",
    "crew",
    "fleet_command",
];

fn text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn field_changes(old: &toml::Table, new: &toml::Table) -> Vec<FieldChange> {
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| FieldChange {
            field: k.clone(),
            old: old.get(k).map(text),
            new: new.get(k).map(text),
        })
        .collect()
}

/// A model's canonical TOML ([`crate::io::save::canonical_sections`]), one
/// section per table, parsed only when needed: holding both models as parsed
/// TOML took about 6 KB per site (13 GB for two 10^6-site files).
struct Canonical {
    text: String,
    sections: Vec<(&'static str, std::ops::Range<usize>)>,
}

impl Canonical {
    fn new(t: &Topology) -> Canonical {
        let (text, marks) = crate::io::save::canonical_sections(t);
        let sections = marks
            .iter()
            .enumerate()
            .map(|(i, &(kind, start))| {
                let end = marks.get(i + 1).map_or(text.len(), |m| m.1);
                (kind, start..end)
            })
            .collect();
        Canonical { text, sections }
    }

    fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.sections
            .iter()
            .filter(move |(k, _)| *k == kind)
            .map(|(_, r)| &self.text[r.clone()])
    }

    /// The sections of an array kind, in order, each with its `id` (the
    /// canonical form writes it on one line, first).
    fn items<'a>(&'a self, kind: &'a str) -> Vec<(String, &'a str)> {
        self.of_kind(kind)
            .map(|section| {
                let id = section
                    .lines()
                    .find(|l| l.starts_with("id = "))
                    .and_then(|l| toml::from_str::<toml::Table>(l).ok())
                    .and_then(|t| t.get("id").map(text))
                    .unwrap_or_default();
                (id, section)
            })
            .collect()
    }
}

/// The table a canonical section holds: `[kind]`, or the one element of
/// `[[kind]]` (with its sub-tables, such as a region's hazards).
fn table_of(kind: &str, section: &str) -> toml::Table {
    let mut doc: toml::Table =
        toml::from_str(section).expect("a canonical section of a valid topology parses");
    match doc.remove(kind) {
        Some(toml::Value::Table(t)) => t,
        Some(toml::Value::Array(mut a)) if !a.is_empty() => match a.swap_remove(0) {
            toml::Value::Table(t) => t,
            _ => toml::Table::new(),
        },
        _ => toml::Table::new(),
    }
}

/// The fields that differ between two sections (none when the texts match,
/// without parsing them).
fn section_changes(kind: &str, a: &str, b: &str) -> Vec<FieldChange> {
    if a == b {
        return Vec::new();
    }
    field_changes(&table_of(kind, a), &table_of(kind, b))
}

/// Everything that differs between two models.
pub fn model_diff(old: &Topology, new: &Topology) -> Vec<ComponentChange> {
    let (o, n) = (Canonical::new(old), Canonical::new(new));
    let mut out = Vec::new();
    for (kind, id) in [("topology", new.name.as_str()), ("operator_errors", "")] {
        let (a, b) = (o.of_kind(kind).next(), n.of_kind(kind).next());
        let change = match (a, b) {
            (None, None) => continue,
            (Some(_), None) => ChangeKind::Removed,
            (None, Some(_)) => ChangeKind::Added,
            (Some(_), Some(_)) => ChangeKind::Changed,
        };
        let fields = match (a, b) {
            (Some(a), Some(b)) => section_changes(kind, a, b),
            _ => Vec::new(),
        };
        if change != ChangeKind::Changed || !fields.is_empty() {
            out.push(ComponentChange {
                kind,
                id: id.to_string(),
                change,
                fields,
            });
        }
    }
    for kind in ARRAYS {
        let (a, b) = (o.items(kind), n.items(kind));
        // Matched by id through maps: a linear search per item made a diff
        // of two 10^5-site files take minutes.
        let by_id = |v: &[(String, &str)]| -> std::collections::HashMap<String, usize> {
            v.iter()
                .enumerate()
                .rev()
                .map(|(i, (k, _))| (k.clone(), i))
                .collect()
        };
        let (in_a, in_b) = (by_id(&a), by_id(&b));
        for (id, sa) in &a {
            match in_b.get(id).map(|&i| b[i].1) {
                None => out.push(ComponentChange {
                    kind,
                    id: id.clone(),
                    change: ChangeKind::Removed,
                    fields: Vec::new(),
                }),
                Some(sb) => {
                    let fields = section_changes(kind, sa, sb);
                    if !fields.is_empty() {
                        out.push(ComponentChange {
                            kind,
                            id: id.clone(),
                            change: ChangeKind::Changed,
                            fields,
                        });
                    }
                }
            }
        }
        for (id, _) in &b {
            if !in_a.contains_key(id) {
                out.push(ComponentChange {
                    kind,
                    id: id.clone(),
                    change: ChangeKind::Added,
                    fields: Vec::new(),
                });
            }
        }
    }
    out
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricDelta {
    pub metric: &'static str,
    pub old: Estimate,
    pub new: Estimate,
    /// New minus old, paired over trials.
    pub difference: Estimate,
    pub verdict: Verdict,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanDelta {
    pub plan: String,
    pub name: String,
    pub cost_old: f64,
    pub cost_new: f64,
    pub metrics: Vec<MetricDelta>,
}

impl PlanDelta {
    pub fn metric(&self, m: Metric) -> Option<&MetricDelta> {
        self.metrics.iter().find(|d| d.metric == m.key())
    }
}

/// How one plan's scores moved between two paired runs.
pub fn plan_delta(old: &ScoredPlan, new: &ScoredPlan) -> Result<PlanDelta, ScoreError> {
    let mut metrics = Vec::new();
    for m in Metric::ALL {
        let d = paired_difference(old.values(m), new.values(m))?;
        metrics.push(MetricDelta {
            metric: m.key(),
            old: old.estimate(m),
            new: new.estimate(m),
            difference: d,
            verdict: Verdict::of(&d, m.higher_is_better()),
        });
    }
    Ok(PlanDelta {
        plan: new.plan().to_string(),
        name: new.report.name.clone(),
        cost_old: old.report.cost_per_year,
        cost_new: new.report.cost_per_year,
        metrics,
    })
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DiffReport {
    pub schema: &'static str,
    pub old: String,
    pub new: String,
    #[serde(flatten)]
    pub settings: super::RunSettings,
    pub model: Vec<ComponentChange>,
    pub plans: Vec<PlanDelta>,
    pub plans_added: Vec<String>,
    pub plans_removed: Vec<String>,
}

/// Plans present in both models, by id: `(old index, new index)`, in the new
/// file's order; and the ids only in the old and only in the new model.
pub fn match_plans(
    old: &Topology,
    new: &Topology,
) -> (Vec<(usize, usize)>, Vec<String>, Vec<String>) {
    let both = new
        .plans
        .iter()
        .enumerate()
        .filter_map(|(j, p)| old.plan_id(&p.key).map(|i| (i.index(), j)))
        .collect();
    // The ids of `a`'s plans that `b` does not have.
    let only_in = |a: &Topology, b: &Topology| {
        a.plans
            .iter()
            .filter(|p| b.plan_id(&p.key).is_none())
            .map(|p| p.key.clone())
            .collect()
    };
    (both, only_in(old, new), only_in(new, old))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn load(name: &str) -> Topology {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("topologies")
            .join(name);
        crate::io::load_path(&p).unwrap()
    }

    #[test]
    fn identical_models_have_no_changes() {
        let t = load("global-messaging.toml");
        assert!(model_diff(&t, &t.clone()).is_empty());
    }

    #[test]
    fn components_and_the_topology_table_are_diffed_too() {
        let old = load("global-messaging.toml");
        let mut p = old.clone().into_parts();
        p.description = "edited".into();
        p.sites[0].capacity_rps *= 2.0;
        let site = p.sites[0].key.clone();
        // A link no shared-risk group names, so removing it keeps the
        // model valid.
        let li = (0..p.links.len())
            .rev()
            .find(|&i| {
                p.shared_risks
                    .iter()
                    .all(|g| g.links.iter().all(|l| l.index() != i))
            })
            .unwrap();
        let link = p.links.remove(li).key;
        for g in &mut p.shared_risks {
            for l in &mut g.links {
                if l.index() > li {
                    l.0 -= 1;
                }
            }
        }
        let new = Topology::from_parts(p).unwrap();
        let d = model_diff(&old, &new);
        let summary: Vec<(&str, &str, ChangeKind, Vec<&str>)> = d
            .iter()
            .map(|c| {
                (
                    c.kind,
                    c.id.as_str(),
                    c.change,
                    c.fields.iter().map(|f| f.field.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "topology",
                    old.name.as_str(),
                    ChangeKind::Changed,
                    vec!["description"]
                ),
                (
                    "site",
                    site.as_str(),
                    ChangeKind::Changed,
                    vec!["capacity_rps"]
                ),
                ("link", link.as_str(), ChangeKind::Removed, vec![]),
            ]
        );
    }

    /// A fleet command taken out of the bundled default is listed (it was
    /// missing from the kinds, so `diff` said "none").
    /// Each change as (kind, id, change), in the diff's order.
    fn summary(d: &[ComponentChange]) -> Vec<(&str, &str, ChangeKind)> {
        d.iter()
            .map(|c| (c.kind, c.id.as_str(), c.change))
            .collect()
    }

    #[test]
    fn fleet_commands_are_diffed() {
        let old = load("global-messaging.toml");
        let mut p = old.clone().into_parts();
        let key = p.fleet_commands.remove(0).key;
        let new = Topology::from_parts(p).unwrap();
        let d = model_diff(&old, &new);
        let summary = summary(&d);
        assert_eq!(
            summary,
            vec![("fleet_command", key.as_str(), ChangeKind::Removed)]
        );
    }

    #[test]
    fn edits_show_as_added_removed_and_changed_fields() {
        let old = load("global-messaging.toml");
        let mut p = old.clone().into_parts();
        let plan = p
            .plans
            .iter_mut()
            .find(|p| p.key == "active-passive")
            .unwrap();
        plan.detection = crate::units::Duration::from_secs(60.0).unwrap();
        plan.cost_per_year = 70e6;
        let removed = p.plans.remove(0);
        let mut extra = removed.clone();
        extra.key = "brand-new".into();
        p.plans.push(extra);
        let new = Topology::from_parts(p).unwrap();
        let d = model_diff(&old, &new);
        let summary = summary(&d);
        assert_eq!(
            summary,
            vec![
                ("plan", removed.key.as_str(), ChangeKind::Removed),
                ("plan", "active-passive", ChangeKind::Changed),
                ("plan", "brand-new", ChangeKind::Added),
            ]
        );
        let fields: Vec<(&str, Option<&str>, Option<&str>)> = d[1]
            .fields
            .iter()
            .map(|f| (f.field.as_str(), f.old.as_deref(), f.new.as_deref()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("cost_per_year", Some("65000000.0"), Some("70000000.0")),
                ("detection", Some("5m"), Some("1m")),
            ]
        );
        let (both, gone, added) = match_plans(&old, &new);
        assert_eq!(both.len(), old.plans.len() - 1);
        assert_eq!(gone, vec![removed.key.clone()]);
        assert_eq!(added, vec!["brand-new".to_string()]);
    }
}
