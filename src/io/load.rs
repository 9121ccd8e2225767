//! Reading a topology file into a validated [`Topology`].
//!
//! Two stages, as in ripgrep's low/high args: serde reads the raw
//! [`schema`](super::schema) (syntax, types, units, unknown keys), then
//! [`Validator`] checks values and references and builds the model. The
//! second stage collects every error it finds, each with its line, so a user
//! fixes a file in one pass.

use super::diagnostic::{Diagnostic, LoadError, Severity};
use super::schema::*;
use crate::model::*;
use crate::units::{Duration, Probability};
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

mod crews;
mod data;
mod dependency_warnings;
mod failback;
mod feedback;
mod fleet;
mod partial;
mod sections;
mod services;
mod size;
mod slo;
mod waves;

pub use size::MAX_LOAD_BYTES;

/// Larger files are refused before parsing: no real topology comes close, and
/// a hostile one should not exhaust memory.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Link capacity when neither the link nor `[defaults.link]` gives one.
pub const DEFAULT_LINK_CAPACITY_GBPS: f64 = 100.0;

/// Largest `users` or `peak_rps` of a demand (10^12): a trillion users or
/// requests a second is far past any real service, and the cap keeps every
/// product with minutes and kbit finite.
pub const MAX_DEMAND_AMOUNT: f64 = 1e12;

/// Bandwidth per request when neither the demand nor `[defaults.demand]`
/// gives one: a chat message with its envelope is a couple of kilobytes.
pub const DEFAULT_KBIT_PER_REQUEST: f64 = 16.0;

/// Upper bounds that keep every derived quantity finite (products of
/// demand, bandwidth, minutes and counts stay far below f64's 1.8e308) and
/// every event count bounded; each is far past any real value.
pub mod limits {
    /// Events a year of one hazard, release train or operator errors.
    pub const MAX_EVENT_RATE: f64 = 1e6;
    /// A site's requests a second.
    pub const MAX_SITE_RPS: f64 = 1e15;
    /// A link's Gbit/s (a million parallel links still sum finitely).
    pub const MAX_LINK_GBPS: f64 = 1e9;
    /// Bandwidth of one request, kbit: at least one bit in a thousand.
    pub const KBIT_PER_REQUEST: (f64, f64) = (1e-6, 1e9);
    /// A surge's demand multiplier.
    pub const MAX_SURGE_MULTIPLIER: f64 = 1e6;
    /// A plan's yearly cost.
    pub const MAX_COST_PER_YEAR: f64 = 1e15;
    /// A link's one-way latency, ms.
    pub const MAX_LATENCY_MS: f64 = 1e6;
}

/// A loaded topology and the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub topology: Topology,
    pub warnings: Vec<Diagnostic>,
}

/// Reads and validates a TOML topology file.
pub fn load_toml_path(path: &Path) -> Result<Loaded, LoadError> {
    let source = read_limited(path)?;
    load_str(&source, path)
}

/// Reads a file as UTF-8 text, refusing huge files and binary junk with a
/// message that names the file.
pub fn read_limited(path: &Path) -> Result<String, LoadError> {
    use super::read::{ReadError, read_bytes};
    let bytes = read_bytes(path, MAX_FILE_BYTES).map_err(|e| match e {
        ReadError::IsDirectory => LoadError::file(path, "is a directory, not a topology file"),
        ReadError::TooLarge { size, limit } => LoadError::file(
            path,
            format!(
                "file is {} bytes; topology files are limited to {limit} bytes",
                size.map_or("more".to_string(), |s| s.to_string())
            ),
        ),
        other => LoadError::file(path, other.to_string()),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let (line, col) = super::diagnostic::line_col(
            &String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
            usize::MAX,
        );
        LoadError::file(
            path,
            format!("not valid UTF-8 text (first bad byte at line {line}, column {col})"),
        )
    })
}

/// Parses and validates topology text; `path` is only used in messages.
pub fn load_str(source: &str, path: &Path) -> Result<Loaded, LoadError> {
    if source.trim().is_empty() {
        return Err(LoadError::single(
            Diagnostic::at(Severity::Error, path, source, None, "the file is empty").with_hint(
                "a topology needs at least a [topology] table with a name and one [[site]]",
            ),
        ));
    }
    if let (bytes, Some(at)) = size::estimated_bytes(source) {
        let mb = |b: u64| b / 1_000_000;
        let msg = format!(
            "loading this file would take about {} MB of memory, more than the {} MB a \
             topology may",
            mb(bytes),
            mb(MAX_LOAD_BYTES)
        );
        return Err(LoadError::single(
            Diagnostic::at(Severity::Error, path, source, Some(at..at), msg).with_hint(
                "every table and value costs memory to parse (a site and a link written \
                 inline about 3.7 KB, so about 160,000 of each fit): model the network coarser",
            ),
        ));
    }
    let dto: FileDto = toml::from_str(source).map_err(|e| {
        let mut msg = e.message().trim().to_string();
        if msg.starts_with("missing field `topology`") {
            msg = "missing the [topology] table".into();
        }
        // serde names Rust types; say what a file author would.
        for (rust, plain) in [
            ("expected f64", "expected a number"),
            ("expected i64", "expected an integer"),
            ("expected a boolean", "expected true or false"),
        ] {
            msg = msg.replace(rust, plain);
        }
        LoadError::single(Diagnostic::at(Severity::Error, path, source, e.span(), msg))
    })?;
    let mut v = Validator {
        path,
        source,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let parts = v.build(&dto);
    if !v.errors.is_empty() {
        v.errors.sort_by_key(|d| (d.line, d.column));
        return Err(LoadError {
            diagnostics: v.errors,
        });
    }
    let topology = Topology::from_parts(parts).map_err(|e| {
        LoadError::single(Diagnostic::at(
            Severity::Error,
            path,
            source,
            None,
            e.to_string(),
        ))
    })?;
    v.structural_warnings(&topology, &dto);
    Ok(Loaded {
        topology,
        warnings: v.warnings,
    })
}

/// A table with an `id` and an optional display `name`.
trait IdName {
    fn id_name(&self) -> (&Spanned<String>, Option<&str>);
}

macro_rules! id_name {
    ($($dto:ty),*) => {$(
        impl IdName for $dto {
            fn id_name(&self) -> (&Spanned<String>, Option<&str>) {
                (&self.id, self.name.as_deref())
            }
        }
    )*};
}
id_name!(
    SiteDto,
    SharedRiskDto,
    ReleaseTrainDto,
    DemandDto,
    SurgeDto,
    PlanDto
);

/// `(kind, id, name)` of each item of `items` that gives a name.
fn with_names<'a, T: IdName>(
    kind: &'static str,
    items: &'a [Spanned<T>],
) -> impl Iterator<Item = (&'static str, &'a Spanned<String>, &'a str)> {
    items.iter().filter_map(move |x| {
        let (id, name) = x.get_ref().id_name();
        name.map(|n| (kind, id, n))
    })
}

struct Validator<'a> {
    path: &'a Path,
    source: &'a str,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

/// Ids already seen, with where, to report duplicates with both places.
type Seen = HashMap<String, (u32, usize)>;

impl Validator<'_> {
    fn error(&mut self, span: Range<usize>, msg: impl Into<String>) -> &mut Diagnostic {
        self.errors.push(Diagnostic::at(
            Severity::Error,
            self.path,
            self.source,
            Some(span),
            msg,
        ));
        self.errors.last_mut().expect("just pushed")
    }

    fn warn(&mut self, span: Option<Range<usize>>, msg: impl Into<String>) -> &mut Diagnostic {
        self.warnings.push(Diagnostic::at(
            Severity::Warning,
            self.path,
            self.source,
            span,
            msg,
        ));
        self.warnings.last_mut().expect("just pushed")
    }

    fn line_of(&self, offset: usize) -> usize {
        super::diagnostic::line_col(self.source, offset).0
    }

    /// Registers an id; reports a duplicate (and an empty id) at its span.
    fn declare(&mut self, seen: &mut Seen, kind: &str, id: &Spanned<String>, index: u32) {
        let key = id.get_ref();
        if let Err(m) = crate::model::text::check_id(key) {
            self.error(id.span(), format!("{kind} id {m}"));
            return;
        }
        if let Some(&(_, first)) = seen.get(key) {
            let line = self.line_of(first);
            self.error(id.span(), format!("duplicate {kind} id '{key}'"))
                .hint = Some(format!(
                "'{key}' is already defined at line {line}; ids must be unique"
            ));
        } else {
            seen.insert(key.clone(), (index, id.span().start));
        }
    }

    /// Names, kinds and the description must be printable (ids are checked
    /// by [`Self::declare`]); a bad one is reported at its item's id.
    fn texts(&mut self, f: &FileDto) {
        use crate::model::text::{check_multiline, check_name};
        let meta = f.topology.get_ref();
        if let Err(m) = check_name(&meta.name).and_then(|()| check_multiline(&meta.description)) {
            self.error(
                f.topology.span(),
                format!("topology name or description {m}"),
            );
        }
        let mut named: Vec<(&str, &Spanned<String>, &str)> = Vec::new();
        for r in &f.region {
            let r = r.get_ref();
            named.extend(r.name.as_deref().map(|n| ("region", &r.id, n)));
            named.extend(
                r.hazard
                    .iter()
                    .map(|h| ("region", &r.id, h.get_ref().kind.as_str())),
            );
        }
        named.extend(with_names("site", &f.site));
        named.extend(with_names("shared-risk group", &f.shared_risk));
        named.extend(with_names("release train", &f.release_train));
        named.extend(with_names("demand", &f.demand));
        named.extend(with_names("surge", &f.surge));
        named.extend(with_names("plan", &f.plan));
        for (kind, id, text) in named {
            if let Err(m) = check_name(text) {
                let shown = crate::model::text::escape(id.get_ref()).into_owned();
                self.error(id.span(), format!("{kind} '{shown}': a name or kind {m}"));
            }
        }
    }

    /// Looks an id up; reports an unknown one with a spelling suggestion.
    fn resolve(&mut self, seen: &Seen, kind: &str, id: &Spanned<String>) -> Option<u32> {
        if let Some(&(i, _)) = seen.get(id.get_ref()) {
            return Some(i);
        }
        let key = id.get_ref();
        let suggestion = closest(key, seen.keys());
        let d = self.error(id.span(), format!("unknown {kind} '{key}'"));
        d.hint = Some(match suggestion {
            Some(s) => format!("did you mean '{s}'?"),
            None if seen.is_empty() => format!("no {kind} is declared in this file"),
            None => format!(
                "declare it with [[{}]] or fix the spelling",
                kind.replace(' ', "_")
            ),
        });
        None
    }

    fn finite(&mut self, v: &Spanned<f64>, what: &str, min: f64, max: f64) -> Option<f64> {
        let x = *v.get_ref();
        if x.is_finite() && x >= min && x <= max {
            Some(x)
        } else {
            // 1e308 written out in full is 309 digits.
            let num = |x: f64| {
                if x != 0.0 && x.is_finite() && !(1e-4..1e9).contains(&x.abs()) {
                    format!("{x:e}")
                } else {
                    format!("{x}")
                }
            };
            let range = match (min, max) {
                (0.0, f64::INFINITY) => "a finite number >= 0".to_string(),
                (m, f64::INFINITY) => format!("a finite number >= {}", num(m)),
                _ => format!("between {} and {}", num(min), num(max)),
            };
            self.error(v.span(), format!("{what} must be {range}, got {}", num(x)));
            None
        }
    }

    /// An optional number, checked as by [`Self::finite`] when given.
    fn finite_opt(
        &mut self,
        v: &Option<Spanned<f64>>,
        what: &str,
        min: f64,
        max: f64,
    ) -> Option<f64> {
        v.as_ref().and_then(|x| self.finite(x, what, min, max))
    }

    fn dist(&mut self, d: &DistDto, span: Range<usize>, what: &str) -> Option<Distribution> {
        let t = match d {
            DistDto::Mean(m) => {
                return match Distribution::exponential(*m) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        self.error(span, format!("{what}: {e}"));
                        None
                    }
                };
            }
            DistDto::Table(t) => t,
        };
        let need = |x: Option<Duration>, key: &str| {
            x.ok_or_else(|| format!("{what}: a {} distribution needs '{key}'", t.dist))
        };
        let given: Vec<&str> = [
            ("mean", t.mean.is_some()),
            ("shape", t.shape.is_some()),
            ("scale", t.scale.is_some()),
            ("median", t.median.is_some()),
            ("sigma", t.sigma.is_some()),
            ("value", t.value.is_some()),
        ]
        .into_iter()
        .filter(|(_, g)| *g)
        .map(|(k, _)| k)
        .collect();
        let allowed: &[&str] = match t.dist.as_str() {
            "exponential" => &["mean"],
            "weibull" => &["shape", "scale"],
            "lognormal" => &["median", "sigma"],
            "fixed" => &["value"],
            other => {
                self.error(span, format!("{what}: unknown distribution '{other}'"))
                    .hint =
                    Some("use \"exponential\", \"weibull\", \"lognormal\" or \"fixed\"".into());
                return None;
            }
        };
        if let Some(extra) = given.iter().find(|k| !allowed.contains(k)) {
            self.error(
                span,
                format!(
                    "{what}: '{extra}' does not apply to a {} distribution (it takes {})",
                    t.dist,
                    allowed.join(" and ")
                ),
            );
            return None;
        }
        let built = match t.dist.as_str() {
            "exponential" => need(t.mean, "mean")
                .and_then(|m| Distribution::exponential(m).map_err(|e| format!("{what}: {e}"))),
            "weibull" => need(t.scale, "scale").and_then(|s| {
                let k = t
                    .shape
                    .ok_or_else(|| format!("{what}: a weibull distribution needs 'shape'"))?;
                Distribution::weibull(k, s).map_err(|e| format!("{what}: {e}"))
            }),
            "lognormal" => need(t.median, "median").and_then(|m| {
                let s = t
                    .sigma
                    .ok_or_else(|| format!("{what}: a lognormal distribution needs 'sigma'"))?;
                Distribution::lognormal(m, s).map_err(|e| format!("{what}: {e}"))
            }),
            _ => need(t.value, "value").map(Distribution::fixed),
        };
        match built {
            Ok(d) => Some(d),
            Err(msg) => {
                self.error(span, msg);
                None
            }
        }
    }

    /// A failure process; `Some(None)` means "never fails".
    fn failure(
        &mut self,
        f: &Spanned<FailureDto>,
        length_km: Option<f64>,
        owner: &str,
    ) -> Option<Option<FailureProcess>> {
        let span = f.span();
        let d = f.get_ref();
        if self.failure_keys(d, &span, owner)? {
            return Some(None);
        }
        let ttr = match (&d.mttr, &d.ttr) {
            (Some(m), _) => match Distribution::exponential(*m) {
                Ok(x) => x,
                Err(_) => {
                    self.error(span, format!("{owner}: mttr must be positive"));
                    return None;
                }
            },
            (_, Some(t)) => self.dist(t, span.clone(), &format!("{owner}: ttr"))?,
            _ => unreachable!("failure_keys checked one repair time"),
        };
        let Some(ttf) = self.time_to_failure(d, &ttr, length_km, &span, owner)? else {
            return Some(None);
        };
        // Only a `fixed` distribution can have a zero mean: a component
        // whose time to failure is always 0 would be permanently down.
        if ttf.mean_secs() <= 0.0 {
            self.error(
                span,
                format!("{owner}: the time to failure must be longer than 0"),
            )
            .hint = Some("a component that is always down is better removed".into());
            return None;
        }
        Some(Some(FailureProcess { ttf, ttr }))
    }

    /// Checks that a failure process gives its time to failure and its
    /// repair time exactly one way each; `Some(true)` for `never = true`.
    fn failure_keys(&mut self, d: &FailureDto, span: &Range<usize>, owner: &str) -> Option<bool> {
        let ttf_keys = [
            ("mtbf", d.mtbf.is_some()),
            ("annual_rate", d.annual_rate.is_some()),
            ("rate_per_1000km", d.rate_per_1000km.is_some()),
            ("unavailability", d.unavailability.is_some()),
            ("ttf", d.ttf.is_some()),
        ];
        let given: Vec<&str> = ttf_keys
            .iter()
            .filter(|(_, g)| *g)
            .map(|(k, _)| *k)
            .collect();
        let n_ttf = given.len();
        let n_ttr = usize::from(d.mttr.is_some()) + usize::from(d.ttr.is_some());
        if d.never == Some(true) {
            if n_ttf + n_ttr > 0 {
                self.error(
                    span.clone(),
                    format!(
                        "{owner}: 'never = true' cannot be combined with failure or repair times"
                    ),
                );
                return None;
            }
            return Some(true);
        }
        if n_ttf != 1 {
            let msg = if n_ttf == 0 {
                format!("{owner}: the failure process gives no time to failure")
            } else {
                format!(
                    "{owner}: the failure process gives the time to failure {} ways ({})",
                    n_ttf,
                    given.join(", ")
                )
            };
            self.error(span.clone(), msg).hint = Some(
                "give exactly one of mtbf, annual_rate, rate_per_1000km (links), unavailability or ttf; or never = true".into(),
            );
            return None;
        }
        // A zero rate or unavailability never fails, so it needs no
        // repair time (the README's "0 means never fails").
        let zero = d.annual_rate == Some(0.0)
            || d.rate_per_1000km == Some(0.0)
            || d.unavailability == Some(0.0);
        if n_ttr == 0 && zero {
            return Some(true);
        }
        if n_ttr != 1 {
            let msg = if n_ttr == 0 {
                format!("{owner}: the failure process gives no repair time")
            } else {
                format!("{owner}: give the repair time with either mttr or ttr, not both")
            };
            self.error(span.clone(), msg).hint = Some("e.g. mttr = \"4h\", or ttr = { dist = \"lognormal\", median = \"6h\", sigma = 1.0 }".into());
            return None;
        }
        Some(false)
    }

    /// The time to failure from whichever key gives it (one does, by
    /// [`Self::failure_keys`]); `Some(None)` for a rate or unavailability of
    /// zero, a component that never fails.
    fn time_to_failure(
        &mut self,
        d: &FailureDto,
        ttr: &Distribution,
        length_km: Option<f64>,
        span: &Range<usize>,
        owner: &str,
    ) -> Option<Option<Distribution>> {
        // A rate so small that its mean time to failure overflows would
        // otherwise drop the process without a word (a shared-risk group
        // would silently vanish): report it.
        let too_small = |me: &mut Self, what: &str| {
            me.error(
                span.clone(),
                format!("{owner}: {what} is too small: the mean time to failure overflows"),
            )
            .hint = Some("use never = true for a component that does not fail".into());
        };
        let per_year = |rate: f64, me: &mut Self| {
            if rate == 0.0 {
                return Some(None);
            }
            let d =
                Duration::from_years(1.0 / rate).and_then(|m| Distribution::exponential(m).ok());
            if d.is_none() {
                too_small(me, "the failure rate");
            }
            d.map(Some)
        };
        let rate = |me: &mut Self, r: f64, key: &str| {
            if r.is_finite() && r >= 0.0 {
                return Some(r);
            }
            me.error(
                span.clone(),
                format!("{owner}: {key} must be a finite number >= 0, got {r}"),
            );
            None
        };
        if let Some(m) = d.mtbf {
            match Distribution::exponential(m) {
                Ok(x) => Some(Some(x)),
                Err(_) => {
                    self.error(span.clone(), format!("{owner}: mtbf must be positive"));
                    None
                }
            }
        } else if let Some(r) = d.annual_rate {
            let r = rate(self, r, "annual_rate")?;
            per_year(r, self)
        } else if let Some(r) = d.rate_per_1000km {
            let r = rate(self, r, "rate_per_1000km")?;
            let Some(len) = length_km else {
                self.error(
                    span.clone(),
                    format!("{owner}: rate_per_1000km needs a length"),
                )
                .hint = Some(
                    "give the link a length_km, or coordinates (lat, lon) to both of its sites"
                        .into(),
                );
                return None;
            };
            per_year(r * len / 1000.0, self)
        } else if let Some(q) = d.unavailability {
            if !(q.is_finite() && (0.0..1.0).contains(&q)) {
                self.error(
                    span.clone(),
                    format!("{owner}: unavailability must be in [0, 1), got {q}"),
                );
                return None;
            }
            if q == 0.0 {
                return Some(None);
            }
            let mtbf = ttr.mean_secs() * (1.0 - q) / q;
            match Duration::from_secs(mtbf).and_then(|m| Distribution::exponential(m).ok()) {
                Some(d) => Some(Some(d)),
                None => {
                    too_small(self, "unavailability");
                    None
                }
            }
        } else if let Some(t) = &d.ttf {
            self.dist(t, span.clone(), &format!("{owner}: ttf"))
                .map(Some)
        } else {
            unreachable!("failure_keys checked one time to failure")
        }
    }

    /// Structure that is legal but probably a mistake.
    fn structural_warnings(&mut self, t: &Topology, f: &FileDto) {
        self.dependency_warnings(t, f);
        self.zero_capacity_warnings(t, f);
        if t.sites.len() < 2 {
            return;
        }
        if let Some(w) = isolated_sites(t) {
            self.warn(None, w).hint = Some(
                "link them, or all-terminal and two-terminal results are trivially down".into(),
            );
        }
        let degree = degrees(t);
        let spans: HashMap<&str, Range<usize>> = f
            .demand
            .iter()
            .map(|x| (x.get_ref().id.get_ref().as_str(), x.span()))
            .collect();
        for d in &t.demands {
            for s in &d.entry_sites {
                if degree[s.index()] == 0 {
                    let span = spans.get(d.key.as_str()).cloned();
                    self.warn(
                        span,
                        format!(
                            "demand '{}' enters at site '{}', which has no links",
                            d.key,
                            t.site(*s).key
                        ),
                    )
                    .hint = Some(
                        "its users can only reach a plan that serves from that very site".into(),
                    );
                }
            }
        }
    }
}

impl Validator<'_> {
    /// A plan serving from a site of no capacity: `run` caps that site's
    /// share of the load at 0, so the share is shed all year, while the
    /// random-instant engines, which count sites up or down, serve from
    /// it: legal, but the two views then disagree without a word.
    fn zero_capacity_warnings(&mut self, t: &Topology, f: &FileDto) {
        for (p, dto) in t.plans.iter().zip(&f.plan) {
            for s in &p.serving_sites {
                let site = t.site(*s);
                if site.capacity_rps == 0.0 {
                    self.warn(
                        Some(dto.span()),
                        format!(
                            "plan '{}' serves from site '{}', whose capacity_rps is 0",
                            p.key, site.key
                        ),
                    )
                    .hint = Some(
                        "drsim run sheds its share of the load all year, while reliability \
                         counts it as serving while it is up; give it a capacity or drop it \
                         from the plan"
                            .into(),
                    );
                }
            }
        }
    }
}

fn degrees(t: &Topology) -> Vec<usize> {
    let mut degree = vec![0usize; t.sites.len()];
    for l in &t.links {
        degree[l.a.index()] += 1;
        degree[l.b.index()] += 1;
    }
    degree
}

/// A warning when a network of several sites has sites without any link
/// (they can reach no other site), with their count and the first few.
pub fn isolated_sites(t: &Topology) -> Option<String> {
    if t.sites.len() < 2 {
        return None;
    }
    let degree = degrees(t);
    let lonely: Vec<&str> = t
        .sites
        .iter()
        .zip(&degree)
        .filter(|&(_, &d)| d == 0)
        .map(|(s, _)| s.key.as_str())
        .collect();
    if lonely.is_empty() {
        return None;
    }
    let shown: Vec<String> = lonely.iter().take(5).map(|k| format!("'{k}'")).collect();
    let more = if lonely.len() > 5 { ", ..." } else { "" };
    Some(format!(
        "{} of {} sites have no link and can reach no other site ({}{more})",
        lonely.len(),
        t.sites.len(),
        shown.join(", ")
    ))
}

/// Day of the (non-leap) year, 0-based, of an `"MM-DD"` date.
fn day_of_year(text: &str) -> Option<u32> {
    const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let (m, d) = text.split_once('-')?;
    let (m, d): (usize, u32) = (m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || d == 0 || d > DAYS[m - 1] {
        return None;
    }
    Some(DAYS[..m - 1].iter().sum::<u32>() + d - 1)
}

/// The known id closest to `key` by edit distance, if close enough to be a
/// plausible typo.
fn closest<'a>(key: &str, known: impl Iterator<Item = &'a String>) -> Option<&'a String> {
    known
        .map(|k| (strsim::levenshtein(key, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(day_of_year("01-01"), Some(0));
        assert_eq!(day_of_year("12-31"), Some(364));
        assert_eq!(day_of_year("02-29"), None);
        assert_eq!(day_of_year("13-01"), None);
        assert_eq!(day_of_year("x"), None);
    }

    #[test]
    fn typo_suggestions() {
        let known = ["frankfurt".to_string(), "tokyo".to_string()];
        assert_eq!(closest("frankfrut", known.iter()), Some(&known[0]));
        assert_eq!(closest("sydney", known.iter()), None);
    }
}
