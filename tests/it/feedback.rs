//! Load feedback (issue 13 item 3, gray failure): retries after an outage,
//! a cold standby's warm-up and gray sites, each pinned by a closed form
//! that `drsim run` must match within 4 standard errors at a fixed seed.

use crate::common::{cli, json_ok, refused, temp_file, within};
use serde_json::Value;

pub(crate) const YEAR: f64 = 365.0 * 86_400.0;

/// One site `a` failing with `failure`, a flat demand of 100 rps and one
/// plan whose extra keys are `plan`; `extra` is appended (more sites).
pub(crate) fn one_site(failure: &str, plan: &str, extra: &str) -> String {
    format!(
        r#"
[topology]
name = "feedback-oracle"

[[site]]
id = "a"
failure = {failure}
{extra}
[[demand]]
id = "users"
sites = ["a"]
users = 1000
peak_rps = 100
profile = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
           1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]

[[plan]]
id = "p"
{plan}
"#
    )
}

pub(crate) fn run(text: &str, trials: u32, seed: u32) -> Value {
    let (_dir, path) = temp_file("t.toml", text);
    let flags = format!("--trials {trials} --seed {seed} --format json");
    json_ok(&mut cli("run", &path, &flags))["plans"][0].clone()
}

/// (mean, standard error) of the lost fraction of requests and of the
/// downtime in minutes per year.
fn lost_and_down(p: &Value) -> ((f64, f64), (f64, f64)) {
    let a = &p["availability_demand"];
    let d = &p["downtime_minutes_per_year"]["mean"];
    let f = |v: &Value, k: &str| v[k].as_f64().unwrap();
    ((1.0 - f(a, "mean"), f(a, "se")), (f(d, "mean"), f(d, "se")))
}

/// Expected time down and repairs completed in [0, T] of a two-state
/// Markov chain that starts up (failure rate `l`, repair rate `m`).
pub(crate) fn down_and_repairs(l: f64, m: f64, t: f64) -> (f64, f64) {
    let r = l + m;
    let down = l / r * (t + (-r * t).exp_m1() / r);
    (down, m * down)
}

/// A single site with exponential failures (rate l) and repairs (rate m),
/// headroom h and retries (factor f, decay tau): after each repair the
/// demand D (1 + (f-1) e^(-u/tau)) exceeds the capacity D (1 + h) for
/// L = tau ln((f-1)/h), unless the site fails first (at rate l). The
/// shed requests per repair are the integral of the excess times
/// P(still up) = e^(-l u); the shed time is E[min(L, X)].
/// The site and plan of the retry oracles: MTBF 10 days, MTTR 2 h,
/// headroom 0.5, retries 3x decaying over 30 min.
const RETRY_SITE: &str = r#"{ mtbf = "10d", mttr = "2h" }"#;
const RETRY_PLAN: &str = r#"serving_sites = ["a"]
mode = "active-active"
headroom = 0.5
retry = { factor = 3.0, decay = "30m" }"#;

#[test]
fn retries_after_repairs_match_the_closed_form() {
    let (mtbf, mttr) = (10.0 * 86_400.0, 7_200.0);
    let (f, tau, h, d): (f64, f64, f64, f64) = (3.0, 1_800.0, 0.5, 100.0);
    let text = one_site(RETRY_SITE, RETRY_PLAN, "");
    let (l, m) = (1.0 / mtbf, 1.0 / mttr);
    let (down, repairs) = down_and_repairs(l, m, YEAR);
    let big_l = tau * ((f - 1.0) / h).ln();
    let k = l + 1.0 / tau;
    let shed_per = d * ((f - 1.0) * -(-k * big_l).exp_m1() / k - h * -(-l * big_l).exp_m1() / l);
    let time_per = -(-l * big_l).exp_m1() / l;
    let lost = (d * down + repairs * shed_per) / (d * YEAR);
    let minutes = (down + repairs * time_per) / 60.0;
    let ((sim_lost, lost_se), (sim_down, down_se)) = lost_and_down(&run(&text, 4000, 7));
    within(sim_lost, lost, lost_se, "lost fraction with retries");
    within(sim_down, minutes, down_se, "downtime with retries");
    // The retries are visible: without them the answer is excluded.
    let bare = down / YEAR;
    assert!(
        (sim_lost - bare).abs() > 4.0 * lost_se,
        "{sim_lost} vs {bare}"
    );
    assert!((sim_down - down / 60.0).abs() > 4.0 * down_se);
}

/// Active-passive from `a` (failing about once a year, back after a day)
/// to `b` (never fails), detection plus switchover 5 minutes. There is at
/// most one failover a trial (the plan stays on `b`): at the first failure
/// X, the demand D is unserved for d = 300 s, then `b` serves at capacity
/// C(u) = 1.2 D (0.3 + 0.7 u / 30 min), short of D for L = 1371 s. Lost
/// and down time follow by integrating over X ~ exp(1/year), cut at T.
#[test]
fn warm_up_after_a_failover_matches_the_closed_form() {
    let plan = r#"serving_sites = ["a", "b"]
mode = "active-passive"
detection = "1m"
switchover = "4m"
headroom = 0.2
warmup = { duration = "30m", capacity = 0.3 }"#;
    let b = "[[site]]\nid = \"b\"\nfailure = { never = true }\n[[link]]\na = \"a\"\nb = \"b\"\nfailure = { never = true }\n";
    let text = one_site(
        r#"{ mtbf = "1y", ttr = { dist = "fixed", value = "1d" } }"#,
        plan,
        b,
    )
    // The users enter at either site.
    .replace(r#"sites = ["a"]"#, r#"sites = ["a", "b"]"#);
    let (d, cap, w) = (100.0_f64, 120.0_f64, 1_800.0_f64);
    let (c0, k) = (cap * 0.3, cap * 0.7 / w);
    let big_l = (d - c0) / k;
    let shed = |l: f64| (d - c0) * l - 0.5 * k * l * l;
    let (switch, rate) = (300.0_f64, 1.0 / YEAR);
    // Midpoint rule over the first failure time (the integrand is smooth
    // but for the kinks at the end of the year, a few seconds wide).
    let n = 400_000;
    let (mut lost, mut down) = (0.0, 0.0);
    for i in 0..n {
        let x = (i as f64 + 0.5) * YEAR / n as f64;
        let p = rate * (-rate * x).exp() * YEAR / n as f64;
        let out = switch.min(YEAR - x);
        let warm = (YEAR - x - switch).clamp(0.0, big_l);
        lost += p * (d * out + shed(warm));
        down += p * (out + warm);
    }
    let ((sim_lost, lost_se), (sim_down, down_se)) = lost_and_down(&run(&text, 4000, 3));
    within(
        sim_lost,
        lost / (d * YEAR),
        lost_se,
        "lost fraction with warm-up",
    );
    within(sim_down, down / 60.0, down_se, "downtime with warm-up");
    // Without the warm-up only the switchover counts: excluded.
    let bare = (1.0 - (-1.0_f64).exp()) * switch;
    assert!((sim_down - bare / 60.0).abs() > 4.0 * down_se, "{sim_down}");
}

/// Two sites that never fail, each gray on its own process (a: 20% of its
/// requests for 12 h about every 5 days; b: half of them for 6 h about
/// every 10 days). Served alone by `a`, the lost fraction is 0.2 q_a; by
/// both, active-active with equal capacities, each serves half the load:
/// (0.2 q_a + 0.5 q_b) / 2, q the expected gray fraction of the year. Gray
/// sites are up: no downtime.
#[test]
fn gray_failure_loses_its_fraction_of_the_gray_sites_share() {
    let text = r#"
[topology]
name = "gray-oracle"

[[site]]
id = "a"
failure = { never = true }
gray = { fraction = 0.2, mtbf = "5d", mttr = "12h" }

[[site]]
id = "b"
failure = { never = true }
gray = { fraction = 0.5, mtbf = "10d", mttr = "6h" }

[[demand]]
id = "users"
sites = ["a"]
users = 1000
peak_rps = 100

[[link]]
a = "a"
b = "b"
failure = { never = true }

[[plan]]
id = "a-only"
serving_sites = ["a"]
mode = "active-active"

[[plan]]
id = "both"
serving_sites = ["a", "b"]
mode = "active-active"
"#;
    let (_dir, path) = temp_file("gray.toml", text);
    let v = json_ok(&mut cli(
        "run",
        &path,
        "--trials 2000 --seed 11 --format json",
    ));
    let q = |mtbf_h: f64, mttr_h: f64| {
        down_and_repairs(1.0 / (mtbf_h * 3600.0), 1.0 / (mttr_h * 3600.0), YEAR).0 / YEAR
    };
    let (qa, qb) = (q(120.0, 12.0), q(240.0, 6.0));
    for (i, exact) in [0.2 * qa, (0.2 * qa + 0.5 * qb) / 2.0]
        .into_iter()
        .enumerate()
    {
        let ((lost, se), (down, _)) = lost_and_down(&v["plans"][i]);
        within(lost, exact, se, &format!("gray lost fraction, plan {i}"));
        assert_eq!(down, 0.0, "gray sites are up");
    }
}

/// The settings load into the model, save back and load to an equal model.
#[test]
fn settings_load_and_save_back() {
    use drsim::io::{load_str, save};
    let text = one_site(
        r#"{ mtbf = "10d", mttr = "2h" }
gray = { fraction = 0.25, ttf = { dist = "weibull", shape = 0.8, scale = "30d" }, mttr = "90m" }"#,
        r#"serving_sites = ["a", "b"]
mode = "active-passive"
retry = { factor = 2.5, decay = "10m" }
warmup = { duration = "15m", capacity = 0.3 }"#,
        "[[site]]\nid = \"b\"\n[[link]]\na = \"a\"\nb = \"b\"\n",
    );
    let t = load_str(&text, std::path::Path::new("t.toml"))
        .unwrap()
        .topology;
    let p = &t.plans[0];
    let r = p.retry.unwrap();
    assert_eq!((r.factor, r.decay.secs()), (2.5, 600.0));
    let w = p.warmup.unwrap();
    assert_eq!((w.capacity, w.duration.secs()), (0.3, 900.0));
    assert_eq!(t.sites[0].gray.as_ref().unwrap().fraction, 0.25);
    assert_eq!(t.sites[1].gray, None);
    let saved = save::to_toml_string(&t);
    let back = load_str(&saved, std::path::Path::new("saved.toml"))
        .unwrap()
        .topology;
    assert_eq!(back, t, "{saved}");
}

/// Impossible values are refused with the file and line, exit status 2.
#[test]
fn bad_settings_are_refused_with_their_line() {
    let aa = "serving_sites = [\"a\"]\nmode = \"active-active\"\n";
    for (extra, needle) in [
        (
            "retry = { factor = 0.5, decay = \"10m\" }",
            "retry factor must be between 1 and 1000",
        ),
        (
            "retry = { factor = 2.0, decay = \"0s\" }",
            "retry decay must be positive",
        ),
        (
            "retry = { factor = 2.0, decay = \"30d\" }",
            "retry decay must be positive and at most 7d",
        ),
        ("retry = { factor = 2.0 }", "missing field `decay`"),
        (
            "warmup = { duration = \"15m\", capacity = 0.3 }",
            "warmup applies to the standbys",
        ),
    ] {
        let (_dir, path) = temp_file(
            "bad.toml",
            &one_site("{ never = true }", &format!("{aa}{extra}"), ""),
        );
        let err = refused(cli("validate", &path, ""), needle);
        assert!(err.contains("bad.toml:"), "{err}");
    }
    let ap = "serving_sites = [\"a\"]\nmode = \"active-passive\"\n";
    for (extra, needle) in [
        (
            "warmup = { duration = \"15m\", capacity = 1.5 }",
            "warm-up capacity must be between 0 and 1",
        ),
        (
            "warmup = { duration = \"0s\", capacity = 0.5 }",
            "warm-up duration must be positive",
        ),
    ] {
        let (_dir, path) = temp_file(
            "bad.toml",
            &one_site("{ never = true }", &format!("{ap}{extra}"), ""),
        );
        refused(cli("validate", &path, ""), needle);
    }
    for (gray, needle) in [
        (
            "{ fraction = 0.0, mtbf = \"5d\", mttr = \"1h\" }",
            "gray fraction must be above 0",
        ),
        (
            "{ fraction = 2.0, mtbf = \"5d\", mttr = \"1h\" }",
            "gray fraction must be between 0 and 1",
        ),
        (
            "{ fraction = 0.2, mttr = \"1h\" }",
            "gray: the failure process gives no time to failure",
        ),
        ("{ fraction = 0.2, never = true }", "unknown field `never`"),
    ] {
        let failure = format!("{{ never = true }}\ngray = {gray}");
        let (_dir, path) = temp_file(
            "bad.toml",
            &one_site(
                &failure,
                "serving_sites = [\"a\"]\nmode = \"active-active\"",
                "",
            ),
        );
        refused(cli("validate", &path, ""), needle);
    }
}

/// Under a graded SLO threshold θ the retries of the first test make the
/// plan down only while the shed share of the offered load,
/// (f-1)e^(-u/τ) minus h, is above 1 - θ: for L' = τ ln((f-1)/(h + 1 - θ))
/// after each repair (36.1 min at θ = 0.9), unless the site fails first.
#[test]
fn retries_under_a_graded_threshold_match_the_closed_form() {
    let (mtbf, mttr) = (10.0 * 86_400.0, 7_200.0);
    let (f, tau, h, th): (f64, f64, f64, f64) = (3.0, 1_800.0, 0.5, 0.9);
    let plan =
        format!("{RETRY_PLAN}\nslo = {{ target = 0.999, window = \"30d\", threshold = 0.9 }}");
    let text = one_site(RETRY_SITE, &plan, "");
    let (l, m) = (1.0 / mtbf, 1.0 / mttr);
    let (down, repairs) = down_and_repairs(l, m, YEAR);
    let bad = tau * ((f - 1.0) / (h + 1.0 - th)).ln();
    let minutes = (down + repairs * -(-l * bad).exp_m1() / l) / 60.0;
    let (_, (sim_down, down_se)) = lost_and_down(&run(&text, 4000, 7));
    within(sim_down, minutes, down_se, "graded downtime with retries");
    // All-or-nothing would count the whole 41.6-minute shedding.
    let all = tau * ((f - 1.0) / h).ln();
    let all_minutes = (down + repairs * -(-l * all).exp_m1() / l) / 60.0;
    assert!((sim_down - all_minutes).abs() > 4.0 * down_se, "{sim_down}");
}
