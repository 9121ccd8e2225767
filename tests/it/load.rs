//! The TOML loader: values land in the model with the right units, the saver
//! writes a file that loads back to an equal model, and bad files are
//! rejected with their line.

use drsim::io::{load_str, save};
use drsim::model::*;
use std::path::Path;

const FULL: &str = r#"
[topology]
name = "every-feature"
description = "one of each thing"
format = 1

[defaults.site]
capacity_rps = 50000
failure = { mtbf = "2y", mttr = "4h" }

[defaults.link]
capacity_gbps = 400
failure = { rate_per_1000km = 2.13, ttr = { dist = "lognormal", median = "6h", sigma = 1.0 } }

[defaults.demand]
kbit_per_request = 12

[[region]]
id = "us-west"
name = "US West"
[[region.hazard]]
kind = "earthquake"
annual_rate = 0.042
site_hit_probability = 0.8
outage = { dist = "weibull", shape = 1.5, scale = "5d" }

[[region]]
id = "eu"

[[site]]
id = "sjc"
region = "us-west"
lat = 37.34
lon = -121.89

[[site]]
id = "lax"
region = "us-west"
lat = 34.05
lon = -118.24
failure = { unavailability = 0.001, mttr = "2h" }

[[site]]
id = "ams"
name = "Amsterdam"
region = "eu"
capacity_rps = 80000
failure = { never = true }

[[link]]
a = "sjc"
b = "lax"

[[link]]
id = "sjc-ams"
a = "sjc"
b = "ams"
length_km = 8800
latency_ms = 70
failure = { annual_rate = 3, mttr = "12h" }

[[shared_risk]]
id = "coast-conduit"
kind = "conduit"
links = ["sjc-lax", "sjc-ams"]
failure = { ttf = { dist = "exponential", mean = "5y" }, ttr = { dist = "fixed", value = "1d" } }

[[release_train]]
id = "backend"
sites = ["sjc", "lax", "ams"]
canary_sites = ["lax"]
releases_per_year = 52
bad_release_probability = 0.05
canary_catch = 0.7
detection = "15m"
rollback = "30m"

[operator_errors]
annual_rate = 2
outage = "1h"

[[demand]]
id = "na"
region = "us-west"
users = 2e8
peak_rps = 40000
profile = [0.5, 0.4, 0.3, 0.3, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.0, 1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.7, 0.6, 0.5]

[[demand]]
id = "eu"
sites = ["ams"]
users = 1.5e8
peak_rps = 30000
kbit_per_request = 20

[[surge]]
id = "new-year"
date = "12-31"
start_hour_utc = 22
duration = "4h"
multiplier = 3.5

[[plan]]
id = "aa"
serving_sites = ["sjc", "lax", "ams"]
mode = "active-active"
quorum = 2
replicas = 3
detection = "30s"
switchover = "1m"
replication = "async"
replication_lag = "2s"
backup_interval = "1d"
headroom = 0.3
cost_per_year = 1.2e7
operator_error_factor = 0.5
targets = { availability = 0.9999, rto = "5m", rpo = "1m" }

[[plan]]
id = "ap"
serving_sites = ["sjc", "ams"]
mode = "active-passive"
"#;

fn load(text: &str) -> Result<Topology, String> {
    load_str(text, Path::new("t.toml"))
        .map(|l| l.topology)
        .map_err(|e| e.to_string())
}

#[test]
fn every_value_lands_in_the_model() {
    let t = load(FULL).unwrap();
    assert_eq!(t.sites.len(), 3);
    let sjc = t.site(t.site_id("sjc").unwrap());
    assert_eq!(sjc.capacity_rps, 50_000.0);
    let f = sjc.failure.as_ref().unwrap();
    assert!((f.ttf.mean_secs() - 2.0 * 31_536_000.0).abs() < 1e-6);
    assert!((f.unavailability().get() - 4.0 / (2.0 * 8760.0 + 4.0)).abs() < 1e-15);
    let lax = t.site(t.site_id("lax").unwrap());
    assert!((lax.failure.as_ref().unwrap().unavailability().get() - 0.001).abs() < 1e-15);
    assert!(t.site(t.site_id("ams").unwrap()).failure.is_none());

    // The default link failure uses the great-circle length: 2.13 per 1000 km.
    let l = t.link(t.link_id("sjc-lax").unwrap());
    let len = l.length_km.unwrap();
    assert!((len - 489.0).abs() < 5.0, "sjc-lax is ~490 km, got {len}");
    let rate = l.failure.as_ref().unwrap().annual_rate();
    assert!((rate - 2.13 * len / 1000.0).abs() < 1e-9);
    assert_eq!(l.capacity_gbps, 400.0);

    let g = &t.shared_risks[0];
    assert_eq!(g.kind, RiskKind::Conduit);
    assert_eq!(g.links.len(), 2);
    let tr = &t.release_trains[0];
    assert!((tr.escaped_rate() - 52.0 * 0.05 * 0.3).abs() < 1e-12);
    assert_eq!(tr.outage().minutes(), 45.0);
    assert_eq!(
        t.demands[0].entry_sites.len(),
        2,
        "region demand enters at both us-west sites"
    );
    assert_eq!(t.demands[0].kbit_per_request, 12.0);
    assert_eq!(t.demands[1].kbit_per_request, 20.0);
    assert_eq!(t.surges[0].day_of_year, 364);
    let aa = &t.plans[0];
    assert_eq!((aa.quorum, aa.replicas), (2, 3));
    assert_eq!(
        aa.replication,
        Replication::Async {
            lag: drsim::units::Duration::from_secs(2.0).unwrap()
        }
    );
    assert_eq!(aa.targets.availability.unwrap().get(), 0.9999);
    let ap = &t.plans[1];
    assert_eq!(
        (ap.mode, ap.quorum, ap.replicas),
        (PlanMode::ActivePassive, 1, 2)
    );
}

#[test]
fn save_then_load_is_identity() {
    let t = load(FULL).unwrap();
    let text = save::to_toml_string_with_header(&t, "generated\n\nby a test");
    assert!(text.starts_with("# generated\n#\n# by a test\n"), "{text}");
    let back = load(&text).unwrap_or_else(|e| panic!("{e}\n---\n{text}"));
    assert_eq!(back, t);
    // And the saved text is a fixed point.
    assert_eq!(save::to_toml_string(&back), save::to_toml_string(&t));
}

fn first_error(text: &str) -> String {
    load(text).expect_err("should be rejected")
}

#[test]
fn errors_name_line_and_offender() {
    let cases = [
        (
            "[topology]\nname = \"x\"\n[[site]]\nid = \"a\"\nregion = \"nowhere\"\n",
            "t.toml:5:10: error: unknown region 'nowhere'",
        ),
        (
            "[topology]\nname = \"x\"\n[[site]]\nid = \"a\"\nlat = 95\nlon = 0\n",
            "t.toml:5:7: error: latitude must be between -90 and 90, got 95",
        ),
        (
            "[topology]\nname = \"x\"\n[[site]]\nid = \"a\"\nfailure = { mttr = \"4h\" }\n",
            "t.toml:5:11: error: site 'a': the failure process gives no time to failure",
        ),
        (
            "[topology]\nname = \"x\"\n[[site]]\nid = \"a\"\nfailure = { mtbf = \"1y\", annual_rate = 2, mttr = \"4h\" }\n",
            "gives the time to failure 2 ways (mtbf, annual_rate)",
        ),
        (
            "[topology]\nname = \"x\"\n[[site]]\nid = \"a\"\n[[plan]]\nid = \"p\"\nserving_sites = [\"a\"]\nmode = \"active-active\"\nquorum = 2\n",
            "t.toml:9:10: error: plan 'p': quorum 2 must be between 1 and the 1 serving sites",
        ),
        (
            "[topology]\nname = \"x\"\n[[site]]\nid = \"a\"\n[[release_train]]\nid=\"r\"\nsites=[\"a\"]\nreleases_per_year = 10\nbad_release_probability = 1.5\ndetection=\"1m\"\nrollback=\"1m\"\n",
            "t.toml:9:27: error: probability must be between 0 and 1, got 1.5",
        ),
        (
            "[topology]\nname = \"x\"\n[[site]]\nid = \"a\"\n[[demand]]\nid=\"d\"\nsites=[\"a\"]\nusers=1\npeak_rps=1\nprofile=[1.0]\n",
            "a daily profile needs 24 hourly values",
        ),
        ("[topology]\nname = \"x\"\n", "the topology has no sites"),
        ("[[site]]\nid = \"a\"\n", "missing the [topology] table"),
        ("[topology\nname = \"x\"\n", "t.toml:1:"),
        (
            "[topology]\nname = \"x\"\nformat = 2\n[[site]]\nid=\"a\"\n",
            "format version 2 is not supported",
        ),
    ];
    for (text, expected) in cases {
        let err = first_error(text);
        assert!(err.contains(expected), "expected `{expected}` in:\n{err}");
    }
}

/// A zero rate or unavailability means "never fails", as the README says,
/// so it needs no repair time; a non-zero one still does.
#[test]
fn a_zero_rate_needs_no_repair_time() {
    for key in [
        "annual_rate = 0",
        "unavailability = 0",
        "rate_per_1000km = 0",
    ] {
        let text = format!(
            "[topology]\nname = \"x\"\n[[site]]\nid = \"a\"\n[[site]]\nid = \"b\"\n\
             [[link]]\na = \"a\"\nb = \"b\"\nlength_km = 10\nfailure = {{ {key} }}\n"
        );
        let t = load(&text).unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(t.links[0].failure, None, "{key}");
    }
    let err = first_error(
        "[topology]\nname = \"x\"\n[[site]]\nid = \"a\"\nfailure = { annual_rate = 2 }\n",
    );
    assert!(
        err.contains("t.toml:5:11: error: site 'a': the failure process gives no repair time"),
        "{err}"
    );
}

#[test]
fn every_error_is_reported_in_one_pass() {
    let err = first_error(
        "[topology]\nname = \"x\"\n[[site]]\nid = \"a\"\nregion = \"r1\"\n[[site]]\nid = \"b\"\nregion = \"r2\"\n",
    );
    assert!(
        err.contains("t.toml:5:") && err.contains("t.toml:8:") && err.ends_with("2 errors"),
        "{err}"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    /// Whatever the bytes, the loader answers with a model or an error.
    #[test]
    fn loader_never_panics(text in "\\PC{0,400}") {
        let _ = load(&text);
    }

    /// Damaging a valid file anywhere yields a model or a located error.
    #[test]
    fn mutated_files_never_panic(pos in 0usize..FULL.len(), len in 0usize..20, junk in "[\\[\\]=\"a-z0-9 .\\n-]{0,8}") {
        let mut text = FULL.to_string();
        let start = pos.min(text.len());
        let end = (start + len).min(text.len());
        if text.is_char_boundary(start) && text.is_char_boundary(end) {
            text.replace_range(start..end, &junk);
            let _ = load(&text);
        }
    }
}

/// A plan serving from a site of no capacity is legal but warned about,
/// at the plan, naming both: `run` sheds that site's share all year while
/// `reliability` serves from it. A site of some capacity is not.
#[test]
fn a_serving_site_of_no_capacity_is_warned_about() {
    let text = |cap: &str| {
        format!(
            "[topology]\nname = \"x\"\n[[site]]\nid = \"a\"\ncapacity_rps = {cap}\n\
             [[site]]\nid = \"b\"\n[[link]]\na = \"a\"\nb = \"b\"\n\
             [[plan]]\nid = \"p\"\nmode = \"active-active\"\nserving_sites = [\"a\", \"b\"]\n"
        )
    };
    let warnings = |cap: &str| -> Vec<String> {
        load_str(&text(cap), Path::new("t.toml"))
            .unwrap_or_else(|e| panic!("{e}"))
            .warnings
            .iter()
            .map(|w| w.to_string())
            .collect()
    };
    let w = warnings("0");
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains(
            "t.toml:11:1: warning: plan 'p' serves from site 'a', whose capacity_rps is 0"
        ),
        "{w:?}"
    );
    assert!(warnings("10").is_empty());
}
