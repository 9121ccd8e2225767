//! `drsim check`: exit 0 / 1 / 3 when targets are met, missed or
//! undecided, with JSON and JUnit output.

use crate::common::model::trials_years_seed;
use crate::common::{Fixture, cli, drsim, refused};
use drsim::model::Topology;
use drsim::score::{Metric, ScoredPlan, Z95};
use drsim::units::Probability;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const FILE: &str = "topologies/global-messaging.toml";
const PLAN: &str = "active-passive";

fn bundled() -> Topology {
    drsim::io::load_path(Path::new(FILE)).unwrap()
}

/// The bundled topology with only an availability target on the
/// active-passive plan, saved to `dir`.
fn with_target(dir: &Path, availability: f64) -> PathBuf {
    let mut parts = bundled().into_parts();
    for p in &mut parts.plans {
        p.targets = Default::default();
        if p.key == PLAN {
            p.targets.availability = Some(Probability::new(availability).unwrap());
        }
    }
    let t = Topology::from_parts(parts).unwrap();
    let path = dir.join("targets.toml");
    std::fs::write(&path, drsim::io::save::to_toml_string(&t)).unwrap();
    path
}

fn check_json(file: &Path, extra: &[&str], code: i32) -> serde_json::Value {
    let out = drsim()
        .arg("check")
        .arg(file)
        .args(["--format", "json"])
        .args(extra)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn an_easy_target_is_met_in_the_first_round() {
    let dir = tempfile::tempdir().unwrap();
    // 99% is far below the ~99.965% the plan achieves.
    let f = with_target(dir.path(), 0.99);
    let v = check_json(&f, &["--min-trials", "200", "--trials", "6400"], 0);
    assert_eq!(v["schema"], "drsim.check/1");
    assert_eq!(v["outcome"], "met");
    let r = &v["results"][0];
    assert_eq!(r["plan"], PLAN);
    assert_eq!(r["target"], "availability");
    assert_eq!(r["outcome"], "met");
    assert_eq!(r["trials"], 200, "decided at the first look");
    assert!(r["bounds"][0].as_f64().unwrap() >= 0.99);
    assert_eq!(
        v["plans_without_targets"],
        serde_json::json!(["single-region", "active-active-5", "global-mesh"])
    );
}

#[test]
fn an_impossible_target_fails_with_exit_1_and_a_junit_failure() {
    let dir = tempfile::tempdir().unwrap();
    let f = with_target(dir.path(), 0.999_999);
    let junit = dir.path().join("report.xml");
    drsim()
        .arg("check")
        .arg(&f)
        .args(["--min-trials", "200", "--trials", "800", "--junit"])
        .arg(&junit)
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("FAIL  active-passive  availability")
                .and(predicate::str::contains("-> MISSED (exit 1)")),
        );
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].attribute("classname"), Some(PLAN));
    assert!(cases[0].children().any(|n| n.has_tag_name("failure")));
}

#[test]
fn a_target_at_the_achievable_value_is_inconclusive_with_exit_3() {
    // Put the target half a standard error above the mean that a 200-trial
    // run with seed 1 gets: its interval (±1.96 SE) contains the target, so
    // 200 trials cannot decide, and the trials that would settle it at that
    // mean and spread are 200 * (1.96 SE / 0.5 SE)^2 = 3073.2 -> 3074.
    let t = bundled();
    let plan = t.plan_id(PLAN).unwrap().index();
    let cfg = trials_years_seed(200, 1, 1);
    let s = ScoredPlan::simulate(&t, plan, &cfg, &|_| {}).unwrap();
    let e = drsim::simulate::Estimate::of(s.values(Metric::AvailabilityTime));
    assert!(e.se > 0.0);
    let dir = tempfile::tempdir().unwrap();
    let f = with_target(dir.path(), e.mean + 0.5 * e.se);
    let junit = dir.path().join("report.xml");
    let v = check_json(
        &f,
        &[
            "--min-trials",
            "200",
            "--trials",
            "200",
            "--junit",
            junit.to_str().unwrap(),
        ],
        3,
    );
    assert_eq!(v["outcome"], "inconclusive");
    let r = &v["results"][0];
    assert_eq!(r["trials"], 200);
    let expect = (200.0 * (Z95 / 0.5f64).powi(2)).ceil() as u64;
    assert_eq!(expect, 3074);
    assert_eq!(r["trials_needed"], expect);
    assert!(r["detail"].as_str().unwrap().contains("about 3074 trials"));
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert!(doc.descendants().any(|n| n.has_tag_name("skipped")));
}

#[test]
fn the_bundled_targets_are_checked_on_simulated_rto_and_rpo() {
    // The bundled file's targets: active-passive meets its 99.95%, the two
    // active-active plans miss 99.99% / 99.995% (they reach ~99.967%).
    let v = check_json(
        Path::new(FILE),
        &["--min-trials", "500", "--trials", "2000"],
        1,
    );
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 9);
    let get = |plan: &str, target: &str| {
        results
            .iter()
            .find(|r| r["plan"] == plan && r["target"] == target)
            .unwrap()
    };
    assert_eq!(get("active-passive", "availability")["outcome"], "met");
    assert_eq!(get("active-active-5", "availability")["outcome"], "missed");
    // RTO 30m means p99 of the simulated outages: the long tail of
    // disasters and releases (hours) misses it, though the design rule
    // (5m detection + 15m switchover = 20m) meets it; that rule is the
    // second line.
    let rto = get("active-passive", "rto");
    assert_eq!(rto["method"], "simulated");
    assert_eq!(rto["required"], "30m (p99)");
    assert_eq!(rto["outcome"], "missed");
    assert!(rto["bounds"][0].as_f64().unwrap() > 30.0, "{rto}");
    let design = rto["design"].as_str().unwrap();
    assert!(design.ends_with("switchover 15m: 20m"), "{design}");
    // Every incident that loses writes loses the 5 s async lag.
    let rpo = get("active-passive", "rpo");
    assert_eq!(rpo["observed"], "5.00 s [5.00 s, 5.00 s]");
    assert_eq!(rpo["outcome"], "met");
}

#[test]
fn usage_and_input_errors_exit_2() {
    refused(
        drsim().args(["check", "no-such-file.toml"]),
        "no-such-file.toml",
    );
    refused(drsim().args(["check", FILE, "--trials", "0"]), "--trials");
    refused(
        drsim().args(["check", FILE, "--plans", "nope"]),
        "no plan 'nope'",
    );
}

#[test]
fn undecided_rounds_double_the_trials_until_decided() {
    use drsim::score::check::{Outcome, decide, schedule, z_for_looks};
    // Schedule 100, 200, 400, 800 (four looks). Put the target just above
    // what 800 trials can reach: 0.5 SE(800) over the upper bound there. The
    // first 100 trials happen to see fewer long outages (higher mean, less
    // spread), so they cannot rule the target out.
    let steps = schedule(100, 800);
    assert_eq!(steps, vec![100, 200, 400, 800]);
    let z = z_for_looks(steps.len());
    let t = bundled();
    let plan = t.plan_id(PLAN).unwrap().index();
    let run = |n: usize| {
        let cfg = trials_years_seed(n, 1, 1);
        ScoredPlan::simulate(&t, plan, &cfg, &|_| {}).unwrap()
    };
    let full = run(800);
    let values = full.values(Metric::AvailabilityTime);
    let e = drsim::simulate::Estimate::of(values);
    let target = e.mean + (z + 0.5) * e.se;
    // A run of n trials is the first n trials of a longer one (the same
    // seed gives every trial its own streams).
    assert_eq!(run(100).values(Metric::AvailabilityTime), &values[..100]);
    assert_eq!(
        decide(&values[..100], target, z).outcome,
        Outcome::Inconclusive,
        "the first round must not decide for this test to mean anything"
    );
    let first_decided = steps
        .iter()
        .copied()
        .find(|&n| decide(&values[..n], target, z).outcome != Outcome::Inconclusive)
        .unwrap();
    assert!(first_decided > 100);
    let dir = tempfile::tempdir().unwrap();
    let f = with_target(dir.path(), target);
    let v = check_json(&f, &["--min-trials", "100", "--trials", "800"], 1);
    assert_eq!(v["results"][0]["outcome"], "missed");
    assert_eq!(v["results"][0]["trials"], first_decided);
}

/// A plan that can never be up (quorum 2 over two unconnected sites): every
/// trial is down all year. `check` printed its availability as -0.00000%
/// (float noise, estimate -3e-19), and with no spread at all among the
/// trials it would have called the target inconclusive (exit 3) forever.
/// Availabilities are in [0, 1], so the bound from "no trial differed in n"
/// decides it: missed, exit 1, and no negative number anywhere.
#[test]
fn a_plan_that_is_never_up_misses_its_target_without_negative_availability() {
    let (_dir, file) = Fixture::new("apart")
        .site("a")
        .site("b")
        .set("failure", r#"{ unavailability = 0.01, mttr = "4h" }"#)
        .demand("d", &["a", "b"])
        .plan("both", &["a", "b"])
        .set("quorum", "2")
        .set("targets", "{ availability = 0.5 }")
        .write_temp();
    let flags = "--quiet --min-trials 200 --trials 400 --format json";
    let a = cli("check", &file, flags).assert().code(1);
    let out = String::from_utf8(a.get_output().stdout.clone()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let r = &v["results"][0];
    assert_eq!(r["outcome"], "missed", "{out}");
    let nums = [
        &r["estimate"]["mean"],
        &r["estimate"]["lo"],
        &r["estimate"]["hi"],
        &r["bounds"][0],
        &r["bounds"][1],
    ];
    for x in nums {
        let x = x.as_f64().unwrap();
        assert!((0.0..=1.0).contains(&x), "{x} in {out}");
    }
    assert!(!r["observed"].as_str().unwrap().contains('-'), "{out}");
}
