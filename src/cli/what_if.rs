//! `--down ID`: a what-if scenario, components held down for the whole run,
//! shared by `run` and `reliability`. The library resolves the names
//! ([`FailedSet::from_names`]); this only parses the flag and names the
//! scenario in the output.

use drsim::model::Topology;
use drsim::service::FailedSet;

#[derive(clap::Args, Debug, Clone, Default)]
pub struct WhatIfArgs {
    /// What-if: hold a component down for the whole run (site:ID, link:ID,
    /// region:ID, risk:ID, train:ID, service:ID, or a bare id); repeatable.
    #[arg(long, value_name = "ID")]
    pub down: Vec<String>,
}

impl WhatIfArgs {
    /// The failure state of the scenario (empty without `--down`).
    pub fn state(&self, t: &Topology) -> anyhow::Result<FailedSet> {
        FailedSet::from_names(t, &self.down).map_err(|e| anyhow::anyhow!("--down: {e}"))
    }

    /// `text` (text or JSON output) with the scenario named, unchanged when
    /// there is none: JSON gains a `what_if` list, text a first line.
    pub fn tag(&self, text: String, json: bool) -> anyhow::Result<String> {
        if self.down.is_empty() {
            return Ok(text);
        }
        if json {
            let mut v: serde_json::Value = serde_json::from_str(&text)?;
            if let Some(o) = v.as_object_mut() {
                o.insert("what_if".into(), serde_json::json!(self.down));
            }
            return Ok(serde_json::to_string_pretty(&v)? + "\n");
        }
        Ok(format!(
            "what-if: held down for the whole run: {}\n{text}",
            self.down.join(", ")
        ))
    }
}
