//! Hostile inputs, class 6 at scale (issue 16): accepted files so large that
//! the per-state cost of the graph, not the event count, decides whether a
//! run can finish. The files are generated here, not kept in the repository.

use crate::common::drsim;
use std::path::Path;
use std::time::Duration;

/// Sites `0..n` (base-36 ids) and `links` as inline arrays (the shortest
/// TOML spelling, so 10^5 sites stay a few MB), every site and link failing,
/// one demand at site 0 served from site `served`.
pub fn topology(n: usize, links: &[(usize, usize)], served: usize) -> String {
    let id = site_id;
    let sites: Vec<String> = (0..n).map(|i| format!("{{id=\"{}\"}}", id(i))).collect();
    let links: Vec<String> = links
        .iter()
        .map(|&(a, b)| format!("{{a=\"{}\",b=\"{}\"}}", id(a), id(b)))
        .collect();
    format!(
        "site=[{}]\nlink=[{}]\n[topology]\nname=\"big\"\n\
         [defaults.site]\nfailure={{unavailability=0.001,mttr=\"4h\"}}\n\
         [defaults.link]\nfailure={{mtbf=\"1y\",mttr=\"6h\"}}\n\
         [[demand]]\nid=\"d\"\nsites=[\"0\"]\nusers=10\npeak_rps=10\n\
         [[plan]]\nid=\"p\"\nserving_sites=[\"{}\"]\nmode=\"active-active\"\n",
        sites.join(","),
        links.join(","),
        id(served)
    )
}

/// Site `i`'s id in [`topology`]: `i` in base 36.
fn site_id(mut i: usize) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut s = Vec::new();
    loop {
        s.push(digits[i % 36]);
        i /= 36;
        if i == 0 {
            break;
        }
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

/// A `w` x `w` grid linked right and down, served from the far corner:
/// nothing reduces, so every failure re-checks the whole graph.
fn grid(w: usize) -> String {
    // The library's lattice, node `r * w + c`.
    topology(w * w, &grid_links(w), w * w - 1)
}

/// The links of a `w` x `w` grid, node `r * w + c`.
fn grid_links(w: usize) -> Vec<(usize, usize)> {
    // The library's lattice.
    let lattice = drsim::reliability::instances::grid(w as u32, w as u32, 0.0);
    lattice
        .edges
        .iter()
        .map(|&(a, b)| (a as usize, b as usize))
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn a_run_over_a_graph_too_large_to_recheck_is_refused_up_front() {
    let d = tempfile::tempdir().unwrap();
    let text = grid(60);
    let f = write(d.path(), "grid.toml", &text);
    for cmd in ["run", "compare", "check"] {
        let o = drsim()
            .arg(cmd)
            .arg(&f)
            .args(["--trials", "10000"])
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {err}");
        // 3,600 sites and 7,080 links: only the two corners that are not
        // terminals reduce (each site and its two links to one chain).
        assert!(
            err.contains("grid.toml") && err.contains("graph of plan 'p' (10676 elements"),
            "{cmd}: {err}"
        );
        assert!(err.contains("trials fit"), "{cmd}: {err}");
    }
    // The count the message offers is the largest the library accepts, and
    // the TUI's path (the engine itself) refuses the same way.
    let t = drsim::io::load_str(&text, &f).unwrap().topology;
    let o = drsim()
        .arg("run")
        .arg(&f)
        .args(["--trials", "10000"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    let fit: usize = err
        .split("at most ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{err}"));
    use drsim::simulate::budget::check_plan;
    assert!(check_plan(&t, fit, 1, 0).is_ok());
    assert!(check_plan(&t, fit + 1, 1, 0).is_err());
    let cfg = crate::common::model::trials_years_seed(fit + 1, 1, 1);
    let e = crate::common::model::run_refusal(&t, &cfg);
    assert!(e.contains("10676 elements") && !e.contains("--"), "{e}");
}

/// The work budget charges each plan a run simulates with its own graph.
/// On a 20,000-site ring, plan `p` reduces to four elements (two terminals,
/// two chains) and costs its events; plan `wide` is served from every site,
/// so nothing reduces and every change re-runs the rule over the whole ring
/// (the 5,000-site family's `aa` was once refused past 166 trials for a
/// heavier plan it did not run). `p` alone fits far more trials than
/// `wide`, and is refused only when run with it.
#[test]
fn a_cheap_plan_is_not_charged_for_a_heavy_one_it_does_not_run() {
    use drsim::simulate::budget::{BudgetError, check};
    let d = tempfile::tempdir().unwrap();
    let n = 20_000;
    let links: Vec<(usize, usize)> = (0..n).map(|i| (i, (i + 1) % n)).collect();
    let mut text = topology(n, &links, n / 2);
    // A plan served from every site keeps the whole ring as terminals: its
    // reduced graph is the ring itself, 40,000 elements a change.
    let every: Vec<String> = (0..n).map(|i| format!("\"{}\"", site_id(i))).collect();
    text.push_str(&format!(
        "[[plan]]\nid=\"wide\"\nserving_sites=[{}]\nmode=\"active-active\"\n",
        every.join(",")
    ));
    let f = write(d.path(), "ring-wide.toml", &text);
    let t = drsim::io::load_str(&text, &f).unwrap().topology;
    let (p, wide) = (0, 1);
    let fit = |plans: &[usize]| match check(&t, 10_000_000, 1, plans) {
        Err(BudgetError::Graph { max_trials, .. } | BudgetError::Events { max_trials, .. }) => {
            max_trials
        }
        other => panic!("{plans:?}: {other:?}"),
    };
    let (fit_p, fit_wide, fit_both) = (fit(&[p]), fit(&[wide]), fit(&[p, wide]));
    // `wide` re-checks 40,000 elements a change, `p` four.
    assert!(fit_p > 100 * fit_wide, "{fit_p} vs {fit_wide}");
    assert!(
        fit_both <= fit_wide && fit_both > 0,
        "{fit_both} vs {fit_wide}"
    );
    let trials = (2 * fit_wide).max(2).to_string();
    let o = drsim()
        .arg("run")
        .arg(&f)
        .args(["--plan", "p", "--trials", &trials, "--quiet"])
        .args(["--format", "json"])
        .timeout(Duration::from_secs(240))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["trials"].to_string(), trials);
    for plans in [&["--plan", "wide"][..], &[]] {
        let o = drsim()
            .arg("run")
            .arg(&f)
            .args(plans)
            .args(["--trials", &trials])
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{plans:?}: {err}");
        assert!(err.contains("graph of plan 'wide'"), "{plans:?}: {err}");
    }
}

#[test]
fn a_100k_site_ring_runs_a_trial_in_seconds() {
    // Two terminals split the ring into two chains: the reduced graph has
    // four elements, so 10^5 sites cost their events, not 10^5 per event.
    let d = tempfile::tempdir().unwrap();
    let n = 100_000;
    let links: Vec<(usize, usize)> = (0..n).map(|i| (i, (i + 1) % n)).collect();
    let f = write(d.path(), "ring.toml", &topology(n, &links, n / 2));
    let o = drsim()
        .arg("run")
        .arg(&f)
        .args(["--trials", "2", "--format", "json"])
        // A hang guard, not a timing: 10 s here with six builds sharing two
        // cores; the old per-event cost took minutes.
        .timeout(Duration::from_secs(240))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["trials"], 2);
}

#[test]
fn diff_matches_items_one_section_at_a_time() {
    // 20,000 sites in a ring, then the same with one site changed and a
    // description that holds a site header inside a multi-line string: the
    // model diff (now matched by id through maps, one canonical section
    // parsed at a time) reports exactly the real changes.
    let d = tempfile::tempdir().unwrap();
    let n = 20_000;
    let links: Vec<(usize, usize)> = (0..n).map(|i| (i, (i + 1) % n)).collect();
    let old = topology(n, &links, n / 2);
    let new = old
        .replace("{id=\"5\"}", "{id=\"5\",capacity_rps=7}")
        .replace(
            "name=\"big\"",
            "name=\"big\"\ndescription=\"\"\"\nnotes\n\n[[site]]\nid = \"ghost\"\n\"\"\"",
        );
    let (a, b) = (
        write(d.path(), "a.toml", &old),
        write(d.path(), "b.toml", &new),
    );
    let o = drsim()
        .arg("diff")
        .arg(&a)
        .arg(&b)
        .args(["--model-only", "--format", "json"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let changes: Vec<(String, String, String)> = v["model"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let fields: Vec<&str> = c["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["field"].as_str().unwrap())
                .collect();
            (
                c["kind"].as_str().unwrap().to_string(),
                c["id"].as_str().unwrap().to_string(),
                fields.join(","),
            )
        })
        .collect();
    let expect = [
        ("topology", "big", "description"),
        ("site", "5", "capacity_rps"),
    ];
    let expect: Vec<(String, String, String)> = expect
        .iter()
        .map(|&(k, i, f)| (k.into(), i.into(), f.into()))
        .collect();
    assert_eq!(changes, expect);
}
