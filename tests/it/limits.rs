//! Sizes and counts past what a run can hold (trials, samples, failure
//! rates, demand sizes) are refused as bad input, exit 2, naming the flag or
//! the file and component, before any work: never a panic, an abort on
//! allocation or a run that does not end.

use crate::common::{cli, drsim, one_site, refused};

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
        refused(drsim().args(&args), "--trials");
    }
    assert!(!html.exists());
}

/// `--samples u64::MAX` aborted with a failed allocation (per-batch results).
#[test]
fn huge_sample_counts_are_refused_not_an_abort() {
    let bridge = "topologies/textbook-bridge.toml";
    let cases = [
        (
            "capacity",
            "topologies/abilene.toml",
            format!("--from 0 --to 5 --samples {U64_MAX}"),
        ),
        (
            "capacity",
            SMALL,
            format!("--demand --plan metro-pair --samples {U64_MAX}"),
        ),
        (
            "reliability",
            bridge,
            format!("--from s --to t --method crude --samples {U64_MAX}"),
        ),
        (
            "reliability",
            bridge,
            format!("--from s --to t --method pmc --samples {U64_MAX}"),
        ),
        (
            "reliability",
            bridge,
            "--from s --to t --method crude --samples 0".into(),
        ),
    ];
    for (command, file, flags) in cases {
        refused(cli(command, file, &flags), "--samples");
    }
}

/// A "1ms" repair at unavailability 0.01 means 3e8 failures a site-year: a
/// default run took ~90 s per trial-year and grew without bound in memory.
/// It is refused up front, naming the file and the component.
#[test]
fn millisecond_repairs_are_refused_with_the_component_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = one_site("short")
        .set_in(
            "site",
            "failure",
            r#"{ unavailability = 0.01, mttr = "1ms" }"#,
        )
        .write(dir.path());
    let f = file.to_str().unwrap();
    let html = dir.path().join("r.html");
    for args in [
        vec!["run", f, "--quiet"],
        vec!["compare", f, "--quiet"],
        vec!["check", f, "--quiet"],
        vec!["diff", f, f, "--quiet"],
        vec!["report", f, "-o", html.to_str().unwrap(), "--quiet"],
    ] {
        let slow = std::time::Duration::from_secs(60);
        let err = refused(drsim().args(&args).timeout(slow), "short.toml");
        assert!(err.contains("site 'a'"), "{err}");
    }
    assert!(!html.exists());
    // The model itself is valid: only the simulation is refused.
    drsim().args(["validate", f]).assert().code(0);
}

/// `users = 1e308` / `peak_rps = 1e308` validated, then `run` printed
/// "user-minutes lost/year inf [NaN, NaN]" and `capacity --demand` NaN
/// percentiles. Both are now bounded at 1e12, named with file:line and the
/// value in short form (not 309 digits).
#[test]
fn absurd_demand_sizes_are_refused_at_load() {
    let dir = tempfile::tempdir().unwrap();
    // users and peak_rps stand on lines 10 and 11 (see Fixture).
    let file = one_site("big")
        .set_in("demand", "users", "1e308")
        .set_in("demand", "peak_rps", "1e308")
        .write(dir.path());
    let err = refused(cli("validate", &file, ""), "big.toml");
    assert!(
        err.contains("big.toml:10:9: error: users must be between 0 and 1e12, got 1e308"),
        "{err}"
    );
    assert!(
        err.contains("big.toml:11:12: error: peak_rps must be between 0 and 1e12"),
        "{err}"
    );
    refused(cli("run", &file, "--trials 10 --quiet"), "big.toml");
}
