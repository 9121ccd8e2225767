//! Every command in the README's ```sh blocks runs as written from the root
//! of a fresh clone (issue 17 item 8). Lines are run one by one with bash, in
//! a scratch directory holding a link to `topologies/`, with the built
//! `drsim` first on PATH. The few that cannot run here are skipped by name
//! with the reason printed; a new README command runs unless it is listed.

use std::path::Path;
use std::process::Command;

/// Substring of a command line, and why the test does not run it.
const SKIPS: &[(&str, &str)] = &[
    (
        "cargo ",
        "builds or tests the repository itself (this test runs inside cargo test)",
    ),
    (
        "--against origin/main",
        "needs a git clone with origin/main; diff --against is tested in diff.rs",
    ),
    (
        "--trials 1000000 --shard",
        "4 x 1,000,000 trial-years, too long for the test suite; sharding is tested in shard_cli.rs",
    ),
    (
        "drsim merge part-",
        "needs the parts of the skipped sharded run",
    ),
];

/// The README's sh code blocks as logical lines (backslash continuations
/// joined, comments and blank lines dropped).
fn commands(readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = readme;
    while let Some(start) = rest.find("```sh\n") {
        let body = &rest[start + 6..];
        let end = body.find("```").expect("an sh block is closed");
        for line in body[..end].replace("\\\n", " ").lines() {
            let line = line.trim();
            if !line.is_empty() && !line.starts_with('#') {
                out.push(line.to_string());
            }
        }
        rest = &body[end + 3..];
    }
    out
}

#[test]
fn readme_commands_run_from_a_fresh_clone() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        !readme.contains("../shared"),
        "the README points outside the repository"
    );
    let bin = assert_cmd::cargo::cargo_bin("drsim");
    let path = std::env::join_paths(std::iter::once(bin.parent().unwrap().to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(root.join("topologies"), dir.path().join("topologies")).unwrap();
    let (mut ran, mut skipped) = (0, 0);
    for cmd in commands(&readme) {
        if let Some((_, why)) = SKIPS.iter().find(|(s, _)| cmd.contains(s)) {
            eprintln!("skipped ({why}): {cmd}");
            skipped += 1;
            continue;
        }
        let out = Command::new("bash")
            .args(["-euo", "pipefail", "-c", &cmd])
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        // `drsim check` exits 1 on the bundled files on purpose (README,
        // "Use in CI"): two targets are missed.
        let ok = out.status.success()
            || (cmd.starts_with("drsim check") && out.status.code() == Some(1));
        assert!(
            ok,
            "README command failed ({}): {cmd}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    eprintln!("{ran} README commands ran, {skipped} skipped");
    assert!(ran >= 15, "only {ran} README commands ran");
    // What they wrote is there.
    for f in [
        "abilene.toml",
        "result.json",
        "report.html",
        "drsim-junit.xml",
    ] {
        assert!(dir.path().join(f).is_file(), "{f} was not written");
    }
}
