//! Hostile inputs and outputs (issue 16): one regression test per class,
//! on its own inputs, through the real binary.

use crate::common::{data, drsim, json_ok, refused, topo};
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
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
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
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        "t.toml",
        "# NODES ( in a comment\n[topology]\nname = \"t\"\ndescription = \"\"\"\nNODES (\n  a ( 1 2 )\n)\nLINKS (\n\"\"\"\n\
         [[site]]\nid = \"a\"\n",
    );
    let o = drsim().arg("validate").arg(&f).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("ok: 't'"));
}
