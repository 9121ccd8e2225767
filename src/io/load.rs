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
        let items = f
            .site
            .iter()
            .map(|x| ("site", &x.get_ref().id, &x.get_ref().name))
            .chain(
                f.shared_risk
                    .iter()
                    .map(|x| ("shared-risk group", &x.get_ref().id, &x.get_ref().name)),
            )
            .chain(
                f.release_train
                    .iter()
                    .map(|x| ("release train", &x.get_ref().id, &x.get_ref().name)),
            )
            .chain(
                f.demand
                    .iter()
                    .map(|x| ("demand", &x.get_ref().id, &x.get_ref().name)),
            )
            .chain(
                f.surge
                    .iter()
                    .map(|x| ("surge", &x.get_ref().id, &x.get_ref().name)),
            )
            .chain(
                f.plan
                    .iter()
                    .map(|x| ("plan", &x.get_ref().id, &x.get_ref().name)),
            );
        for (kind, id, name) in items {
            named.extend(name.as_deref().map(|n| (kind, id, n)));
        }
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

    fn positive(&mut self, v: &Spanned<f64>, what: &str) -> Option<f64> {
        let x = *v.get_ref();
        if x.is_finite() && x > 0.0 {
            Some(x)
        } else {
            self.error(
                v.span(),
                format!("{what} must be a positive, finite number, got {x}"),
            );
            None
        }
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
        let ttf_keys = [
            ("mtbf", d.mtbf.is_some()),
            ("annual_rate", d.annual_rate.is_some()),
            ("rate_per_1000km", d.rate_per_1000km.is_some()),
            ("unavailability", d.unavailability.is_some()),
            ("ttf", d.ttf.is_some()),
        ];
        let n_ttf = ttf_keys.iter().filter(|(_, g)| *g).count();
        let n_ttr = usize::from(d.mttr.is_some()) + usize::from(d.ttr.is_some());
        if d.never == Some(true) {
            if n_ttf + n_ttr > 0 {
                self.error(
                    span,
                    format!(
                        "{owner}: 'never = true' cannot be combined with failure or repair times"
                    ),
                );
                return None;
            }
            return Some(None);
        }
        if n_ttf != 1 {
            let given: Vec<&str> = ttf_keys
                .iter()
                .filter(|(_, g)| *g)
                .map(|(k, _)| *k)
                .collect();
            let msg = if n_ttf == 0 {
                format!("{owner}: the failure process gives no time to failure")
            } else {
                format!(
                    "{owner}: the failure process gives the time to failure {} ways ({})",
                    n_ttf,
                    given.join(", ")
                )
            };
            self.error(span, msg).hint = Some(
                "give exactly one of mtbf, annual_rate, rate_per_1000km (links), unavailability or ttf; or never = true".into(),
            );
            return None;
        }
        if n_ttr != 1 {
            let msg = if n_ttr == 0 {
                format!("{owner}: the failure process gives no repair time")
            } else {
                format!("{owner}: give the repair time with either mttr or ttr, not both")
            };
            self.error(span, msg).hint = Some("e.g. mttr = \"4h\", or ttr = { dist = \"lognormal\", median = \"6h\", sigma = 1.0 }".into());
            return None;
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
            _ => unreachable!("n_ttr == 1"),
        };
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
            let d =
                Duration::from_years(1.0 / rate).and_then(|m| Distribution::exponential(m).ok());
            if d.is_none() {
                too_small(me, "the failure rate");
            }
            d
        };
        let ttf = if let Some(m) = d.mtbf {
            match Distribution::exponential(m) {
                Ok(x) => x,
                Err(_) => {
                    self.error(span, format!("{owner}: mtbf must be positive"));
                    return None;
                }
            }
        } else if let Some(r) = d.annual_rate {
            if !(r.is_finite() && r >= 0.0) {
                self.error(
                    span,
                    format!("{owner}: annual_rate must be a finite number >= 0, got {r}"),
                );
                return None;
            }
            if r == 0.0 {
                return Some(None);
            }
            per_year(r, self)?
        } else if let Some(r) = d.rate_per_1000km {
            if !(r.is_finite() && r >= 0.0) {
                self.error(
                    span,
                    format!("{owner}: rate_per_1000km must be a finite number >= 0, got {r}"),
                );
                return None;
            }
            let Some(len) = length_km else {
                self.error(span, format!("{owner}: rate_per_1000km needs a length"))
                    .hint = Some(
                    "give the link a length_km, or coordinates (lat, lon) to both of its sites"
                        .into(),
                );
                return None;
            };
            let rate = r * len / 1000.0;
            if rate == 0.0 {
                return Some(None);
            }
            per_year(rate, self)?
        } else if let Some(q) = d.unavailability {
            if !(q.is_finite() && (0.0..1.0).contains(&q)) {
                self.error(
                    span,
                    format!("{owner}: unavailability must be in [0, 1), got {q}"),
                );
                return None;
            }
            if q == 0.0 {
                return Some(None);
            }
            let mtbf = ttr.mean_secs() * (1.0 - q) / q;
            match Duration::from_secs(mtbf).and_then(|m| Distribution::exponential(m).ok()) {
                Some(d) => d,
                None => {
                    too_small(self, "unavailability");
                    return None;
                }
            }
        } else if let Some(t) = &d.ttf {
            self.dist(t, span.clone(), &format!("{owner}: ttf"))?
        } else {
            unreachable!("n_ttf == 1")
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

    fn build(&mut self, f: &FileDto) -> TopologyParts {
        let meta = f.topology.get_ref();
        if let Some(v) = &meta.format
            && *v.get_ref() != FORMAT_VERSION
        {
            self.error(
                v.span(),
                format!("format version {} is not supported", v.get_ref()),
            )
            .hint = Some(format!("this drsim reads format = {FORMAT_VERSION}"));
        }
        if meta.name.trim().is_empty() {
            self.error(f.topology.span(), "topology name must not be empty");
        }
        self.texts(f);

        // Regions.
        let mut region_ids = Seen::new();
        let mut regions = Vec::new();
        for (i, r) in f.region.iter().enumerate() {
            let r = r.get_ref();
            self.declare(&mut region_ids, "region", &r.id, i as u32);
            let mut hazards = Vec::new();
            for h in &r.hazard {
                let span = h.span();
                let h = h.get_ref();
                let rate = self.finite(&h.annual_rate, "hazard annual_rate", 0.0, f64::INFINITY);
                let outage = self.dist(
                    &h.outage,
                    span,
                    &format!("region '{}' hazard '{}': outage", r.id.get_ref(), h.kind),
                );
                if let (Some(rate), Some(outage)) = (rate, outage) {
                    hazards.push(Hazard {
                        kind: h.kind.clone(),
                        events: EventProcess {
                            annual_rate: rate,
                            duration: outage,
                        },
                        site_hit_probability: h.site_hit_probability.unwrap_or(Probability::ONE),
                    });
                }
            }
            regions.push(Region {
                key: r.id.get_ref().clone(),
                name: r.name.clone().unwrap_or_else(|| r.id.get_ref().clone()),
                hazards,
            });
        }

        // Sites.
        let defaults = &f.defaults;
        let default_site_capacity = defaults
            .site
            .capacity_rps
            .as_ref()
            .and_then(|c| self.finite(c, "default site capacity_rps", 0.0, f64::INFINITY));
        let mut site_ids = Seen::new();
        let mut sites = Vec::new();
        for (i, s) in f.site.iter().enumerate() {
            let s = s.get_ref();
            self.declare(&mut site_ids, "site", &s.id, i as u32);
            let owner = format!("site '{}'", s.id.get_ref());
            let region = s
                .region
                .as_ref()
                .and_then(|r| self.resolve(&region_ids, "region", r))
                .map(RegionId);
            let location = match (&s.lat, &s.lon) {
                (Some(lat), Some(lon)) => {
                    let la = self.finite(lat, "latitude", -90.0, 90.0);
                    let lo = self.finite(lon, "longitude", -180.0, 180.0);
                    la.zip(lo).map(|(lat, lon)| GeoPoint { lat, lon })
                }
                (Some(x), None) | (None, Some(x)) => {
                    self.error(
                        x.span(),
                        format!("{owner}: give both lat and lon, or neither"),
                    );
                    None
                }
                (None, None) => None,
            };
            let capacity_rps = match &s.capacity_rps {
                Some(c) => self
                    .finite(c, "capacity_rps", 0.0, f64::INFINITY)
                    .unwrap_or(0.0),
                None => default_site_capacity.unwrap_or(f64::INFINITY),
            };
            let failure = match s.failure.as_ref().or(defaults.site.failure.as_ref()) {
                Some(fd) => self.failure(fd, None, &owner).unwrap_or(None),
                None => None,
            };
            sites.push(Site {
                key: s.id.get_ref().clone(),
                name: s.name.clone().unwrap_or_else(|| s.id.get_ref().clone()),
                region,
                location,
                capacity_rps,
                failure,
            });
        }

        // Links.
        let default_link_capacity = defaults
            .link
            .capacity_gbps
            .as_ref()
            .and_then(|c| self.finite(c, "default link capacity_gbps", 0.0, f64::INFINITY));
        let mut link_ids = Seen::new();
        let mut links = Vec::new();
        for (i, l) in f.link.iter().enumerate() {
            let span = l.span();
            let l = l.get_ref();
            let a = self.resolve(&site_ids, "site", &l.a);
            let b = self.resolve(&site_ids, "site", &l.b);
            let id = l.id.clone().unwrap_or_else(|| {
                Spanned::new(span.clone(), format!("{}-{}", l.a.get_ref(), l.b.get_ref()))
            });
            if l.id.is_none() && link_ids.contains_key(id.get_ref()) {
                self.error(
                    span.clone(),
                    format!(
                        "a second link between '{}' and '{}' needs its own id",
                        l.a.get_ref(),
                        l.b.get_ref()
                    ),
                )
                .hint = Some("parallel links are fine: give each an id = \"...\"".into());
            } else {
                self.declare(&mut link_ids, "link", &id, i as u32);
            }
            if l.a.get_ref() == l.b.get_ref() {
                self.error(
                    l.b.span(),
                    format!(
                        "link '{}' connects site '{}' to itself",
                        id.get_ref(),
                        l.a.get_ref()
                    ),
                );
            }
            let owner = format!("link '{}'", id.get_ref());
            let capacity_gbps = match &l.capacity_gbps {
                Some(c) => self
                    .finite(c, "capacity_gbps", 0.0, f64::INFINITY)
                    .unwrap_or(0.0),
                None => default_link_capacity.unwrap_or(DEFAULT_LINK_CAPACITY_GBPS),
            };
            let geo_len = a.zip(b).and_then(|(a, b)| {
                let (pa, pb) = (
                    sites.get(a as usize)?.location?,
                    sites.get(b as usize)?.location?,
                );
                Some(pa.distance_km(pb))
            });
            let length_km = match &l.length_km {
                Some(v) => self.finite(v, "length_km", 0.0, 50_000.0),
                None => geo_len,
            };
            let latency_ms = l
                .latency_ms
                .as_ref()
                .and_then(|v| self.finite(v, "latency_ms", 0.0, f64::INFINITY));
            let failure = match l.failure.as_ref().or(defaults.link.failure.as_ref()) {
                Some(fd) => self.failure(fd, length_km, &owner).unwrap_or(None),
                None => None,
            };
            links.push(Link {
                key: id.get_ref().clone(),
                a: SiteId(a.unwrap_or(0)),
                b: SiteId(b.unwrap_or(0)),
                capacity_gbps,
                length_km,
                latency_ms,
                failure,
            });
        }

        // Shared-risk groups.
        let mut srg_ids = Seen::new();
        let mut shared_risks = Vec::new();
        for (i, g) in f.shared_risk.iter().enumerate() {
            let span = g.span();
            let g = g.get_ref();
            self.declare(&mut srg_ids, "shared-risk group", &g.id, i as u32);
            let owner = format!("shared-risk group '{}'", g.id.get_ref());
            let kind = match &g.kind {
                None => RiskKind::Other,
                Some(k) => RiskKind::parse(k.get_ref()).unwrap_or_else(|| {
                    let all: Vec<&str> = RiskKind::ALL.iter().map(|k| k.as_str()).collect();
                    self.error(
                        k.span(),
                        format!("unknown shared-risk kind '{}'", k.get_ref()),
                    )
                    .hint = Some(format!("use one of {}", all.join(", ")));
                    RiskKind::Other
                }),
            };
            let members_sites: Vec<SiteId> = g
                .sites
                .iter()
                .filter_map(|s| self.resolve(&site_ids, "site", s).map(SiteId))
                .collect();
            let members_links: Vec<LinkId> = g
                .links
                .iter()
                .filter_map(|s| self.resolve(&link_ids, "link", s).map(LinkId))
                .collect();
            if g.sites.is_empty() && g.links.is_empty() {
                self.error(span, format!("{owner} has no members")).hint =
                    Some("list the sites = [...] and/or links = [...] that fail together".into());
            }
            let failure = match self.failure(&g.failure, None, &owner) {
                Some(Some(p)) => Some(p),
                Some(None) => {
                    self.error(
                        g.failure.span(),
                        format!("{owner} never fails; remove it or give it a failure rate"),
                    );
                    None
                }
                None => None,
            };
            if let Some(failure) = failure {
                shared_risks.push(SharedRisk {
                    key: g.id.get_ref().clone(),
                    name: g.name.clone().unwrap_or_else(|| g.id.get_ref().clone()),
                    kind,
                    sites: members_sites,
                    links: members_links,
                    failure,
                });
            }
        }

        // Release trains.
        let mut train_ids = Seen::new();
        let mut release_trains = Vec::new();
        for (i, t) in f.release_train.iter().enumerate() {
            let span = t.span();
            let t = t.get_ref();
            self.declare(&mut train_ids, "release train", &t.id, i as u32);
            let sites_on: Vec<SiteId> = t
                .sites
                .iter()
                .filter_map(|s| self.resolve(&site_ids, "site", s).map(SiteId))
                .collect();
            if t.sites.is_empty() {
                self.error(
                    span,
                    format!("release train '{}' deploys to no site", t.id.get_ref()),
                );
            }
            let mut canary = Vec::new();
            for c in &t.canary_sites {
                if let Some(s) = self.resolve(&site_ids, "site", c) {
                    if !sites_on.contains(&SiteId(s)) {
                        self.error(
                            c.span(),
                            format!(
                                "canary site '{}' is not one of the train's sites",
                                c.get_ref()
                            ),
                        );
                    }
                    canary.push(SiteId(s));
                }
            }
            let rate = self
                .finite(&t.releases_per_year, "releases_per_year", 0.0, 1e6)
                .unwrap_or(0.0);
            release_trains.push(ReleaseTrain {
                key: t.id.get_ref().clone(),
                name: t.name.clone().unwrap_or_else(|| t.id.get_ref().clone()),
                sites: sites_on,
                canary_sites: canary,
                releases_per_year: rate,
                bad_release_probability: t.bad_release_probability,
                canary_catch: t.canary_catch,
                detection: t.detection,
                rollback: t.rollback,
            });
        }

        let operator_errors = f.operator_errors.as_ref().and_then(|o| {
            let span = o.span();
            let o = o.get_ref();
            let rate = self.finite(&o.annual_rate, "operator_errors annual_rate", 0.0, 1e6)?;
            let outage = self.dist(&o.outage, span, "operator_errors: outage")?;
            Some(OperatorErrors {
                events: EventProcess {
                    annual_rate: rate,
                    duration: outage,
                },
            })
        });

        // Demand.
        let default_kbit = defaults
            .demand
            .kbit_per_request
            .as_ref()
            .and_then(|v| self.positive(v, "default kbit_per_request"));
        let default_profile = defaults
            .demand
            .profile
            .as_ref()
            .and_then(|p| self.profile(p));
        let mut demand_ids = Seen::new();
        let mut demands = Vec::new();
        for (i, d) in f.demand.iter().enumerate() {
            let span = d.span();
            let d = d.get_ref();
            self.declare(&mut demand_ids, "demand", &d.id, i as u32);
            let mut entry: Vec<SiteId> = d
                .sites
                .iter()
                .filter_map(|s| self.resolve(&site_ids, "site", s).map(SiteId))
                .collect();
            match (&d.region, d.sites.is_empty()) {
                (Some(r), true) => {
                    if let Some(ri) = self.resolve(&region_ids, "region", r) {
                        entry = sites
                            .iter()
                            .enumerate()
                            .filter(|(_, s)| s.region == Some(RegionId(ri)))
                            .map(|(i, _)| SiteId(i as u32))
                            .collect();
                        if entry.is_empty() {
                            self.error(
                                r.span(),
                                format!(
                                    "region '{}' has no sites for demand '{}' to enter at",
                                    r.get_ref(),
                                    d.id.get_ref()
                                ),
                            );
                        }
                    }
                }
                (Some(r), false) => {
                    self.error(
                        r.span(),
                        format!("demand '{}' gives both region and sites", d.id.get_ref()),
                    )
                    .hint = Some(
                        "users enter either at every site of a region or at the listed sites"
                            .into(),
                    );
                }
                (None, true) => {
                    self.error(
                        span,
                        format!("demand '{}' has no entry point", d.id.get_ref()),
                    )
                    .hint = Some("give region = \"...\" or sites = [...]".into());
                }
                (None, false) => {}
            }
            // Bounded (far above any real service) so that user-minutes and
            // Gbit/s sums stay finite: 1e308 users read as inf/NaN results.
            let users = self
                .finite(&d.users, "users", 0.0, MAX_DEMAND_AMOUNT)
                .unwrap_or(0.0);
            let peak = self
                .finite(&d.peak_rps, "peak_rps", 0.0, MAX_DEMAND_AMOUNT)
                .unwrap_or(0.0);
            let profile = match &d.profile {
                Some(p) => self.profile(p),
                None => default_profile,
            }
            .unwrap_or([1.0; 24]);
            let kbit = match &d.kbit_per_request {
                Some(v) => self.positive(v, "kbit_per_request"),
                None => default_kbit,
            }
            .unwrap_or(DEFAULT_KBIT_PER_REQUEST);
            demands.push(Demand {
                key: d.id.get_ref().clone(),
                name: d.name.clone().unwrap_or_else(|| d.id.get_ref().clone()),
                entry_sites: entry,
                users,
                peak_rps: peak,
                profile,
                kbit_per_request: kbit,
            });
        }

        let mut surge_ids = Seen::new();
        let mut surges = Vec::new();
        for (i, s) in f.surge.iter().enumerate() {
            let s = s.get_ref();
            self.declare(&mut surge_ids, "surge", &s.id, i as u32);
            let day = day_of_year(s.date.get_ref());
            if day.is_none() {
                self.error(
                    s.date.span(),
                    format!(
                        "surge date '{}' is not a valid \"MM-DD\" date",
                        s.date.get_ref()
                    ),
                );
            }
            let start = match &s.start_hour_utc {
                Some(h) => self.finite(h, "start_hour_utc", 0.0, 23.999_999),
                None => Some(0.0),
            };
            let mult = self.positive(&s.multiplier, "multiplier");
            let ds: Vec<DemandId> = s
                .demands
                .iter()
                .filter_map(|d| self.resolve(&demand_ids, "demand", d).map(DemandId))
                .collect();
            surges.push(Surge {
                key: s.id.get_ref().clone(),
                name: s.name.clone().unwrap_or_else(|| s.id.get_ref().clone()),
                day_of_year: day.unwrap_or(0),
                start_hour_utc: start.unwrap_or(0.0),
                duration: s.duration,
                multiplier: mult.unwrap_or(1.0),
                demands: ds,
            });
        }

        let mut plan_ids = Seen::new();
        let mut plans = Vec::new();
        for (i, p) in f.plan.iter().enumerate() {
            if let Some(plan) = self.plan(p, i as u32, &mut plan_ids, &site_ids) {
                plans.push(plan);
            }
        }
        if f.site.is_empty() {
            self.error(f.topology.span(), "the topology has no sites")
                .hint = Some("add at least one [[site]]".into());
        }

        TopologyParts {
            name: meta.name.clone(),
            description: meta.description.clone(),
            regions,
            sites,
            links,
            shared_risks,
            release_trains,
            operator_errors,
            demands,
            surges,
            plans,
        }
    }

    fn profile(&mut self, p: &Spanned<Vec<f64>>) -> Option<[f64; 24]> {
        let v = p.get_ref();
        if v.len() != 24 {
            self.error(
                p.span(),
                format!(
                    "a daily profile needs 24 hourly values (UTC hours 0..23), got {}",
                    v.len()
                ),
            );
            return None;
        }
        if let Some(bad) = v
            .iter()
            .find(|x| !(x.is_finite() && (0.0..=1.0).contains(*x)))
        {
            self.error(
                p.span(),
                format!("profile values are fractions of peak in [0, 1], got {bad}"),
            );
            return None;
        }
        let mut out = [0.0; 24];
        out.copy_from_slice(v);
        Some(out)
    }

    fn plan(
        &mut self,
        p: &Spanned<PlanDto>,
        index: u32,
        plan_ids: &mut Seen,
        site_ids: &Seen,
    ) -> Option<Plan> {
        let p = p.get_ref();
        self.declare(plan_ids, "plan", &p.id, index);
        let owner = format!("plan '{}'", p.id.get_ref());
        let mut serving = Vec::new();
        for s in p.serving_sites.get_ref() {
            if let Some(id) = self.resolve(site_ids, "site", s) {
                if serving.contains(&SiteId(id)) {
                    self.error(
                        s.span(),
                        format!("{owner} lists site '{}' twice", s.get_ref()),
                    );
                }
                serving.push(SiteId(id));
            }
        }
        if p.serving_sites.get_ref().is_empty() {
            self.error(
                p.serving_sites.span(),
                format!("{owner} serves from no site"),
            );
            return None;
        }
        let n = p.serving_sites.get_ref().len() as i64;
        let mode = match p.mode.get_ref().as_str() {
            "active-active" => PlanMode::ActiveActive,
            "active-passive" => PlanMode::ActivePassive,
            other => {
                self.error(p.mode.span(), format!("unknown plan mode '{other}'"))
                    .hint = Some("use \"active-active\" or \"active-passive\"".into());
                return None;
            }
        };
        let count =
            |v: &Option<Spanned<i64>>, default: i64, what: &str, me: &mut Self| -> Option<u32> {
                match v {
                    None => Some(default as u32),
                    Some(x) if (1..=n).contains(x.get_ref()) => Some(*x.get_ref() as u32),
                    Some(x) => {
                        me.error(
                            x.span(),
                            format!(
                                "{owner}: {what} {} must be between 1 and the {n} serving sites",
                                x.get_ref()
                            ),
                        );
                        None
                    }
                }
            };
        let replicas = count(&p.replicas, n, "replicas", self)?;
        let quorum = count(&p.quorum, 1, "quorum", self)?;
        if mode == PlanMode::ActivePassive
            && let Some(q) = &p.quorum
            && *q.get_ref() != 1
        {
            self.error(q.span(), format!("{owner}: an active-passive plan serves from one site at a time; its quorum is 1"));
        }
        let replication = match (
            p.replication.as_ref().map(|r| r.get_ref().as_str()),
            p.replication_lag,
        ) {
            (None | Some("sync"), None) => Replication::Sync,
            (None | Some("sync"), Some(_)) => {
                self.error(
                    p.id.span(),
                    format!("{owner}: replication_lag only applies to replication = \"async\""),
                );
                Replication::Sync
            }
            (Some("async"), Some(lag)) => Replication::Async { lag },
            (Some("async"), None) => {
                self.error(
                    p.replication.as_ref().map_or(p.id.span(), |r| r.span()),
                    format!("{owner}: async replication needs replication_lag"),
                )
                .hint = Some("e.g. replication_lag = \"5s\"".into());
                Replication::Sync
            }
            (Some(other), _) => {
                let span = p.replication.as_ref().map_or(p.id.span(), |r| r.span());
                self.error(span, format!("unknown replication '{other}'"))
                    .hint = Some("use \"sync\" or \"async\"".into());
                Replication::Sync
            }
        };
        let headroom = p
            .headroom
            .as_ref()
            .and_then(|h| self.finite(h, "headroom", 0.0, 100.0))
            .unwrap_or(0.0);
        let cost = p
            .cost_per_year
            .as_ref()
            .and_then(|h| self.finite(h, "cost_per_year", 0.0, f64::INFINITY))
            .unwrap_or(0.0);
        let op = p
            .operator_error_factor
            .as_ref()
            .and_then(|h| self.finite(h, "operator_error_factor", 0.0, 100.0))
            .unwrap_or(1.0);
        let targets = p
            .targets
            .as_ref()
            .map_or_else(Targets::default, |t| Targets {
                availability: t.availability,
                rto: t.rto,
                rpo: t.rpo,
            });
        Some(Plan {
            key: p.id.get_ref().clone(),
            name: p.name.clone().unwrap_or_else(|| p.id.get_ref().clone()),
            serving_sites: serving,
            mode,
            replicas,
            quorum,
            detection: p.detection,
            switchover: p.switchover,
            replication,
            backup_interval: p.backup_interval,
            headroom,
            cost_per_year: cost,
            operator_error_factor: op,
            targets,
        })
    }

    /// Structure that is legal but probably a mistake.
    fn structural_warnings(&mut self, t: &Topology, f: &FileDto) {
        if t.sites.len() < 2 {
            return;
        }
        let mut degree = vec![0usize; t.sites.len()];
        for l in &t.links {
            degree[l.a.index()] += 1;
            degree[l.b.index()] += 1;
        }
        for d in &t.demands {
            for s in &d.entry_sites {
                if degree[s.index()] == 0 {
                    let span = f
                        .demand
                        .iter()
                        .find(|x| x.get_ref().id.get_ref() == &d.key)
                        .map(|x| x.span());
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
        .map(|k| (edit_distance(key, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
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
