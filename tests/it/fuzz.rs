//! Property tests of every reader of untrusted text (issue 16): the TOML
//! loader, the GraphML and SNDlib importers and the shard-part data, each
//! on 100,000 inputs made by mutating a valid file with tokens that break
//! syntax, ranges and text rules. Properties: no panic; an accepted file
//! holds only printable ids; what is accepted saves to TOML that loads
//! again (so `import` output always validates); an accepted part merges
//! and reports finite numbers.

use proptest::prelude::*;
use proptest::sample::Index;
use std::path::Path;

const TOML: &str = r#"[topology]
name = "f"
[defaults.link]
failure = { rate_per_1000km = 2.13, mttr = "6h" }
[[region]]
id = "r"
[[region.hazard]]
kind = "quake"
annual_rate = 0.1
site_hit_probability = 0.5
outage = "2d"
[[site]]
id = "a"
region = "r"
lat = 1.0
lon = 2.0
failure = { unavailability = 0.001, mttr = "4h" }
[[site]]
id = "b"
lat = 3.0
lon = 4.0
[[link]]
a = "a"
b = "b"
capacity_gbps = 10
[[release_train]]
id = "t"
sites = ["a", "b"]
releases_per_year = 52
bad_release_probability = 0.01
detection = "5m"
rollback = "10m"
services = ["dns"]
recovery = { requires = ["oob"], fallback = "2h" }
[[service]]
id = "dns"
sites = ["a", "b"]
reach = "region"
requires = [{ service = "oob", needs = 1, reach = "site" }]
bootstrap = { dist = "lognormal", median = "1h", sigma = 0.5 }
[[service]]
id = "oob"
sites = ["a", "b"]
requires = ["dns"]
failure = { annual_rate = 1, mttr = "1h" }
[[service]]
id = "front"
requires = ["dns"]
control = [{ service = "oob", needs = 2 }]
[[demand]]
id = "d"
sites = ["a"]
users = 100
peak_rps = 10
[[surge]]
id = "s"
date = "12-31"
duration = "1h"
multiplier = 2
[[plan]]
id = "p"
serving_sites = ["a", "b"]
mode = "active-passive"
replication = "async"
replication_lag = "5s"
cost_per_year = 1e6
serves = "front"
"#;

const GRAPHML: &str = r#"<?xml version="1.0"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
<key id="d0" for="node" attr.name="label" attr.type="string"/>
<key id="d1" for="node" attr.name="Latitude" attr.type="double"/>
<key id="d2" for="node" attr.name="Longitude" attr.type="double"/>
<key id="d3" for="edge" attr.name="LinkSpeedRaw" attr.type="double"/>
<graph edgedefault="undirected">
<data key="d0">net</data>
<node id="0"><data key="d0">A</data><data key="d1">1.5</data><data key="d2">2.5</data></node>
<node id="1"><data key="d0">B</data><data key="d1">-3</data><data key="d2">4</data></node>
<node id="2"/>
<edge source="0" target="1"><data key="d3">1e10</data></edge>
<edge source="1" target="2"/>
</graph>
</graphml>
"#;

const SNDLIB: &str = "?SNDlib native format; type: network; version: 1.0
META (
  unit = MBITPERSEC
)
NODES (
  A ( 0.0 0.0 )
  B ( 1.0 0.0 )
  C ( 0.0 45.0 )
)
LINKS (
  L1 ( A B ) 2480.00 0.00 0.00 0.00 ( 40000.00 133.00 )
  L2 ( B C ) 0.00 0.00 0.00 0.00 ( 20.00 5.00 )
)
DEMANDS (
  D1 ( A C ) 1 34.50 UNLIMITED
)
";

/// Pieces that break syntax, numbers, references and text rules.
const TOKENS: &[&str] = &[
    "\"",
    "=",
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    "<",
    ">",
    "/>",
    "\n",
    " ",
    "#",
    ",",
    "'",
    "0",
    "-1",
    "1e308",
    "-1e308",
    "5e-324",
    "nan",
    "inf",
    "1e300",
    "99999999999999999999",
    "\"\"",
    "\u{1b}[2J",
    "\u{7}",
    "\u{fffe}",
    "\u{202e}",
    "\r\n",
    "\u{feff}",
    "é",
    "[[site]]\n",
    "[[link]]\n",
    "[[plan]]\n",
    "id = \"a\"\n",
    "\"1ms\"",
    "\"0s\"",
    "\"1e3s\"",
    "NODES (",
    "LINKS (",
    "DEMANDS (",
    "<node id=\"\"/>",
    "<node id=\"0\"/>",
    "</node>",
    "<edge source=\"0\" target=\"0\"/>",
    "<!DOCTYPE x>",
    "<!--",
    "-->",
    "&amp;",
    "&#0;",
    "<data key=\"d1\">999</data>",
    "<data key=\"d3\">-5</data>",
    "( 400 1000 )",
];

/// Up to `n` edits of `base`: each inserts a token, or a token replaces a
/// short run of the text, at a random character boundary.
fn mutated(base: &'static str, n: usize) -> impl Strategy<Value = String> {
    let edit = (any::<Index>(), 0..TOKENS.len(), 0usize..6);
    prop::collection::vec(edit, 1..=n).prop_map(move |edits| {
        let mut s = base.to_string();
        for (at, tok, cut) in edits {
            let mut i = at.index(s.len() + 1);
            while !s.is_char_boundary(i) {
                i -= 1;
            }
            let mut j = (i + cut).min(s.len());
            while !s.is_char_boundary(j) {
                j += 1;
            }
            s.replace_range(i..j, TOKENS[tok]);
        }
        s
    })
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 100_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Whatever loads has printable ids and saves to TOML that loads again.
fn accepted_round_trips(t: &drsim::model::Topology) -> Result<(), TestCaseError> {
    for id in t
        .sites
        .iter()
        .map(|s| &s.key)
        .chain(t.links.iter().map(|l| &l.key))
    {
        prop_assert!(drsim::model::text::check_id(id).is_ok(), "{id:?}");
    }
    let text = drsim::io::save::to_toml_string(t);
    let again = drsim::io::load_str(&text, Path::new("saved.toml"));
    prop_assert!(
        again.is_ok(),
        "saved text does not load: {}\n{text}",
        again.unwrap_err()
    );
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn toml_loader_never_panics_and_what_it_accepts_round_trips(text in mutated(TOML, 3)) {
        if let Ok(l) = drsim::io::load_str(&text, Path::new("f.toml")) {
            accepted_round_trips(&l.topology)?;
        }
    }

    #[test]
    fn graphml_import_never_panics_and_its_output_validates(text in mutated(GRAPHML, 3)) {
        let opts = drsim::io::import::ImportOptions::default();
        if let Ok(i) = drsim::io::graphml::parse_with_warnings(&text, &opts, "f") {
            accepted_round_trips(&i.topology)?;
        }
    }

    #[test]
    fn sndlib_import_never_panics_and_its_output_validates(text in mutated(SNDLIB, 3)) {
        let opts = drsim::io::import::ImportOptions::default();
        if let Ok(i) = drsim::io::sndlib::parse_with_warnings(&text, &opts, "f") {
            accepted_round_trips(&i.topology)?;
        }
    }
}

/// A run part of `fuzz_topology()`'s plan 0, as JSON text.
fn part_json() -> (drsim::model::Topology, String) {
    let t = drsim::io::load_str(TOML, Path::new("f.toml"))
        .unwrap()
        .topology;
    let cfg = drsim::simulate::SimConfig {
        trials: 70,
        years: 1,
        seed: 3,
    };
    let data =
        drsim::simulate::run_plan_data(&t, 0, &cfg, drsim::shard::Shard::WHOLE, &|_| {}).unwrap();
    (t, serde_json::to_string(&data).unwrap())
}

/// Numbers and pieces that break a part's JSON.
const PART_TOKENS: &[&str] = &[
    "1e308",
    "-1",
    "0",
    "3.2e7",
    "99999999999999999999",
    "null",
    "[]",
    "[1e308]",
    "\"x\"",
    "{}",
    ",",
    "]",
    "[",
    "\"\\u001b\"",
    "true",
    "0.5",
    "-0.0",
    "1e-320",
];

proptest! {
    #![proptest_config(config())]

    /// The part reader's data: anything that deserializes and passes the
    /// value checks merges and reports finite numbers, without a panic.
    #[test]
    fn part_data_never_panics_and_what_passes_reports_finite_numbers(
        edits in prop::collection::vec((any::<Index>(), 0..PART_TOKENS.len(), 0usize..8), 1..=2)
    ) {
        thread_local! {
            static BASE: (drsim::model::Topology, String) = part_json();
        }
        BASE.with(|(t, base)| -> Result<(), TestCaseError> {
            let mut s = base.clone();
            for (at, tok, cut) in edits {
                let i = at.index(s.len() + 1);
                let j = (i + cut).min(s.len());
                s.replace_range(i..j, PART_TOKENS[tok]);
            }
            let Ok(data) = serde_json::from_str::<drsim::simulate::RunData>(&s) else {
                return Ok(());
            };
            let Ok(merged) = drsim::simulate::RunData::merge(vec![data]) else {
                return Ok(());
            };
            if let Ok(r) = merged.report(t) {
                prop_assert!(r.downtime_minutes_per_year.mean.mean.is_finite());
                prop_assert!(r.availability_time.mean.is_finite());
                prop_assert!((0.0..=1.0).contains(&r.availability_time.mean), "{}", r.availability_time.mean);
            }
            Ok(())
        })?;
    }
}
