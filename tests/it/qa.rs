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
