//! `--shard I/N` and `drsim merge` through the real binary: the merged
//! output equals the unsharded command's output (JSON equal, except the
//! reliability `seconds`, which is compute time), and bad part sets are
//! refused with the offending file named.

use crate::common::{drsim, refused, succeeded, topo};
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn json_of(out: &[u8]) -> Value {
    let mut v: Value = serde_json::from_slice(out).expect("JSON output");
    if let Some(o) = v.as_object_mut() {
        o.remove("seconds");
    }
    v
}

/// Runs `base --shard i/n --out dir/part-i.json` for every shard (in
/// reverse order, as a cluster might finish them) and returns the paths.
fn run_shards(dir: &Path, base: &[&str], n: u32, tag: &str) -> Vec<PathBuf> {
    (0..n)
        .rev()
        .map(|i| {
            let p = dir.join(format!("{tag}-{n}-{i}.json"));
            drsim()
                .args(base)
                .args(["--shard", &format!("{i}/{n}"), "--out"])
                .arg(&p)
                .assert()
                .success();
            p
        })
        .collect()
}

fn merged(parts: &[PathBuf]) -> Vec<u8> {
    let merge = drsim()
        .arg("merge")
        .args(parts)
        .args(["--format", "json"])
        .output();
    succeeded(merge.unwrap()).stdout
}

fn check_merge_equals_whole(base: &[&str], tag: &str) {
    let dir = tempfile::tempdir().unwrap();
    let whole = drsim()
        .args(base)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(whole.status.success());
    let whole = json_of(&whole.stdout);
    for n in [1u32, 2, 7] {
        let parts = run_shards(dir.path(), base, n, tag);
        assert_eq!(json_of(&merged(&parts)), whole, "{tag}: {n} shards");
    }
}

#[test]
fn run_shards_merge_into_the_unsharded_output() {
    // 1000 trials = 16 batches of 64, the last one partial; 7 shards of
    // uneven size.
    let t = topo("small-company.toml");
    let base = ["run", &t, "--trials", "1000", "--seed", "9"];
    check_merge_equals_whole(&base, "run");
    // The text and CSV forms come from the same reports.
    let dir = tempfile::tempdir().unwrap();
    let parts = run_shards(dir.path(), &base, 2, "run");
    for format in ["text", "csv"] {
        let whole = drsim()
            .args(base)
            .args(["--format", format])
            .output()
            .unwrap();
        let m = drsim()
            .arg("merge")
            .args(&parts)
            .args(["--format", format])
            .output()
            .unwrap();
        assert!(m.status.success());
        assert_eq!(m.stdout, whole.stdout, "{format}");
    }
}

#[test]
fn compare_shards_merge_into_the_unsharded_comparison() {
    // The ranking, frontier and paired reasons are rebuilt from the merged
    // per-trial values, so they equal the unsharded ones exactly; the risk
    // metric travels in the parts.
    let t = topo("global-messaging.toml");
    let base = [
        "compare",
        &t,
        "--trials",
        "300",
        "--seed",
        "4",
        "--risk",
        "data-lost",
    ];
    check_merge_equals_whole(&base, "compare");
    let dir = tempfile::tempdir().unwrap();
    let parts = run_shards(dir.path(), &base, 3, "compare");
    let whole = drsim().args(base).output().unwrap();
    let m = drsim().arg("merge").args(&parts).output().unwrap();
    assert!(m.status.success());
    assert_eq!(m.stdout, whole.stdout, "text");
    // A compare part does not mix with a run part of the same seed.
    let run_part = dir.path().join("run-part.json");
    drsim()
        .args([
            "run", &t, "--trials", "300", "--seed", "4", "--shard", "0/3", "--out",
        ])
        .arg(&run_part)
        .assert()
        .success();
    drsim()
        .arg("merge")
        .arg(&run_part)
        .args(&parts[..2])
        .assert()
        .failure()
        .stderr(predicate::str::contains("command"));
}

#[test]
fn reliability_shards_merge_into_the_unsharded_output() {
    let t = topo("global-messaging.toml");
    for (method, samples) in [("crude", "40000"), ("pmc", "5000")] {
        let base = [
            "reliability",
            &t,
            "--service",
            "--plan",
            "single-region",
            "--method",
            method,
            "--samples",
            samples,
            "--seed",
            "4",
        ];
        check_merge_equals_whole(&base, method);
    }
}

#[test]
fn merge_refuses_missing_duplicate_and_foreign_parts() {
    let dir = tempfile::tempdir().unwrap();
    let t = topo("small-company.toml");
    let base = ["run", &t, "--trials", "300", "--seed", "2"];
    let mut parts = run_shards(dir.path(), &base, 3, "p");
    parts.reverse(); // shard i at index i
    refused(
        drsim().arg("merge").args([&parts[0], &parts[2]]),
        "shard 1/3 is missing",
    );
    let err = refused(
        drsim()
            .arg("merge")
            .args([&parts[0], &parts[1], &parts[2], &parts[1]]),
        "both hold shard 1/3",
    );
    assert!(err.contains("p-3-1.json"), "{err}");
    let other_seed = ["run", &t, "--trials", "300", "--seed", "3"];
    let foreign = run_shards(dir.path(), &other_seed, 3, "q");
    let err = refused(
        drsim()
            .arg("merge")
            .args([&parts[0], &foreign[1], &parts[2]]),
        "q-3-1.json",
    );
    assert!(err.contains("seed '2' vs '3'"), "{err}");
    // Not a part at all, and a part whose topology was edited afterwards.
    let whole = dir.path().join("whole.json");
    drsim()
        .args(base)
        .args(["--format", "json", "--out"])
        .arg(&whole)
        .assert()
        .success();
    refused(
        drsim().arg("merge").arg(&whole),
        "whole.json: schema 'drsim.run/1' is not a part",
    );
    let edited = dir.path().join("edited.toml");
    let text = std::fs::read_to_string(&t).unwrap();
    std::fs::write(
        &edited,
        text.replacen("cost_per_year = ", "cost_per_year = 1", 1),
    )
    .unwrap();
    refused(
        drsim()
            .arg("merge")
            .args(&parts)
            .arg("--topology")
            .arg(&edited),
        "is not the topology the parts were computed from",
    );
}

#[test]
fn shard_refuses_what_cannot_be_split() {
    let t = topo("small-company.toml");
    refused(
        drsim().args([
            "run", &t, "--trials", "100", "--shard", "0/2", "--format", "csv",
        ]),
        "always JSON",
    );
    refused(drsim().args(["run", &t, "--shard", "2/2"]), "out of range");
    for method in ["exact", "auto"] {
        refused(
            drsim()
                .args(["reliability", &t, "--all-terminal", "--method", method])
                .args(["--shard", "0/2"]),
            "--shard needs --method crude or pmc",
        );
    }
}

#[test]
fn reliability_out_writes_what_stdout_shows() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.txt");
    let t = topo("textbook-bridge.toml");
    let base = ["reliability", &t, "--all-terminal", "--method", "exact"];
    let shown = drsim().args(base).output().unwrap();
    assert!(shown.status.success());
    drsim()
        .args(base)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    // Exact results take no sampling; only the timing line may differ.
    let strip = |s: &str| -> String {
        s.lines()
            .filter(|l| !l.starts_with("seconds"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        strip(&std::fs::read_to_string(&out).unwrap()),
        strip(&String::from_utf8_lossy(&shown.stdout))
    );
}
