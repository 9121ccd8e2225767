//! Retry, warm-up and gray are time effects (issue 13 item 3): the engines
//! that look at one random instant (`reliability`, `capacity --demand`)
//! leave them out and say so on standard error, naming the file, the plan
//! and each feature, while their results on standard output are unchanged.

use crate::common::{drsim, topo};

fn stderr_of(args: &[&str]) -> String {
    let out = drsim().args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn random_instant_engines_name_what_only_run_models() {
    let f = topo("retry-storm.toml");
    let warn = |plan: &str, what: &str| {
        format!("retry-storm.toml: warning: plan '{plan}': {what} is modelled by drsim run only")
    };
    // cold-standby: retries and a warm-up, on sites that are never gray.
    let e = stderr_of(&[
        "reliability",
        &f,
        "--service",
        "--plan",
        "cold-standby",
        "--samples",
        "2000",
        "-q",
    ]);
    assert!(e.contains(&warn("cold-standby", "retry")), "{e}");
    assert!(e.contains(&warn("cold-standby", "warmup")), "{e}");
    assert!(!e.contains("gray"), "{e}");
    // lean: retries, and Atlanta (one of its serving sites) goes gray.
    let e = stderr_of(&[
        "capacity",
        &f,
        "--demand",
        "--plan",
        "lean",
        "--samples",
        "2000",
        "-q",
    ]);
    assert!(e.contains(&warn("lean", "retry")), "{e}");
    assert!(
        e.contains(&warn("lean", "gray failure of its serving sites")),
        "{e}"
    );
    assert!(!e.contains("warmup"), "{e}");
    // A file without them: no warning.
    let g = topo("slo-example.toml");
    let e = stderr_of(&[
        "capacity",
        &g,
        "--demand",
        "--plan",
        "one-site",
        "--samples",
        "2000",
        "-q",
    ]);
    assert!(!e.contains("warning"), "{e}");
}
