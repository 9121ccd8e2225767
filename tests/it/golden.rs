//! Golden outputs: the JSON of `run`, `compare`, `check`, `reliability` and
//! `capacity` on every bundled topology at fixed seeds, pinned by insta
//! snapshots (tests/it/snapshots/it__golden__*.snap). A refactor that moves a
//! number fails here; a change meant to move numbers updates the snapshots
//! (`INSTA_UPDATE=always cargo test --test it golden`) and says why in its
//! commit message.
//!
//! Each case runs on 1 and on 2 threads and the outputs must be identical
//! apart from timing fields. Sample counts are small but not trivial.

use crate::common::{drsim, topo};
use serde_json::Value;

/// Fields that measure the machine, not the model: redacted before comparing.
const TIMING_FIELDS: [&str; 2] = ["seconds", "samples_per_second"];

/// Significant digits kept in the snapshots. Bit-exact floats would also pin
/// the order of floating-point additions, which a refactor may change
/// without moving any number a reader sees; a real change (one sample more
/// or less, another seed) moves results far above the 12th digit.
const DIGITS: usize = 12;

fn json_output(args: &[String], threads: &str, status: i32) -> Value {
    let out = drsim()
        .args(args)
        .args(["--format", "json", "--threads", threads])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(status),
        "drsim {}: exit {:?}\n{}",
        args.join(" "),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// Replaces timing fields at any depth by "[timing]".
fn redact_timing(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for key in TIMING_FIELDS {
                if map.contains_key(key) {
                    map.insert(key.to_string(), Value::String("[timing]".into()));
                }
            }
            map.values_mut().for_each(redact_timing);
        }
        Value::Array(items) => items.iter_mut().for_each(redact_timing),
        _ => {}
    }
}

/// Rounds every float at any depth to `DIGITS` significant digits.
fn round_floats(v: &mut Value) {
    match v {
        Value::Object(map) => map.values_mut().for_each(round_floats),
        Value::Array(items) => items.iter_mut().for_each(round_floats),
        Value::Number(n) if n.is_f64() => {
            let x = n.as_f64().unwrap();
            let rounded: f64 = format!("{x:.*e}", DIGITS - 1).parse().unwrap();
            *v = serde_json::Number::from_f64(rounded).map_or(Value::Null, Value::Number);
        }
        _ => {}
    }
}

/// Runs `drsim LINE` on 1 and 2 threads, checks both agree and snapshots
/// the result under `name`. LINE is split at spaces; its second word names
/// a file in topologies/. The snapshot's description is the command line, to
/// reproduce it by hand.
fn golden(name: &str, line: &str) {
    golden_exit(name, line, 0);
}

/// `golden` for a command that must exit with `status` (`check`: 1 when a
/// target is missed).
fn golden_exit(name: &str, line: &str, status: i32) {
    let mut args: Vec<String> = line.split(' ').map(String::from).collect();
    args[1] = topo(&args[1]);
    let mut one = json_output(&args, "1", status);
    let mut two = json_output(&args, "2", status);
    // Bit for bit, before rounding: only timing may differ.
    redact_timing(&mut one);
    redact_timing(&mut two);
    assert_eq!(
        one, two,
        "{name}: output differs between --threads 1 and --threads 2"
    );
    round_floats(&mut one);
    let mut description = format!("drsim {}", line.replacen(' ', " topologies/", 1));
    if status != 0 {
        description.push_str(&format!(" (exit status {status})"));
    }
    insta::with_settings!({ description => description, omit_expression => true }, {
        insta::assert_json_snapshot!(name, one);
    });
}

/// The bundled files, relative to topologies/: the native `*.toml` ones
/// and the Topology Zoo networks in `zoo/*.graphml`.
fn bundled_files() -> Vec<String> {
    let mut files = Vec::new();
    for (dir, ext) in [("", ".toml"), ("zoo/", ".graphml")] {
        let path = format!("{}/topologies/{dir}", env!("CARGO_MANIFEST_DIR"));
        for e in std::fs::read_dir(path).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(ext) {
                files.push(format!("{dir}{name}"));
            }
        }
    }
    files.sort();
    files
}

/// Every plan of every bundled file, as (file stem, plan id): a plan added
/// to a bundled file gets golden cases (and a missing snapshot fails CI).
fn bundled_plans() -> Vec<(String, String)> {
    let mut plans = Vec::new();
    for file in bundled_files().into_iter().filter(|f| f.ends_with(".toml")) {
        let t = drsim::io::load_path(std::path::Path::new(&topo(&file))).unwrap();
        let stem = file.trim_end_matches(".toml");
        plans.extend(t.plans.iter().map(|p| (stem.to_string(), p.key.clone())));
    }
    plans
}

/// Simulations: (snapshot name, command line).
const SIMULATIONS: [(&str, &str); 6] = [
    (
        "run__slo-example",
        "run slo-example.toml --trials 2000 --seed 7 -q",
    ),
    (
        "run__global-messaging",
        "run global-messaging.toml --trials 2000 --seed 7 -q",
    ),
    (
        "run__retry-storm",
        "run retry-storm.toml --trials 2000 --seed 7 -q",
    ),
    (
        "run__small-company",
        "run small-company.toml --trials 2000 --years 2 --seed 7 -q",
    ),
    (
        "compare__global-messaging",
        "compare global-messaging.toml --trials 2000 --seed 7 -q",
    ),
    (
        "compare__small-company__data-lost",
        "compare small-company.toml --trials 4000 --seed 7 --risk data-lost -q",
    ),
];

/// `check` on the files with plans: (snapshot name, command line, exit
/// status). Every file has a plan that misses a target, hence exit 1.
const CHECKS: [(&str, &str, i32); 3] = [
    (
        "check__slo-example",
        "check slo-example.toml --seed 7 -q",
        1,
    ),
    (
        "check__global-messaging",
        "check global-messaging.toml --seed 7 -q",
        1,
    ),
    (
        "check__small-company",
        "check small-company.toml --seed 7 -q",
        1,
    ),
];

/// Static views of the network, on the files with and without plans (run
/// and compare refuse a file without plans).
const STATIC_VIEWS: [(&str, &str); 14] = [
    (
        "reliability__textbook-bridge__s-t",
        "reliability textbook-bridge.toml --from s --to t",
    ),
    (
        "reliability__textbook-bridge__s-t__crude",
        "reliability textbook-bridge.toml --from s --to t --method crude --samples 200000 --seed 3",
    ),
    (
        "reliability__abilene__all-terminal",
        "reliability abilene.toml --all-terminal",
    ),
    (
        "reliability__abilene__all-terminal__pmc",
        "reliability abilene.toml --all-terminal --link-failure 0.01 --method pmc --samples 5000 --seed 3",
    ),
    (
        "reliability__geant2012__uk-gr",
        "reliability geant2012.toml --from UK --to GR",
    ),
    // Importance and cut sets: exact on the bridge and the small company,
    // sampled once (global-messaging's take ~15 s and are left out).
    (
        "reliability__textbook-bridge__s-t__importance",
        "reliability textbook-bridge.toml --from s --to t --importance --cut-sets 3",
    ),
    (
        "reliability__small-company__metro-plus-dr__importance",
        "reliability small-company.toml --service --plan metro-plus-dr --importance --cut-sets 2",
    ),
    (
        "reliability__small-company__metro-pair__importance__crude",
        "reliability small-company.toml --service --plan metro-pair --importance --method crude \
         --samples 100000 --seed 3",
    ),
    (
        "capacity__geant2012__uk-gr",
        "capacity geant2012.toml --from UK --to GR --link-failure 0.01 --samples 100000 --seed 5",
    ),
    // Abilene sites 0 and 5 are New York and Los Angeles.
    (
        "capacity__abilene__ny-la",
        "capacity abilene.toml --from 0 --to 5 --samples 100000 --threshold 50 --seed 5",
    ),
    // The Topology Zoo GraphML files, read directly (Cogentco sites 158 and
    // 101 are New York and Los Angeles).
    (
        "reliability__zoo-abilene__all-terminal",
        "reliability zoo/Abilene.graphml --all-terminal --link-failure 0.01",
    ),
    (
        "reliability__zoo-cogentco__ny-la__crude",
        "reliability zoo/Cogentco.graphml --from 158 --to 101 --link-failure 0.01 \
         --method crude --samples 100000 --seed 3",
    ),
    (
        "capacity__zoo-geant2012__uk-gr",
        "capacity zoo/Geant2012.graphml --from UK --to GR --link-failure 0.01 --samples 100000 \
         --seed 5",
    ),
    (
        "capacity__zoo-cogentco__ny-la",
        "capacity zoo/Cogentco.graphml --from 158 --to 101 --link-failure 0.01 --samples 50000 \
         --seed 5",
    ),
];

/// Per plan: the service criterion by crude sampling and by the default
/// (auto) method, and the served fraction of demand.
fn per_plan_cases() -> Vec<(String, String)> {
    let mut cases = Vec::new();
    let plans = bundled_plans();
    assert!(
        plans.len() >= 6,
        "global-messaging has 4 plans, small-company 2"
    );
    for (file, plan) in plans {
        let service = format!("reliability {file}.toml --service --plan {plan}");
        cases.push((
            format!("reliability__{file}__{plan}__crude"),
            format!("{service} --method crude --samples 500000 --seed 3"),
        ));
        cases.push((
            format!("reliability__{file}__{plan}__auto"),
            format!("{service} --samples 5000 --seed 3"),
        ));
        cases.push((
            format!("capacity__{file}__{plan}__demand"),
            format!(
                "capacity {file}.toml --demand --plan {plan} --samples 200000 --threshold 0.9 --seed 5"
            ),
        ));
    }
    cases
}

#[test]
fn simulations() {
    SIMULATIONS
        .iter()
        .for_each(|(name, line)| golden(name, line));
}

#[test]
fn checks() {
    CHECKS
        .iter()
        .for_each(|(name, line, status)| golden_exit(name, line, *status));
}

#[test]
fn static_views() {
    STATIC_VIEWS
        .iter()
        .for_each(|(name, line)| golden(name, line));
}

#[test]
fn per_plan() {
    per_plan_cases()
        .iter()
        .for_each(|(name, line)| golden(name, line));
}

/// Every file in topologies/ is the file of at least one case, so a newly
/// bundled topology gets golden outputs too.
#[test]
fn every_bundled_topology_has_golden_cases() {
    let mut lines: Vec<String> = per_plan_cases().into_iter().map(|(_, l)| l).collect();
    let simulations_and_views = SIMULATIONS.iter().chain(&STATIC_VIEWS);
    lines.extend(simulations_and_views.map(|(_, l)| l.to_string()));
    lines.extend(CHECKS.iter().map(|(_, l, _)| l.to_string()));
    let covered: Vec<&str> = lines.iter().map(|l| l.split(' ').nth(1).unwrap()).collect();
    let files = bundled_files();
    assert!(files.len() >= 5, "bundled topologies: {files:?}");
    for f in files {
        assert!(
            covered.contains(&f.as_str()),
            "topologies/{f} has no golden case in tests/it/golden.rs"
        );
    }
}
