//! Shared pieces of the real-network importers ([`super::graphml`],
//! [`super::sndlib`]): the options that fill in what the files do not say
//! (capacities, failure and repair processes), the error type, and
//! [`import_path`], which reads a file and picks the format.
//!
//! Imported networks carry topology and sometimes capacities, never failure
//! data, so every failure process an importer attaches comes from
//! [`ImportOptions`]. The defaults are the published figures in
//! `shared/data/failure-rates.md`, gathered in [`defaults`] with their rows.

use crate::model::{Distribution, FailureProcess, GeoPoint, Topology};
use crate::units::{Duration, Probability, SECONDS_PER_YEAR};
use std::fmt;
use std::path::{Path, PathBuf};

/// Every default number the importers use, with the row of
/// `shared/data/failure-rates.md` it comes from. Change them here only.
pub mod defaults {
    /// Capacity of a link whose file gives none. Our choice, not a
    /// measurement: a common backbone wavelength rate (100G).
    pub const CAPACITY_GBPS: f64 = 100.0;
    /// Service-affecting cuts of buried fibre per 1,000 km per year.
    /// Source: failure-rates.md B2 (AFL 2001, citing Bellcore data).
    pub const FIBRE_CUTS_PER_1000KM_YEAR: f64 = 2.13;
    /// Route length assumed when an end of a link has no coordinates.
    /// Source: the worked example of failure-rates.md B2 ("a 500 km buried
    /// span gives ≈ 1.07 cuts/yr"); an order of magnitude, not a measurement.
    pub const FALLBACK_LINK_KM: f64 = 500.0;
    /// Shortest route length used for the cut rate: co-located PoPs are still
    /// joined by some fibre, and a zero rate would make the link immortal.
    pub const MIN_LINK_KM: f64 = 1.0;
    /// Median fibre repair time, hours. Source: failure-rates.md B4
    /// ("≥ 6 h buried"; low confidence) and the suggested WAN default row.
    pub const REPAIR_MEDIAN_HOURS: f64 = 6.0;
    /// Lognormal sigma of the repair time. Our choice to give B4's "long tail
    /// to days": the 95th percentile is 6 h · e^(1.645 · 1.0) ≈ 31 h.
    pub const REPAIR_SIGMA: f64 = 1.0;
    /// Mean repair time for components whose file gives a steady-state
    /// unavailability (`failure_probability`): the B4 median, used as the
    /// exponential mean of [`crate::model::FailureProcess::from_unavailability`].
    pub const PROBABILITY_MTTR_HOURS: f64 = 6.0;
    /// Largest file [`super::import_path`] reads.
    pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
    /// Largest number of XML nodes roxmltree builds for one GraphML file
    /// (the largest Topology Zoo file, Kdl, has well under 100,000).
    pub const MAX_XML_NODES: u32 = 5_000_000;
    /// Least load memory the written topology charges one imported site,
    /// link or demand (its `[[site]]` header and id; see
    /// [`crate::io::load::size`]), in bytes.
    pub const MIN_ELEMENT_LOAD_BYTES: u64 = 1_900;
    /// Most sites, links and demands one import may hold: more could never
    /// load within the loader's memory limit, so the importer refuses them
    /// before it builds the model (a 64 MiB file of bare nodes peaked at
    /// 1.6 GB on its way to that refusal).
    pub const MAX_ELEMENTS: usize =
        (crate::io::load::MAX_LOAD_BYTES / MIN_ELEMENT_LOAD_BYTES) as usize;
}

/// Refuses an import whose `count`-th site, link or demand (at `line`)
/// passes [`defaults::MAX_ELEMENTS`].
pub fn check_element_count(count: usize, line: Option<u32>) -> Result<(), ImportError> {
    if count <= defaults::MAX_ELEMENTS {
        return Ok(());
    }
    Err(ImportError::at(
        line,
        format!(
            "the network has more than {} sites, links and demands; a topology that large \
             could not be loaded (each costs at least {} bytes of the loader's {} MB): \
             import a coarser network",
            defaults::MAX_ELEMENTS,
            defaults::MIN_ELEMENT_LOAD_BYTES,
            crate::io::load::MAX_LOAD_BYTES / 1_000_000
        ),
    ))
}

/// How links fail when the file says nothing about it.
#[derive(Clone, Debug, PartialEq)]
pub enum LinkFailure {
    /// Fibre cuts as a Poisson process whose rate is proportional to the
    /// great-circle length between the ends (a lower bound on the real route
    /// length), or to `fallback_km` when an end has no coordinates.
    PerLength {
        cuts_per_1000km_year: f64,
        fallback_km: f64,
        repair: Distribution,
    },
    /// The same process for every link, whatever its length.
    Fixed(FailureProcess),
    /// Links never fail on their own.
    Never,
}

/// What the importers fill in that the files do not say.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportOptions {
    /// Capacity of links without a stated capacity.
    pub default_capacity_gbps: f64,
    pub link_failure: LinkFailure,
    /// Failure of every site (PoP). `None` by default: failure-rates.md has
    /// no per-PoP event rate (D1 gives only yearly downtime of whole data
    /// centres, no event counts), so we attach none rather than invent one.
    pub node_failure: Option<FailureProcess>,
    /// Mean repair time for a `failure_probability` given in a GraphML file.
    pub probability_mttr: Duration,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            default_capacity_gbps: defaults::CAPACITY_GBPS,
            link_failure: LinkFailure::PerLength {
                cuts_per_1000km_year: defaults::FIBRE_CUTS_PER_1000KM_YEAR,
                fallback_km: defaults::FALLBACK_LINK_KM,
                repair: default_repair(),
            },
            node_failure: None,
            probability_mttr: Duration::from_hours(defaults::PROBABILITY_MTTR_HOURS)
                .unwrap_or(Duration::ZERO),
        }
    }
}

/// Lognormal fibre repair, median and sigma from [`defaults`].
pub fn default_repair() -> Distribution {
    Duration::from_hours(defaults::REPAIR_MEDIAN_HOURS)
        .and_then(|m| Distribution::lognormal(m, defaults::REPAIR_SIGMA).ok())
        .unwrap_or(Distribution::Fixed {
            value: Duration::ZERO,
        })
}

/// Rounds a duration in seconds to four significant digits of hours, so a
/// saved import reads `mtbf = "3589h"`, not `"12921236.932592032s"`. Cut
/// rates per 1000 km are known to one or two digits at best; the rounding
/// changes a link's failure rate by at most 0.05%.
fn round_hours(secs: f64) -> f64 {
    let h = secs / 3600.0;
    if !(h.is_finite() && h >= 1.0) {
        return secs;
    }
    let digits = h.log10().floor() as i32 - 3;
    let rounded = if digits >= 0 {
        let m = 10f64.powi(digits);
        (h / m).round() * m
    } else {
        let m = 10f64.powi(-digits);
        (h * m).round() / m
    };
    rounded * 3600.0
}

impl ImportOptions {
    /// The failure process of a link between points `a` and `b` (either may
    /// be unknown). `None` when links never fail.
    pub fn link_process(&self, a: Option<GeoPoint>, b: Option<GeoPoint>) -> Option<FailureProcess> {
        match &self.link_failure {
            LinkFailure::Never => None,
            LinkFailure::Fixed(p) => Some(p.clone()),
            LinkFailure::PerLength {
                cuts_per_1000km_year,
                fallback_km,
                repair,
            } => {
                let km = match (a, b) {
                    (Some(a), Some(b)) => a.distance_km(b),
                    _ => *fallback_km,
                }
                .max(defaults::MIN_LINK_KM);
                let per_year = cuts_per_1000km_year * km / 1000.0;
                let mean = Duration::from_secs(round_hours(SECONDS_PER_YEAR / per_year))?;
                Some(FailureProcess {
                    ttf: Distribution::exponential(mean).ok()?,
                    ttr: repair.clone(),
                })
            }
        }
    }

    /// The process for a component whose file gives its steady-state
    /// unavailability `q`. `q == 0` means it never fails.
    pub fn process_from_probability(&self, q: f64) -> Result<Option<FailureProcess>, String> {
        let p = Probability::new(q)
            .filter(|p| p.get() < 1.0)
            .ok_or_else(|| format!("failure_probability {q} is not in [0, 1)"))?;
        if p.get() == 0.0 {
            return Ok(None);
        }
        FailureProcess::from_unavailability(p, self.probability_mttr)
            .map(Some)
            .ok_or_else(|| "the repair time for failure_probability must be positive".to_string())
    }

    /// Checks the options themselves (CLI flags can set them).
    pub fn check(&self) -> Result<(), ImportError> {
        let bad = |m: String| Err(ImportError::at(None, m));
        if !(self.default_capacity_gbps.is_finite() && self.default_capacity_gbps >= 0.0) {
            return bad(format!(
                "default capacity {} Gbit/s must be finite and >= 0",
                self.default_capacity_gbps
            ));
        }
        if let LinkFailure::PerLength {
            cuts_per_1000km_year,
            fallback_km,
            ..
        } = &self.link_failure
        {
            if !(cuts_per_1000km_year.is_finite() && *cuts_per_1000km_year > 0.0) {
                return bad(format!(
                    "link cut rate {cuts_per_1000km_year} per 1000 km per year must be positive"
                ));
            }
            if !(fallback_km.is_finite() && *fallback_km > 0.0) {
                return bad(format!(
                    "fallback link length {fallback_km} km must be positive"
                ));
            }
        }
        Ok(())
    }
}

/// A topology and the things the importer skipped or guessed.
#[derive(Clone, Debug)]
pub struct Imported {
    pub topology: Topology,
    pub warnings: Vec<String>,
}

/// Why a file could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    // Not a `source` field: the message already carries the cause, and a
    // source would print it a second time in an error chain.
    #[error("{}: cannot read: {cause}", .path.display())]
    Read {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("{}: file is more than the import limit of {limit} bytes", .path.display())]
    TooLarge { path: PathBuf, limit: u64 },
    #[error(
        "{}: not a GraphML file (no <graphml> root) nor an SNDlib native file (no '?SNDlib' header or 'NODES (' section)",
        .path.display()
    )]
    UnknownFormat { path: PathBuf },
    /// Something wrong at a place in the text.
    #[error("{0}")]
    At(Located),
}

/// An error message with the file and line it is about, when known.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub file: Option<PathBuf>,
    /// 1-based line.
    pub line: Option<u32>,
    pub message: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(p), Some(l)) => write!(f, "{}:{l}: {}", p.display(), self.message),
            (Some(p), None) => write!(f, "{}: {}", p.display(), self.message),
            (None, Some(l)) => write!(f, "line {l}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

impl ImportError {
    /// Text quoted from the file is escaped here, once for every importer.
    pub fn at(line: Option<u32>, message: impl Into<String>) -> ImportError {
        let message = message.into();
        ImportError::At(Located {
            file: None,
            line,
            message: crate::model::text::escape(&message).into_owned(),
        })
    }

    /// The 1-based line the error points at, if any.
    pub fn line(&self) -> Option<u32> {
        match self {
            ImportError::At(l) => l.line,
            _ => None,
        }
    }

    /// Names the file in a located error (the parsers only see text).
    pub fn in_file(self, path: &Path) -> ImportError {
        match self {
            ImportError::At(l) => ImportError::At(Located {
                file: Some(path.to_path_buf()),
                ..l
            }),
            other => other,
        }
    }
}

/// The formats [`import_path`] recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    GraphMl,
    Sndlib,
}

/// Guesses the format from how the text begins, never from lines further
/// in (a TOML description may hold any text): an XML document whose root
/// element is `graphml`; SNDlib's `?SNDlib` header, or a first line other
/// than blanks and `#` comments that opens an SNDlib section (`META (`,
/// `NODES (`, `LINKS (`, `DEMANDS (`). Anything else is TOML.
pub fn detect(text: &str) -> Option<Format> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with("?SNDlib") {
        return Some(Format::Sndlib);
    }
    if t.starts_with('<') && xml_root_is_graphml(t) {
        return Some(Format::GraphMl);
    }
    let first = t
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let opens_section = ["META", "NODES", "LINKS", "DEMANDS"].iter().any(|k| {
        first
            .strip_prefix(k)
            .is_some_and(|r| r.trim_start().starts_with('('))
    });
    opens_section.then_some(Format::Sndlib)
}

/// Finds the first element tag after the prolog (declaration, comments,
/// doctype) without building a DOM, and checks its local name.
fn xml_root_is_graphml(t: &str) -> bool {
    let mut rest = t;
    loop {
        let Some(i) = rest.find('<') else {
            return false;
        };
        rest = &rest[i..];
        if let Some(r) = rest.strip_prefix("<?") {
            match r.find("?>") {
                Some(j) => rest = &r[j + 2..],
                None => return false,
            }
        } else if let Some(r) = rest.strip_prefix("<!--") {
            match r.find("-->") {
                Some(j) => rest = &r[j + 3..],
                None => return false,
            }
        } else if let Some(r) = rest.strip_prefix("<!") {
            match r.find('>') {
                Some(j) => rest = &r[j + 1..],
                None => return false,
            }
        } else {
            let name: String = rest[1..]
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
                .collect();
            let local = name.rsplit(':').next().unwrap_or("");
            return local == "graphml";
        }
    }
}

/// Reads `path` (at most [`defaults::MAX_FILE_BYTES`]), detects its format
/// and imports it.
pub fn import_path(path: &Path, opts: &ImportOptions) -> Result<Topology, ImportError> {
    import_path_with_warnings(path, opts).map(|i| i.topology)
}

/// As [`import_path`], with the importer's warnings.
pub fn import_path_with_warnings(
    path: &Path,
    opts: &ImportOptions,
) -> Result<Imported, ImportError> {
    use super::read::{ReadError, read_bytes};
    let limit = defaults::MAX_FILE_BYTES;
    let bytes = read_bytes(path, limit).map_err(|e| match e {
        ReadError::TooLarge { limit, .. } => ImportError::TooLarge {
            path: path.to_path_buf(),
            limit,
        },
        ReadError::Io(cause) => ImportError::Read {
            path: path.to_path_buf(),
            cause,
        },
        other => ImportError::Read {
            path: path.to_path_buf(),
            cause: std::io::Error::other(other.to_string()),
        },
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        ImportError::At(Located {
            file: Some(path.to_path_buf()),
            line: None,
            message: format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        })
    })?;
    let fallback_name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let result = match detect(&text) {
        Some(Format::GraphMl) => super::graphml::parse_with_warnings(&text, opts, &fallback_name),
        Some(Format::Sndlib) => super::sndlib::parse_with_warnings(&text, opts, &fallback_name),
        None => {
            return Err(ImportError::UnknownFormat {
                path: path.to_path_buf(),
            });
        }
    };
    result.map_err(|e| e.in_file(path))
}

#[cfg(test)]
mod tests {
    #[test]
    fn link_mtbf_is_rounded_to_four_digits_of_hours() {
        use crate::units::Duration;
        let show = |secs: f64| {
            Duration::from_secs(super::round_hours(secs))
                .unwrap()
                .to_string()
        };
        assert_eq!(show(12_921_236.932_592_032), "3589h");
        assert_eq!(show(45_071_695.42), "12520h");
        assert_eq!(show(12.345 * 3600.0), "12.35h");
        assert_eq!(show(1800.0), "30m"); // under an hour: unchanged
    }
    use super::*;

    #[test]
    fn per_length_rate_is_b2_times_great_circle_km() {
        let o = ImportOptions::default();
        // One degree of longitude on the equator: 6371 km · π/180 = 111.19 km.
        let a = GeoPoint { lat: 0.0, lon: 0.0 };
        let b = GeoPoint { lat: 0.0, lon: 1.0 };
        let p = o.link_process(Some(a), Some(b)).unwrap();
        let km = 6371.0 * std::f64::consts::PI / 180.0;
        // MTBF is rounded to 4 significant digits of hours: within 0.05%.
        assert!((p.annual_rate() / (2.13 * km / 1000.0) - 1.0).abs() < 5e-4);
        // Missing coordinates: the 500 km fallback.
        let p = o.link_process(Some(a), None).unwrap();
        assert!((p.annual_rate() / (2.13 * 0.5) - 1.0).abs() < 5e-4);
        // Co-located ends: the 1 km floor, not an immortal link.
        let p = o.link_process(Some(a), Some(a)).unwrap();
        assert!((p.annual_rate() / 2.13e-3 - 1.0).abs() < 5e-4);
        // Repair: lognormal with median 6 h.
        assert_eq!(
            p.ttr,
            Distribution::LogNormal {
                median: Duration::from_hours(6.0).unwrap(),
                sigma: 1.0
            }
        );
    }

    #[test]
    fn probability_gives_that_unavailability() {
        let o = ImportOptions::default();
        let p = o.process_from_probability(0.01).unwrap().unwrap();
        assert!((p.unavailability().get() - 0.01).abs() < 1e-12);
        assert!((p.ttr.mean_secs() - 6.0 * 3600.0).abs() < 1e-6);
        assert_eq!(o.process_from_probability(0.0).unwrap(), None);
        assert!(o.process_from_probability(1.0).is_err());
        assert!(o.process_from_probability(-0.1).is_err());
        assert!(o.process_from_probability(f64::NAN).is_err());
    }

    #[test]
    fn detects_formats() {
        assert_eq!(
            detect("<?xml version=\"1.0\"?><!-- c --><graphml xmlns=\"x\"></graphml>"),
            Some(Format::GraphMl)
        );
        assert_eq!(detect("<g:graphml/>"), Some(Format::GraphMl));
        assert_eq!(detect("<svg></svg>"), None);
        assert_eq!(detect("?SNDlib native format"), Some(Format::Sndlib));
        assert_eq!(detect("# c\nNODES (\n)"), Some(Format::Sndlib));
        assert_eq!(detect("hello"), None);
        // Only the start decides: SNDlib-looking lines further in are text.
        let toml = "[topology]\nname = \"x\"\ndescription = \"\"\"\nNODES (\nLINKS (\n\"\"\"\n";
        assert_eq!(detect(toml), None);
        assert_eq!(detect("\u{feff}\n# a\n  LINKS ( )"), Some(Format::Sndlib));
    }
}
