//! GraphML import, written for the Internet Topology Zoo files.
//!
//! `<key>` elements map ids (`d29`) to attribute names (`Latitude`); the ids
//! differ between files, so every lookup goes through the names. Nodes become
//! sites keyed by their GraphML id (so `--from 0` finds node `0`), named by
//! `label`, located by `Latitude`/`Longitude` when both are present (nodes
//! without coordinates are kept). Every edge becomes a link, parallel ones
//! included; capacity comes from `LinkSpeedRaw` (bit/s) when present. A
//! `failure_probability` attribute on a node or edge is that component's
//! steady-state unavailability. Self-loops are skipped with a warning.

use super::import::{ImportError, ImportOptions, Imported, defaults};
use crate::model::{GeoPoint, Link, Site, SiteId, Topology, TopologyParts};
use roxmltree::{Document, Node, ParsingOptions};
use std::collections::{HashMap, HashSet};

/// Imports GraphML text; see the module docs.
pub fn parse(text: &str, opts: &ImportOptions) -> Result<Topology, ImportError> {
    parse_with_warnings(text, opts, "").map(|i| i.topology)
}

/// As [`parse`], with warnings; `fallback_name` names the topology when the
/// graph has no `label`.
pub fn parse_with_warnings(
    text: &str,
    opts: &ImportOptions,
    fallback_name: &str,
) -> Result<Imported, ImportError> {
    opts.check()?;
    if let Some((line, _)) = crowded_tag(text, MAX_ATTRIBUTES) {
        return Err(ImportError::at(
            Some(line),
            format!(
                "an element with more than {MAX_ATTRIBUTES} attributes; GraphML elements are limited to \
                 {MAX_ATTRIBUTES} (the XML parser checks duplicates pairwise)"
            ),
        ));
    }
    let doc = Document::parse_with_options(
        text,
        ParsingOptions {
            allow_dtd: false,
            nodes_limit: defaults::MAX_XML_NODES,
            ..ParsingOptions::default()
        },
    )
    .map_err(|e| ImportError::at(Some(e.pos().row), format!("malformed XML: {e}")))?;
    let lines = LineIndex::new(text);
    let line = |n: Node| Some(lines.line_of(n));
    let err = |n: Node, m: String| ImportError::at(line(n), m);

    let root = doc.root_element();
    if root.tag_name().name() != "graphml" {
        return Err(err(
            root,
            format!(
                "the root element is <{}>, expected <graphml>",
                root.tag_name().name()
            ),
        ));
    }
    let mut key_names: HashMap<&str, &str> = HashMap::new();
    for k in root.children().filter(|n| n.has_tag_name_local("key")) {
        let (Some(id), Some(name)) = (k.attribute("id"), k.attribute("attr.name")) else {
            return Err(err(k, "<key> needs both 'id' and 'attr.name'".into()));
        };
        if key_names.insert(id, name).is_some() {
            return Err(err(k, format!("key id '{id}' is defined twice")));
        }
    }
    let graphs: Vec<Node> = root
        .children()
        .filter(|n| n.has_tag_name_local("graph"))
        .collect();
    let graph = match graphs.as_slice() {
        [g] => *g,
        [] => return Err(err(root, "the file holds no <graph>".into())),
        [_, second, ..] => {
            return Err(err(
                *second,
                "more than one <graph>; import one network per file".into(),
            ));
        }
    };
    let data_of = |n| attributes(&lines, &key_names, n);
    let mut warnings = Vec::new();
    let graph_data = data_of(graph)?;
    let name = graph_data
        .get("label")
        .or_else(|| graph_data.get("Network"))
        .map(|(v, _)| v.clone())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| fallback_name.to_string());
    if graph.attribute("edgedefault") == Some("directed") {
        warnings.push(format!(
            "line {}: the graph is declared directed; drsim links are undirected, so each edge becomes an undirected link",
            lines.line_of(graph)
        ));
    }

    // Counted before anything is built, so a network too large to load is
    // refused at the element that makes it so.
    let mut elements = graph
        .children()
        .filter(|c| c.has_tag_name_local("node") || c.has_tag_name_local("edge"));
    if let Some(n) = elements.nth(defaults::MAX_ELEMENTS) {
        super::import::check_element_count(defaults::MAX_ELEMENTS + 1, Some(lines.line_of(n)))?;
    }
    let (sites, site_ids) = nodes(graph, &lines, &key_names, opts, &mut warnings)?;
    if sites.is_empty() {
        return Err(err(graph, "the graph has no <node>".into()));
    }
    let links = edges(
        graph,
        &lines,
        &key_names,
        opts,
        &sites,
        &site_ids,
        &mut warnings,
    )?;
    let topology = Topology::from_parts(TopologyParts {
        name,
        description: "Imported from GraphML".into(),
        sites,
        links,
        ..TopologyParts::default()
    })
    .map_err(|e| ImportError::at(None, e.to_string()))?;
    Ok(Imported { topology, warnings })
}

/// A data value `v` of element `n` as a finite number; an error names the
/// attribute `name` and the element's line.
fn finite(lines: &LineIndex, name: &str, (v, n): &(String, Node)) -> Result<f64, ImportError> {
    v.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| {
            let m = format!("{name} '{v}' is not a finite number");
            ImportError::at(Some(lines.line_of(*n)), m)
        })
}

/// The `<node>` elements as sites, and each node id's site.
fn nodes<'a, 'i>(
    graph: Node<'a, 'i>,
    lines: &LineIndex,
    key_names: &HashMap<&'a str, &'a str>,
    opts: &ImportOptions,
    warnings: &mut Vec<String>,
) -> Result<(Vec<Site>, HashMap<&'a str, SiteId>), ImportError> {
    let line = |n: Node| Some(lines.line_of(n));
    let err = |n: Node, m: String| ImportError::at(line(n), m);
    let data_of = |n| attributes(lines, key_names, n);
    let number = |name: &str, data: &(String, Node)| finite(lines, name, data);
    let mut sites = Vec::new();
    let mut site_ids: HashMap<&str, SiteId> = HashMap::new();
    for n in graph.children().filter(|c| c.has_tag_name_local("node")) {
        let Some(id) = n.attribute("id") else {
            return Err(err(n, "<node> without an 'id' attribute".into()));
        };
        crate::model::text::check_id(id).map_err(|m| err(n, format!("node id '{id}' {m}")))?;
        let sid = SiteId(sites.len() as u32);
        if site_ids.insert(id, sid).is_some() {
            return Err(err(n, format!("node id '{id}' appears twice")));
        }
        let data = data_of(n)?;
        let lat = data
            .get("Latitude")
            .map(|d| number("Latitude", d))
            .transpose()?;
        let lon = data
            .get("Longitude")
            .map(|d| number("Longitude", d))
            .transpose()?;
        let location = match (lat, lon) {
            (Some(lat), Some(lon)) => {
                if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                    return Err(err(
                        n,
                        format!("node '{id}': latitude {lat} / longitude {lon} out of range"),
                    ));
                }
                Some(GeoPoint { lat, lon })
            }
            (None, None) => None,
            _ => {
                warnings.push(format!(
                    "line {}: node '{id}' has only one of Latitude/Longitude; kept without a location",
                    lines.line_of(n)
                ));
                None
            }
        };
        let failure = match data.get("failure_probability") {
            Some(d) => opts
                .process_from_probability(number("failure_probability", d)?)
                .map_err(|m| err(d.1, format!("node '{id}': {m}")))?,
            None => opts.node_failure.clone(),
        };
        let label = data
            .get("label")
            .map(|(v, _)| v.clone())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| id.to_string());
        sites.push(Site {
            key: id.to_string(),
            name: label,
            region: None,
            location,
            capacity_rps: f64::INFINITY,
            failure,
            gray: None,
        });
    }

    Ok((sites, site_ids))
}

/// The `<edge>` elements as links (parallel ones kept with their own key,
/// self-loops skipped with a warning), counting those given the default
/// capacity.
fn edges<'a, 'i>(
    graph: Node<'a, 'i>,
    lines: &LineIndex,
    key_names: &HashMap<&'a str, &'a str>,
    opts: &ImportOptions,
    sites: &[Site],
    site_ids: &HashMap<&'a str, SiteId>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Link>, ImportError> {
    let line = |n: Node| Some(lines.line_of(n));
    let err = |n: Node, m: String| ImportError::at(line(n), m);
    let data_of = |n| attributes(lines, key_names, n);
    let number = |name: &str, data: &(String, Node)| finite(lines, name, data);
    let mut links: Vec<Link> = Vec::new();
    let mut link_keys: HashSet<String> = HashSet::new();
    let mut pair_count: HashMap<(SiteId, SiteId), u32> = HashMap::new();
    let mut without_speed = 0usize;
    for e in graph.children().filter(|c| c.has_tag_name_local("edge")) {
        let (Some(s), Some(t)) = (e.attribute("source"), e.attribute("target")) else {
            return Err(err(e, "<edge> needs 'source' and 'target'".into()));
        };
        let end = |x: &str| {
            site_ids
                .get(x)
                .copied()
                .ok_or_else(|| err(e, format!("edge end '{x}' is not a node of this graph")))
        };
        let (a, b) = (end(s)?, end(t)?);
        if a == b {
            warnings.push(format!(
                "line {}: skipped self-loop edge at node '{s}'",
                lines.line_of(e)
            ));
            continue;
        }
        let data = data_of(e)?;
        let capacity_gbps = match data.get("LinkSpeedRaw") {
            Some(d) => {
                let bps = number("LinkSpeedRaw", d)?;
                if bps <= 0.0 {
                    return Err(err(
                        d.1,
                        format!("LinkSpeedRaw {bps} bit/s must be positive"),
                    ));
                }
                let gbps = bps / 1e9;
                if gbps > crate::io::load::limits::MAX_LINK_GBPS {
                    return Err(err(
                        d.1,
                        format!(
                            "LinkSpeedRaw {bps:e} bit/s is more than the {:e} Gbit/s a link may have",
                            crate::io::load::limits::MAX_LINK_GBPS
                        ),
                    ));
                }
                gbps
            }
            None => {
                without_speed += 1;
                opts.default_capacity_gbps
            }
        };
        let (la, lb) = (sites[a.index()].location, sites[b.index()].location);
        let failure = match data.get("failure_probability") {
            Some(d) => opts
                .process_from_probability(number("failure_probability", d)?)
                .map_err(|m| err(d.1, format!("edge {s}-{t}: {m}")))?,
            None => opts.link_process(la, lb),
        };
        let pair = (a.min(b), a.max(b));
        let nth = pair_count.entry(pair).or_insert(0);
        *nth += 1;
        let key = unique_key(
            &mut link_keys,
            if *nth == 1 {
                format!("{s}-{t}")
            } else {
                format!("{s}-{t}#{nth}")
            },
        );
        links.push(Link {
            key,
            a,
            b,
            capacity_gbps,
            length_km: la.zip(lb).map(|(x, y)| x.distance_km(y)),
            latency_ms: None,
            failure,
        });
    }

    if without_speed > 0 {
        warnings.push(format!(
            "{without_speed} of {} links have no LinkSpeedRaw; they get the default capacity of {} Gbit/s",
            links.len(),
            opts.default_capacity_gbps
        ));
    }
    Ok(links)
}

/// The attributes of an element, by attribute name, with the `<data>`
/// element each came from (for error lines).
#[allow(clippy::type_complexity)]
fn attributes<'a, 'i>(
    lines: &LineIndex,
    key_names: &HashMap<&'a str, &'a str>,
    n: Node<'a, 'i>,
) -> Result<HashMap<&'a str, (String, Node<'a, 'i>)>, ImportError> {
    let err = |n: Node, m: String| ImportError::at(Some(lines.line_of(n)), m);
    let mut m = HashMap::new();
    for d in n.children().filter(|c| c.has_tag_name_local("data")) {
        let Some(k) = d.attribute("key") else {
            return Err(err(d, "<data> without a 'key' attribute".into()));
        };
        let Some(name) = key_names.get(k) else {
            return Err(err(
                d,
                format!("<data key=\"{k}\"> names no declared <key>"),
            ));
        };
        let value: String = d
            .children()
            .filter(|c| c.is_text())
            .filter_map(|c| c.text())
            .collect();
        m.insert(*name, (value.trim().to_string(), d));
    }
    Ok(m)
}

/// Most attributes one element may carry: the XML parser's duplicate check
/// is quadratic in them (100,000 on one node took 8 s of CPU), and real
/// GraphML has a handful.
pub const MAX_ATTRIBUTES: usize = 1000;

/// The line of the first tag with more than `max` attributes (counted as
/// `=` outside quotes), and that count, in one linear pass: comments, CDATA
/// and processing instructions are skipped.
fn crowded_tag(text: &str, max: usize) -> Option<(u32, usize)> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut line = 1u32;
    let skip_to = |from: usize, end: &str, line: &mut u32| -> usize {
        let rest = &text[from..];
        let j = rest.find(end).map_or(rest.len(), |j| j + end.len());
        *line += rest[..j].matches('\n').count() as u32;
        from + j
    };
    while i < b.len() {
        match b[i] {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b'<' if text[i..].starts_with("<!--") => i = skip_to(i, "-->", &mut line),
            b'<' if text[i..].starts_with("<![CDATA[") => i = skip_to(i, "]]>", &mut line),
            b'<' if text[i..].starts_with("<?") => i = skip_to(i, "?>", &mut line),
            b'<' => {
                let start_line = line;
                let (mut n, mut quote) = (0usize, None);
                i += 1;
                while i < b.len() {
                    let c = b[i];
                    i += 1;
                    match (quote, c) {
                        (_, b'\n') => line += 1,
                        (None, b'"' | b'\'') => quote = Some(c),
                        (Some(q), _) if c == q => quote = None,
                        (None, b'=') => {
                            n += 1;
                            if n > max {
                                return Some((start_line, n));
                            }
                        }
                        (None, b'>') => break,
                        _ => {}
                    }
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// Byte offset to 1-based line in O(log n); roxmltree's `text_pos_at` scans
/// from the start, which a hostile file with many warnings makes quadratic.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex(starts)
    }
    fn line_of(&self, n: Node) -> u32 {
        let at = n.range().start;
        u32::try_from(self.0.partition_point(|&s| s <= at)).unwrap_or(u32::MAX)
    }
}

/// `want`, or `want~2`, `want~3`, ... if taken: node ids may contain `-` or
/// `#`, so the natural keys can collide.
pub(crate) fn unique_key(taken: &mut HashSet<String>, want: String) -> String {
    let mut key = want.clone();
    let mut i = 2;
    while taken.contains(&key) {
        key = format!("{want}~{i}");
        i += 1;
    }
    taken.insert(key.clone());
    key
}

trait LocalName {
    fn has_tag_name_local(&self, name: &str) -> bool;
}

impl LocalName for Node<'_, '_> {
    /// GraphML files use the GraphML namespace, hand-written ones often none:
    /// match the local name only.
    fn has_tag_name_local(&self, name: &str) -> bool {
        self.is_element() && self.tag_name().name() == name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::Duration;

    const SMALL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key attr.name="LinkSpeedRaw" attr.type="double" for="edge" id="d9" />
  <key attr.name="label" attr.type="string" for="node" id="d1" />
  <key attr.name="Longitude" attr.type="double" for="node" id="d2" />
  <key attr.name="Latitude" attr.type="double" for="node" id="d3" />
  <key attr.name="failure_probability" attr.type="double" for="all" id="d4" />
  <key attr.name="label" attr.type="string" for="graph" id="d0" />
  <graph edgedefault="undirected">
    <data key="d0">Tiny</data>
    <node id="0"><data key="d1">Paris</data><data key="d3">0</data><data key="d2">0</data></node>
    <node id="1"><data key="d1">Paris</data><data key="d3">0</data><data key="d2">1</data></node>
    <node id="2"><data key="d1">Nowhere</data><data key="d4">0.01</data></node>
    <edge source="0" target="1"><data key="d9">10000000000.0</data></edge>
    <edge source="1" target="0"/>
    <edge source="1" target="2"><data key="d4">0.001</data></edge>
    <edge source="2" target="2"/>
  </graph>
</graphml>
"#;

    #[test]
    fn small_file_exact() {
        let i = parse_with_warnings(SMALL, &ImportOptions::default(), "x").unwrap();
        let t = &i.topology;
        assert_eq!(t.name, "Tiny");
        assert_eq!(t.sites.len(), 3);
        assert_eq!(t.sites[0].key, "0");
        // Labels need not be unique; keys are.
        assert_eq!(t.sites[1].name, "Paris");
        assert_eq!(t.sites[1].location, Some(GeoPoint { lat: 0.0, lon: 1.0 }));
        assert_eq!(t.sites[2].location, None);
        assert!((t.sites[2].failure.as_ref().unwrap().unavailability().get() - 0.01).abs() < 1e-12);
        assert!(t.sites[0].failure.is_none());
        // Parallel edge kept with its own key; self-loop skipped with a warning.
        let keys: Vec<&str> = t.links.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(keys, ["0-1", "1-0#2", "1-2"]);
        assert_eq!(i.warnings.len(), 2, "{:?}", i.warnings);
        assert!(i.warnings[0].contains("line 17") && i.warnings[0].contains("self-loop"));
        // Defaulted capacities are counted, not silent.
        assert!(
            i.warnings[1].starts_with("2 of 3 links have no LinkSpeedRaw"),
            "{:?}",
            i.warnings
        );
        assert_eq!(t.links[0].capacity_gbps, 10.0);
        assert_eq!(t.links[1].capacity_gbps, 100.0);
        let km = 6371.0 * std::f64::consts::PI / 180.0;
        assert!((t.links[0].length_km.unwrap() - km).abs() < 1e-9);
        let rate = t.links[0].failure.as_ref().unwrap().annual_rate();
        // MTBF rounded to four significant digits of hours: within 0.05%.
        assert!((rate / (2.13 * km / 1000.0) - 1.0).abs() < 5e-4);
        // No coordinates at one end: no length, fallback 500 km rate, but
        // here the edge's own probability wins.
        assert_eq!(t.links[2].length_km, None);
        let f = t.links[2].failure.as_ref().unwrap();
        assert!((f.unavailability().get() - 0.001).abs() < 1e-12);
        assert_eq!(f.ttr.mean_secs(), Duration::from_hours(6.0).unwrap().secs());
    }

    #[test]
    fn line_index_agrees_with_roxmltree() {
        let doc = Document::parse(SMALL).unwrap();
        let lines = LineIndex::new(SMALL);
        for n in doc.descendants() {
            assert_eq!(lines.line_of(n), doc.text_pos_at(n.range().start).row);
        }
    }

    #[test]
    fn bad_xml_reports_its_line() {
        let text = "<graphml>\n<graph>\n<node id=\"a\">\n</graph>\n</graphml>";
        let e = parse(text, &ImportOptions::default()).unwrap_err();
        assert_eq!(e.line(), Some(4), "{e}");
        assert!(e.to_string().starts_with("line 4: malformed XML"), "{e}");
    }

    #[test]
    fn bad_values_are_located() {
        let cases = [
            (
                "<node id=\"a\"/>\n<edge source=\"a\" target=\"zz\"/>",
                6,
                "'zz'",
            ),
            ("<node id=\"a\"/>\n<node id=\"a\"/>", 6, "twice"),
            (
                "<node id=\"a\">\n<data key=\"lat\">north</data></node>",
                6,
                "'north'",
            ),
            (
                "<node id=\"a\"><data key=\"nope\">1</data></node>",
                5,
                "nope",
            ),
            (
                "<node id=\"a\"/><node id=\"b\"/>\n<edge source=\"a\" target=\"b\"><data key=\"fp\">1.5</data></edge>",
                6,
                "[0, 1)",
            ),
        ];
        for (body, line, what) in cases {
            let text = format!(
                "<graphml>\n<key id=\"lat\" attr.name=\"Latitude\"/>\n<key id=\"fp\" attr.name=\"failure_probability\"/>\n<graph>\n{body}\n</graph></graphml>"
            );
            let e = parse(&text, &ImportOptions::default()).unwrap_err();
            assert_eq!(e.line(), Some(line), "{body}: {e}");
            assert!(e.to_string().contains(what), "{body}: {e}");
        }
    }

    #[test]
    fn dtd_is_refused() {
        let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE graphml [<!ENTITY a \"aaaa\">]>\n<graphml><graph/></graphml>";
        let e = parse(text, &ImportOptions::default()).unwrap_err();
        assert!(e.to_string().contains("DTD"), "{e}");
    }

    #[test]
    fn unique_keys_never_collide() {
        let mut taken = HashSet::new();
        assert_eq!(unique_key(&mut taken, "a-b-c".into()), "a-b-c");
        assert_eq!(unique_key(&mut taken, "a-b-c".into()), "a-b-c~2");
        assert_eq!(unique_key(&mut taken, "a-b-c".into()), "a-b-c~3");
    }
}

#[cfg(test)]
mod hostile {
    use super::*;

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let depth = 200_000;
        let text = format!(
            "<graphml><graph>{}{}</graph></graphml>",
            "<a>".repeat(depth),
            "</a>".repeat(depth)
        );
        let e = parse(&text, &ImportOptions::default()).unwrap_err();
        // roxmltree parses depth iteratively; the graph simply has no node.
        assert!(e.to_string().contains("no <node>"), "{e}");
    }
}
