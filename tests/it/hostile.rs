//! Hostile inputs and outputs (issue 16): one regression test per class,
//! on its own inputs, through the real binary.

use crate::common::{data, drsim, json_ok, refused, temp_file, topo};
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

// ---- class 1: outputs never destroy what stands at the path ----

#[cfg(unix)]
#[test]
fn outputs_keep_modes_follow_symlinks_and_write_devices() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
    let d = tempfile::tempdir().unwrap();
    let small = topo("small-company.toml");
    // An existing 0600 result stays 0600.
    let out = write(d.path(), "out.json", "old");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o600)).unwrap();
    drsim()
        .args(["run", &small, "--trials", "20", "--format", "json", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::metadata(&out).unwrap().mode() & 0o777, 0o600);
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("drsim.run/1")
    );

    // --junit through a symlink writes the real file; the link stays.
    let real = write(d.path(), "real.xml", "old");
    let link = d.path().join("link.xml");
    symlink(&real, &link).unwrap();
    drsim()
        .args(["check", &small, "--trials", "1000", "--quiet", "--junit"])
        .arg(&link)
        .output()
        .unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .contains("<testsuite")
    );

    // report -o /dev/null leaves the device a device.
    drsim()
        .args([
            "report",
            &small,
            "--trials",
            "50",
            "--quiet",
            "-o",
            "/dev/null",
        ])
        .assert()
        .success();
    assert!(!std::fs::metadata("/dev/null").unwrap().is_file());

    // import creates its file with the umask's mode (not 0600), and a
    // failed write leaves no temporary file.
    let gml = data("capacity-parallel.graphml");
    let imported = d.path().join("imported.toml");
    drsim()
        .args(["import", &gml, "-o"])
        .arg(&imported)
        .assert()
        .success();
    let reference = d.path().join("reference");
    std::fs::File::create(&reference).unwrap();
    assert_eq!(
        std::fs::metadata(&imported).unwrap().mode() & 0o777,
        std::fs::metadata(&reference).unwrap().mode() & 0o777
    );
    let o = drsim()
        .args(["import", &gml, "--force", "-o"])
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let names: Vec<String> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

// ---- class 2: a closed pipe ends the command quietly ----

#[cfg(unix)]
#[test]
fn closed_stdout_is_a_quiet_exit_on_every_printing_command() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let bin = assert_cmd::cargo::cargo_bin("drsim");
    let small = topo("small-company.toml");
    let many: Vec<String> = (0..300).map(|_| small.clone()).collect();
    let commands: Vec<Vec<String>> = vec![
        [vec!["validate".to_string()], many].concat(),
        [
            "capacity",
            &small,
            "--demand",
            "--plan",
            "metro-pair",
            "--samples",
            "1000",
        ]
        .map(String::from)
        .to_vec(),
        ["run", &small, "--trials", "200", "--format", "csv"]
            .map(String::from)
            .to_vec(),
    ];
    for args in commands {
        let mut child = std::process::Command::new(&bin)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = stderr(&o);
        assert!(
            o.status.success() || o.status.signal() == Some(libc::SIGPIPE),
            "{} gave {:?}: {err}",
            args[0],
            o.status
        );
        assert!(!err.contains("panicked"), "{}: {err}", args[0]);
    }
}

// ---- class 3: deep graphs do not overflow the stack ----

/// A GraphML chain n0 - n1 - ... of `n` nodes.
fn chain_graphml(n: usize) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\"?><graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\
         <graph edgedefault=\"undirected\">\n",
    );
    for i in 0..n {
        s.push_str(&format!("<node id=\"n{i}\"/>\n"));
    }
    for i in 1..n {
        s.push_str(&format!("<edge source=\"n{}\" target=\"n{i}\"/>\n", i - 1));
    }
    s.push_str("</graph></graphml>\n");
    s
}

#[test]
fn capacity_on_a_100k_node_chain_does_not_overflow() {
    let d = tempfile::tempdir().unwrap();
    let n = 100_000;
    let f = write(d.path(), "chain.graphml", &chain_graphml(n));
    let last = format!("n{}", n - 1);
    // The max-flow descent runs the whole chain; the relevant-edge search
    // (from n0 to n1) walks it too.
    for to in [last.as_str(), "n1"] {
        let v = json_ok(
            drsim()
                .args(["capacity"])
                .arg(&f)
                .args(["--from", "n0", "--to", to, "--link-failure", "1e-7"])
                .args(["--samples", "200", "--format", "json"]),
        );
        assert_eq!(v["intact_flow"], 100.0, "to {to}");
    }
}

// ---- class 4: reads are bounded and never block ----

#[cfg(unix)]
#[test]
fn special_files_are_refused_as_inputs_without_reading() {
    let d = tempfile::tempdir().unwrap();
    let fifo = d.path().join("fifo.toml");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let fifo = fifo.to_string_lossy().into_owned();
    let out = d.path().join("o.toml").to_string_lossy().into_owned();
    let cases: Vec<Vec<&str>> = vec![
        vec!["validate", "/dev/zero"],
        vec!["validate", &fifo],
        vec!["run", "/dev/stdin", "--trials", "1"],
        vec!["import", "/dev/zero", "-o", &out],
        vec!["merge", &fifo],
        vec!["merge", "/dev/zero"],
    ];
    for args in cases {
        let mut cmd = drsim();
        cmd.args(&args)
            .write_stdin(vec![b'x'; 1 << 16])
            .timeout(std::time::Duration::from_secs(20));
        refused(cmd, "not a regular file");
    }
    assert!(!Path::new(&out).exists());
}

#[test]
fn oversized_parts_and_topologies_are_refused_by_size_not_trust() {
    let d = tempfile::tempdir().unwrap();
    // Sparse: reports its size without taking the disk.
    let big = d.path().join("big.json");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len((1 << 30) + 1).unwrap();
    let err = refused(drsim().arg("merge").arg(&big), "big.json");
    assert!(err.contains("limit"), "{err}");
    refused(
        drsim().arg("validate").arg(&big),
        "limited to 33554432 bytes",
    );
}

// ---- class 7: no terminal injection through ids, names or paths ----

#[test]
fn unprintable_ids_and_names_are_refused_and_echoed_escaped() {
    let (d, f) = temp_file(
        "inj.toml",
        "[topology]\nname = \"x\"\n\
         [[site]]\nid = \"a\\u001b]0;title\\u0007\"\n\
         [[site]]\nid = \"b\"\nname = \"B\\nforged: ok\"\n\
         [[site]]\nid = \"c\\ufffe\"\n\
         [[site]]\nid = \"\\u202eevil\"\n\
         [[plan]]\nid = \"p\"\nserving_sites = [\"a\\u001b[2J\"]\nmode = \"active-active\"\n",
    );
    let err = refused(drsim().arg("validate").arg(&f), "U+001B");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{fffe}') && !err.contains('\u{202e}'));
    assert!(!err.contains("\nforged"), "{err}");
    for needle in [
        "U+001B",
        "U+000A",
        "U+FFFE",
        "U+202E",
        "unknown site 'a\\u{1b}[2J'",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    // The same through the importers: located, escaped, refused.
    let gml = write(
        d.path(),
        "inj.graphml",
        "<graphml><graph>\n<node id=\"\"/>\n<node id=\"b\"/>\n</graph></graphml>\n",
    );
    let out = d.path().join("o.toml");
    let err = refused(drsim().arg("import").arg(&gml).arg("-o").arg(&out), ":2");
    assert!(err.contains("must not be empty"), "{err}");
    let snd = write(
        d.path(),
        "inj.txt",
        "?SNDlib native format\nNODES (\n  x\u{1b}[31m ( 1 2 )\n)\n",
    );
    let err = refused(drsim().arg("validate").arg(&snd), "U+001B");
    assert!(!err.contains('\u{1b}'), "{err}");
}

// ---- class 10: the format is told by how a file begins ----

#[test]
fn a_toml_description_with_sndlib_lines_is_still_toml() {
    let (_d, f) = temp_file(
        "t.toml",
        "# NODES ( in a comment\n[topology]\nname = \"t\"\ndescription = \"\"\"\nNODES (\n  a ( 1 2 )\n)\nLINKS (\n\"\"\"\n\
         [[site]]\nid = \"a\"\n",
    );
    let o = drsim().arg("validate").arg(&f).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("ok: 't'"));
}

/// A small valid topology with `extra` appended (more tables) and, in the
/// first site, `site_extra` keys.
fn base_toml(extra: &str) -> String {
    format!(
        "[topology]\nname = \"t\"\n\
         [[site]]\nid = \"a\"\nfailure = {{ unavailability = 0.001, mttr = \"4h\" }}\n\
         [[site]]\nid = \"b\"\n\
         [[link]]\na = \"a\"\nb = \"b\"\n\
         [[demand]]\nid = \"d\"\nsites = [\"a\"]\nusers = 10\npeak_rps = 10\n\
         [[plan]]\nid = \"p\"\nserving_sites = [\"a\", \"b\"]\nmode = \"active-active\"\n\
         {extra}"
    )
}

// ---- class 6: every engine's work is bounded before it starts ----

#[test]
fn runs_that_could_not_finish_are_refused_up_front_naming_the_cause() {
    let d = tempfile::tempdir().unwrap();
    let quick = std::time::Duration::from_secs(30);
    // Releases at their maximum, every one bad: an event source the old
    // guard did not count.
    let trains = write(
        d.path(),
        "trains.toml",
        &base_toml(
            "[[release_train]]\nid = \"fast\"\nsites = [\"a\", \"b\"]\nreleases_per_year = 1e6\n\
             bad_release_probability = 1\ndetection = \"1m\"\nrollback = \"1m\"\n",
        ),
    );
    for cmd in ["run", "compare", "report", "check"] {
        let mut c = drsim();
        c.arg(cmd).arg(&trains).args(["--trials", "10000"]);
        if cmd == "report" {
            c.arg("-o").arg(d.path().join("r.html"));
        }
        let o = c.timeout(quick).output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {err}");
        assert!(err.contains("release train 'fast'"), "{cmd}: {err}");
        assert!(err.contains("trains.toml"), "{cmd}: {err}");
    }
    // Plans x trials: 200 plans at 400,000 trials would not fit.
    let plans: String = (0..200)
        .map(|i| {
            format!("[[plan]]\nid = \"p{i}\"\nserving_sites = [\"a\"]\nmode = \"active-active\"\n")
        })
        .collect();
    let many = write(d.path(), "plans.toml", &base_toml(&plans));
    let o = drsim()
        .arg("compare")
        .arg(&many)
        .args(["--trials", "400000"])
        .timeout(quick)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("201 plans") && err.contains("fewer plans"),
        "{err}"
    );
    // A million threads is refused, not started.
    let o = drsim()
        .args([
            "run",
            &topo("small-company.toml"),
            "--trials",
            "10",
            "--threads",
            "1000000",
        ])
        .timeout(quick)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("1000000"), "{}", stderr(&o));
}

#[test]
fn the_library_guard_covers_front_ends_without_flags() {
    // The TUI calls the engine directly: the engine itself refuses, and its
    // message names no command-line flag.
    let t = drsim::io::load_str(&base_toml("[[region]]\nid = \"r\"\n"), Path::new("t.toml"))
        .unwrap()
        .topology;
    let cfg = crate::common::model::trials_years_seed(10_000_000, 2, 1);
    let e = crate::common::model::run_refusal(&t, &cfg);
    assert!(e.contains("trial-years") && !e.contains("--"), "{e}");
}

#[test]
fn a_crowded_graphml_element_is_refused_in_linear_time() {
    let d = tempfile::tempdir().unwrap();
    let attrs: String = (0..100_000).map(|i| format!(" a{i}=\"1\"")).collect();
    let f = write(
        d.path(),
        "crowded.graphml",
        &format!("<graphml><graph>\n<node id=\"x\"{attrs}/></graph></graphml>\n"),
    );
    let o = drsim()
        .arg("validate")
        .arg(&f)
        .timeout(std::time::Duration::from_secs(10))
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{}", &err[..err.len().min(500)]);
    assert!(err.contains(":2:") && err.contains("more than 1000 attributes"));
    // The source line is shown cut, not in full.
    assert!(err.len() < 2000, "{} bytes of message", err.len());
}

// ---- class 8: validated numbers give finite results ----

#[test]
fn numbers_whose_products_overflow_are_refused_with_their_line() {
    let d = tempfile::tempdir().unwrap();
    let cases = [
        ("kbit_per_request = 5e-324\n", "kbit_per_request"),
        ("kbit_per_request = 1e308\n", "kbit_per_request"),
    ];
    for (demand_key, what) in cases {
        let text =
            base_toml("").replace("peak_rps = 10\n", &format!("peak_rps = 1e12\n{demand_key}"));
        let f = write(d.path(), "k.toml", &text);
        let o = drsim().arg("validate").arg(&f).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{demand_key}");
        assert!(stderr(&o).contains(what), "{}", stderr(&o));
    }
    let extra = [
        (
            "[[link]]\nid = \"par\"\na = \"a\"\nb = \"b\"\ncapacity_gbps = 1e308\n",
            "capacity_gbps",
        ),
        (
            "[[surge]]\nid = \"s\"\ndate = \"12-31\"\nduration = \"1h\"\nmultiplier = 1.7e308\n",
            "multiplier",
        ),
        (
            "[[region]]\nid = \"r\"\n[[region.hazard]]\nkind = \"x\"\nannual_rate = 1e300\noutage = \"1h\"\n",
            "hazard annual_rate",
        ),
    ];
    for (tables, what) in extra {
        let f = write(d.path(), "e.toml", &base_toml(tables));
        let o = drsim().arg("validate").arg(&f).output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains(what) && err.contains("e.toml:"), "{err}");
    }
    let text = base_toml("").replace(
        "mode = \"active-active\"\n",
        "mode = \"active-active\"\ncost_per_year = 1.7e308\n",
    );
    let f = write(d.path(), "c.toml", &text);
    let o = drsim().arg("validate").arg(&f).output().unwrap();
    assert!(stderr(&o).contains("cost_per_year"), "{}", stderr(&o));

    // SNDlib demands get the same cap as the loader, with their line.
    let snd = write(
        d.path(),
        "big.txt",
        "?SNDlib native format\nNODES (\n A ( 0 0 )\n B ( 1 1 )\n)\nLINKS (\n L ( A B ) 10 0 0 0 ( )\n)\n\
         DEMANDS (\n D ( A B ) 1 1e300 UNLIMITED\n)\n",
    );
    let o = drsim()
        .arg("import")
        .arg(&snd)
        .arg("-o")
        .arg(d.path().join("big.toml"))
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(":10") && err.contains("demand D"), "{err}");
    assert!(!d.path().join("big.toml").exists());
}

// ---- class 11: no silent surprises ----

#[test]
fn unlinked_sites_planar_coordinates_and_default_speeds_are_warned() {
    let (d, f) = temp_file(
        "lonely.toml",
        "[topology]\nname = \"t\"\n[[site]]\nid = \"a\"\n[[site]]\nid = \"b\"\n",
    );
    let o = drsim().arg("validate").arg(&f).output().unwrap();
    assert!(o.status.success());
    assert!(
        stderr(&o).contains("2 of 2 sites have no link"),
        "{}",
        stderr(&o)
    );
    let o = drsim()
        .args(["validate", "--deny-warnings"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(!o.status.success());

    let snd = write(
        d.path(),
        "planar.txt",
        "?SNDlib native format\nNODES (\n A ( 500 7000 )\n B ( 900 100 )\n)\nLINKS (\n L ( A B ) 10 0 0 0 ( )\n)\n",
    );
    let o = drsim().arg("validate").arg(&snd).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("planar"), "{}", stderr(&o));

    let gml = write(
        d.path(),
        "speeds.graphml",
        "<graphml><graph>\n<node id=\"a\"/><node id=\"b\"/><node id=\"c\"/>\n\
         <edge source=\"a\" target=\"b\"/><edge source=\"b\" target=\"c\"/>\n</graph></graphml>\n",
    );
    let o = drsim().arg("validate").arg(&gml).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("2 of 2 links have no LinkSpeedRaw"),
        "{}",
        stderr(&o)
    );
}

// ---- class 5: parts are data, never a way to read other files ----

/// One whole-run part of small-company (1 shard), as JSON.
fn one_part(d: &Path) -> serde_json::Value {
    let out = d.join("part.json");
    drsim()
        .args(["run", &topo("small-company.toml"), "--trials", "100"])
        .args(["--shard", "0/1", "--out"])
        .arg(&out)
        .assert()
        .success();
    serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap()
}

fn merge_of(d: &Path, part: &serde_json::Value) -> std::process::Output {
    let p = d.join("edited.json");
    std::fs::write(&p, serde_json::to_vec(part).unwrap()).unwrap();
    drsim().arg("merge").arg(&p).output().unwrap()
}

#[test]
fn a_part_naming_a_secret_file_never_prints_its_content() {
    let (d, secret) = temp_file("shadow", "root:$6$SECRET-HASH:19000:0:99999:7:::\n");
    let mut part = one_part(d.path());
    part["topology"]["path"] = secret.to_string_lossy().into_owned().into();
    let o = merge_of(d.path(), &part);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains("SECRET") && !err.contains("root:"), "{err}");
    assert!(
        err.contains("edited.json") && err.contains("--topology"),
        "{err}"
    );
    // A device or FIFO named there is refused unread, without blocking.
    part["topology"]["path"] = "/dev/zero".into();
    let o = merge_of(d.path(), &part);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
}

#[test]
fn impossible_numbers_in_parts_are_refused_naming_the_file() {
    let d = tempfile::tempdir().unwrap();
    let good = one_part(d.path());
    assert!(merge_of(d.path(), &good).status.success());
    let batch = |p: &mut serde_json::Value| -> serde_json::Value {
        p["run"]["plans"][0]["batches"][0].clone()
    };
    type Edit = fn(&mut serde_json::Map<String, serde_json::Value>);
    let edits: [(&str, Edit); 5] = [
        ("a downtime beyond a year", |b| {
            b.get_mut("year_down").unwrap()[0] = 4e7.into();
        }),
        ("1e308 total", |b| {
            b.get_mut("trial_user_min").unwrap()[0] = 1e308.into();
            b.insert("unattributed_secs".into(), serde_json::json!(-1e308 * 10.0));
        }),
        ("a negative fraction", |b| {
            b.get_mut("trial_lost_frac").unwrap()[0] = (-0.5).into();
        }),
        ("a truncated array", |b| {
            b.get_mut("trial_down")
                .unwrap()
                .as_array_mut()
                .unwrap()
                .pop();
        }),
        ("a huge cause", |b| {
            b.get_mut("cause_secs").unwrap()[0] = (-1.0).into();
        }),
    ];
    for (what, edit) in edits {
        let mut part = good.clone();
        let mut b = batch(&mut part);
        edit(b.as_object_mut().unwrap());
        part["run"]["plans"][0]["batches"][0] = b;
        let o = merge_of(d.path(), &part);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains("edited.json"), "{what}: {err}");
        assert!(
            err.contains("impossible value") || err.contains("malformed"),
            "{what}: {err}"
        );
    }
}

#[test]
fn an_underflowing_rare_event_run_stops_instead_of_running_to_its_cap() {
    let o = drsim()
        .args([
            "reliability",
            &topo("textbook-bridge.toml"),
            "--from",
            "s",
            "--to",
            "t",
        ])
        .args([
            "--method",
            "pmc",
            "--link-failure",
            "1e-300",
            "--target-re",
            "0.1",
        ])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("below what a 64-bit float holds"), "{err}");
    let out = String::from_utf8_lossy(&o.stdout);
    let samples: u64 = out
        .lines()
        .find_map(|l| l.strip_prefix("samples"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap();
    assert!(samples <= 100_000, "{samples} samples");
}
