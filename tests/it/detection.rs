//! Detection and traffic shift of active-active plans (issue 14 item 1): a
//! failed serving site keeps its share of the requests until detection +
//! switchover, and a manual failback keeps a repaired site out of the
//! rotation. Closed forms, exact fixed-time cases and the bundled default.

use crate::common::{cli, drsim, json_ok, refused, temp_file, within};
use serde_json::Value;

const HOUR: f64 = 3600.0;
const YEAR: f64 = 365.0 * 86_400.0;

/// Two sites `a` and `b` failing with `fa` and `fb`, joined by a link that
/// never fails, a flat demand of 100 rps entering at both, and one
/// active-active plan over both with quorum 1 and the extra keys `plan`.
fn two_sites(fa: &str, fb: &str, plan: &str) -> String {
    format!(
        r#"
[topology]
name = "detection-oracle"

[[site]]
id = "a"
failure = {fa}

[[site]]
id = "b"
failure = {fb}

[[link]]
a = "a"
b = "b"
failure = {{ never = true }}

[[demand]]
id = "users"
sites = ["a", "b"]
users = 1000
peak_rps = 100
profile = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
           1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]

[[plan]]
id = "p"
serving_sites = ["a", "b"]
mode = "active-active"
replicas = 2
quorum = 1
{plan}
"#
    )
}

fn run(text: &str, flags: &str) -> Value {
    let (_dir, path) = temp_file("t.toml", text);
    json_ok(&mut cli("run", &path, &format!("{flags} --format json")))["plans"][0].clone()
}

fn f(v: &Value, path: &[&str]) -> f64 {
    path.iter().fold(v, |v, k| &v[*k]).as_f64().unwrap()
}

/// Steady state of two independent sites, each failing at rate l and
/// repaired at rate m (q = l/(l+m) down), with a shift of d seconds: a
/// site is down with age below d with probability q (1 - e^(-m d)) (its
/// down periods start at rate (1-q) l and last Exp(m)). Both down loses
/// everything; one down within its shift, the other up, loses half (equal
/// capacities). So the lost fraction is q^2 + q (1-q) (1 - e^(-m d)), and
/// the time with anything lost q^2 + 2 q (1-q) (1 - e^(-m d)); a graded SLO
/// threshold at or below one half counts only q^2 as down.
fn closed_form(l: f64, m: f64, d: f64) -> (f64, f64, f64) {
    let q = l / (l + m);
    let young = q * -(-m * d).exp_m1();
    (
        q * q + (1.0 - q) * young,
        q * q + 2.0 * (1.0 - q) * young,
        q * q,
    )
}

const EXP_SITE: &str = r#"{ mtbf = "10d", mttr = "2h" }"#;

/// Trials start with everything up, which biases each figure low by about
/// MTTR / year relative (2e-4, far inside the 4-standard-error gates).
#[test]
fn a_two_site_active_active_plan_pays_detection_plus_shift() {
    let (l, m, d) = (1.0 / (10.0 * 86_400.0), 1.0 / (2.0 * HOUR), HOUR);
    let (lost, down, both) = closed_form(l, m, d);
    // Each site carries all the demand alone: no shedding.
    let plan = "detection = \"30m\"\nswitchover = \"30m\"\nheadroom = 1.0";
    let text = two_sites(EXP_SITE, EXP_SITE, plan);
    let p = run(&text, "--trials 3000 --seed 11");
    let sim_lost = 1.0 - f(&p, &["availability_demand", "mean"]);
    let lost_se = f(&p, &["availability_demand", "se"]);
    within(sim_lost, lost, lost_se, "lost request fraction");
    let sim_down = f(&p, &["downtime_minutes_per_year", "mean", "mean"]);
    let down_se = f(&p, &["downtime_minutes_per_year", "mean", "se"]);
    within(sim_down, down * YEAR / 60.0, down_se, "downtime");
    // Without the shift only both sites down would count: excluded.
    assert!((sim_down - both * YEAR / 60.0).abs() > 10.0 * down_se);

    // Under an SLO threshold of 0.4, losing half is still good time.
    let graded = plan.to_string() + "\nslo = { target = 0.999, window = \"30d\", threshold = 0.4 }";
    let g = run(
        &two_sites(EXP_SITE, EXP_SITE, &graded),
        "--trials 3000 --seed 11",
    );
    let g_down = f(&g, &["downtime_minutes_per_year", "mean", "mean"]);
    let g_se = f(&g, &["downtime_minutes_per_year", "mean", "se"]);
    within(
        g_down,
        both * YEAR / 60.0,
        g_se,
        "downtime under threshold 0.4",
    );
    let g_lost = 1.0 - f(&g, &["availability_demand", "mean"]);
    assert_eq!(g_lost, sim_lost, "the threshold grades time, not requests");
}

/// Site `a` fails every 30 days for exactly 2 hours (12 outages in a year,
/// all repaired within it); `b` never fails.
const FIXED_A: &str =
    r#"{ ttf = { dist = "fixed", value = "30d" }, ttr = { dist = "fixed", value = "2h" } }"#;
const NEVER: &str = "{ never = true }";

/// Exact figures with fixed times: downtime in minutes a year, the lost
/// fraction of requests and the congestion share of the downtime.
fn fixed(plan: &str) -> (f64, f64, f64) {
    let p = run(&two_sites(FIXED_A, NEVER, plan), "--trials 2 --seed 1");
    let down = f(&p, &["downtime_minutes_per_year", "mean", "mean"]);
    let lost = 1.0 - f(&p, &["availability_demand", "mean"]);
    let causes = p["downtime_by_cause"].as_array().unwrap();
    let congestion = causes
        .iter()
        .find(|c| c["cause"] == "congestion")
        .map_or(0.0, |c| c["share"].as_f64().unwrap());
    (down, lost, congestion)
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-9 * b.abs().max(1e-12),
        "{what}: {a} vs {b}"
    );
}

#[test]
fn fixed_outages_cost_exactly_the_shift_and_the_failback() {
    // Enough headroom, automatic failback: each outage of `a` loses half
    // the requests for detection + switchover (1 h), then nothing.
    let (down, lost, _) = fixed("detection = \"20m\"\nswitchover = \"40m\"\nheadroom = 1.0");
    close(down, 12.0 * 60.0, "shift downtime");
    close(lost, 12.0 * 0.5 * HOUR / YEAR, "shift lost fraction");
    // No detection time: the old instant shift, nothing lost.
    let (down, lost, _) = fixed("headroom = 1.0");
    assert_eq!((down, lost), (0.0, 0.0));
    // Headroom 0.5: `b` alone carries 75% of the demand. A manual failback
    // of 3 h keeps `a` out for 3 h after each 2-hour outage, shedding 25%:
    // 5 h down per outage, 3 of them congestion.
    let (down, lost, congestion) = fixed("headroom = 0.5\nfailback = \"3h\"");
    close(down, 12.0 * 5.0 * 60.0, "failback downtime");
    close(
        lost,
        12.0 * 0.25 * 5.0 * HOUR / YEAR,
        "failback lost fraction",
    );
    close(congestion, 0.6, "failback congestion share");
    // Both: half lost for the hour of the shift, then 25% shed for the
    // rest of the outage (1 h) and the failback (3 h).
    let both = "detection = \"30m\"\nswitchover = \"30m\"\nheadroom = 0.5\nfailback = \"3h\"";
    let (down, lost, _) = fixed(both);
    close(down, 12.0 * 5.0 * 60.0, "shift and failback downtime");
    close(
        lost,
        12.0 * (0.5 + 0.25 + 0.75) * HOUR / YEAR,
        "shift and failback lost",
    );
}

/// The issue's done-when: on the bundled default, editing
/// `active-active-5`'s detection from 30 s to 1 h makes its downtime
/// significantly worse in `drsim diff` (paired interval above 0).
#[test]
fn slower_detection_on_the_bundled_default_is_significantly_worse() {
    let file = "topologies/global-messaging.toml";
    let text = std::fs::read_to_string(file).unwrap();
    let from = "quorum = 3\ndetection = \"30s\"";
    assert_eq!(text.matches(from).count(), 1);
    let (_dir, new) = temp_file(
        "slow.toml",
        &text.replace(from, "quorum = 3\ndetection = \"1h\""),
    );
    let v = json_ok(
        drsim()
            .args(["diff", file, new.to_str().unwrap()])
            .args(["--trials", "400", "--seed", "1", "--format", "json"]),
    );
    let plans = v["plans"].as_array().unwrap();
    let plan = plans
        .iter()
        .find(|p| p["plan"] == "active-active-5")
        .unwrap();
    let metric = |k: &str| {
        let ms = plan["metrics"].as_array().unwrap();
        ms.iter().find(|m| m["metric"] == k).unwrap().clone()
    };
    let down = metric("downtime_minutes_per_year");
    assert_eq!(down["verdict"], "worse", "{down}");
    assert!(f(&down, &["difference", "lo"]) > 0.0, "{down}");
    assert_eq!(metric("availability_demand")["verdict"], "worse");
    // The other plans are untouched: the same numbers, paired exactly.
    for p in plans.iter().filter(|p| p["plan"] != "active-active-5") {
        for m in p["metrics"].as_array().unwrap() {
            assert_eq!(m["difference"]["mean"], 0.0, "{}: {m}", p["plan"]);
        }
    }
}

#[test]
fn a_bad_failback_is_refused_at_its_line() {
    let aa = two_sites(NEVER, NEVER, "failback = \"soon\"");
    let line = aa.lines().position(|l| l.starts_with("failback")).unwrap() + 1;
    let (_dir, path) = temp_file("bad.toml", &aa);
    let err = refused(cli("validate", &path, ""), &format!("bad.toml:{line}:12"));
    assert!(err.contains("failback"), "{err}");
    let long = two_sites(NEVER, NEVER, "failback = \"8d\"");
    let (_dir, path) = temp_file("long.toml", &long);
    refused(
        cli("validate", &path, ""),
        "failback delay must be positive and at most 7d",
    );
    let ap =
        two_sites(NEVER, NEVER, "failback = \"1h\"").replace("active-active", "active-passive");
    let (_dir, path) = temp_file("ap.toml", &ap);
    refused(cli("validate", &path, ""), "active-active plan's rotation");
    // "automatic" is the default; a manual failback saves and loads back.
    let load = |text: &str| {
        let path = std::path::Path::new("f.toml");
        drsim::io::load_str(text, path).unwrap().topology
    };
    let auto = load(&two_sites(NEVER, NEVER, "failback = \"automatic\""));
    assert_eq!(auto, load(&two_sites(NEVER, NEVER, "")));
    let manual = load(&two_sites(NEVER, NEVER, "failback = \"2h\""));
    assert_ne!(manual, auto);
    let saved = drsim::io::save::to_toml_string(&manual);
    assert!(saved.contains("failback = \"2h\""), "{saved}");
    assert_eq!(load(&saved), manual);
}
