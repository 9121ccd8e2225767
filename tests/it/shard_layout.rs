//! Parts written by different drsim versions. Runs of 960 trials or fewer
//! are cut into at least 16 batches; older versions cut every run into
//! batches of 64 and wrote no `batch_trials`. Such old parts are crafted
//! here from a whole run of this version (the per-trial and per-year arrays
//! of 8 batches of 8 concatenated, their totals added), as the schema says
//! an older drsim wrote them. Parts also carry a sampler version (what a
//! seed gives the engine); parts written before it record none and are
//! version 1, crafted here by dropping the field.

use crate::common::{drsim, refused, succeeded, topo};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One batch made of two: arrays of per-trial or per-year values follow each
/// other, the batch's totals (`cause_secs`, `component_secs`,
/// `unattributed_secs`) add.
fn append_batch(a: &mut Value, b: &Value) {
    for (k, v) in b.as_object().expect("a batch is an object") {
        let slot = a.get_mut(k).expect("batches share their keys");
        match (k.as_str(), slot, v) {
            ("cause_secs" | "component_secs", Value::Array(x), Value::Array(y)) => {
                if x.is_empty() {
                    *x = y.clone();
                }
                for (x, y) in x.iter_mut().zip(y).filter(|_| !y.is_empty()) {
                    *x = (x.as_f64().unwrap() + y.as_f64().unwrap()).into();
                }
            }
            (_, Value::Array(x), Value::Array(y)) => x.extend(y.iter().cloned()),
            (_, Value::Number(x), Value::Number(y)) => {
                *x = serde_json::Number::from_f64(x.as_f64().unwrap() + y.as_f64().unwrap())
                    .unwrap();
            }
            (k, _, _) => panic!("no rule to join batch key {k}"),
        }
    }
}

/// Shard `index` of `count` of `whole` (a `--shard 0/1` run part) as a drsim
/// without `batch_trials` wrote it: batches of 64 trials, split evenly.
fn old_part(whole: &Value, index: u64, count: u64) -> Value {
    let mut part = whole.clone();
    part["shard"] = serde_json::json!({ "index": index, "count": count });
    for plan in part["run"]["plans"].as_array_mut().unwrap() {
        let per = 64 / plan["batch_trials"].as_u64().unwrap() as usize;
        let old: Vec<Value> = plan["batches"]
            .as_array()
            .unwrap()
            .chunks(per)
            .map(|c| {
                let mut b = c[0].clone();
                c[1..].iter().for_each(|x| append_batch(&mut b, x));
                b
            })
            .collect();
        let n = old.len() as u64;
        let (lo, hi) = (index * n / count, (index + 1) * n / count);
        plan["batches"] = old[lo as usize..hi as usize].to_vec().into();
        plan["first_batch"] = lo.into();
        let plan = plan.as_object_mut().unwrap();
        plan.remove("batch_trials");
        plan.remove("sampler");
    }
    part
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string(v).unwrap()).unwrap();
    p
}

fn part_of(args: &[&str], shard: &str, out: &Path) -> Value {
    drsim()
        .args(args)
        .args(["--shard", shard, "--out"])
        .arg(out)
        .assert()
        .success();
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

fn merge_json(parts: &[&PathBuf]) -> Value {
    let o = drsim()
        .arg("merge")
        .args(parts)
        .args(["--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&succeeded(o).stdout).unwrap()
}

/// A 200-trial run is cut into 25 batches of 8 by this drsim and into 4 of
/// 64 by older ones: an old part and a new part are refused together, with
/// both files and both layouts named; old parts merge with each other into
/// the same per-trial figures, and parts of a 1,000-trial run (batches of
/// 64 in both versions) still merge across versions.
#[test]
fn merge_refuses_parts_of_two_batch_layouts() {
    let d = tempfile::tempdir().unwrap();
    let t = topo("small-company.toml");
    let base = ["run", &t, "--trials", "200", "--seed", "5"];
    let whole = part_of(&base, "0/1", &d.path().join("whole.json"));
    assert_eq!(whole["run"]["plans"][0]["batch_trials"], 8);
    let new1 = d.path().join("new-1.json");
    part_of(&base, "1/2", &new1);
    let old0 = write(d.path(), "old-0.json", &old_part(&whole, 0, 2));
    let old1 = write(d.path(), "old-1.json", &old_part(&whole, 1, 2));
    let err = refused(
        drsim().arg("merge").args([&old0, &new1]),
        "hold batches of different sizes (64 trials a batch in the first, 8 in the second)",
    );
    assert!(
        err.contains("old-0.json") && err.contains("new-1.json"),
        "{err}"
    );
    assert!(err.contains("different versions of drsim"), "{err}");
    let err = refused(
        drsim().arg("merge").args([&new1, &old0]),
        "(8 trials a batch in the first, 64 in the second)",
    );
    assert!(err.contains("run every shard with the same drsim"), "{err}");
    // Two old parts are one layout: they merge, and every figure taken from
    // the per-trial values is the whole run's.
    let merged = merge_json(&[&old0, &old1]);
    let whole_json = {
        let o = drsim().args(base).args(["--format", "json"]).output();
        serde_json::from_slice::<Value>(&succeeded(o.unwrap()).stdout).unwrap()
    };
    for (m, w) in merged["plans"]
        .as_array()
        .unwrap()
        .iter()
        .zip(whole_json["plans"].as_array().unwrap())
    {
        for key in ["availability_time", "downtime_minutes_per_year", "recovery"] {
            assert_eq!(m[key], w[key], "{key}");
        }
    }
    // Past 960 trials both versions use batches of 64, but an old part
    // records no sampler version: it is refused with a new one, and old
    // parts still merge with each other into the whole run.
    let long = ["run", &t, "--trials", "1000", "--seed", "5"];
    let olds: Vec<PathBuf> = (0..2)
        .map(|i| {
            let mut v = part_of(&long, &format!("{i}/2"), &d.path().join("long.json"));
            for plan in v["run"]["plans"].as_array_mut().unwrap() {
                assert_eq!(plan["batch_trials"], 64);
                assert_eq!(plan["sampler"], 2);
                plan.as_object_mut().unwrap().remove("sampler");
            }
            write(d.path(), &format!("long-{i}-old.json"), &v)
        })
        .collect();
    let new1 = d.path().join("long-1.json");
    part_of(&long, "1/2", &new1);
    let err = refused(
        drsim().arg("merge").args([&olds[0], &new1]),
        "(sampler version 1 in the first, 2 in the second;",
    );
    assert!(
        err.contains("long-0-old.json") && err.contains("long-1.json"),
        "{err}"
    );
    let merged = merge_json(&[&olds[0], &olds[1]]);
    let o = drsim().args(long).args(["--format", "json"]).output();
    let whole: Value = serde_json::from_slice(&succeeded(o.unwrap()).stdout).unwrap();
    assert_eq!(merged, whole);
}

/// Reliability parts of the sampler before session 6's (no `sampler`
/// field) and of this one are refused together, naming both files and
/// versions, for crude and the turnip; old parts merge with each other into
/// the estimate their batches hold; versions no drsim wrote are refused.
#[test]
fn merge_refuses_reliability_parts_of_two_sampler_versions() {
    let d = tempfile::tempdir().unwrap();
    let t = topo("global-messaging.toml");
    for (method, samples) in [("crude", "20000"), ("pmc", "3000")] {
        let line = format!(
            "reliability {t} --service --plan single-region --method {method} --samples \
             {samples} --seed 4"
        );
        let base: Vec<&str> = line.split_whitespace().collect();
        let new: Vec<PathBuf> = (0..2)
            .map(|i| d.path().join(format!("{method}-new-{i}.json")))
            .collect();
        let old: Vec<PathBuf> = (0..2)
            .map(|i| {
                let mut v = part_of(&base, &format!("{i}/2"), &new[i]);
                assert_eq!(v["reliability"]["data"]["sampler"], 2, "{method}");
                v["reliability"]["data"]
                    .as_object_mut()
                    .unwrap()
                    .remove("sampler");
                write(d.path(), &format!("{method}-old-{i}.json"), &v)
            })
            .collect();
        let err = refused(
            drsim().arg("merge").args([&old[0], &new[1]]),
            "were sampled by different versions of drsim (sampler version 1 in the first, 2 in \
             the second;",
        );
        let names = [
            format!("{method}-old-0.json"),
            format!("{method}-new-1.json"),
        ];
        assert!(names.iter().all(|n| err.contains(n.as_str())), "{err}");
        refused(
            drsim().arg("merge").args([&new[0], &old[1]]),
            "(sampler version 2 in the first, 1 in the second;",
        );
        // Old parts merge with each other into what their batches hold
        // (the same batches and seconds as the new parts they came from).
        assert_eq!(
            merge_json(&[&old[0], &old[1]]),
            merge_json(&[&new[0], &new[1]])
        );
        for (v, why) in [(0, "sampler version 0"), (3, "written by a newer drsim")] {
            let mut part: Value =
                serde_json::from_str(&std::fs::read_to_string(&new[0]).unwrap()).unwrap();
            part["reliability"]["data"]["sampler"] = v.into();
            let p = write(d.path(), &format!("{method}-v{v}.json"), &part);
            let err = refused(drsim().arg("merge").args([&p, &new[1]]), why);
            assert!(err.contains(&format!("{method}-v{v}.json")), "{err}");
        }
    }
}

/// A part claiming a batch size no drsim writes is refused as altered.
#[test]
fn merge_refuses_an_impossible_batch_size() {
    let d = tempfile::tempdir().unwrap();
    let t = topo("small-company.toml");
    let base = ["run", &t, "--trials", "100", "--seed", "5"];
    let mut v = part_of(&base, "0/1", &d.path().join("p.json"));
    for size in [0, 3, 128] {
        v["run"]["plans"][0]["batch_trials"] = size.into();
        let p = write(d.path(), &format!("bad-{size}.json"), &v);
        let err = refused(
            drsim().arg("merge").arg(&p),
            &format!("{size} trials per batch"),
        );
        assert!(err.contains(&format!("bad-{size}.json")), "{err}");
    }
}
