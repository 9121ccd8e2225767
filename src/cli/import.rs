//! `drsim import FILE -o OUT.toml`: convert a Topology Zoo GraphML or SNDlib
//! native file to a drsim TOML topology, filling in capacities and failure
//! processes the file does not give (defaults: `drsim::io::import::defaults`,
//! each traced to a row of failure-rates.md).

use anyhow::bail;
use drsim::io::import::{self, ImportOptions, LinkFailure, defaults};
use drsim::io::{save, write};
use drsim::model::Distribution;
use drsim::units::Duration;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// GraphML (Topology Zoo) or SNDlib native file.
    pub file: PathBuf,
    /// Where to write the TOML topology (atomically).
    #[arg(short = 'o', long = "out", value_name = "PATH", alias = "output")]
    pub output: PathBuf,
    /// Replace the --out file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Topology name (default: the file's own, else the file name).
    #[arg(long)]
    pub name: Option<String>,
    /// Capacity of links whose file gives none, Gbit/s.
    #[arg(long, default_value_t = defaults::CAPACITY_GBPS)]
    pub default_capacity_gbps: f64,
    /// Fibre cuts per 1000 km per year (failure-rates.md B2).
    #[arg(long, default_value_t = defaults::FIBRE_CUTS_PER_1000KM_YEAR)]
    pub cuts_per_1000km: f64,
    /// Route length assumed for links with an end lacking coordinates, km.
    #[arg(long, default_value_t = defaults::FALLBACK_LINK_KM)]
    pub fallback_link_km: f64,
    /// Median link repair time (lognormal; failure-rates.md B4).
    #[arg(long, default_value = "6h")]
    pub repair_median: String,
    /// Lognormal sigma of the link repair time.
    #[arg(long, default_value_t = defaults::REPAIR_SIGMA)]
    pub repair_sigma: f64,
    /// Links never fail on their own.
    #[arg(long)]
    pub no_link_failures: bool,
    /// Give every site this steady-state unavailability (default: sites do
    /// not fail on their own; failure-rates.md has no per-PoP event rate).
    #[arg(long)]
    pub node_unavailability: Option<f64>,
    /// Mean repair time for --node-unavailability and for
    /// `failure_probability` attributes.
    #[arg(long, default_value = "6h")]
    pub mttr: String,
    /// Extra comment lines for the output header (attribution, licence).
    #[arg(long)]
    pub attribution: Vec<String>,
}

fn duration(text: &str, flag: &str) -> anyhow::Result<Duration> {
    Duration::parse(text).map_err(|e| anyhow::anyhow!("--{flag} '{text}': {e}"))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mttr = duration(&args.mttr, "mttr")?;
    let repair_median = duration(&args.repair_median, "repair-median")?;
    let repair = Distribution::lognormal(repair_median, args.repair_sigma)
        .map_err(|e| anyhow::anyhow!("--repair-median/--repair-sigma: {e}"))?;
    let mut opts = ImportOptions {
        default_capacity_gbps: args.default_capacity_gbps,
        link_failure: if args.no_link_failures {
            LinkFailure::Never
        } else {
            LinkFailure::PerLength {
                cuts_per_1000km_year: args.cuts_per_1000km,
                fallback_km: args.fallback_link_km,
                repair,
            }
        },
        node_failure: None,
        probability_mttr: mttr,
    };
    if let Some(q) = args.node_unavailability {
        opts.node_failure = opts
            .process_from_probability(q)
            .map_err(|m| anyhow::anyhow!("--node-unavailability: {m}"))?;
    }
    // --force replaces a file, never a directory: say so before the import.
    if args.output.is_dir() {
        bail!(
            "cannot write {}: it is a directory; give a file's path",
            args.output.display()
        );
    }
    if args.output.exists() && !args.force {
        bail!(
            "{} exists; pass --force to replace it",
            args.output.display()
        );
    }
    let imported = import::import_path_with_warnings(&args.file, &opts)?;
    for w in &imported.warnings {
        eprintln!("{}: warning: {w}", args.file.display());
    }
    let mut t = imported.topology;
    if let Some(n) = &args.name {
        t.name = n.clone();
    }
    let source = args
        .file
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut header = format!("Imported by `drsim import` from {source}.\n");
    for a in &args.attribution {
        header.push_str(a);
        header.push('\n');
    }
    header.push_str(&assumptions(&args, &opts));
    let text = save::to_toml_string_with_header(&t, &header);
    // What is written must load: the importers check less than the loader
    // (e.g. its caps on capacities and demand), so the text is validated as
    // `drsim validate` would, and refused with the loader's reasons.
    if let Err(e) = drsim::io::load_str(&text, &args.output) {
        bail!(
            "{}: the imported network would not be a valid topology:\n{e}",
            args.file.display()
        );
    }

    let existing = if args.force {
        write::Existing::Replace
    } else {
        write::Existing::Refuse
    };
    write::write_file(&args.output, text.as_bytes(), existing).map_err(|e| match e {
        write::WriteError::Exists(p) => {
            anyhow::anyhow!("{} exists; pass --force to replace it", p.display())
        }
        other => other.into(),
    })?;
    println!(
        "{}: {} sites, {} links, {} demands -> {}",
        args.file.display(),
        t.sites.len(),
        t.links.len(),
        t.demands.len(),
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The header lines that say which numbers were filled in, and from where.
fn assumptions(args: &Args, opts: &ImportOptions) -> String {
    let mut h = String::from("Filled in by the importer (illustrative, not measurements):\n");
    h.push_str(&format!(
        "- links without a stated capacity: {} Gbit/s\n",
        opts.default_capacity_gbps
    ));
    if args.no_link_failures {
        h.push_str("- links: no failures\n");
    } else {
        h.push_str(&format!(
            "- link failures: {} cuts per 1000 km per year x great-circle length ({} km when an end has no coordinates); source: failure-rates.md B2\n",
            args.cuts_per_1000km, args.fallback_link_km
        ));
        h.push_str(&format!(
            "- link repair: lognormal, median {}, sigma {}; source: failure-rates.md B4\n",
            args.repair_median, args.repair_sigma
        ));
    }
    match args.node_unavailability {
        Some(q) => h.push_str(&format!(
            "- sites: unavailability {q}, exponential repair with mean {}\n",
            args.mttr
        )),
        None => {
            h.push_str("- sites: no failures of their own (no per-PoP rate in failure-rates.md)\n")
        }
    }
    h
}
