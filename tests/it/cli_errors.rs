//! Bad usage and unwritable outputs: a clear message naming the flag, file
//! or output, once, with exit status 2, and nothing left behind.

use crate::common::{cli, drsim, one_site, refused};

const SMALL: &str = "topologies/small-company.toml";

/// `reliability --threads 0` silently meant "all cores" while every other
/// command refuses it; now it is bad usage too.
#[test]
fn reliability_refuses_zero_threads_like_the_other_commands() {
    refused(
        cli(
            "reliability",
            "topologies/textbook-bridge.toml",
            "--from s --to t --threads 0",
        ),
        "--threads",
    );
}

/// `capacity --demand` on a file whose demands are all zero said "total
/// demand is 0" without naming the file.
#[test]
fn zero_demand_error_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = one_site("zero")
        .set_in("demand", "peak_rps", "0")
        .write(dir.path());
    let err = refused(
        cli("capacity", &file, "--demand --samples 100"),
        "zero.toml",
    );
    assert!(err.contains("demand"), "{err}");
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
        let err = refused(drsim().args(&args), "x.json");
        assert!(err.contains("not an existing directory"), "{err}");
    }
    assert!(!dir.path().join("missing").exists());
}

/// `import DIR` printed the OS error twice ("Is a directory ...: Is a
/// directory ...").
#[test]
fn import_of_a_directory_says_why_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.toml");
    let err = refused(
        drsim().arg("import").arg(dir.path()).arg("-o").arg(&out),
        "cannot read",
    );
    assert_eq!(err.matches("is a directory").count(), 1, "{err}");
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
        let err = refused(drsim().args(&args), "it is a directory");
        assert!(!err.contains("os error"), "{err}");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary file left behind"
    );
}
