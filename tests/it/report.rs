//! `drsim report`: the HTML page is self-contained, holds one SVG chart per
//! plan plus the cause and frontier charts, the plans, the single points of
//! failure and the reproduction command; a headless Chromium renders every
//! chart with visible marks.
//!
//! The browser test is `#[ignore]`d, so a plain `cargo test` lists it as
//! ignored rather than passing it unseen; `.ci/run` installs Chromium and runs
//! it with `--ignored`, where a missing browser fails it.

use crate::common::{drsim, refused, succeeded, topo};
use std::path::{Path, PathBuf};

fn report(file: &str, out: &Path, trials: &str) -> String {
    drsim()
        .args(["report", file, "--trials", trials, "--seed", "3", "-o"])
        .arg(out)
        .assert()
        .success();
    std::fs::read_to_string(out).unwrap()
}

/// The `<svg>...</svg>` fragments of the page.
fn svgs(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(a) = rest.find("<svg") {
        let b = rest[a..].find("</svg>").expect("every <svg> is closed") + a + 6;
        out.push(&rest[a..b]);
        rest = &rest[b..];
    }
    out
}

#[test]
fn page_is_self_contained_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    let t = topo("global-messaging.toml");
    let html = report(&t, &out, "1000");
    let model = drsim::io::load_path(Path::new(&t)).unwrap();
    // Nothing is fetched: no URL, script or external resource.
    let lower = html.to_lowercase();
    for bad in [
        "http://", "https://", "<script", "src=", "href=", "@import", "url(",
    ] {
        assert!(!lower.contains(bad), "the page contains '{bad}'");
    }
    // One chart per plan plus causes and the frontier, each an SVG that is
    // well-formed XML and draws marks.
    let charts = html.matches("<figure class=\"chart\"").count();
    assert_eq!(charts, model.plans.len() + 2);
    let svgs = svgs(&html);
    assert_eq!(svgs.len(), charts);
    for s in &svgs {
        let doc = roxmltree::Document::parse(s).expect("SVG is well-formed XML");
        let marks = doc
            .descendants()
            .filter(|n| matches!(n.tag_name().name(), "rect" | "circle" | "polyline"))
            .count();
        assert!(marks > 2, "a chart with no marks: {}", &s[..80]);
    }
    for p in &model.plans {
        assert!(html.contains(&format!("id=\"chart-downtime-{}\"", p.key)));
    }
    for needed in [
        "Plans compared",
        "Single points of failure",
        "frontier",
        "Seed 3, 1000 trials",
        "drsim report",
        "--seed 3",
    ] {
        assert!(html.contains(needed), "missing '{needed}'");
    }
    // The bundled default has single points of failure (the release trains
    // touch every site): the page must name them.
    assert!(html.contains("release:binary"));
    // A seed fixes the page byte for byte.
    assert_eq!(report(&t, &out, "1000"), html);
}

#[test]
fn bad_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    refused(
        drsim()
            .args(["report", "no-such-file.toml", "-o"])
            .arg(dir.path().join("r.html")),
        "no-such-file.toml",
    );
    assert!(!dir.path().join("r.html").exists());
}

fn chromium() -> Option<PathBuf> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        let ok = std::process::Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(PathBuf::from(name));
        }
    }
    None
}

fn headless(browser: &Path, profile: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(browser);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

#[test]
#[ignore = "needs chromium; .ci/run runs it (cargo test -- --ignored)"]
fn headless_chromium_renders_every_chart() {
    let browser = chromium().expect("this test needs chromium (or chromium-browser) on PATH");
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let html = report(&topo("global-messaging.toml"), &page, "1000");
    let n_charts = html.matches("<figure class=\"chart\"").count();

    // A screenshot of the whole page is produced.
    let shot = dir.path().join("shot.png");
    succeeded(
        headless(&browser, &dir.path().join("p1"))
            .arg(format!("--screenshot={}", shot.display()))
            .arg("--window-size=1280,4000")
            .arg(format!("file://{}", page.display()))
            .output()
            .unwrap(),
    );
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    assert_eq!(width, 1280);

    // Every chart, laid out on the page with a size, drawn by the browser
    // into a canvas: it has ink beyond the grid and coloured data marks.
    let check = include_str!("report_check/check.html");
    let checked = dir.path().join("check.html");
    std::fs::write(
        &checked,
        html.replace("</body>", &format!("{check}</body>")),
    )
    .unwrap();
    let out = succeeded(
        headless(&browser, &dir.path().join("p2"))
            .args(["--virtual-time-budget=10000", "--dump-dom"])
            .arg(format!("file://{}", checked.display()))
            .output()
            .unwrap(),
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom
        .find("<pre id=\"drsim-check\">")
        .expect("the check script ran")
        + "<pre id=\"drsim-check\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let lines: Vec<&str> = dom[start..end].lines().collect();
    assert_eq!(lines.len(), n_charts, "{}", &dom[start..end]);
    for l in lines {
        let f: Vec<&str> = l.split(' ').collect();
        assert_eq!(f.len(), 5, "{l}");
        let num = |i: usize| f[i].parse::<f64>().unwrap();
        assert!(num(1) >= 300.0 && num(2) >= 150.0, "chart too small: {l}");
        assert!(num(3) > 0.01, "chart nearly blank: {l}");
        assert!(num(4) > 0.002, "chart without coloured marks: {l}");
    }
}
