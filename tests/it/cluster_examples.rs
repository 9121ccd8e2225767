//! The scripts in examples/cluster run as written: each splits a run into
//! shards, merges them, and the result equals the unsharded `drsim run`.
//! Slurm is stood in for by a fake `sbatch` that runs the array tasks one
//! after another and the dependent job last. The GNU parallel test is
//! `#[ignore]`d (listed as ignored by a plain `cargo test`); `.ci/run`
//! installs `parallel` and runs it with `--ignored`.

use crate::common::drsim;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const TRIALS: &str = "700";
const SEED: &str = "5";

fn topology() -> PathBuf {
    root().join("topologies/small-company.toml")
}

fn unsharded() -> Value {
    let out = drsim()
        .arg("run")
        .arg(topology())
        .args(["--trials", TRIALS, "--seed", SEED, "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs `script` with the study's settings in the environment and returns
/// the merged result it wrote.
fn run_script(script: &str, shards: u32, extra_env: &[(&str, &Path)]) -> (Value, PathBuf) {
    let dir = tempfile::tempdir().unwrap().keep();
    let result = dir.join("result.json");
    let mut cmd = std::process::Command::new("bash");
    cmd.arg(root().join("examples/cluster").join(script))
        .env("DRSIM", assert_cmd::cargo::cargo_bin("drsim"))
        .env("TOPOLOGY", topology())
        .env("SHARDS", shards.to_string())
        .env("TRIALS", TRIALS)
        .env("SEED", SEED)
        .env("PARTS", dir.join("parts"))
        .env("RESULT", &result)
        .current_dir(&dir);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let parts = std::fs::read_dir(dir.join("parts")).unwrap().count();
    assert_eq!(parts, shards as usize, "{script}: one part per shard");
    let text = std::fs::read_to_string(&result).unwrap();
    (serde_json::from_str(&text).unwrap(), dir)
}

#[test]
fn shell_loop_example_reproduces_the_unsharded_run() {
    let (v, dir) = run_script("shell-loop.sh", 3, &[]);
    assert_eq!(v, unsharded());
    // A second study into the same directory is refused, not mixed in.
    let out = std::process::Command::new("bash")
        .arg(root().join("examples/cluster/shell-loop.sh"))
        .env("DRSIM", assert_cmd::cargo::cargo_bin("drsim"))
        .env("TOPOLOGY", topology())
        .env("PARTS", dir.join("parts"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already holds parts"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
#[ignore = "needs GNU parallel; .ci/run runs it (cargo test -- --ignored)"]
fn gnu_parallel_example_reproduces_the_unsharded_run() {
    let have = std::process::Command::new("parallel")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(have, "this test needs GNU parallel on PATH");
    let (v, dir) = run_script("parallel.sh", 7, &[]);
    assert_eq!(v, unsharded());
    let _ = std::fs::remove_dir_all(dir);
}

/// A stand-in for `sbatch`: runs every array task, in order, then prints
/// a job id; a job with a dependency runs when submitted (its dependency
/// has already finished). Submissions are logged to check the dependency.
const FAKE_SBATCH: &str = r#"#!/usr/bin/env bash
set -euo pipefail
echo "$*" >> "$SBATCH_LOG"
array="" script=""
for a in "$@"; do
  case "$a" in
    --array=*) array="${a#--array=}" ;;
    --*) ;;
    *) script="$a" ;;
  esac
done
if [ -n "$array" ]; then
  lo="${array%-*}" hi="${array#*-}"
  for ((i = lo; i <= hi; i++)); do
    SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=$((hi - lo + 1)) bash "$script" >&2
  done
  echo 4242
else
  bash "$script" >&2
  echo 4243
fi
"#;

#[test]
fn slurm_example_reproduces_the_unsharded_run() {
    let bin = tempfile::tempdir().unwrap();
    let sbatch = bin.path().join("sbatch");
    std::fs::write(&sbatch, FAKE_SBATCH).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&sbatch, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let log = bin.path().join("sbatch.log");
    let path = std::env::join_paths(
        std::iter::once(bin.path().to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let path = PathBuf::from(path);
    let (v, dir) = run_script(
        "slurm/submit.sh",
        7,
        &[("PATH", path.as_path()), ("SBATCH_LOG", log.as_path())],
    );
    assert_eq!(v, unsharded());
    let log = std::fs::read_to_string(log).unwrap();
    assert!(log.contains("--array=0-6"), "{log}");
    assert!(log.contains("--dependency=afterok:4242"), "{log}");
    let _ = std::fs::remove_dir_all(dir);
}
