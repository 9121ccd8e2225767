//! The `slo` field of a plan and of `[defaults]`: values land in the model,
//! the saver writes them back, bad values are refused with their line, and
//! `run`, `check`, `diff` carry them.

use crate::common::{Fixture, cli, json_ok, refused};
use drsim::io::{load_str, save};
use std::path::Path;

fn base() -> Fixture {
    crate::common::one_site("slo")
}

fn load(text: &str) -> Result<drsim::model::Topology, String> {
    load_str(text, Path::new("t.toml"))
        .map(|l| l.topology)
        .map_err(|e| e.to_string())
}

fn two_plans(defaults: &str, own: &str) -> String {
    format!(
        "[topology]\nname = \"x\"\n{defaults}\n[[site]]\nid = \"a\"\n\
         [[demand]]\nid = \"d\"\nsites = [\"a\"]\nusers = 1\npeak_rps = 1\n\
         [[plan]]\nid = \"p\"\nserving_sites = [\"a\"]\nmode = \"active-active\"\n{own}\n\
         [[plan]]\nid = \"q\"\nserving_sites = [\"a\"]\nmode = \"active-active\"\n"
    )
}

/// `check --format json` of `path` at a fixed seed, which must exit 1 (a
/// target missed); its JSON.
fn missed_check(path: &Path) -> serde_json::Value {
    let out = cli("check", path, "--trials 2000 --seed 5 --format json")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_plan_takes_its_own_slo_else_the_default_and_both_round_trip() {
    let text = two_plans(
        "[defaults]\nslo = { target = 0.99, window = \"7d\" }",
        "slo = { target = 0.999, window = \"30d\", threshold = 0.95, max_miss_probability = 0.05 }",
    );
    let t = load(&text).unwrap();
    let p = t.plans[0].targets.slo.unwrap();
    assert_eq!(p.target.get(), 0.999);
    assert_eq!(p.window.secs(), 30.0 * 86_400.0);
    assert_eq!(p.threshold, 0.95);
    assert_eq!(p.max_miss_probability.unwrap().get(), 0.05);
    let q = t.plans[1].targets.slo.unwrap();
    assert_eq!((q.target.get(), q.threshold), (0.99, 1.0));
    assert_eq!(q.window.secs(), 7.0 * 86_400.0);
    assert!(q.max_miss_probability.is_none());
    let saved = save::to_toml_string(&t);
    assert!(
        saved.contains(
            "{ target = 0.999, window = \"30d\", threshold = 0.95, max_miss_probability = 0.05 }"
        ),
        "{saved}"
    );
    let back = load(&saved).unwrap_or_else(|e| panic!("{e}\n{saved}"));
    assert_eq!(back, t);
    // Without any slo, none.
    let none = load(&two_plans("", "")).unwrap();
    assert!(none.plans.iter().all(|p| p.targets.slo.is_none()));
}

#[test]
fn bad_slo_values_are_refused_with_their_line() {
    let cases = [
        (
            "target = 1.0, window = \"30d\"",
            "t.toml:15:",
            "slo target 1 must be between 0 and 1",
        ),
        (
            "target = 0.9, window = \"30s\"",
            "t.toml:15:",
            "slo window 30s is shorter than a minute",
        ),
        (
            "target = 0.9, window = \"30d\", threshold = 0.0",
            "t.toml:15:",
            "slo threshold 0 must be above 0 and at most 1",
        ),
        (
            "target = 0.9, window = \"30d\", threshold = 1.5",
            "t.toml:15:",
            "slo threshold 1.5 must be above 0",
        ),
        ("target = 0.9", "t.toml:15:", "missing field `window`"),
        (
            "target = 0.9, window = \"30d\", widow = 1",
            "t.toml:15:",
            "unknown field `widow`",
        ),
        (
            "target = 0.9, window = \"30d\", max_miss_probability = 2",
            "t.toml:15:",
            "probability must be between 0 and 1",
        ),
    ];
    for (slo, at, msg) in cases {
        let e = load(&two_plans("", &format!("slo = {{ {slo} }}"))).unwrap_err();
        assert!(e.contains(at) && e.contains(msg), "{slo}: {e}");
    }
    // A bad default is reported once, not once per plan.
    let e = load(&two_plans(
        "[defaults]\nslo = { target = 2.0, window = \"30d\" }",
        "",
    ))
    .unwrap_err();
    assert_eq!(e.matches("slo target").count(), 1, "{e}");
}

#[test]
fn run_reports_the_forecast_and_refuses_a_window_longer_than_the_trial() {
    let f = base().set_in(
        "plan",
        "slo",
        "{ target = 0.999, window = \"30d\", threshold = 0.99 }",
    );
    let (_d, path) = f.write_temp();
    let v = json_ok(&mut cli("run", &path, "--trials 64 --seed 3 --format json"));
    let slo = &v["plans"][0]["slo"];
    assert_eq!(slo["window"], "30d");
    assert_eq!(slo["windows_per_trial"], 12);
    assert_eq!(slo["threshold"], 0.99);
    for key in ["p_miss", "error_budget_burn"] {
        let e = &slo[key];
        assert!(
            e["lo"].as_f64().unwrap() <= e["mean"].as_f64().unwrap(),
            "{key}: {e}"
        );
    }
    assert!(
        v["plans"][0]["served_fraction_time"]["mean"]
            .as_f64()
            .unwrap()
            <= 1.0
    );
    let text = String::from_utf8(
        cli("run", &path, "--trials 64 --seed 3")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(text.contains("P(window misses)"), "{text}");
    assert!(
        text.contains("99.9% of each 30d window, bad below 99% served"),
        "{text}"
    );
    let csv = String::from_utf8(
        cli("run", &path, "--trials 64 --seed 3 --format csv")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(csv.lines().any(|l| l.starts_with("p,slo_p_miss,")), "{csv}");
    let long = base().set_in("plan", "slo", "{ target = 0.999, window = \"400d\" }");
    let (_d2, path) = long.write_temp();
    refused(cli("run", &path, "--trials 10"), "longer than a trial");
}

#[test]
fn diff_shows_an_slo_change() {
    let old = base().set_in("plan", "slo", "{ target = 0.999, window = \"30d\" }");
    let new = base().set_in("plan", "slo", "{ target = 0.9995, window = \"30d\" }");
    let (_a, a) = old.write_temp();
    let (_b, b) = new.write_temp();
    let out = crate::common::drsim()
        .args(["diff"])
        .arg(&a)
        .arg(&b)
        .args(["--trials", "64", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fields = v["model"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["fields"].as_array().unwrap().clone())
        .find(|f| f["field"] == "slo")
        .unwrap_or_else(|| panic!("{v}"));
    assert!(
        fields["new"].as_str().unwrap().contains("0.9995"),
        "{fields}"
    );
}

/// `check` gates on `max_miss_probability`: P(miss) of a site down about
/// 7% of its 30-day windows (the oracle's first setting) is missed against
/// 1%, met against 20%, and JSON, CSV and JUnit carry the result.
#[test]
fn check_gates_on_the_probability_of_missing_a_window() {
    let with_gate = |max: &str| {
        base()
            .set_in("site", "failure", "{ ttf = \"200d\", ttr = \"1h\" }")
            .set_in(
                "plan",
                "slo",
                &format!("{{ target = 0.999, window = \"30d\", max_miss_probability = {max} }}"),
            )
    };
    let (_d, strict) = with_gate("0.01").write_temp();
    let v = missed_check(&strict);
    let r = &v["results"][0];
    assert_eq!(
        (r["target"].as_str(), r["outcome"].as_str()),
        (Some("slo"), Some("missed"))
    );
    assert_eq!(r["required"], "P(30d window misses 99.9%) <= 1.00%");
    let p = r["estimate"]["mean"].as_f64().unwrap();
    assert!((0.04..0.1).contains(&p), "{r}");
    let (_d2, loose) = with_gate("0.2").write_temp();
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("j.xml");
    let out = cli(
        "check",
        &loose,
        "--trials 2000 --seed 5 --format csv --junit",
    )
    .arg(&junit)
    .output()
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.lines()
            .any(|l| l.starts_with("p,slo,simulated,") && l.contains(",met,")),
        "{csv}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("name=\"slo : P(30d window misses 99.9%) &lt;= 20.00%\""),
        "{xml}"
    );
    // Without a gate the SLO is a forecast of `run`, not a check target.
    let (_d3, ungated) = base()
        .set_in("plan", "slo", "{ target = 0.999, window = \"30d\" }")
        .write_temp();
    let v = json_ok(&mut cli("check", &ungated, "--trials 64 --format json"));
    assert_eq!(v["plans_without_targets"][0], "p", "{v}");
}

/// Link bandwidth sheds half of every request (1 Gbit/s of demand over a
/// 0.5 Gbit/s link, nothing fails): the time-weighted served fraction is
/// one half, all-or-nothing downtime is the whole year, and a threshold
/// below one half makes none of it downtime.
#[test]
fn a_link_that_carries_half_the_demand_is_graded_by_the_threshold() {
    let file = |slo: &str| {
        Fixture::new("half")
            .site("a")
            .site("b")
            .set("capacity_rps", "100000")
            .link("a", "b")
            .set("capacity_gbps", "0.5")
            .demand("d", &["a"])
            .set("peak_rps", "1000")
            .set("kbit_per_request", "1000")
            .plan("p", &["b"])
            .set("slo", slo)
    };
    let run = |slo: &str| {
        let (_d, path) = file(slo).write_temp();
        json_ok(&mut cli("run", &path, "--trials 64 --format json"))["plans"][0].clone()
    };
    let all_or_nothing = run("{ target = 0.99, window = \"30d\" }");
    let graded = run("{ target = 0.99, window = \"30d\", threshold = 0.4 }");
    for p in [&all_or_nothing, &graded] {
        let served = p["served_fraction_time"]["mean"].as_f64().unwrap();
        assert!((served - 0.5).abs() < 1e-9, "{p}");
    }
    assert!(
        all_or_nothing["availability_time"]["mean"]
            .as_f64()
            .unwrap()
            < 1e-9
    );
    assert_eq!(all_or_nothing["slo"]["p_miss"]["mean"], 1.0);
    assert_eq!(graded["availability_time"]["mean"], 1.0);
    assert_eq!(graded["slo"]["p_miss"]["mean"], 0.0);
}

/// `rolling = true`: loaded, written back, a wrong type refused at its
/// line, and `run` (text, JSON, CSV) and `check` name the rolling window
/// and carry P(a year has a miss).
#[test]
fn rolling_windows_load_round_trip_and_reach_run_and_check() {
    let own = "slo = { target = 0.999, window = \"30d\", rolling = true }";
    let t = load(&two_plans("", own)).unwrap();
    assert!(t.plans[0].targets.slo.unwrap().rolling);
    let saved = save::to_toml_string(&t);
    assert!(
        saved.contains("window = \"30d\", rolling = true }"),
        "{saved}"
    );
    assert_eq!(load(&saved).unwrap(), t);
    let bad = "slo = { target = 0.999, window = \"30d\", rolling = \"yes\" }";
    let e = load(&two_plans("", bad)).unwrap_err();
    assert!(
        e.contains("t.toml:15:") && e.contains("invalid type"),
        "{e}"
    );

    let f = base()
        .set_in("site", "failure", "{ ttf = \"200d\", ttr = \"1h\" }")
        .set_in(
            "plan",
            "slo",
            "{ target = 0.999, window = \"30d\", rolling = true, max_miss_probability = 0.01 }",
        );
    let (_d, path) = f.write_temp();
    let v = json_ok(&mut cli("run", &path, "--trials 64 --seed 3 --format json"));
    let slo = &v["plans"][0]["slo"];
    assert_eq!(slo["rolling"], true);
    assert!(slo.get("window_served_requests").is_none(), "{slo}");
    let any = slo["p_any_miss_per_year"]["mean"].as_f64().unwrap();
    assert!(any >= slo["p_miss"]["mean"].as_f64().unwrap(), "{slo}");
    let out = cli("run", &path, "--trials 64 --seed 3").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("30d rolling window") && text.contains("P(a year has a miss)"),
        "{text}"
    );
    let out = cli("run", &path, "--trials 64 --seed 3 --format csv")
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.lines()
            .any(|l| l.starts_with("p,slo_p_any_miss_per_year,")),
        "{csv}"
    );
    let v = missed_check(&path);
    let r = &v["results"][0];
    assert_eq!(r["required"], "P(30d rolling window misses 99.9%) <= 1.00%");
    // The oracle's first setting: 7.15% of end times miss.
    let p = r["estimate"]["mean"].as_f64().unwrap();
    assert!((0.04..0.1).contains(&p), "{r}");
}
