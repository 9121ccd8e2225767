//! `drsim run`: output formats, plan selection, atomic --out, errors.

use crate::common::{cli, drsim, json_ok, refused, split_network};

const TOPO: &str = r#"
[topology]
name = "cli-run"
format = 1

[defaults.site]
capacity_rps = 50000
failure = { mtbf = "30d", mttr = "4h" }

[[region]]
id = "west"
[[region.hazard]]
kind = "quake"
annual_rate = 0.1
site_hit_probability = 1.0
outage = "3d"

[[site]]
id = "a"
region = "west"

[[site]]
id = "b"

[[link]]
a = "a"
b = "b"

[[demand]]
id = "users"
sites = ["a", "b"]
users = 1000
peak_rps = 10000

[[plan]]
id = "both"
serving_sites = ["a", "b"]
mode = "active-active"
quorum = 1
headroom = 1.0
cost_per_year = 2e6

[[plan]]
id = "single"
serving_sites = ["a"]
mode = "active-passive"
cost_per_year = 1e6
"#;

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.toml");
    std::fs::write(&path, TOPO).unwrap();
    (dir, path)
}

#[test]
fn json_has_schema_and_every_plan() {
    let (_dir, path) = setup();
    let out = drsim()
        .args([
            "run",
            path.to_str().unwrap(),
            "--trials",
            "200",
            "--format",
            "json",
            "--seed",
            "5",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["schema"], "drsim.run/1");
    assert_eq!(v["seed"], 5);
    assert_eq!(v["trials"], 200);
    let plans = v["plans"].as_array().unwrap();
    assert_eq!(plans.len(), 2);
    assert_eq!(plans[0]["plan"], "both");
    assert_eq!(plans[1]["plan"], "single");
    // The single-site plan in the quake region does worse than both sites.
    let down = |i: usize| {
        plans[i]["downtime_minutes_per_year"]["mean"]["mean"]
            .as_f64()
            .unwrap()
    };
    assert!(down(1) > down(0), "{} vs {}", down(1), down(0));
}

#[test]
fn plan_selection_csv_and_atomic_out() {
    let (dir, path) = setup();
    let out = dir.path().join("res.csv");
    drsim()
        .args([
            "run",
            path.to_str().unwrap(),
            "--plan",
            "single",
            "--trials",
            "100",
        ])
        .args([
            "--threads",
            "2",
            "--format",
            "csv",
            "--out",
            out.to_str().unwrap(),
        ])
        .assert()
        .success()
        .stdout("");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("plan,metric,value,lo,hi\n"), "{text}");
    assert!(text.contains("single,availability_time,"));
    assert!(!text.contains("both,"));
    // Only the result file is left in the directory (no temp files).
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn same_seed_same_output_whatever_the_threads() {
    let (_dir, path) = setup();
    let run = |threads: &str| {
        drsim()
            .args([
                "run",
                path.to_str().unwrap(),
                "--trials",
                "300",
                "--format",
                "json",
            ])
            .args(["--threads", threads])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    assert_eq!(run("1"), run("2"));
}

#[test]
fn unknown_plan_and_bad_values_are_clear_errors() {
    let (_dir, path) = setup();
    refused(
        drsim().args(["run", path.to_str().unwrap(), "--plan", "nope"]),
        "no plan 'nope' (plans: both, single)",
    );
    refused(
        drsim().args(["run", path.to_str().unwrap(), "--trials", "0"]),
        "--trials must be at least 1",
    );
    refused(drsim().args(["run", "/nonexistent/x.toml"]), "x.toml");
}

/// A plan that is down by construction (quorum 3 across two 2-site islands,
/// nothing ever fails) has a full year of downtime that no component
/// explains; the text report shows it instead of leaving it to the JSON.
#[test]
fn run_text_shows_unattributed_downtime() {
    let dir = tempfile::tempdir().unwrap();
    let file = split_network(3).write(dir.path());
    let v = json_ok(&mut cli("run", &file, "--trials 64 --format json"));
    let un = v["plans"][0]["unattributed_minutes_per_year"]
        .as_f64()
        .unwrap();
    // A year is 365 days of 1440 minutes, all of it unexplained.
    assert!((un - 525_600.0).abs() < 1e-6, "{un}");
    let text = cli("run", &file, "--trials 64").output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    // In human numbers: 525,600 minutes read "526 k".
    assert!(text.contains("unattributed 526 k"), "{text}");
}
