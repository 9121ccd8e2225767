//! SNDlib native format import (sndlib.zib.de; Orlowski et al., Networks
//! 55(3), 2010): the `META`, `NODES`, `LINKS` and `DEMANDS` sections become
//! sites, links and demands; other sections are skipped with a warning.
//! Units, and how point-to-point demands become drsim demands, are in
//! docs/internals.md, "io/sndlib.rs".

use super::import::{ImportError, ImportOptions, Imported};
use crate::model::{Demand, GeoPoint, Link, Site, SiteId, Topology, TopologyParts};
use std::collections::{HashMap, HashSet};

/// Imports SNDlib native text; see the module docs.
pub fn parse(text: &str, opts: &ImportOptions) -> Result<Topology, ImportError> {
    parse_with_warnings(text, opts, "").map(|i| i.topology)
}

#[derive(Clone, Copy, Debug)]
struct Tok<'a> {
    text: &'a str,
    line: u32,
}

fn tokenize(text: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if raw.trim_start().starts_with('?') {
            continue;
        }
        let content = raw.split('#').next().unwrap_or("");
        let mut start = None;
        for (j, c) in content.char_indices() {
            let is_paren = c == '(' || c == ')';
            if c.is_whitespace() || is_paren {
                if let Some(s) = start.take() {
                    out.push(Tok {
                        text: &content[s..j],
                        line,
                    });
                }
                if is_paren {
                    out.push(Tok {
                        text: &content[j..j + 1],
                        line,
                    });
                }
            } else if start.is_none() {
                start = Some(j);
            }
        }
        if let Some(s) = start {
            out.push(Tok {
                text: &content[s..],
                line,
            });
        }
    }
    out
}

struct Cursor<'a> {
    toks: Vec<Tok<'a>>,
    pos: usize,
    last_line: u32,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<Tok<'a>> {
        self.toks.get(self.pos).copied()
    }
    fn next(&mut self, what: &str) -> Result<Tok<'a>, ImportError> {
        let t = self.peek().ok_or_else(|| {
            ImportError::at(
                Some(self.last_line),
                format!("file ends where {what} was expected"),
            )
        })?;
        self.pos += 1;
        Ok(t)
    }
    fn word(&mut self, what: &str) -> Result<Tok<'a>, ImportError> {
        let t = self.next(what)?;
        if t.text == "(" || t.text == ")" {
            return Err(ImportError::at(
                Some(t.line),
                format!("expected {what}, found '{}'", t.text),
            ));
        }
        Ok(t)
    }
    fn expect(&mut self, p: &str, context: &str) -> Result<Tok<'a>, ImportError> {
        let t = self.next(&format!("'{p}' {context}"))?;
        if t.text != p {
            return Err(ImportError::at(
                Some(t.line),
                format!("expected '{p}' {context}, found '{}'", t.text),
            ));
        }
        Ok(t)
    }
    fn number(&mut self, what: &str) -> Result<(f64, u32), ImportError> {
        let t = self.word(what)?;
        let x = t
            .text
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| {
                ImportError::at(Some(t.line), format!("{what} '{}' is not a number", t.text))
            })?;
        Ok((x, t.line))
    }
    /// At a section's closing ')'? Consumes it if so.
    fn closes(&mut self) -> bool {
        if self.peek().is_some_and(|t| t.text == ")") {
            self.pos += 1;
            true
        } else {
            false
        }
    }
}

/// Megabits per second in one unit of the file's capacities and demands.
fn unit_mbps(unit: &str) -> Option<f64> {
    match unit.to_ascii_uppercase().as_str() {
        "KBITPERSEC" => Some(1e-3),
        "MBITPERSEC" => Some(1.0),
        "GBITPERSEC" => Some(1e3),
        _ => None,
    }
}

/// As [`parse`], with warnings; `fallback_name` names the topology (SNDlib
/// files name their network only in a comment).
pub fn parse_with_warnings(
    text: &str,
    opts: &ImportOptions,
    fallback_name: &str,
) -> Result<Imported, ImportError> {
    opts.check()?;
    let toks = tokenize(text);
    let last_line = toks.last().map_or(1, |t| t.line);
    let mut c = Cursor {
        toks,
        pos: 0,
        last_line,
    };
    let warnings = Vec::new();
    let mut name = fallback_name.to_string();
    for l in text.lines().take(5) {
        if let Some(n) = l.trim().strip_prefix("# network ") {
            name = n.trim().to_string();
        }
    }

    let mut st = Sections {
        warnings,
        ..Sections::default()
    };
    let mut seen_sections = HashSet::new();

    while let Some(head) = c.peek() {
        let section = c.word("a section name")?;
        c.expect("(", &format!("after {}", section.text))?;
        if !seen_sections.insert(section.text) {
            return Err(ImportError::at(
                Some(head.line),
                format!("section {} appears twice", section.text),
            ));
        }
        match section.text {
            "META" => st.meta(&mut c)?,
            "NODES" => st.nodes(&mut c, opts)?,
            "LINKS" => st.links(&mut c, opts)?,
            "DEMANDS" => st.demands(&mut c)?,
            other => {
                if !skip_section(&mut c, other)? {
                    st.warnings.push(format!(
                        "line {}: section {other} is not used by drsim and was skipped",
                        head.line
                    ));
                }
            }
        }
    }
    let Sections {
        unit,
        mut sites,
        mut links,
        raw_caps,
        planar,
        raw_demands,
        mut warnings,
        ..
    } = st;
    if sites.is_empty() {
        return Err(ImportError::at(
            None,
            "no nodes: the NODES section is missing or empty",
        ));
    }
    let mbps = match unit {
        Some((u, _)) => u,
        None => {
            warnings.push(
                "no META unit: capacities and demands read as Mbit/s (the SNDlib convention; their ratio is exact either way)"
                    .to_string(),
            );
            1.0
        }
    };
    for (l, (cap, _)) in links.iter_mut().zip(&raw_caps) {
        l.capacity_gbps = cap * mbps / 1000.0;
    }
    if let Some(w) = planar {
        for site in &mut sites {
            site.location = None;
        }
        warnings.push(w);
    }
    check_amounts(&links, &raw_caps, &raw_demands, mbps)?;
    let demands = raw_demands
        .into_iter()
        .map(|(key, source, target, value, _)| Demand {
            name: format!("{key} (SNDlib demand to {target}; entry site = source)"),
            key,
            entry_sites: vec![source],
            users: 0.0,
            peak_rps: value * mbps,
            profile: [1.0; 24],
            kbit_per_request: 1000.0,
        })
        .collect();
    let topology = Topology::from_parts(TopologyParts {
        name,
        description: "Imported from SNDlib".into(),
        sites,
        links,
        demands,
        ..TopologyParts::default()
    })
    .map_err(|e| ImportError::at(None, e.to_string()))?;
    Ok(Imported { topology, warnings })
}

/// Skips a section drsim does not use, up to its closing parenthesis;
/// whether it was empty.
fn skip_section(c: &mut Cursor<'_>, name: &str) -> Result<bool, ImportError> {
    let mut depth = 0usize;
    let mut empty = true;
    loop {
        let t = c.next(&format!("the end of {name}"))?;
        match t.text {
            ")" if depth == 0 => return Ok(empty),
            ")" => depth -= 1,
            "(" => depth += 1,
            _ => {}
        }
        empty = false;
    }
}

/// The loader's caps, checked here with the line, so an import never holds
/// a number `drsim validate` would refuse (or an infinity).
fn check_amounts(
    links: &[Link],
    raw_caps: &[(f64, u32)],
    raw_demands: &[RawDemand],
    mbps: f64,
) -> Result<(), ImportError> {
    for (key, _, _, value, vline) in raw_demands {
        let rps = value * mbps;
        if rps.is_nan() || rps > crate::io::load::MAX_DEMAND_AMOUNT {
            return Err(ImportError::at(
                Some(*vline),
                format!(
                    "demand {key}: value {value} is {rps:e} Mbit/s, more than the {:e} a demand may have",
                    crate::io::load::MAX_DEMAND_AMOUNT
                ),
            ));
        }
    }
    for (l, (cap, line)) in links.iter().zip(raw_caps) {
        let gbps = cap * mbps / 1000.0;
        if gbps.is_nan() || gbps > crate::io::load::limits::MAX_LINK_GBPS {
            return Err(ImportError::at(
                Some(*line),
                format!(
                    "link {}: capacity {cap} is {gbps:e} Gbit/s, more than the {:e} a link may have",
                    l.key,
                    crate::io::load::limits::MAX_LINK_GBPS
                ),
            ));
        }
    }
    Ok(())
}

/// A demand as read: id, source site, target name, value (in the file's
/// unit) and the value's line.
type RawDemand = (String, SiteId, String, f64, u32);

/// What the sections read so far: the sites and links, raw capacities and
/// demands (scaled once the unit is known), and the warnings.
#[derive(Default)]
struct Sections<'t> {
    unit: Option<(f64, u32)>,
    sites: Vec<Site>,
    site_ids: HashMap<&'t str, SiteId>,
    links: Vec<Link>,
    link_keys: HashSet<String>,
    raw_caps: Vec<(f64, u32)>,
    /// Some SNDlib networks give planar (x, y) coordinates, not degrees.
    planar: Option<String>,
    raw_demands: Vec<RawDemand>,
    demand_keys: HashSet<&'t str>,
    warnings: Vec<String>,
}

impl<'t> Sections<'t> {
    /// `META ( key = value ... )`: only `unit` is used.
    fn meta(&mut self, c: &mut Cursor<'t>) -> Result<(), ImportError> {
        // Lines of `key = value`; values are free text.
        let mut depth = 0usize;
        let mut line_toks: Vec<Tok> = Vec::new();
        let mut lines: Vec<Vec<Tok>> = Vec::new();
        loop {
            let t = c.next("the end of META")?;
            match t.text {
                ")" if depth == 0 => break,
                ")" => depth -= 1,
                "(" => depth += 1,
                _ => {}
            }
            if line_toks.last().is_some_and(|l| l.line != t.line) {
                lines.push(std::mem::take(&mut line_toks));
            }
            line_toks.push(t);
        }
        lines.push(line_toks);
        for l in lines {
            if let [k, eq, v, ..] = l.as_slice()
                && k.text == "unit"
                && eq.text == "="
            {
                let u = unit_mbps(v.text).ok_or_else(|| {
                    ImportError::at(
                        Some(v.line),
                        format!(
                            "unknown unit '{}' (known: KBITPERSEC, MBITPERSEC, GBITPERSEC)",
                            v.text
                        ),
                    )
                })?;
                self.unit = Some((u, v.line));
            }
        }
        Ok(())
    }

    /// `NODES ( id ( lon lat ) ... )`.
    /// Refuses the element at `line` when the network grows past what could
    /// ever load ([`super::import::check_element_count`]).
    fn check_size(&self, line: u32) -> Result<(), ImportError> {
        let count = self.sites.len() + self.links.len() + self.raw_demands.len() + 1;
        super::import::check_element_count(count, Some(line))
    }

    fn nodes(&mut self, c: &mut Cursor<'t>, opts: &ImportOptions) -> Result<(), ImportError> {
        while !c.closes() {
            let id = c.word("a node id")?;
            self.check_size(id.line)?;
            c.expect("(", &format!("before the coordinates of node {}", id.text))?;
            let (lon, _) = c.number("longitude")?;
            let (lat, _) = c.number("latitude")?;
            c.expect(")", &format!("after the coordinates of node {}", id.text))?;
            if self.planar.is_none()
                && (!(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon))
            {
                self.planar = Some(format!(
                    "line {}: node {} at ( {lon} {lat} ) is not ( longitude latitude ) in \
                         degrees: the file's coordinates look self.planar, so every node is \
                         imported without coordinates (link lengths fall back to the default)",
                    id.line, id.text
                ));
            }
            crate::model::text::check_id(id.text).map_err(|m| {
                ImportError::at(Some(id.line), format!("node id '{}' {m}", id.text))
            })?;
            let sid = SiteId(self.sites.len() as u32);
            if self.site_ids.insert(id.text, sid).is_some() {
                return Err(ImportError::at(
                    Some(id.line),
                    format!("node {} appears twice", id.text),
                ));
            }
            self.sites.push(Site {
                key: id.text.to_string(),
                name: id.text.to_string(),
                region: None,
                location: Some(GeoPoint { lat, lon }),
                capacity_rps: f64::INFINITY,
                failure: opts.node_failure.clone(),
                gray: None,
            });
        }
        Ok(())
    }

    /// `LINKS ( id ( s t ) pre_cap pre_cost routing_cost setup_cost ( modules ) )`.
    fn links(&mut self, c: &mut Cursor<'t>, opts: &ImportOptions) -> Result<(), ImportError> {
        while !c.closes() {
            let id = c.word("a link id")?;
            self.check_size(id.line)?;
            let (a, b) = endpoints(c, &self.site_ids, "link", id)?;
            if a == b {
                return Err(ImportError::at(
                    Some(id.line),
                    format!("link {} connects a node to itself", id.text),
                ));
            }
            let (pre, pre_line) = c.number("pre-installed capacity")?;
            for what in ["pre-installed capacity cost", "routing cost", "setup cost"] {
                c.number(what)?;
            }
            c.expect("(", &format!("before the modules of link {}", id.text))?;
            let mut modules = Vec::new();
            while !c.closes() {
                modules.push(c.number("module capacity")?);
                c.number("module cost")?;
            }
            // Pre-installed capacity when there is some; else the
            // first (for nobel-us: smallest) installable module, as
            // if one module were installed: these files describe a
            // network to be dimensioned, and drsim needs a capacity.
            let cap = if pre > 0.0 {
                (pre, pre_line)
            } else if let Some(m) = modules.first() {
                *m
            } else {
                (pre, pre_line)
            };
            if cap.0 < 0.0 {
                return Err(ImportError::at(
                    Some(cap.1),
                    format!("link {}: capacity {} is negative", id.text, cap.0),
                ));
            }
            let (la, lb) = match self.planar {
                Some(_) => (None, None),
                None => (
                    self.sites[a.index()].location,
                    self.sites[b.index()].location,
                ),
            };
            if !self.link_keys.insert(id.text.to_string()) {
                return Err(ImportError::at(
                    Some(id.line),
                    format!("link {} appears twice", id.text),
                ));
            }
            crate::model::text::check_id(id.text).map_err(|m| {
                ImportError::at(Some(id.line), format!("link id '{}' {m}", id.text))
            })?;
            if cap.0 == 0.0 {
                self.warnings.push(format!(
                        "line {}: link {} has no pre-installed capacity and no module; imported with capacity 0",
                        id.line, id.text
                    ));
            }
            self.raw_caps.push(cap);
            self.links.push(Link {
                key: id.text.to_string(),
                a,
                b,
                capacity_gbps: 0.0,
                length_km: la.zip(lb).map(|(x, y)| x.distance_km(y)),
                latency_ms: None,
                failure: opts.link_process(la, lb),
            });
        }
        Ok(())
    }

    /// `DEMANDS ( id ( s t ) routing_unit value max_path_length )`.
    fn demands(&mut self, c: &mut Cursor<'t>) -> Result<(), ImportError> {
        while !c.closes() {
            let id = c.word("a demand id")?;
            self.check_size(id.line)?;
            let (a, b) = endpoints(c, &self.site_ids, "demand", id)?;
            c.number("routing unit")?;
            let (value, vline) = c.number("demand value")?;
            c.word("max path length")?;
            if value < 0.0 {
                return Err(ImportError::at(
                    Some(vline),
                    format!("demand {}: value {value} is negative", id.text),
                ));
            }
            if !self.demand_keys.insert(id.text) {
                return Err(ImportError::at(
                    Some(id.line),
                    format!("demand {} appears twice", id.text),
                ));
            }
            let target = self.sites[b.index()].key.clone();
            self.raw_demands
                .push((id.text.to_string(), a, target, value, vline));
        }
        Ok(())
    }
}

fn endpoints(
    c: &mut Cursor,
    ids: &HashMap<&str, SiteId>,
    kind: &str,
    id: Tok,
) -> Result<(SiteId, SiteId), ImportError> {
    c.expect("(", &format!("before the ends of {kind} {}", id.text))?;
    let mut end = || -> Result<SiteId, ImportError> {
        let t = c.word("a node id")?;
        ids.get(t.text).copied().ok_or_else(|| {
            ImportError::at(
                Some(t.line),
                format!(
                    "{kind} {}: '{}' is not a node (NODES must come first)",
                    id.text, t.text
                ),
            )
        })
    };
    let a = end()?;
    let b = end()?;
    c.expect(")", &format!("after the ends of {kind} {}", id.text))?;
    Ok((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "?SNDlib native format; type: network; version: 1.0
# network tiny
META (
  unit  = MBITPERSEC
  origin = someone (somewhere)
)
NODES (
  A ( 0.0 0.0 )   # longitude first
  B ( 1.0 0.0 )
  C ( 0.0 45.0 )
)
LINKS (
  L1 ( A B ) 2480.00 0.00 0.00 0.00 ( 40000.00 133.00 )
  L2 ( B C ) 0.00 0.00 0.00 0.00 ( 20.00 5.00 40.00 7.00 )
  L3 ( A B ) 0.00 0.00 0.00 0.00 ( )
)
DEMANDS (
  D1 ( A C ) 1 34.50 UNLIMITED
)
ADMISSIBLE_PATHS ( 
)
";

    #[test]
    fn small_file_exact() {
        let i = parse_with_warnings(SMALL, &ImportOptions::default(), "f").unwrap();
        assert_eq!(i.warnings.len(), 1, "{:?}", i.warnings);
        assert!(
            i.warnings[0].starts_with("line 15: link L3 has no"),
            "{:?}",
            i.warnings
        );
        let t = &i.topology;
        assert_eq!(t.name, "tiny");
        assert_eq!(t.sites.len(), 3);
        assert_eq!(t.sites[1].location, Some(GeoPoint { lat: 0.0, lon: 1.0 }));
        assert_eq!(
            t.sites[2].location,
            Some(GeoPoint {
                lat: 45.0,
                lon: 0.0
            })
        );
        let caps: Vec<f64> = t.links.iter().map(|l| l.capacity_gbps).collect();
        // Pre-installed 2,480 Mbit/s; first module 20 Mbit/s; nothing at all.
        assert_eq!(caps, [2.48, 0.02, 0.0]);
        let d = &t.demands[0];
        assert_eq!(d.entry_sites, [SiteId(0)]);
        // Bandwidth at peak = 34.5 Mbit/s = 34,500 kbit/s.
        assert!((d.peak_rps * d.kbit_per_request - 34_500.0).abs() < 1e-9);
        let km = 6371.0 * std::f64::consts::PI / 180.0;
        assert!((t.links[0].length_km.unwrap() - km).abs() < 1e-9);
    }

    #[test]
    fn planar_coordinates_are_dropped_with_a_warning() {
        let text = SMALL.replace("C ( 0.0 45.0 )", "C ( 450.0 1000.0 )");
        let i = parse_with_warnings(&text, &ImportOptions::default(), "").unwrap();
        assert!(i.topology.sites.iter().all(|s| s.location.is_none()));
        assert!(i.topology.links.iter().all(|l| l.length_km.is_none()));
        let w = i.warnings.iter().find(|w| w.contains("planar")).unwrap();
        assert!(w.starts_with("line 10:"), "{w}");
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            (
                SMALL.replace("B ( 1.0 0.0 )", "B ( 1.0 zero )"),
                9,
                "'zero'",
            ),
            (SMALL.replace("L2 ( B C )", "L2 ( B X )"), 14, "'X'"),
            (SMALL.replace("MBITPERSEC", "PARSECS"), 4, "unknown unit"),
            (
                SMALL.replace("  D1 ( A C ) 1 34.50 UNLIMITED\n", "  D1 ( A C ) 1\n"),
                19,
                "demand value",
            ),
            (SMALL.replace("L3 ( A B )", "L1 ( A B )"), 15, "twice"),
            (SMALL.replace("L3 ( A B )", "L3 ( A A )"), 15, "itself"),
        ];
        for (text, line, what) in cases {
            let e = parse(&text, &ImportOptions::default()).unwrap_err();
            assert_eq!(e.line(), Some(line), "{e}");
            assert!(e.to_string().contains(what), "{e}");
        }
        let e = parse("NODES (\n A ( 1 2 )\n", &ImportOptions::default()).unwrap_err();
        assert_eq!(e.line(), Some(2), "{e}");
        assert!(e.to_string().contains("file ends"), "{e}");
    }

    #[test]
    fn missing_unit_warns_and_reads_mbps() {
        let text = SMALL.replace("  unit  = MBITPERSEC\n", "");
        let i = parse_with_warnings(&text, &ImportOptions::default(), "").unwrap();
        assert_eq!(i.warnings.len(), 2);
        assert!(
            i.warnings[1].starts_with("no META unit"),
            "{:?}",
            i.warnings
        );
        assert_eq!(i.topology.links[0].capacity_gbps, 2.48);
    }
}
