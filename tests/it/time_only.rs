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
    // lean: retries, and Atlanta (one of its serving sites) goes gray,
    // which `capacity --demand` counts (gray_slo.rs) and `reliability`
    // does not.
    assert!(e.contains(&warn("lean", "retry")), "{e}");
    assert!(!e.contains("gray") && !e.contains("warmup"), "{e}");
    let args = [
        "reliability",
        &f,
        "--service",
        "--plan",
        "lean",
        "--samples",
        "2000",
        "-q",
    ];
    let e = stderr_of(&args);
    let gray = warn("lean", "gray failure of its serving sites");
    assert!(
        e.contains(&gray) && e.contains(&warn("lean", "retry")),
        "{e}"
    );
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

/// A hub `h` where users enter, linked to three serving sites in region
/// `eu` (MTBF 20 h, MTTR 10 h), one active-active plan over them with
/// quorum 2 and the plan keys `plan`, and the crew `crew` (none if empty).
fn crew_file(plan: &str, crew: &str) -> String {
    let mut f = crate::common::Fixture::new("crewed").site("h");
    for s in ["s0", "s1", "s2"] {
        f = f
            .site(s)
            .set("region", "\"eu\"")
            .set("failure", "{ mtbf = \"20h\", mttr = \"10h\" }")
            .link("h", s);
    }
    let f = f
        .demand("users", &["h"])
        .plan("p", &["s0", "s1", "s2"])
        .set("quorum", "2");
    let crew = if crew.is_empty() {
        String::new()
    } else {
        format!("[[crew]]\n{crew}\n")
    };
    let text = f.toml().replace("[[plan]]\n", &format!("[[plan]]\n{plan}"));
    format!("[[region]]\nid = \"eu\"\n[[region]]\nid = \"us\"\n{text}{crew}")
}

/// What `reliability FILE --service --plan PLAN` prints on standard error.
fn reliability_stderr(file: &str, plan: &str) -> String {
    stderr_of(&["reliability", file, "--service", "--plan", plan, "-q"])
}

/// The warnings `reliability --service --plan p` prints on `text`.
fn reliability_warnings(text: &str) -> String {
    let (_dir, path) = crate::common::temp_file("crewed.toml", text);
    reliability_stderr(&path.display().to_string(), "p")
}

#[test]
fn detection_switchover_and_crews_are_named_when_the_plan_depends_on_them() {
    let warn = |what: &str| format!("plan 'p': {what} modelled by drsim run only");
    let detect = warn("detection and switchover is");
    let queue = warn("repair crews (a repair waiting for a free member) are");
    // Zero detection and switchover, no crew: nothing to say.
    let zero = "detection = \"0s\"\nswitchover = \"0s\"\n";
    let e = reliability_warnings(&crew_file(zero, ""));
    assert!(!e.contains("warning"), "{e}");
    // A shift of 1 m + 1 m on three sites.
    let shift = "detection = \"1m\"\nswitchover = \"1m\"\n";
    let e = reliability_warnings(&crew_file(shift, ""));
    assert!(
        e.contains(&detect) && !e.contains("crews") && !e.contains("response"),
        "{e}"
    );
    // A manual failback keeps a repaired site out of the rotation.
    let e = reliability_warnings(&crew_file(&format!("{zero}failback = \"2h\"\n"), ""));
    assert!(e.contains(&warn("manual failback is")), "{e}");
    assert!(!e.contains("detection"), "{e}");
    // One member for three sites' repairs can run out; its response
    // delays the static engine models (tests/it/response.rs).
    let one = "id = \"c\"\nregions = [\"eu\"]\nkinds = [\"site\"]\nsize = 1\n\
               response = { night = \"1h\" }";
    let e = reliability_warnings(&crew_file(zero, one));
    assert!(e.contains(&queue) && !e.contains("response"), "{e}");
    assert!(!e.contains("detection"), "{e}");
    // Three members never run out (one failure process each), and their
    // response the random instant models: nothing left out.
    let three = "id = \"c\"\nregions = [\"eu\"]\nkinds = [\"site\"]\nsize = 3\n\
                 response = { night = \"1h\" }";
    let e = reliability_warnings(&crew_file(zero, three));
    assert!(!e.contains("warning"), "{e}");
    // A crew of a region the plan has no component in, or of work the
    // plan's sites never need (no hazard in eu), changes nothing.
    for other in [
        "id = \"c\"\nregions = [\"us\"]\nkinds = [\"site\"]\nsize = 1",
        "id = \"c\"\nregions = [\"eu\"]\nkinds = [\"disaster\"]\nsize = 1",
    ] {
        let e = reliability_warnings(&crew_file(zero, other));
        assert!(!e.contains("warning"), "{other}: {e}");
    }
}

/// The bundled backbone-dependency file: its active-passive plan fails
/// over after 5 m + 15 m, which the random instant takes as instant (the
/// README's 274 vs 311 min/year), and `capacity --demand` says so too.
#[test]
fn an_active_passive_failover_window_is_named_on_a_bundled_file() {
    let f = topo("backbone-dependency.toml");
    let want = "backbone-dependency.toml: warning: plan 'active-passive': detection and \
                switchover is modelled by drsim run only";
    let args = ["--plan", "active-passive", "--samples", "2000", "-q"];
    let e = stderr_of(&[&["reliability", &f, "--service"], &args[..]].concat());
    assert!(e.contains(want), "{e}");
    let e = stderr_of(&[&["capacity", &f, "--demand"], &args[..]].concat());
    assert!(e.contains(want), "{e}");
}

/// A plan with a `restore` time is down after a data loss until the
/// restore is done, which the random instant does not see; the bundled
/// campus-fire file's plans all have one, and its `reliability` says so.
#[test]
fn a_restore_after_data_loss_is_named() {
    let f = topo("campus-fire.toml");
    let want = "campus-fire.toml: warning: plan 'backups-elsewhere': restore after data loss \
                is modelled by drsim run only";
    let e = reliability_stderr(&f, "backups-elsewhere");
    assert!(e.contains(want), "{e}");
    // A plan without `restore` (retry-storm's plans have none) never names it.
    let f = topo("retry-storm.toml");
    let e = reliability_stderr(&f, "cold-standby");
    assert!(!e.contains("restore"), "{e}");
}
