//! What-if scenarios (`--down ID`): components held down for the whole run,
//! checked against closed forms in both engines.

use crate::common::{cli, json_ok, refused};

/// Sites a and b, one link, one demand entering at either; an active-active
/// plan over both with quorum 1. b fails with MTBF 1000 h and MTTR 10 h; a
/// never fails on its own. A link named like site b makes "b" ambiguous.
const PAIR: &str = r#"
[topology]
name = "pair"

[[site]]
id = "a"
capacity_rps = 1000

[[site]]
id = "b"
capacity_rps = 1000
failure = { mtbf = "1000h", mttr = "10h" }

[[link]]
id = "b-link"
a = "a"
b = "b"

[[demand]]
id = "users"
sites = ["a", "b"]
users = 1000
peak_rps = 100

[[plan]]
id = "both"
serving_sites = ["a", "b"]
mode = "active-active"
quorum = 1
replicas = 2
# Each site is provisioned for the whole peak, so one alone carries it.
headroom = 1.0
"#;

fn pair_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pair.toml");
    std::fs::write(&path, PAIR).unwrap();
    (dir, path)
}

/// With a held down, the plan is up exactly while b is: unavailability
/// MTTR / (MTBF + MTTR) = 10/1010, exactly in the static engine.
#[test]
fn static_what_if_matches_the_closed_form() {
    let (_d, f) = pair_file();
    let q = 10.0 / 1010.0;
    let v = json_ok(&mut cli(
        "reliability",
        &f,
        "--service --method exact --down site:a --format json",
    ));
    let u = v["unreliability"].as_f64().unwrap();
    assert!((u - q).abs() < 1e-12, "{u} vs {q}");
    assert_eq!(v["what_if"][0], "site:a");
    // Without the what-if both sites must fail: a never does.
    let v = json_ok(&mut cli(
        "reliability",
        &f,
        "--service --method exact --format json",
    ));
    assert_eq!(v["unreliability"].as_f64().unwrap(), 0.0);
    assert!(v.get("what_if").is_none());
}

/// The simulator agrees within its 95% interval, and books the downtime to
/// b's hardware failures and not to the what-if alone: a being down is what
/// makes b's failures matter, so both share the outage.
#[test]
fn simulated_what_if_matches_the_closed_form() {
    let (_d, f) = pair_file();
    let avail = 1000.0 / 1010.0;
    let v = json_ok(&mut cli(
        "run",
        &f,
        "--trials 2000 --seed 5 --down a --format json --quiet",
    ));
    let a = &v["plans"][0]["availability_time"];
    let (mean, se) = (a["mean"].as_f64().unwrap(), a["se"].as_f64().unwrap());
    assert!(
        se > 0.0 && (mean - avail).abs() <= 4.0 * se,
        "{mean} ± {se} vs {avail}"
    );
    let causes = v["plans"][0]["downtime_by_cause"].as_array().unwrap();
    let what_if = causes
        .iter()
        .find(|c| c["cause"] == "what-if")
        .expect("a what-if row");
    assert!(what_if["minutes_per_year"].as_f64().unwrap() > 0.0);
    assert_eq!(v["what_if"][0], "a");
    // Without it, no what-if row.
    let v = json_ok(&mut cli("run", &f, "--trials 50 --format json --quiet"));
    let causes = v["plans"][0]["downtime_by_cause"].as_array().unwrap();
    assert!(causes.iter().all(|c| c["cause"] != "what-if"));
}

#[test]
fn unknown_or_ambiguous_names_are_refused() {
    let (_d, f) = pair_file();
    refused(
        &mut cli("run", &f, "--trials 10 --down nowhere"),
        "'nowhere'",
    );
    refused(
        &mut cli("reliability", &f, "--service --down region:x"),
        "no region 'x'",
    );
    // "b-link" is a link; "b" a site only, so both resolve; a kind prefix
    // that does not match is refused.
    json_ok(&mut cli(
        "reliability",
        &f,
        "--service --method exact --down b-link --format json",
    ));
    refused(
        &mut cli("reliability", &f, "--service --down link:b"),
        "no link 'b'",
    );
    refused(
        &mut cli("run", &f, "--trials 64 --down a --shard 0/2"),
        "--down",
    );
}
