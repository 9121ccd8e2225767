//! Hostile inputs, round three (issue 16): durations and numbers past any
//! real value, huge accepted files, and the special paths and sizes the
//! earlier audits did not retry. Every case is refused with exit 2 and the
//! place named, or finishes.

use crate::common::{cli, drsim, one_site, refused};

/// Durations past 1000 years (overflowing to inf, or merely huge) are
/// refused at their line and column in every kind of duration field: a
/// plain duration, a distribution's mean string and a distribution table.
#[test]
fn durations_past_a_thousand_years_are_refused_with_their_place() {
    let cases = [
        (
            "site",
            "failure",
            r#"{ mtbf = "99999999999999999999y", mttr = "4h" }"#,
        ),
        ("site", "failure", r#"{ mtbf = "1y", mttr = "1e300s" }"#),
        (
            "site",
            "failure",
            r#"{ mtbf = "1y", ttr = { dist = "lognormal", median = "1001y", sigma = 1.0 } }"#,
        ),
        ("plan", "detection", r#""365001d""#),
        ("plan", "switchover", r#""1e400ms""#),
    ];
    for (kind, key, value) in cases {
        let (_d, f) = one_site("dur").set_in(kind, key, value).write_temp();
        let text = std::fs::read_to_string(&f).unwrap();
        let line = 1 + text.lines().position(|l| l.starts_with(key)).unwrap();
        let err = refused(cli("validate", &f, ""), "1000 years");
        assert!(err.contains(&format!("dur.toml:{line}:")), "{err}");
    }
    // The limit itself loads.
    let (_d, f) = one_site("dur")
        .set_in("site", "failure", r#"{ mtbf = "1000y", mttr = "4h" }"#)
        .write_temp();
    assert!(cli("validate", &f, "").output().unwrap().status.success());
}

/// A time to failure derived from a rate or an unavailability may pass the
/// limit a written duration has; a saved model (import, merge, the TUI)
/// writes it as a rate, so it loads again to the same process.
#[test]
fn derived_times_to_failure_past_the_limit_save_and_load_again() {
    for failure in [
        r#"{ unavailability = 1e-7, mttr = "4h" }"#,
        r#"{ annual_rate = 1e-5, mttr = "4h" }"#,
    ] {
        let (_d, f) = one_site("derived")
            .set_in("site", "failure", failure)
            .write_temp();
        let t = drsim::io::load::load_toml_path(&f).unwrap().topology;
        let text = drsim::io::save::to_toml_string(&t);
        let back = drsim::io::load_str(&text, &f)
            .unwrap_or_else(|e| panic!("{failure}: saved file refused: {e}\n{text}"))
            .topology;
        let ttf = |t: &drsim::model::Topology| t.sites[0].failure.as_ref().unwrap().ttf.mean_secs();
        assert!(ttf(&t) > drsim::units::MAX_DURATION_SECS, "{failure}");
        assert!((ttf(&back) - ttf(&t)).abs() <= 1e-12 * ttf(&t), "{failure}");
    }
}

/// Numbers that overflow into inf (or a u64) are refused at their place,
/// never accepted as infinite rates or capacities.
#[test]
fn overflowing_numbers_are_refused_with_their_place() {
    for (kind, key, value) in [
        ("site", "capacity_rps", "1e309"),
        ("demand", "users", "99999999999999999999"),
        ("demand", "peak_rps", "-inf"),
        ("demand", "peak_rps", "nan"),
    ] {
        let (_d, f) = one_site("num").set_in(kind, key, value).write_temp();
        let text = std::fs::read_to_string(&f).unwrap();
        let line = 1 + text
            .lines()
            .position(|l| l.starts_with(&format!("{key} = {value}")))
            .unwrap();
        refused(cli("validate", &f, ""), &format!("num.toml:{line}:"));
    }
}

/// `--years` is a duration too: at most 1000 (and at least 1).
#[test]
fn trial_years_are_bounded_like_durations() {
    let (_d, f) = one_site("yrs").write_temp();
    for years in ["0", "1001", "18446744073709551616"] {
        let mut c = drsim();
        c.arg("run")
            .arg(&f)
            .args(["--trials", "1", "--years", years]);
        refused(c, "--years");
    }
}

/// A file within the 32 MiB byte limit whose parse would still take
/// gigabytes (a 10^6-site ring took 3.4 GB; a million dotted keys build a
/// table each) is refused before it is parsed, at the token where the
/// estimate passes the limit, naming the memory it would take.
#[test]
fn files_whose_parse_would_take_gigabytes_are_refused_before_parsing() {
    let d = tempfile::tempdir().unwrap();
    let n = 1_000_000;
    let links: Vec<(usize, usize)> = (0..n).map(|i| (i, (i + 1) % n)).collect();
    let ring = crate::hostile_scale::topology(n, &links, n / 2);
    let dotted: String = (0..400_000)
        .map(|i| format!("k{i}.b.c.d.e.f=1\n"))
        .collect();
    for (name, text) in [("ring.toml", ring), ("dotted.toml", dotted)] {
        assert!(text.len() < 32 << 20, "{name} is within the byte limit");
        let f = d.path().join(name);
        std::fs::write(&f, &text).unwrap();
        let mut c = drsim();
        c.arg("validate")
            .arg(&f)
            .timeout(std::time::Duration::from_secs(60));
        let err = refused(c, "MB of memory, more than the 600 MB a topology may");
        // The place is a real line and column (the ring: its link line).
        let place = format!("{name}:");
        let at = &err[err.find(&place).unwrap() + place.len()..];
        let line: usize = at.split(':').next().unwrap().parse().unwrap();
        assert!(line >= 1 && line <= text.lines().count(), "{err}");
    }
    // The library says the same without the binary.
    let small = crate::hostile_scale::topology(10, &[(0, 1)], 1);
    assert!(drsim::io::load_str(&small, std::path::Path::new("s.toml")).is_ok());
}

/// Every sampling engine costs its samples by the graph they redraw and
/// re-solve, before it starts: on a 30,000-site ring the defaults (10^5
/// reliability samples, 10^6 capacity samples) would run for minutes
/// (a 160,000-site ring ran past 300 s and 240 s), so they are refused
/// with how many samples fit; fewer run.
#[test]
fn sampling_engines_refuse_work_a_large_graph_cannot_finish() {
    let d = tempfile::tempdir().unwrap();
    let n = 30_000;
    let links: Vec<(usize, usize)> = (0..n).map(|i| (i, (i + 1) % n)).collect();
    let f = d.path().join("ring.toml");
    std::fs::write(&f, crate::hostile_scale::topology(n, &links, n / 2)).unwrap();
    // Site n/2 in base 36 (the served site): "bko".
    let cases = [
        (
            "reliability",
            "--service",
            "crude Monte Carlo would take too long",
        ),
        ("capacity", "--from 0 --to bko", "a capacity run may plan"),
        ("capacity", "--demand", "a capacity run may plan"),
    ];
    for (cmd, flags, needle) in cases {
        let mut c = cli(cmd, &f, flags);
        c.timeout(std::time::Duration::from_secs(60));
        let err = refused(c, needle);
        assert!(err.contains("60000 "), "{err}");
        // 5e9 / 60,000 elements.
        assert!(err.contains("at most 83333 fit"), "{err}");
        assert_eq!(err.matches(needle).count(), 1, "said once: {err}");
        assert!(err.contains("ring.toml: "), "names the file: {err}");
        assert!(err.contains("(--samples)"), "names the flag: {err}");
    }
    let mut c = cli("reliability", &f, "--service --method crude --samples 2000");
    c.timeout(std::time::Duration::from_secs(120));
    assert!(c.output().unwrap().status.success());
    // Chasing a relative error stops at the same budget, and says so,
    // instead of going on to --max-samples (10^8: hours here). Served by
    // site 1, the plan is down about 0.3% of the time: 1% needs ~4 million
    // samples.
    let near = d.path().join("near.toml");
    std::fs::write(&near, crate::hostile_scale::topology(n, &links, 1)).unwrap();
    let mut c = cli(
        "reliability",
        &near,
        "--service --method crude --samples 1000 --target-re 0.01",
    );
    c.timeout(std::time::Duration::from_secs(120));
    let o = c.output().unwrap();
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("stopped after 83333 samples, the most one run"),
        "{err}"
    );
    // The output says so too (the warning goes to standard error only).
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains(
            "note: the estimate stopped short of the relative error asked: the work budget of \
             a run on this model was spent"
        ),
        "{out}"
    );
    // An importance ranking is two estimates per event (60,000 of them
    // here): refused before the first, naming the flag; a 20,000-site
    // ring at the defaults ran for over a minute of an hours-long plan.
    let mut c = cli("reliability", &f, "--service --importance --samples 2000");
    c.timeout(std::time::Duration::from_secs(10));
    let err = refused(c, "the importance ranking would take too long");
    assert!(err.contains("60000 events"), "{err}");
    assert!(err.contains("at most 2 fit"), "{err}");
    assert!(err.contains("(--samples)"), "{err}");
    assert!(err.contains("ring.toml: "), "names the file: {err}");
}

/// Outputs onto special paths: a full device, a directory, a symlink loop
/// and a symlink into a missing directory are refused with exit 2, the path
/// named, the reason said once and nothing left behind; a dangling symlink
/// to a file in an existing directory creates that file.
#[test]
fn outputs_onto_special_paths_are_refused_cleanly() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n);
    std::fs::create_dir(p("dir")).unwrap();
    std::os::unix::fs::symlink(p("loop-b"), p("loop-a")).unwrap();
    std::os::unix::fs::symlink(p("loop-a"), p("loop-b")).unwrap();
    std::os::unix::fs::symlink(p("missing/x"), p("dangling")).unwrap();
    std::os::unix::fs::symlink(p("target.txt"), p("to-new")).unwrap();
    let small = "topologies/small-company.toml";
    let outs = [
        ("/dev/full".into(), "No space left"),
        (p("dir"), "is a directory"),
        (p("loop-a"), "symbolic links"),
        (p("dangling"), "not an existing directory"),
    ];
    for (out, needle) in outs {
        let mut c = cli("run", small, "--trials 10 --quiet");
        c.arg("-o").arg(&out);
        let err = refused(c, needle);
        assert_eq!(err.matches(needle).count(), 1, "said once: {err}");
        let leftovers: Vec<_> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| !["dir", "loop-a", "loop-b", "dangling", "to-new"].contains(&n.as_str()))
            .collect();
        assert!(leftovers.is_empty(), "{out:?} left {leftovers:?}");
    }
    let mut c = cli("run", small, "--trials 10 --quiet");
    c.arg("-o").arg(p("to-new"));
    assert!(c.output().unwrap().status.success());
    assert!(std::fs::symlink_metadata(p("to-new")).unwrap().is_symlink());
    assert!(
        std::fs::read_to_string(p("target.txt"))
            .unwrap()
            .contains("plan")
    );
}

/// Inputs through a symlink, a deeply nested directory and a symlink loop.
#[test]
fn inputs_through_symlinks_and_deep_paths() {
    let d = tempfile::tempdir().unwrap();
    let text = one_site("deep").toml();
    let mut deep = d.path().to_path_buf();
    for i in 0..200 {
        deep.push(format!("d{i}"));
    }
    std::fs::create_dir_all(&deep).unwrap();
    let f = deep.join("deep.toml");
    std::fs::write(&f, &text).unwrap();
    let link = d.path().join("link.toml");
    std::os::unix::fs::symlink(&f, &link).unwrap();
    for path in [&f, &link] {
        assert!(cli("validate", path, "").output().unwrap().status.success());
    }
    let lp = d.path().join("loop.toml");
    std::os::unix::fs::symlink(&lp, &lp).unwrap();
    let err = refused(cli("validate", &lp, ""), "loop.toml");
    assert!(err.contains("symbolic links"), "{err}");
}

/// `--threads 0`, `--threads 1000000` and a seed past u64 are usage errors
/// naming the flag, never a pool of a million threads or a wrapped seed.
#[test]
fn thread_and_seed_flags_out_of_range_are_refused() {
    let small = "topologies/small-company.toml";
    for flags in [
        "--threads 0",
        "--threads 1000000",
        "--seed 18446744073709551616",
        "--seed 1e30",
    ] {
        let flag = flags.split(' ').next().unwrap();
        refused(cli("run", small, &format!("--trials 10 {flags}")), flag);
    }
}

/// A TOML key holding 10^6 array elements and an id of 1 MB are refused
/// (the id) or loaded (the array, into a key that takes a list) in bounded
/// time, with the place named.
#[test]
fn huge_arrays_and_ids_are_refused_or_loaded_quickly() {
    let d = tempfile::tempdir().unwrap();
    let million: Vec<String> = (0..1_000_000).map(|_| "\"a\"".to_string()).collect();
    let f = one_site("arr")
        .set_in("demand", "sites", &format!("[{}]", million.join(",")))
        .write(d.path());
    let mut c = cli("validate", &f, "");
    c.timeout(std::time::Duration::from_secs(60));
    let o = c.output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(2),
        "{err}"
    );
    let id = "x".repeat(1 << 20);
    let f = one_site("longid")
        .set_in("site", "id", &format!("\"{id}\""))
        .write(d.path());
    let mut c = cli("validate", &f, "");
    c.timeout(std::time::Duration::from_secs(60));
    let err = refused(c, "ids may have at most 256");
    assert!(err.contains("longid.toml:5:"), "{err}");
    assert!(
        err.len() < 10_000,
        "the message quotes at most a bounded part: {} bytes",
        err.len()
    );
}

/// A GraphML element with 100,000 attributes is refused at once (the
/// parser's per-element limit), and 100,000 levels of nesting inside a
/// node neither overflow the stack nor take more than linear time.
#[test]
fn graphml_wide_and_deep_elements_are_linear() {
    let d = tempfile::tempdir().unwrap();
    let head = "<?xml version=\"1.0\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n\
                <graph edgedefault=\"undirected\">\n";
    let attrs: String = (0..100_000).map(|i| format!(" a{i}=\"1\"")).collect();
    let wide = format!("{head}<node id=\"n0\"{attrs}/>\n</graph></graphml>\n");
    let n = 100_000;
    let deep = format!(
        "{head}<node id=\"n0\">{}{}</node>\n</graph></graphml>\n",
        "<x>".repeat(n),
        "</x>".repeat(n)
    );
    for (name, text, ok) in [("wide.graphml", wide, false), ("deep.graphml", deep, true)] {
        let f = d.path().join(name);
        std::fs::write(&f, text).unwrap();
        let mut c = cli("validate", &f, "");
        c.timeout(std::time::Duration::from_secs(30));
        if ok {
            let o = c.output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        } else {
            refused(c, name);
        }
    }
}

/// An imported network too large to ever load is refused at the element
/// that makes it so, before the model is built: a 64 MiB GraphML of bare
/// nodes peaked at 1.6 GB and took 16 s on its way to the loader's
/// refusal. One element fewer than the limit passes this check.
#[test]
fn imports_too_large_to_load_are_refused_before_they_are_built() {
    use drsim::io::import::defaults::MAX_ELEMENTS;
    let dir = tempfile::tempdir().unwrap();
    let graphml = |n: usize| {
        let mut s = String::from("<graphml><graph>\n");
        for i in 0..n {
            s.push_str(&format!("<node id=\"{i}\"/>\n"));
        }
        s + "</graph></graphml>\n"
    };
    let sndlib = |n: usize| {
        let mut s = String::from("NODES (\n");
        for i in 0..n {
            s.push_str(&format!(" N{i} ( 1 2 )\n"));
        }
        s + ")\nLINKS (\n)\n"
    };
    for (name, text, line) in [
        ("big.graphml", graphml(MAX_ELEMENTS + 1), MAX_ELEMENTS + 2),
        ("big.txt", sndlib(MAX_ELEMENTS + 1), MAX_ELEMENTS + 2),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = dir.path().join("out.toml");
        let mut cmd = drsim();
        cmd.arg("import").arg(&path).arg("-o").arg(&out);
        let err = refused(cmd, "sites, links and demands");
        assert!(err.contains(&format!("{name}:{line}:")), "{err}");
        assert!(!out.exists(), "{name}: a partial output was left");
    }
    // At the limit the importer goes on (to the loader's own size check).
    let err = drsim::io::import::check_element_count(MAX_ELEMENTS, None);
    assert!(err.is_ok());
}
