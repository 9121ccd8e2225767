//! `drsim diff`: model changes and paired score verdicts on edited copies of
//! the bundled default topology, and the `--against GIT_REV` path.

use crate::common::{cli, drsim, json_ok, refused, temp_file};
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const FILE: &str = "topologies/global-messaging.toml";

/// A copy of the bundled file with one textual edit, as a user would make,
/// in a fresh temporary directory (removed when the guard drops).
fn edited(name: &str, from: &str, to: &str) -> (tempfile::TempDir, PathBuf) {
    let text = std::fs::read_to_string(FILE).unwrap();
    assert_eq!(text.matches(from).count(), 1, "'{from}' must occur once");
    temp_file(name, &text.replace(from, to))
}

/// The active-passive plan's human-confirmed failover detection, 5m -> 1m.
fn faster_detection() -> (tempfile::TempDir, PathBuf) {
    edited(
        "faster.toml",
        "detection = \"5m\"\nswitchover = \"15m\"",
        "detection = \"1m\"\nswitchover = \"15m\"",
    )
}

fn diff_json(args: &[&str]) -> Value {
    json_ok(drsim().arg("diff").args(args).args(["--format", "json"]))
}

/// `drsim diff` from the bundled file to `new`, with `flags`, as JSON.
fn diff_to(new: &Path, flags: &[&str]) -> Value {
    diff_json(&[&[FILE, new.to_str().unwrap()], flags].concat())
}

/// The paired metrics of `plan` in a diff's JSON.
fn metrics<'a>(v: &'a Value, plan: &str) -> &'a [Value] {
    let plans = v["plans"].as_array().unwrap();
    let p = plans.iter().find(|p| p["plan"] == plan).unwrap();
    p["metrics"].as_array().unwrap()
}

fn verdict(v: &Value, plan: &str, metric: &str) -> String {
    let m = metrics(v, plan).iter().find(|m| m["metric"] == metric);
    m.unwrap()["verdict"].as_str().unwrap().to_string()
}

fn all_verdicts(v: &Value, plan: &str) -> Vec<String> {
    let verdicts = metrics(v, plan).iter().map(|m| m["verdict"].as_str());
    verdicts.map(|x| x.unwrap().to_string()).collect()
}

#[test]
fn an_identical_copy_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.toml");
    std::fs::copy(FILE, &copy).unwrap();
    let v = diff_to(&copy, &["--trials", "200"]);
    assert_eq!(v["schema"], "drsim.diff/1");
    assert_eq!(v["model"].as_array().unwrap().len(), 0);
    assert_eq!(v["plans"].as_array().unwrap().len(), 4);
    for p in v["plans"].as_array().unwrap() {
        for m in p["metrics"].as_array().unwrap() {
            assert_eq!(m["verdict"], "no_significant_change", "{p}");
        }
    }
}

#[test]
fn shorter_detection_is_detected_as_less_downtime_with_few_trials() {
    let (_dir, new) = faster_detection();
    let v = diff_to(&new, &["--trials", "200"]);
    let model = v["model"].as_array().unwrap();
    assert_eq!(model.len(), 1, "{model:?}");
    assert_eq!(model[0]["kind"], "plan");
    assert_eq!(model[0]["id"], "active-passive");
    assert_eq!(model[0]["change"], "changed");
    assert_eq!(
        model[0]["fields"],
        serde_json::json!([{"field": "detection", "old": "5m", "new": "1m"}])
    );
    // Every failover of the primary is 4 minutes shorter: with the same
    // seeds the per-trial differences are all <= 0 and the interval of the
    // mean excludes 0 (observed -1.26 [-1.48, -1.03] min/year at 500 trials).
    assert_eq!(
        verdict(&v, "active-passive", "downtime_minutes_per_year"),
        "better"
    );
    assert_eq!(verdict(&v, "active-passive", "availability_time"), "better");
    // The other plans did not change.
    for p in ["single-region", "active-active-5", "global-mesh"] {
        assert!(
            all_verdicts(&v, p)
                .iter()
                .all(|x| x == "no_significant_change"),
            "{p}"
        );
    }
}

#[test]
fn removing_the_standby_region_is_detected_as_more_downtime() {
    // Frankfurt is the active-passive plan's only site outside US East.
    let (_dir, new) = edited(
        "one-region.toml",
        "serving_sites = [\"ash\", \"fra\"]",
        "serving_sites = [\"ash\"]",
    );
    let v = diff_to(&new, &["--trials", "200"]);
    let model = v["model"].as_array().unwrap();
    assert_eq!(model.len(), 1, "{model:?}");
    // The replica count follows the serving sites (2 -> 1) by default.
    let fields = model[0]["fields"].as_array().unwrap();
    let sites = fields
        .iter()
        .find(|f| f["field"] == "serving_sites")
        .unwrap();
    assert_eq!(sites["old"], "[\"ash\", \"fra\"]");
    assert_eq!(sites["new"], "[\"ash\"]");
    assert_eq!(
        verdict(&v, "active-passive", "downtime_minutes_per_year"),
        "worse"
    );
    assert_eq!(verdict(&v, "active-passive", "availability_time"), "worse");
}

#[test]
fn text_and_csv_show_the_verdicts() {
    let (_dir, new) = faster_detection();
    drsim()
        .args(["diff", FILE, new.to_str().unwrap(), "--trials", "200"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("plan active-passive: changed")
                .and(predicate::str::contains("detection: 5m -> 1m"))
                .and(predicate::str::contains("better"))
                .and(predicate::str::contains("no significant change")),
        );
    let out = cli("diff", FILE, "")
        .arg(&new)
        .args(["--trials", "100", "--format", "csv"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("plan,metric,old,new,difference,lo,hi,verdict")
    );
    // 6 paired metrics and the cost per plan, 4 plans.
    assert_eq!(lines.count(), 4 * 7);
}

#[test]
fn added_and_removed_plans_are_listed() {
    let (_dir, new) = edited("renamed.toml", "id = \"global-mesh\"", "id = \"mesh\"");
    let v = diff_to(&new, &["--model-only"]);
    assert_eq!(v["plans_removed"], serde_json::json!(["global-mesh"]));
    assert_eq!(v["plans_added"], serde_json::json!(["mesh"]));
    assert_eq!(v["plans"].as_array().unwrap().len(), 0);
    let kinds: Vec<(&str, &str)> = v["model"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["change"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, vec![("global-mesh", "removed"), ("mesh", "added")]);
}

fn git(dir: &Path, args: &[&str]) {
    let st = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=drsim",
            "-c",
            "user.email=drsim@example.com",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(st.status.success(), "{st:?}");
}

#[test]
fn against_a_git_revision_reads_the_old_version_from_git() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("topologies");
    std::fs::create_dir(&sub).unwrap();
    let file = sub.join("gm.toml");
    std::fs::copy(FILE, &file).unwrap();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("cost_per_year = 65e6", "cost_per_year = 70e6");
    std::fs::write(&file, text).unwrap();
    let v = diff_json(&[file.to_str().unwrap(), "--against", "HEAD", "--model-only"]);
    assert_eq!(v["old"], "HEAD:topologies/gm.toml");
    assert_eq!(v["model"][0]["id"], "active-passive");
    assert_eq!(v["model"][0]["fields"][0]["field"], "cost_per_year");
    // A revision that does not exist.
    refused(
        drsim().args(["diff", file.to_str().unwrap(), "--against", "no-such-rev"]),
        "no-such-rev:topologies/gm.toml failed",
    );
    // A file that git does not track at that revision.
    let other = sub.join("other.toml");
    std::fs::copy(FILE, &other).unwrap();
    refused(
        drsim().args(["diff", other.to_str().unwrap(), "--against", "HEAD"]),
        "HEAD:topologies/other.toml",
    );
}

#[test]
fn against_outside_a_repository_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gm.toml");
    std::fs::copy(FILE, &file).unwrap();
    refused(
        drsim().args(["diff", file.to_str().unwrap(), "--against", "HEAD"]),
        "not in a git repository",
    );
    refused(drsim().args(["diff", FILE]), "<NEW>");
}
