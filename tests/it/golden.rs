//! Golden outputs: the JSON of `run`, `compare`, `reliability` and
//! `capacity` on every bundled topology at fixed seeds, pinned by insta
//! snapshots (tests/it/snapshots/it__golden__*.snap). A refactor that moves a
//! number fails here; a change meant to move numbers updates the snapshots
//! (`INSTA_UPDATE=always cargo test --test it golden`) and says why in its
//! commit message.
//!
//! Each case runs twice, on 1 and on 2 threads, and the two outputs must be
//! identical apart from timing fields: runs are deterministic for a seed.
//! Sample counts are kept small (the whole file takes a few seconds in the
//! dev profile) but large enough that the numbers are not trivially zero.

use crate::common::{drsim, topo};
use serde_json::Value;

/// Fields that measure the machine, not the model: redacted before comparing.
const TIMING_FIELDS: [&str; 2] = ["seconds", "samples_per_second"];

/// Significant digits kept in the snapshots. Bit-exact floats would also pin
/// the order of floating-point additions, which a refactor may change
/// without moving any number a reader sees; a real change (one sample more
/// or less, another seed) moves results far above the 12th digit.
const DIGITS: usize = 12;

fn json_output(args: &[&str], threads: &str) -> Value {
    let out = drsim()
        .args(args)
        .args(["--format", "json", "--threads", threads])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "drsim {}: exit {:?}\n{}",
        args.join(" "),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// Removes timing fields at any depth and rounds floats to `DIGITS`.
fn normalise(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for key in TIMING_FIELDS {
                if map.contains_key(key) {
                    map.insert(key.to_string(), Value::String("[timing]".into()));
                }
            }
            map.values_mut().for_each(normalise);
        }
        Value::Array(items) => items.iter_mut().for_each(normalise),
        Value::Number(n) if n.is_f64() => {
            let x = n.as_f64().unwrap();
            let rounded: f64 = format!("{x:.*e}", DIGITS - 1).parse().unwrap();
            *v = serde_json::Number::from_f64(rounded).map_or(Value::Null, Value::Number);
        }
        _ => {}
    }
}

/// Runs `drsim COMMAND topologies/FILE REST` on 1 and 2 threads, checks both
/// agree and snapshots the result under `name`; the snapshot's description
/// is the command line, to reproduce it by hand.
fn golden(name: &str, command: &str, file: &str, rest: &[&str]) {
    let path = topo(file);
    let mut args = vec![command, path.as_str()];
    args.extend_from_slice(rest);
    let mut one = json_output(&args, "1");
    let mut two = json_output(&args, "2");
    normalise(&mut one);
    normalise(&mut two);
    assert_eq!(
        one, two,
        "{name}: output differs between --threads 1 and --threads 2"
    );
    let description = format!("drsim {command} topologies/{file} {}", rest.join(" "));
    insta::with_settings!({ description => description, omit_expression => true }, {
        insta::assert_json_snapshot!(name, one);
    });
}

/// Every file in topologies/ appears in at least one case below, so a newly
/// bundled topology gets golden outputs too.
#[test]
fn every_bundled_topology_has_golden_cases() {
    let source = include_str!("golden.rs");
    let dir = format!("{}/topologies", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(files.len() >= 5, "bundled topologies: {files:?}");
    for f in files {
        assert!(
            source.contains(&format!("\"{f}\"")),
            "topologies/{f} has no golden case in tests/it/golden.rs"
        );
    }
}

const GM: &str = "global-messaging.toml";
const SC: &str = "small-company.toml";

#[test]
fn run_global_messaging() {
    golden(
        "run__global-messaging",
        "run",
        GM,
        &["--trials", "2000", "--seed", "7", "-q"],
    );
}

#[test]
fn run_small_company() {
    golden(
        "run__small-company",
        "run",
        SC,
        &["--trials", "2000", "--years", "2", "--seed", "7", "-q"],
    );
}

#[test]
fn compare_global_messaging() {
    golden(
        "compare__global-messaging",
        "compare",
        GM,
        &["--trials", "2000", "--seed", "7", "-q"],
    );
}

#[test]
fn compare_small_company_by_data_lost() {
    golden(
        "compare__small-company__data-lost",
        "compare",
        SC,
        &[
            "--trials",
            "4000",
            "--seed",
            "7",
            "--risk",
            "data-lost",
            "-q",
        ],
    );
}

#[test]
fn reliability_service_per_plan() {
    let plans = [
        (GM, "single-region"),
        (GM, "active-passive"),
        (GM, "active-active-5"),
        (GM, "global-mesh"),
        (SC, "metro-pair"),
        (SC, "metro-plus-dr"),
    ];
    for (file, plan) in plans {
        let stem = file.trim_end_matches(".toml");
        golden(
            &format!("reliability__{stem}__{plan}__crude"),
            "reliability",
            file,
            &[
                "--service",
                "--plan",
                plan,
                "--method",
                "crude",
                "--samples",
                "500000",
                "--seed",
                "3",
            ],
        );
        golden(
            &format!("reliability__{stem}__{plan}__auto"),
            "reliability",
            file,
            &[
                "--service",
                "--plan",
                plan,
                "--samples",
                "5000",
                "--seed",
                "3",
            ],
        );
    }
}

#[test]
fn reliability_two_and_all_terminal() {
    golden(
        "reliability__textbook-bridge__s-t",
        "reliability",
        "textbook-bridge.toml",
        &["--from", "s", "--to", "t"],
    );
    golden(
        "reliability__textbook-bridge__s-t__crude",
        "reliability",
        "textbook-bridge.toml",
        &[
            "--from",
            "s",
            "--to",
            "t",
            "--method",
            "crude",
            "--samples",
            "200000",
            "--seed",
            "3",
        ],
    );
    golden(
        "reliability__abilene__all-terminal",
        "reliability",
        "abilene.toml",
        &["--all-terminal"],
    );
    golden(
        "reliability__abilene__all-terminal__pmc",
        "reliability",
        "abilene.toml",
        &[
            "--all-terminal",
            "--link-failure",
            "0.01",
            "--method",
            "pmc",
            "--samples",
            "5000",
            "--seed",
            "3",
        ],
    );
    golden(
        "reliability__geant2012__uk-gr",
        "reliability",
        "geant2012.toml",
        &["--from", "UK", "--to", "GR"],
    );
}

#[test]
fn capacity_two_terminal() {
    golden(
        "capacity__geant2012__uk-gr",
        "capacity",
        "geant2012.toml",
        &[
            "--from",
            "UK",
            "--to",
            "GR",
            "--link-failure",
            "0.01",
            "--samples",
            "100000",
            "--seed",
            "5",
        ],
    );
    golden(
        "capacity__abilene__ny-la",
        "capacity",
        "abilene.toml",
        &[
            "--from",
            "New York",
            "--to",
            "Los Angeles",
            "--samples",
            "100000",
            "--threshold",
            "50",
            "--seed",
            "5",
        ],
    );
}

#[test]
fn capacity_demand_per_plan() {
    let plans = [
        (GM, "single-region"),
        (GM, "active-passive"),
        (GM, "active-active-5"),
        (GM, "global-mesh"),
        (SC, "metro-pair"),
        (SC, "metro-plus-dr"),
    ];
    for (file, plan) in plans {
        let stem = file.trim_end_matches(".toml");
        golden(
            &format!("capacity__{stem}__{plan}__demand"),
            "capacity",
            file,
            &[
                "--demand",
                "--plan",
                plan,
                "--samples",
                "200000",
                "--threshold",
                "0.9",
                "--seed",
                "5",
            ],
        );
    }
}
