//! Partial results of a sharded command (`--shard I/N`), schema
//! `drsim.part/1`, read back by `drsim merge`. A run part holds one
//! [`RunData`] per plan (per-batch outputs, in batch order); a reliability
//! part holds the estimator's per-batch sufficient statistics. The JSON
//! layout is in docs/internals.md, "cli/part.rs".

use anyhow::{Context, bail};
use drsim::model::Topology;
use drsim::reliability::parts::EstimateData;
use drsim::shard::Shard;
use drsim::simulate::RunData;
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const SCHEMA: &str = "drsim.part/1";

/// Largest part file read (1 GiB). A run part holds about 90 bytes per
/// trial-year and plan, so this is a whole maximal run (10^7 trial-years)
/// of about ten plans in one shard; anything larger is not a part we wrote.
pub const MAX_PART_BYTES: u64 = 1 << 30;

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct Part {
    pub schema: String,
    pub command: String,
    pub topology: TopologyRef,
    pub seed: u64,
    pub shard: Shard,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<RunPart>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reliability: Option<ReliabilityPart>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<ComparePart>,
}

/// What a compare part adds to its run section: how the merge ranks.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ComparePart {
    /// The `--risk` metric, by its short name.
    pub risk: String,
}

/// Where the topology was read from and what it held, so the merge can
/// reload it and refuse an edited copy.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct TopologyRef {
    /// The path as given on the command line of the shard.
    pub path: String,
    pub name: String,
    pub fingerprint: String,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct RunPart {
    pub trials: usize,
    pub years: usize,
    pub plans: Vec<RunData>,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct ReliabilityPart {
    /// Everything besides the seed that shapes the estimate (criterion,
    /// plan, overrides, method, samples); parts must agree on it.
    pub settings: serde_json::Value,
    /// Compute time of this shard.
    pub seconds: f64,
    pub data: EstimateData,
}

/// A shard's output is a part, whatever `--format` says otherwise.
pub fn require_json(format_is_json: Option<bool>) -> anyhow::Result<()> {
    if format_is_json == Some(false) {
        bail!(
            "--shard writes a partial result, which is always JSON (schema {SCHEMA}): drop \
             --format (or use --format json) and choose the format of the final result with \
             `drsim merge --format`"
        );
    }
    Ok(())
}

impl Part {
    pub fn new(
        command: &str,
        file: &Path,
        topo: &Topology,
        seed: u64,
        shard: Shard,
        run: Option<RunPart>,
        reliability: Option<ReliabilityPart>,
    ) -> Part {
        Part {
            schema: SCHEMA.into(),
            command: command.into(),
            topology: TopologyRef {
                path: file.display().to_string(),
                name: topo.name.clone(),
                fingerprint: drsim::simulate::topology_fingerprint(topo),
            },
            seed,
            shard,
            run,
            reliability,
            compare: None,
        }
    }

    /// The part of a time-based run (`run` or `compare`): the simulated
    /// plans' trial data under `cfg`.
    pub fn of_run(
        command: &str,
        file: &Path,
        topo: &Topology,
        cfg: &drsim::simulate::SimConfig,
        shard: Shard,
        plans: Vec<RunData>,
    ) -> Part {
        let run = RunPart {
            trials: cfg.trials,
            years: cfg.years,
            plans,
        };
        Part::new(command, file, topo, cfg.seed, shard, Some(run), None)
    }

    pub fn to_json(&self) -> anyhow::Result<String> {
        let mut s = serde_json::to_string(self)?;
        s.push('\n');
        Ok(s)
    }

    /// Reads and checks one part file; errors name the file. Parts larger
    /// than [`MAX_PART_BYTES`] are refused unread.
    pub fn read(path: &Path) -> anyhow::Result<Part> {
        let bytes = drsim::io::read::read_file(path, MAX_PART_BYTES)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| anyhow::anyhow!("{}: not a drsim part (not UTF-8)", path.display()))?;
        let v: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a drsim part (invalid JSON)", path.display()))?;
        match v.get("schema").and_then(|s| s.as_str()) {
            Some(SCHEMA) => {}
            Some(other) => bail!(
                "{}: schema '{other}' is not a part (expected {SCHEMA}; was it written by \
                 `--shard`?)",
                path.display()
            ),
            None => bail!(
                "{}: not a drsim part (no \"schema\": \"{SCHEMA}\"; was it written by `--shard`?)",
                path.display()
            ),
        }
        let part: Part = serde_json::from_value(v)
            .with_context(|| format!("{}: malformed part", path.display()))?;
        Shard::new(part.shard.index(), part.shard.count())
            .with_context(|| format!("{}: bad shard", path.display()))?;
        match (
            part.command.as_str(),
            &part.run,
            &part.reliability,
            &part.compare,
        ) {
            ("run", Some(_), None, None)
            | ("compare", Some(_), None, Some(_))
            | ("reliability", None, Some(_), None) => {}
            ("run" | "compare" | "reliability", _, _, _) => bail!(
                "{}: malformed part: a '{}' part must hold exactly its own section",
                path.display(),
                part.command
            ),
            (other, _, _, _) => bail!(
                "{}: parts of '{}' cannot be merged by this version of drsim",
                path.display(),
                drsim::model::text::escape(other)
            ),
        }
        if let Some(run) = &part.run {
            for data in &run.plans {
                known_sampler(path, data.sampler, drsim::simulate::SAMPLER)?;
                data.check_values()
                    .with_context(|| format!("{}", path.display()))?;
            }
        }
        if let Some(r) = &part.reliability {
            known_sampler(path, r.data.sampler, r.data.stats.current_sampler())?;
        }
        Ok(part)
    }
}

/// A sampler version this drsim knows: 0 is never written, and a version
/// past this drsim's is a newer drsim's part.
fn known_sampler(path: &Path, version: u32, current: u32) -> anyhow::Result<()> {
    if version == 0 {
        bail!(
            "{}: malformed part: sampler version 0 (versions start at 1)",
            path.display()
        );
    }
    if version > current {
        bail!(
            "{}: sampler version {version} was written by a newer drsim (this one writes \
             version {current}): merge its parts with that drsim",
            path.display()
        );
    }
    Ok(())
}
