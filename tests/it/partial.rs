//! Partial failures (a fraction of a site's capacity or a link's bandwidth
//! lost while the component stays up) in `drsim run` and `capacity
//! --demand`: closed forms and exhaustive enumeration both engines must
//! match within their 95% intervals at fixed seeds.

use crate::bandwidth::{capacity_served, in_ci95};
use crate::common::{cli, data, json_ok, temp_file};
use serde_json::Value;

/// `run`'s first plan: (mean, se) of a metric object.
fn run_metric(v: &Value, metric: &str) -> (f64, f64) {
    let a = &v["plans"][0][metric];
    (a["mean"].as_f64().unwrap(), a["se"].as_f64().unwrap())
}

fn run_json(file: &str, flags: &str) -> Value {
    json_ok(&mut cli(
        "run",
        file,
        &format!("{flags} --format json --quiet"),
    ))
}

/// Downtime minutes a year of the first plan booked to `cause`.
fn minutes(v: &Value, cause: &str) -> f64 {
    let by = v["plans"][0]["downtime_by_cause"].as_array().unwrap();
    let c = by.iter().find(|c| c["cause"] == cause);
    c.map_or(0.0, |c| c["minutes_per_year"].as_f64().unwrap())
}

fn total_minutes(v: &Value) -> f64 {
    v["plans"][0]["downtime_minutes_per_year"]["mean"]["mean"]
        .as_f64()
        .unwrap()
}

/// Checks one model against its closed-form mean served fraction and
/// P(some demand shed) in both engines: `run` (flat demand, so the
/// request-weighted availability is the time-weighted served fraction, and
/// the time-weighted availability is 1 - P(shed)) and `capacity --demand`.
fn both_engines(file: &str, seed: u64, served: f64, shed: f64) {
    let v = run_json(file, &format!("--trials 200 --years 10 --seed {seed}"));
    let (m, se) = run_metric(&v, "availability_demand");
    in_ci95(m, se, served, "run: mean served");
    let (m, se) = run_metric(&v, "served_fraction_time");
    in_ci95(m, se, served, "run: time-weighted served");
    let (m, se) = run_metric(&v, "availability_time");
    in_ci95(1.0 - m, se, shed, "run: P(shed)");
    let c = capacity_served(file, &format!("--demand --samples 400000 --seed {seed}"));
    let f = |k: &str| c[k].as_f64().unwrap();
    in_ci95(
        f("mean_served"),
        f("mean_served_std_error"),
        served,
        "capacity: mean served",
    );
    // And the two engines agree with each other on the same model.
    let (cap, se_cap) = (f("mean_served"), f("mean_served_std_error"));
    let (run, se_run) = run_metric(&v, "availability_demand");
    let se = (se_run * se_run + se_cap * se_cap).sqrt();
    assert!(
        (run - cap).abs() <= 1.96 * se,
        "run {run} vs capacity {cap} ± {se}"
    );
    let (lo, hi) = (f("p_shortfall_ci95_low"), f("p_shortfall_ci95_high"));
    assert!(
        lo <= shed && shed <= hi,
        "capacity: P(shed) {shed} not in [{lo}, {hi}]"
    );
}

/// (a) A site that loses half its capacity with probability 0.2 under a
/// demand of 80% of it: 50 of 80 served then.
#[test]
fn a_site_losing_half_its_capacity_matches_the_closed_form() {
    let q = 0.2;
    both_engines(
        &data("partial-site.toml"),
        3,
        1.0 - q * (1.0 - 50.0 / 80.0),
        q,
    );
}

/// The fraction drawn per incident: uniform on [0.2, 0.8] under 60 of 100
/// rps. Served min(1, (5/3)(1 - F)): all of it while F <= 0.4, so
/// E = (0.2 + (5/3)(0.4 - (0.8^2 - 0.4^2)/2)) / 0.6 and P(shed | mode) = 2/3.
#[test]
fn a_drawn_fraction_matches_its_closed_form() {
    let text = std::fs::read_to_string(data("partial-site.toml"))
        .unwrap()
        .replace("fraction = 0.5", "fraction = { uniform = [0.2, 0.8] }")
        .replace("peak_rps = 80", "peak_rps = 60");
    let (_dir, path) = temp_file("partial-uniform.toml", &text);
    let q = 0.2;
    let given = (0.2 + 5.0 / 3.0 * (0.4 - (0.64 - 0.16) / 2.0)) / 0.6;
    both_engines(
        path.to_str().unwrap(),
        5,
        1.0 - q * (1.0 - given),
        q * 2.0 / 3.0,
    );
}

/// (b) Two parallel links under a demand between them: the thin one fails
/// whole, the fat one has two partial modes that combine multiplicatively.
/// Exact by enumerating the 2^3 states.
#[test]
fn parallel_links_with_partial_bandwidth_match_enumeration() {
    let (q_thin, q_a, q_b) = (0.1, 0.2, 0.3);
    let (mut served, mut shed) = (0.0, 0.0);
    for mask in 0..8u32 {
        let on = |i: u32| mask >> i & 1 == 1;
        let p = |i: u32, q: f64| if on(i) { q } else { 1.0 - q };
        let prob = p(0, q_thin) * p(1, q_a) * p(2, q_b);
        let thin = if on(0) { 0.0 } else { 6.0 };
        let fat = 8.0 * if on(1) { 0.5 } else { 1.0 } * if on(2) { 0.5 } else { 1.0 };
        let f = f64::min(10.0, thin + fat) / 10.0;
        served += prob * f;
        shed += prob * f64::from(u8::from(f < 1.0));
    }
    both_engines(&data("partial-links.toml"), 7, served, shed);
}

/// Load shed because a partial mode took capacity away is booked to that
/// component and its cause (hardware), never to congestion: the intact
/// plan carries everything.
#[test]
fn shed_load_from_a_partial_mode_is_booked_to_it() {
    let v = run_json(
        &data("partial-site.toml"),
        "--trials 50 --years 10 --seed 9",
    );
    let (total, cause) = (total_minutes(&v), |c| minutes(&v, c));
    // Down a fifth of the time.
    assert!((total / 525_600.0 - 0.2).abs() < 0.02, "{total}");
    assert_eq!(cause("congestion"), 0.0);
    assert!((cause("hardware") - total).abs() < 1e-6 * total);
    let top = &v["plans"][0]["top_components"][0];
    assert_eq!(top["component"], "site:dc");
    assert!((top["minutes_per_year"].as_f64().unwrap() - total).abs() < 1e-6 * total);
}

/// Every form of the fraction loads into the model, saves back and loads
/// to an equal model; the modes keep their component and file order.
#[test]
fn partial_modes_load_and_save_back() {
    use drsim::io::{load_str, save};
    use drsim::model::{Fraction, PartialTarget};
    let text = std::fs::read_to_string(data("partial-links.toml"))
        .unwrap()
        .replace(
            "capacity_rps = 20_000",
            "capacity_rps = 20_000\npartial = [{ fraction = { beta = [2, 5] }, mtbf = \"30d\", \
         ttr = { dist = \"lognormal\", median = \"2h\", sigma = 0.8 } }, \
         { fraction = { uniform = [0.1, 0.9] }, annual_rate = 4, mttr = \"1h\" }]",
        );
    let t = load_str(&text, std::path::Path::new("t.toml"))
        .unwrap()
        .topology;
    let targets: Vec<PartialTarget> = t.partials.iter().map(|m| m.target).collect();
    let (b, fat) = (t.site_id("b").unwrap(), t.link_id("fat").unwrap());
    use PartialTarget::{Link, Site};
    assert_eq!(targets, [Site(b), Site(b), Link(fat), Link(fat)]);
    let fractions: Vec<Fraction> = t.partials.iter().map(|m| m.fraction).collect();
    assert_eq!(
        fractions,
        [
            Fraction::Beta {
                alpha: 2.0,
                beta: 5.0
            },
            Fraction::Uniform { lo: 0.1, hi: 0.9 },
            Fraction::Fixed(0.5),
            Fraction::Fixed(0.5)
        ]
    );
    let saved = save::to_toml_string(&t);
    assert!(saved.contains("{ beta = [2.0, 5.0] }"), "{saved}");
    assert_eq!(load_str(&saved, "saved.toml".as_ref()).unwrap().topology, t);
}

/// Bad fractions and keys are refused at their file:line:column, exit 2.
#[test]
fn bad_partial_modes_are_refused_at_their_line() {
    let base = std::fs::read_to_string(data("partial-site.toml")).unwrap();
    let line = "partial = [{ fraction = 0.5, unavailability = 0.2, mttr = \"4h\" }]";
    let at = base.lines().position(|l| l == line).unwrap() + 1;
    for (mode, column, needle) in [
        (
            "{ fraction = 0.0, mtbf = \"5d\", mttr = \"1h\" }",
            25,
            "must be above 0 and at most 1, got 0",
        ),
        (
            "{ fraction = 1.5, mtbf = \"5d\", mttr = \"1h\" }",
            25,
            "got 1.5",
        ),
        (
            "{ fraction = nan, mtbf = \"5d\", mttr = \"1h\" }",
            25,
            "got NaN",
        ),
        (
            "{ fraction = -inf, mtbf = \"5d\", mttr = \"1h\" }",
            25,
            "got -inf",
        ),
        (
            "{ fraction = { uniform = [0.6, 0.4] }, mtbf = \"5d\", mttr = \"1h\" }",
            25,
            "uniform bounds must satisfy 0 <= lo < hi <= 1",
        ),
        (
            "{ fraction = { beta = [0, 2] }, mtbf = \"5d\", mttr = \"1h\" }",
            25,
            "beta parameters must be positive",
        ),
        (
            "{ fraction = { uniform = [0.1, 0.2], beta = [1, 1] }, mtbf = \"5d\", mttr = \"1h\" }",
            0,
            "exactly one of uniform",
        ),
        (
            "{ fraction = 0.5, mttr = \"1h\" }",
            12,
            "partial: the failure process gives no time to failure",
        ),
        (
            "{ fraction = 0.5, mtbf = \"5d\", mttr = \"1h\", size = 2 }",
            0,
            "unknown field `size`",
        ),
        (
            "{ mtbf = \"5d\", mttr = \"1h\" }",
            0,
            "missing field `fraction`",
        ),
    ] {
        let text = base.replace(line, &format!("partial = [{mode}]"));
        let (_dir, path) = temp_file("bad.toml", &text);
        let err = crate::common::refused(cli("validate", &path, ""), needle);
        // Serde's own errors (keys, shape) point inside the table.
        let col = match column {
            0 => String::new(),
            c => format!("{c}:"),
        };
        assert!(
            err.contains(&format!("bad.toml:{at}:{col}")),
            "{mode}: {err}"
        );
    }
}

/// (c) A partial release (`instances = 0.85` on a train to site a of two):
/// in progress with p = 1 - exp(-500 x 4 h / 1 y), and then 115 of 120 rps
/// are served. The components stay up, so `reliability` ignores the train
/// and says so.
#[test]
fn a_partial_release_matches_the_closed_form() {
    let f = data("partial-release.toml");
    let p = 1.0 - (-500.0f64 * 4.0 / 8760.0).exp();
    both_engines(&f, 11, 1.0 - p * 5.0 / 120.0, p);
    let v = run_json(&f, "--trials 20 --years 10 --seed 2");
    let (total, release) = (total_minutes(&v), minutes(&v, "release"));
    assert!(
        total > 0.0 && (release - total).abs() < 1e-6 * total,
        "{release} vs {total}"
    );
    let out = cli("reliability", &f, "--service --plan both --method exact")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 partial failure(s)"), "{err}");
    assert!(err.lines().all(|l| l.chars().count() <= 100), "{err}");
}

/// A seed fixes every number whatever the thread count, with partial modes
/// drawing their fractions and a partial release in waves (the bundled
/// example).
#[test]
fn partial_runs_do_not_depend_on_the_thread_count() {
    let f = crate::common::topo("partial-capacity.toml");
    let run = |threads: &str| run_json(&f, &format!("--trials 300 --seed 4 --threads {threads}"));
    let one = run("1");
    assert_eq!(one, run("2"));
    // The file's partial failures are seen: both plans lose time.
    assert!(total_minutes(&one) > 0.0);
}

/// Each start or end of a mode recomputes its component from all of its
/// modes, so one component takes at most 100: the 101st is refused at its
/// line.
#[test]
fn more_than_100_modes_on_one_site_are_refused() {
    let base = std::fs::read_to_string(data("partial-site.toml")).unwrap();
    let line = "partial = [{ fraction = 0.5, unavailability = 0.2, mttr = \"4h\" }]";
    let at = base.lines().position(|l| l == line).unwrap() + 1;
    let mode = "{ fraction = 0.01, mtbf = \"90d\", mttr = \"1h\" },\n";
    let text = base.replace(line, &format!("partial = [\n{}]", mode.repeat(101)));
    let (_dir, path) = temp_file("many.toml", &text);
    let err = crate::common::refused(cli("validate", &path, ""), "more than 100 partial modes");
    assert!(err.contains(&format!("many.toml:{}:", at + 101)), "{err}");
    let text = base.replace(line, &format!("partial = [\n{}]", mode.repeat(100)));
    let (_dir, path) = temp_file("hundred.toml", &text);
    assert!(
        cli("validate", &path, "")
            .output()
            .unwrap()
            .status
            .success()
    );
}
