//! Regressions found in a QA pass: inputs a new user tries first.

use crate::common::{Fixture, cli, drsim, json_ok, one_site, split_network, stderr_of};
use predicates::prelude::*;

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
        cli(command, file, &flags)
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
    cli(
        "reliability",
        "topologies/textbook-bridge.toml",
        "--from s --to t --threads 0",
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("--threads"));
}

/// `capacity --demand` on a file whose demands are all zero said "total
/// demand is 0" without naming the file.
#[test]
fn zero_demand_error_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = one_site("zero")
        .set_in("demand", "peak_rps", "0")
        .write(dir.path());
    cli("capacity", &file, "--demand --samples 100")
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
        .arg("import")
        .arg(dir.path())
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2);
    let err = stderr_of(&a);
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
    let file = Fixture::new("apart")
        .site("a")
        .site("b")
        .set("failure", r#"{ unavailability = 0.01, mttr = "4h" }"#)
        .demand("d", &["a", "b"])
        .plan("both", &["a", "b"])
        .set("quorum", "2")
        .set("targets", "{ availability = 0.5 }")
        .write(dir.path());
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

/// `reliability --service` counted serving sites reached from *any* entry
/// site of a demand, so two halves of a split network made a quorum that
/// cannot exist (the simulator and `eval::plan_serves` need one connected
/// piece). Two islands {a, b} and {c, d}, users entering at a and c:
/// quorum 2 is always met, quorum 3 never (no component failure at all, so
/// the exact answers are 0 and 1).
#[test]
fn service_quorum_is_not_assembled_across_disconnected_pieces() {
    let dir = tempfile::tempdir().unwrap();
    for (quorum, expect) in [(2, 0.0), (3, 1.0)] {
        let file = split_network(quorum).write(dir.path());
        for method in ["exact", "crude", "pmc"] {
            let flags =
                format!("--service --plan p --method {method} --samples 2000 --format json");
            let v = json_ok(&mut cli("reliability", &file, &flags));
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
    let bridge = "topologies/textbook-bridge.toml";
    let base = "--from s --to t --method pmc";
    cli("reliability", bridge, base)
        .args(["--target-re", "0.001", "--max-samples", "2000"])
        .assert()
        .code(0)
        .stderr(
            predicate::str::contains("warning").and(predicate::str::contains("--target-re 0.001")),
        );
    cli("reliability", bridge, base)
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
    // users and peak_rps stand on lines 10 and 11 (see Fixture).
    let file = one_site("big")
        .set_in("demand", "users", "1e308")
        .set_in("demand", "peak_rps", "1e308")
        .write(dir.path());
    let a = cli("validate", &file, "").assert().code(2);
    let err = stderr_of(&a);
    assert!(
        err.contains("big.toml:10:9: error: users must be between 0 and 1e12, got 1e308"),
        "{err}"
    );
    assert!(
        err.contains("big.toml:11:12: error: peak_rps must be between 0 and 1e12"),
        "{err}"
    );
    cli("run", &file, "--trials 10 --quiet").assert().code(2);
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
    let file = split_network(3).write(dir.path());
    let v = json_ok(&mut cli("run", &file, "--trials 64 --format json"));
    let un = v["plans"][0]["unattributed_minutes_per_year"]
        .as_f64()
        .unwrap();
    // A year is 365 days of 1440 minutes, all of it unexplained.
    assert!((un - 525_600.0).abs() < 1e-6, "{un}");
    let text = cli("run", &file, "--trials 64").output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains(&format!("unattributed {un:.2}")), "{text}");
}
