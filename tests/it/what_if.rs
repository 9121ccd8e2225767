//! What-if scenarios (`--down ID`): components held down for the whole run,
//! checked against closed forms in both engines.

use crate::common::{Fixture, cli, json_ok, refused};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Sites a and b, one link, one demand entering at either; an active-active
/// plan over both with quorum 1. b fails with MTBF 1000 h and MTTR 10 h; a
/// never fails on its own. A link named like site b makes "b" ambiguous.
fn pair_file() -> (tempfile::TempDir, PathBuf) {
    Fixture::new("pair")
        .site("a")
        .set("capacity_rps", "1000")
        .site("b")
        .set("capacity_rps", "1000")
        .set("failure", r#"{ mtbf = "1000h", mttr = "10h" }"#)
        .link("a", "b")
        .set("id", r#""b-link""#)
        .demand("users", &["a", "b"])
        .set("users", "1000")
        .set("peak_rps", "100")
        .plan("both", &["a", "b"])
        .set("quorum", "1")
        .set("replicas", "2")
        // Each site is provisioned for the whole peak, so one alone carries it.
        .set("headroom", "1.0")
        .write_temp()
}

/// The static engine's exact service answer for `f`, with `down` (a
/// `--down ID` flag, or nothing), as JSON.
fn exact(f: &Path, down: &str) -> Value {
    let flags = format!("--service --method exact --format json {down}");
    json_ok(&mut cli("reliability", f, &flags))
}

/// `drsim run` on `f` with `flags`, as JSON.
fn simulated(f: &Path, flags: &str) -> Value {
    json_ok(&mut cli(
        "run",
        f,
        &format!("--format json --quiet {flags}"),
    ))
}

/// With a held down, the plan is up exactly while b is: unavailability
/// MTTR / (MTBF + MTTR) = 10/1010, exactly in the static engine.
#[test]
fn static_what_if_matches_the_closed_form() {
    let (_d, f) = pair_file();
    let q = 10.0 / 1010.0;
    let v = exact(&f, "--down site:a");
    let u = v["unreliability"].as_f64().unwrap();
    assert!((u - q).abs() < 1e-12, "{u} vs {q}");
    assert_eq!(v["what_if"][0], "site:a");
    // Without the what-if both sites must fail: a never does.
    let v = exact(&f, "");
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
    let v = simulated(&f, "--trials 2000 --seed 5 --down a");
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
    let v = simulated(&f, "--trials 50");
    let causes = v["plans"][0]["downtime_by_cause"].as_array().unwrap();
    assert!(causes.iter().all(|c| c["cause"] != "what-if"));
}

#[test]
fn unknown_or_ambiguous_names_are_refused() {
    let (_d, f) = pair_file();
    // "b-link" is a link; "b" a site only, so both resolve; a kind prefix
    // that does not match ("link:b") is refused.
    exact(&f, "--down b-link");
    for (command, flags, needle) in [
        ("run", "--trials 10 --down nowhere", "'nowhere'"),
        ("reliability", "--service --down region:x", "no region 'x'"),
        ("reliability", "--service --down link:b", "no link 'b'"),
        // Shards of a what-if run are refused, naming the flag.
        ("run", "--trials 64 --down a --shard 0/2", "--down"),
    ] {
        refused(&mut cli(command, &f, flags), needle);
    }
}

/// With DNS held down, backbone-dependency's `local` plan is down all
/// year: the text report says 0% served, and no interval end prints as a
/// negative zero (the lost share is 1 within an ulp there, so its
/// complement's lower end fell just below 0 and printed `-0.00000`).
#[test]
fn a_plan_down_all_year_prints_no_negative_share() {
    let f = crate::common::topo("backbone-dependency.toml");
    let flags = "--plan local --trials 20 --quiet --down service:dns";
    let out = crate::common::succeeded(cli("run", &f, flags).output().unwrap());
    let text = String::from_utf8(out.stdout).unwrap();
    let served = text
        .lines()
        .find(|l| l.trim_start().starts_with("served (requests)"))
        .expect("a served line");
    assert!(served.contains("0.00000% [0.00000, 0.00000]"), "{served}");
    assert!(!text.contains("-0.0"), "{text}");
}
