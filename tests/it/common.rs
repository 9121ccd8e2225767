//! Helpers shared by the integration tests: the binary under test, the
//! paths of bundled files, running a command for its JSON, and a small
//! builder for TOML topology fixtures.

pub mod model;

use assert_cmd::Command;
use serde_json::Value;
use std::borrow::BorrowMut;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The `drsim` binary built for this test run.
pub fn drsim() -> Command {
    Command::cargo_bin("drsim").unwrap()
}

/// `drsim SUBCOMMAND FILE FLAGS`, with FLAGS split at whitespace: short
/// command lines stay on one line. The file is one argument, so a checkout
/// path with spaces still works.
pub fn cli(subcommand: &str, file: impl AsRef<OsStr>, flags: &str) -> Command {
    let mut cmd = drsim();
    cmd.arg(subcommand).arg(file).args(flags.split_whitespace());
    cmd
}

/// Absolute path of a bundled topology (`topologies/NAME`), so a test does
/// not depend on the working directory.
pub fn topo(name: &str) -> String {
    format!("{}/topologies/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Absolute path of a test data file (`tests/data/NAME`).
pub fn data(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A fresh temporary directory holding one file `name` with `text`; the
/// directory is removed when the returned guard drops.
pub fn temp_file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Runs `cmd`, which must succeed (its stderr is shown if not), and parses
/// its standard output as JSON.
pub fn json_ok(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: exit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on standard output")
}

/// The output of a finished process that must have succeeded (its stderr
/// is shown if not).
pub fn succeeded(out: std::process::Output) -> std::process::Output {
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `cmd`, which must be refused as bad input: exit status 2, `needle`
/// in the message on standard error, and no panic. Returns the message.
pub fn refused(mut cmd: impl BorrowMut<Command>, needle: &str) -> String {
    let cmd = cmd.borrow_mut();
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{cmd:?}: {err}");
    assert!(
        err.contains(needle),
        "{cmd:?}: expected `{needle}` in\n{err}"
    );
    assert!(!err.contains("panicked"), "{cmd:?}: {err}");
    err
}

/// A simulated `estimate` within 4 of its own standard errors `se` of the
/// `exact` answer (a correct simulator fails this with probability below
/// 1e-4); a zero standard error would make the check vacuous, so it fails.
pub fn within(estimate: f64, exact: f64, se: f64, what: &str) {
    assert!(
        se > 0.0,
        "{what}: zero standard error, the check is vacuous"
    );
    assert!(
        (estimate - exact).abs() < 4.0 * se,
        "{what}: simulated {estimate}, exact {exact}, 4 SE = {}",
        4.0 * se
    );
}

/// Stationary distribution of a CTMC with `states` states whose transitions
/// from `s` are `moves(s)` (target, rate), solved with LU.
pub fn stationary(
    states: usize,
    moves: impl Fn(usize) -> Vec<(usize, f64)>,
) -> nalgebra::DVector<f64> {
    let mut q = nalgebra::DMatrix::<f64>::zeros(states, states);
    for s in 0..states {
        for (to, rate) in moves(s) {
            q[(s, to)] += rate;
            q[(s, s)] -= rate;
        }
    }
    let mut a = q.transpose();
    a.row_mut(states - 1).fill(1.0);
    let mut b = nalgebra::DVector::zeros(states);
    b[states - 1] = 1.0;
    a.lu().solve(&b).expect("the generator is irreducible")
}

/// A native TOML topology built in code. Every item starts with defaults
/// (a site serves 100 rps; a demand has 10 users at 10 rps; a plan is
/// active-active) and `set` changes or adds one key of the last item, in
/// place, so the generated lines are predictable: the header takes lines
/// 1-3 and every item is its `[[kind]]` line followed by its keys in order.
pub struct Fixture {
    name: String,
    items: Vec<(&'static str, Vec<(String, String)>)>,
}

impl Fixture {
    pub fn new(name: &str) -> Self {
        Fixture {
            name: name.to_string(),
            items: Vec::new(),
        }
    }

    fn item(mut self, kind: &'static str, keys: &[(&str, String)]) -> Self {
        let keys = keys.iter().map(|(k, v)| (k.to_string(), v.clone()));
        self.items.push((kind, keys.collect()));
        self
    }

    pub fn site(self, id: &str) -> Self {
        self.item("site", &[("id", quote(id)), ("capacity_rps", "100".into())])
    }

    pub fn link(self, a: &str, b: &str) -> Self {
        self.item("link", &[("a", quote(a)), ("b", quote(b))])
    }

    pub fn demand(self, id: &str, sites: &[&str]) -> Self {
        let keys = [
            ("id", quote(id)),
            ("sites", list(sites)),
            ("users", "10".into()),
            ("peak_rps", "10".into()),
        ];
        self.item("demand", &keys)
    }

    pub fn plan(self, id: &str, serving_sites: &[&str]) -> Self {
        let keys = [
            ("id", quote(id)),
            ("serving_sites", list(serving_sites)),
            ("mode", quote("active-active")),
        ];
        self.item("plan", &keys)
    }

    /// Sets `key = value` (value as TOML text) on the last item added.
    pub fn set(self, key: &str, value: &str) -> Self {
        let kind = self.items.last().expect("set() after an item").0;
        self.set_in(kind, key, value)
    }

    /// Sets `key = value` on the last item of `kind` ("site", "demand"...).
    pub fn set_in(mut self, kind: &str, key: &str, value: &str) -> Self {
        let (_, keys) = (self.items.iter_mut().rev())
            .find(|(k, _)| *k == kind)
            .unwrap_or_else(|| panic!("no [[{kind}]] to set {key} on"));
        match keys.iter_mut().find(|(k, _)| k == key) {
            Some(kv) => kv.1 = value.to_string(),
            None => keys.push((key.to_string(), value.to_string())),
        }
        self
    }

    pub fn toml(&self) -> String {
        let mut s = format!("[topology]\nname = \"{}\"\nformat = 1\n", self.name);
        for (kind, keys) in &self.items {
            s.push_str(&format!("[[{kind}]]\n"));
            for (k, v) in keys {
                s.push_str(&format!("{k} = {v}\n"));
            }
        }
        s
    }

    /// Writes the file as `dir/NAME.toml` and returns its path.
    pub fn write(&self, dir: &Path) -> PathBuf {
        let path = dir.join(format!("{}.toml", self.name));
        std::fs::write(&path, self.toml()).unwrap();
        path
    }

    /// Writes the file into a fresh temporary directory (removed when the
    /// returned guard drops) and returns both.
    pub fn write_temp(&self) -> (tempfile::TempDir, PathBuf) {
        temp_file(&format!("{}.toml", self.name), &self.toml())
    }
}

fn quote(s: &str) -> String {
    format!("\"{s}\"")
}

fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// One site, one demand entering there, one plan serving from it: the
/// smallest file every command accepts.
pub fn one_site(name: &str) -> Fixture {
    Fixture::new(name)
        .site("a")
        .demand("d", &["a"])
        .plan("p", &["a"])
}

/// Two islands {a, b} and {c, d} (no link between them), users entering at
/// a and c, one active-active plan over all four sites with `quorum`.
pub fn split_network(quorum: u32) -> Fixture {
    Fixture::new(&format!("split-{quorum}"))
        .site("a")
        .site("b")
        .site("c")
        .site("d")
        .link("a", "b")
        .link("c", "d")
        .demand("users", &["a", "c"])
        .plan("p", &["a", "b", "c", "d"])
        .set("quorum", &quorum.to_string())
}

#[test]
fn fixtures_are_valid_topologies() {
    let dir = tempfile::tempdir().unwrap();
    for f in [one_site("one"), split_network(2)] {
        let path = f.write(dir.path());
        drsim().arg("validate").arg(&path).assert().success();
    }
    let text = one_site("x").set_in("site", "lat", "1").toml();
    assert!(text.starts_with("[topology]\nname = \"x\"\nformat = 1\n[[site]]\nid = \"a\"\ncapacity_rps = 100\nlat = 1\n[[demand]]\n"), "{text}");
}
