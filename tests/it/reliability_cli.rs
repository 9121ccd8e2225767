//! `drsim reliability` from the command line: JSON against closed forms,
//! the service criterion on a split network, warnings and input errors.

use crate::common::{cli, json_ok, refused, split_network, topo};
use crate::reliability::rel;
use predicates::prelude::*;

#[test]
fn cli_bridge_exact_json_matches_closed_form() {
    let bridge = topo("textbook-bridge.toml");
    let v = json_ok(&mut cli(
        "reliability",
        bridge,
        "--from s --to t --method exact --format json",
    ));
    for key in [
        "unreliability",
        "std_error",
        "ci95_low",
        "ci95_high",
        "relative_error",
        "samples",
        "method",
        "seconds",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    // u(q) = 2q^2 + 2q^3 - 5q^4 + 2q^5 at q = 0.01 (see the file's header).
    let u = v["unreliability"].as_f64().unwrap();
    assert!(rel(u, 2.019502e-4) < 1e-6, "{u}");
}

#[test]
fn cli_link_failure_override_and_pmc_agree_with_closed_form() {
    let q: f64 = 0.001;
    let want = 2.0 * q.powi(2) + 2.0 * q.powi(3) - 5.0 * q.powi(4) + 2.0 * q.powi(5);
    let flags = "--from s --to t --link-failure 0.001 --method pmc --samples 50000 \
                 --seed 3 --threads 2 --format json";
    let v = json_ok(&mut cli("reliability", topo("textbook-bridge.toml"), flags));
    let (u, se) = (
        v["unreliability"].as_f64().unwrap(),
        v["std_error"].as_f64().unwrap(),
    );
    assert!((u - want).abs() < 4.0 * se, "{u} ± {se} vs {want}");
}

#[test]
fn cli_errors_are_clear() {
    let bridge = topo("textbook-bridge.toml");
    refused(
        cli("reliability", &bridge, "--from s --to nowhere"),
        "--to: no site",
    );
    refused(
        cli("reliability", topo("small-company.toml"), "--service"),
        "choose one with --plan",
    );
    refused(
        cli("reliability", &bridge, "--all-terminal --link-failure 1.5"),
        "between 0 and 1",
    );
    refused(
        cli("reliability", "/nonexistent.toml", "--all-terminal"),
        "nonexistent.toml",
    );
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
