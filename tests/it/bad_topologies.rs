//! The corpus of broken topology files in `tests/bad_topologies/`: `drsim
//! validate` rejects each with a non-zero exit, the file name, the line of
//! the offending text and the expected message (named in each file's first
//! line), never a panic. The full stderr of each is pinned by an insta
//! snapshot (paths are relative, so snapshots do not depend on the checkout).
//!
//! First-line forms: `# expect line N: MESSAGE` for a located error,
//! `# expect: MESSAGE` for one about the whole file; the empty file has no
//! room for a comment and expects "the file is empty".

use crate::common::drsim;
use std::path::{Path, PathBuf};

const DIR: &str = "tests/bad_topologies";

struct Expectation {
    line: Option<usize>,
    message: String,
}

fn expectation(path: &Path) -> Expectation {
    let bytes = std::fs::read(path).unwrap();
    if bytes.is_empty() {
        return Expectation {
            line: None,
            message: "the file is empty".into(),
        };
    }
    let text = String::from_utf8_lossy(&bytes);
    let first = text.lines().next().unwrap_or_default();
    if let Some(rest) = first.strip_prefix("# expect line ") {
        let (n, msg) = rest
            .split_once(": ")
            .unwrap_or_else(|| panic!("{}: bad expectation line", path.display()));
        Expectation {
            line: Some(n.parse().expect("line number")),
            message: msg.to_string(),
        }
    } else if let Some(msg) = first.strip_prefix("# expect: ") {
        Expectation {
            line: None,
            message: msg.to_string(),
        }
    } else {
        panic!(
            "{}: the first line must say what error is expected",
            path.display()
        )
    }
}

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// Runs `drsim validate` from the crate root on a relative path; returns
/// (exit code, stderr).
fn validate(dir: &Path, rel: &str) -> (Option<i32>, String) {
    let out = drsim()
        .current_dir(dir)
        .args(["validate", rel])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_broken_file_is_rejected_with_its_line_and_message() {
    let files = corpus();
    assert!(files.len() >= 15, "corpus has {} files", files.len());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for path in files {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let rel = format!("{DIR}/{name}");
        let exp = expectation(&path);
        let (code, stderr) = validate(root, &rel);
        assert!(
            code.is_some_and(|c| c != 0),
            "{name}: exit {code:?}\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        match exp.line {
            Some(n) => assert!(
                stderr.contains(&format!("{rel}:{n}:")),
                "{name}: expected `{rel}:{n}:` in\n{stderr}"
            ),
            None => assert!(
                stderr.contains(&format!("{rel}: error: ")),
                "{name}: expected a whole-file error in\n{stderr}"
            ),
        }
        assert!(
            stderr.contains(&exp.message),
            "{name}: expected `{}` in\n{stderr}",
            exp.message
        );
        insta::assert_snapshot!(
            format!("bad_topology__{}", name.trim_end_matches(".toml")),
            stderr
        );
    }
}

#[test]
fn a_huge_file_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.toml");
    // A valid head, then 33 MiB of comment lines: well-formed, just too big.
    let mut text = String::from("[topology]\nname = \"huge\"\n\n[[site]]\nid = \"a\"\n");
    let line = format!("# {}\n", "x".repeat(1021));
    while text.len() <= 33 * 1024 * 1024 {
        text.push_str(&line);
    }
    std::fs::write(&path, &text).unwrap();
    let (code, stderr) = validate(dir.path(), "huge.toml");
    assert!(code.is_some_and(|c| c != 0), "exit {code:?}\n{stderr}");
    assert!(
        stderr.contains("huge.toml: error: file is ")
            && stderr.contains("topology files are limited to 33554432 bytes"),
        "{stderr}"
    );
    insta::assert_snapshot!("bad_topology__huge", stderr);
}
