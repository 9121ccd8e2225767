//! Regressions found in a QA pass: inputs a new user tries first.

use assert_cmd::Command;
use predicates::prelude::*;

fn drsim() -> Command {
    Command::cargo_bin("drsim").unwrap()
}

const SMALL: &str = "topologies/small-company.toml";
const U64_MAX: &str = "18446744073709551615";

/// `--trials u64::MAX` overflowed `trials * plans` (a panic) or would have
/// allocated per-trial storage for it: every simulating command must refuse
/// it as bad usage, naming the flag, before doing any work.
#[test]
fn huge_trial_counts_are_refused_not_a_panic() {
    let out = tempfile::tempdir().unwrap();
    let html = out.path().join("r.html");
    let cases: Vec<Vec<&str>> = vec![
        vec!["run", SMALL, "--trials", U64_MAX, "--quiet"],
        vec!["compare", SMALL, "--trials", U64_MAX, "--quiet"],
        vec!["diff", SMALL, SMALL, "--trials", U64_MAX, "--quiet"],
        vec!["check", SMALL, "--trials", U64_MAX, "--quiet"],
        vec![
            "report",
            SMALL,
            "-o",
            html.to_str().unwrap(),
            "--trials",
            U64_MAX,
            "--quiet",
        ],
        vec![
            "run", SMALL, "--trials", "10000000", "--years", "2", "--quiet",
        ],
    ];
    for args in cases {
        drsim().args(&args).assert().code(2).stderr(
            predicate::str::contains("--trials").and(predicate::str::contains("panicked").not()),
        );
    }
    assert!(!html.exists());
}

/// `--samples u64::MAX` aborted with a failed allocation (per-batch results).
#[test]
fn huge_sample_counts_are_refused_not_an_abort() {
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "capacity",
            "topologies/abilene.toml",
            "--from",
            "0",
            "--to",
            "5",
            "--samples",
            U64_MAX,
        ],
        vec![
            "capacity",
            SMALL,
            "--demand",
            "--plan",
            "metro-pair",
            "--samples",
            U64_MAX,
        ],
        vec![
            "reliability",
            "topologies/textbook-bridge.toml",
            "--from",
            "s",
            "--to",
            "t",
            "--method",
            "crude",
            "--samples",
            U64_MAX,
        ],
        vec![
            "reliability",
            "topologies/textbook-bridge.toml",
            "--from",
            "s",
            "--to",
            "t",
            "--method",
            "pmc",
            "--samples",
            U64_MAX,
        ],
        vec![
            "reliability",
            "topologies/textbook-bridge.toml",
            "--from",
            "s",
            "--to",
            "t",
            "--method",
            "crude",
            "--samples",
            "0",
        ],
    ];
    for args in cases {
        drsim()
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--samples"));
    }
}

/// A "1ms" repair at unavailability 0.01 means 3e8 failures a site-year: a
/// default run took ~90 s per trial-year and grew without bound in memory.
/// It is refused up front, naming the file and the component.
#[test]
fn millisecond_repairs_are_refused_with_the_component_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("short.toml");
    std::fs::write(
        &file,
        r#"[topology]
name = "short"
format = 1
[[site]]
id = "a"
capacity_rps = 100
failure = { unavailability = 0.01, mttr = "1ms" }
[[demand]]
id = "d"
sites = ["a"]
users = 10
peak_rps = 10
[[plan]]
id = "p"
serving_sites = ["a"]
mode = "active-active"
"#,
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let html = dir.path().join("r.html");
    for args in [
        vec!["run", f, "--quiet"],
        vec!["compare", f, "--quiet"],
        vec!["check", f, "--quiet"],
        vec!["diff", f, f, "--quiet"],
        vec!["report", f, "-o", html.to_str().unwrap(), "--quiet"],
    ] {
        drsim()
            .args(&args)
            .timeout(std::time::Duration::from_secs(60))
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("short.toml").and(predicate::str::contains("site 'a'")),
            );
    }
    assert!(!html.exists());
    // The model itself is valid: only the simulation is refused.
    drsim().args(["validate", f]).assert().code(0);
}

/// `reliability --threads 0` silently meant "all cores" while every other
/// command refuses it; now it is bad usage too.
#[test]
fn reliability_refuses_zero_threads_like_the_other_commands() {
    drsim()
        .args([
            "reliability",
            "topologies/textbook-bridge.toml",
            "--from",
            "s",
            "--to",
            "t",
            "--threads",
            "0",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--threads"));
}

/// `capacity --demand` on a file whose demands are all zero said "total
/// demand is 0" without naming the file.
#[test]
fn zero_demand_error_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("zero.toml");
    std::fs::write(
        &file,
        "[topology]\nname = \"zero\"\nformat = 1\n[[site]]\nid = \"a\"\ncapacity_rps = 100\n\
         [[demand]]\nid = \"d\"\nsites = [\"a\"]\nusers = 10\npeak_rps = 0\n\
         [[plan]]\nid = \"p\"\nserving_sites = [\"a\"]\nmode = \"active-active\"\n",
    )
    .unwrap();
    drsim()
        .args([
            "capacity",
            file.to_str().unwrap(),
            "--demand",
            "--samples",
            "100",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("zero.toml").and(predicate::str::contains("demand")));
}

/// `--out`/`-o` into a missing directory named a random temporary file; it
/// now names the output and the missing directory, exit 2, nothing written.
#[test]
fn output_into_a_missing_directory_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("missing").join("x.json");
    let o = out.to_str().unwrap();
    for args in [
        vec!["run", SMALL, "--trials", "10", "--quiet", "--out", o],
        vec!["import", "tests/data/capacity-parallel.graphml", "-o", o],
    ] {
        drsim().args(&args).assert().code(2).stderr(
            predicate::str::contains("x.json")
                .and(predicate::str::contains("not an existing directory")),
        );
    }
    assert!(!dir.path().join("missing").exists());
}

/// `import DIR` printed the OS error twice ("Is a directory ...: Is a
/// directory ...").
#[test]
fn import_of_a_directory_says_why_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.toml");
    let a = drsim()
        .args([
            "import",
            dir.path().to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .assert()
        .code(2);
    let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    assert!(err.contains("cannot read"), "{err}");
    assert_eq!(err.matches("os error").count(), 1, "{err}");
}

/// A plan that can never be up (quorum 2 over two unconnected sites): every
/// trial is down all year. `check` printed its availability as -0.00000%
/// (float noise, estimate -3e-19), and with no spread at all among the
/// trials it would have called the target inconclusive (exit 3) forever.
/// Availabilities are in [0, 1], so the bound from "no trial differed in n"
/// decides it: missed, exit 1, and no negative number anywhere.
#[test]
fn a_plan_that_is_never_up_misses_its_target_without_negative_availability() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("apart.toml");
    std::fs::write(
        &file,
        r#"[topology]
name = "apart"
format = 1
[defaults.site]
capacity_rps = 100
[[site]]
id = "a"
[[site]]
id = "b"
failure = { unavailability = 0.01, mttr = "4h" }
[[demand]]
id = "d"
sites = ["a", "b"]
users = 10
peak_rps = 10
[[plan]]
id = "both"
serving_sites = ["a", "b"]
mode = "active-active"
quorum = 2
targets = { availability = 0.5 }
"#,
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let a = drsim()
        .args([
            "check",
            f,
            "--quiet",
            "--min-trials",
            "200",
            "--trials",
            "400",
            "--format",
            "json",
        ])
        .assert()
        .code(1);
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

/// `reliability --service` counted serving sites reached from *any* entry
/// site of a demand, so two halves of a split network made a quorum that
/// cannot exist (the simulator and `eval::plan_serves` need one connected
/// piece). Two islands {a, b} and {c, d}, users entering at a and c:
/// quorum 2 is always met, quorum 3 never (no component failure at all, so
/// the exact answers are 0 and 1).
#[test]
fn service_quorum_is_not_assembled_across_disconnected_pieces() {
    let dir = tempfile::tempdir().unwrap();
    let write = |quorum: u32| {
        let file = dir.path().join(format!("split-{quorum}.toml"));
        std::fs::write(&file, split_topology(quorum)).unwrap();
        file
    };
    for (quorum, expect) in [(2, 0.0), (3, 1.0)] {
        let file = write(quorum);
        for method in ["exact", "crude", "pmc"] {
            let a = drsim()
                .args([
                    "reliability",
                    file.to_str().unwrap(),
                    "--service",
                    "--plan",
                    "p",
                ])
                .args(["--method", method, "--samples", "2000", "--format", "json"])
                .assert()
                .code(0);
            let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
            assert_eq!(
                v["unreliability"].as_f64().unwrap(),
                expect,
                "quorum {quorum}, {method}: {v}"
            );
        }
    }
}

/// `--target-re` that the sample budget cannot reach used to end with exit 0
/// and no word; it now warns on stderr (the result itself stays valid).
#[test]
fn an_unreached_target_re_is_reported() {
    let base = [
        "reliability",
        "topologies/textbook-bridge.toml",
        "--from",
        "s",
        "--to",
        "t",
        "--method",
        "pmc",
    ];
    drsim()
        .args(base)
        .args(["--target-re", "0.001", "--max-samples", "2000"])
        .assert()
        .code(0)
        .stderr(
            predicate::str::contains("warning").and(predicate::str::contains("--target-re 0.001")),
        );
    drsim()
        .args(base)
        .args(["--target-re", "0.1"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("warning").not());
}

/// `users = 1e308` / `peak_rps = 1e308` validated, then `run` printed
/// "user-minutes lost/year inf [NaN, NaN]" and `capacity --demand` NaN
/// percentiles. Both are now bounded at 1e12, named with file:line and the
/// value in short form (not 309 digits).
#[test]
fn absurd_demand_sizes_are_refused_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.toml");
    std::fs::write(
        &file,
        "[topology]\nname = \"big\"\nformat = 1\n[[site]]\nid = \"a\"\ncapacity_rps = 100\n\
         [[demand]]\nid = \"d\"\nsites = [\"a\"]\nusers = 1e308\npeak_rps = 1e308\n\
         [[plan]]\nid = \"p\"\nserving_sites = [\"a\"]\nmode = \"active-active\"\n",
    )
    .unwrap();
    let a = drsim()
        .args(["validate", file.to_str().unwrap()])
        .assert()
        .code(2);
    let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("big.toml:10:9: error: users must be between 0 and 1e12, got 1e308"),
        "{err}"
    );
    assert!(
        err.contains("big.toml:11:12: error: peak_rps must be between 0 and 1e12"),
        "{err}"
    );
    drsim()
        .args(["run", file.to_str().unwrap(), "--trials", "10", "--quiet"])
        .assert()
        .code(2);
}

/// `--out DIR` (an existing directory) printed "failed to persist temporary
/// file: Is a directory (os error 21): Is a directory (os error 21)"; it
/// now says what is wrong once.
#[test]
fn output_onto_a_directory_is_refused_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    for args in [
        vec!["run", SMALL, "--trials", "10", "--quiet", "--out", d],
        vec!["report", SMALL, "--trials", "10", "--quiet", "-o", d],
    ] {
        drsim().args(&args).assert().code(2).stderr(
            predicate::str::contains("it is a directory")
                .and(predicate::str::contains("os error").not()),
        );
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary file left behind"
    );
}

/// A plan that is down by construction (quorum 3 across two 2-site islands,
/// nothing ever fails) has a full year of downtime that no component
/// explains; the text report shows it instead of leaving it to the JSON.
#[test]
fn run_text_shows_unattributed_downtime() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("split.toml");
    std::fs::write(&file, split_topology(3)).unwrap();
    let f = file.to_str().unwrap();
    let json = drsim()
        .args(["run", f, "--trials", "64", "--format", "json"])
        .output()
        .unwrap();
    assert!(json.status.success());
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let un = v["plans"][0]["unattributed_minutes_per_year"]
        .as_f64()
        .unwrap();
    // A year is 365 days of 1440 minutes, all of it unexplained.
    assert!((un - 525_600.0).abs() < 1e-6, "{un}");
    let text = drsim().args(["run", f, "--trials", "64"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    // In human numbers: 525,600 minutes read "526 k".
    assert!(text.contains("unattributed 526 k"), "{text}");
}

/// Two islands {a, b} and {c, d} (no link between them), users entering at
/// a and c, one active-active plan over all four sites with `quorum`.
fn split_topology(quorum: u32) -> String {
    format!(
        r#"[topology]
name = "split"
format = 1
[defaults.site]
capacity_rps = 100
[[site]]
id = "a"
[[site]]
id = "b"
[[site]]
id = "c"
[[site]]
id = "d"
[[link]]
a = "a"
b = "b"
[[link]]
a = "c"
b = "d"
[[demand]]
id = "users"
sites = ["a", "c"]
users = 10
peak_rps = 10
[[plan]]
id = "p"
serving_sites = ["a", "b", "c", "d"]
mode = "active-active"
quorum = {quorum}
"#
    )
}
