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
        .env("SOURCE_DATE_EPOCH", "1796083200")
        .assert()
        .success();
    std::fs::read_to_string(out).unwrap()
}

/// The bundled default topology's page at 1000 trials, written to `report.html` in
/// `dir`: returns the topology's path (to run other commands on the same
/// file), the page's path and the page.
fn default_report(dir: &Path) -> (String, PathBuf, String) {
    let (t, out) = (topo("global-messaging.toml"), dir.join("report.html"));
    let html = report(&t, &out, "1000");
    (t, out, html)
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
    let (t, out, html) = default_report(dir.path());
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

/// The rendered text of the page: tags dropped, and SVG `<title>` tooltips
/// dropped too (they do not print).
fn visible_text(html: &str) -> String {
    let mut s = html.to_string();
    while let (Some(a), Some(_)) = (s.find("<title>"), s.find("</title>")) {
        let b = s[a..].find("</title>").unwrap() + a + 8;
        s.replace_range(a..b, "");
    }
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The cells of each row of the table with this id.
fn table_rows(html: &str, id: &str) -> Vec<Vec<String>> {
    let t = &html[html.find(&format!("id=\"{id}\"")).unwrap()..];
    let t = &t[..t.find("</table>").unwrap()];
    t.split("<tr>")
        .skip(1)
        .map(|r| {
            r.split("<td")
                .skip(1)
                .map(|c| visible_text(&format!("<td{c}")))
                .collect()
        })
        .filter(|r: &Vec<String>| !r.is_empty())
        .collect()
}

/// What a director reads first: a recommendation, the main finding (bad
/// releases cost the same ~67 min/yr on every plan), the targets with
/// pass/fail as `drsim check` decides them, units, human numbers, one
/// money format and provenance; cause values printed, not only in tooltips.
// Kept whole: it reads the one page top to bottom, as a reviewer would.
#[test]
fn page_reads_as_a_design_review() {
    let dir = tempfile::tempdir().unwrap();
    let (t, _, html) = default_report(dir.path());
    let text = visible_text(&html);
    let summary = &html[html.find("id=\"summary\"").unwrap()..html.find("id=\"targets\"").unwrap()];
    assert!(summary.contains("Recommendation.") && summary.contains("Main finding."));
    assert!(summary.contains("Bad releases cost at least"), "{summary}");
    // The summary comes before the detail.
    assert!(html.find("id=\"summary\"").unwrap() < html.find("id=\"plans\"").unwrap());
    // Targets: exactly drsim check's verdicts at the same seed and trials.
    let check = drsim()
        .args([
            "check",
            &t,
            "--trials",
            "1000",
            "--min-trials",
            "1000",
            "--seed",
            "3",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let check: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let table = &html[html.find("id=\"targets-table\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    let results = check["results"].as_array().unwrap();
    assert_eq!(table.matches("<tr>").count(), results.len() + 1);
    let mut missed = 0;
    for r in results {
        let word = match r["outcome"].as_str().unwrap() {
            "met" => "met",
            "missed" => {
                missed += 1;
                "MISSED"
            }
            _ => "undecided",
        };
        let row = format!(
            "<td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td>",
            r["plan"].as_str().unwrap(),
            r["target"].as_str().unwrap(),
            r["required"].as_str().unwrap()
        );
        let at = table.find(&row).unwrap_or_else(|| panic!("no row {row}"));
        let rest = &table[at..];
        let rest = &rest[..rest.find("</tr>").unwrap()];
        assert!(rest.contains(&format!(">{word}</span>")), "{rest}");
    }
    // Two availability targets, and the three RTO targets at p99 of the
    // simulated outages (hours of disasters and releases).
    assert_eq!(missed, 5, "the bundled file misses five targets on purpose");
    assert!(summary.contains("5 missed"));
    // Units and labels.
    for needed in [
        "p50 downtime, min/yr",
        "p99 downtime, min/yr",
        "recovery time (measured)",
        "user-minutes lost / yr",
    ] {
        assert!(html.contains(needed), "missing '{needed}'");
    }
    assert!(
        !html.contains("RTO) mean"),
        "measured recovery labelled as the RTO"
    );
    // Human numbers, one money format.
    assert!(text.contains(" G "), "user-minutes in G");
    // No long digit runs such as 343415201109 (the fingerprint aside).
    let fp = drsim::simulate::topology_fingerprint(&drsim::io::load_path(Path::new(&t)).unwrap());
    let digits = text.replace(&fp, "").chars().collect::<Vec<_>>();
    assert!(
        !digits
            .windows(10)
            .any(|w| w.iter().all(|c| c.is_ascii_digit()))
    );
    for cost in ["$680M", "$220M", "$65.0M", "$80.0M"] {
        assert!(text.contains(cost), "missing {cost}");
    }
    assert!(!text.contains("680,000,000") && !text.contains("680.0M"));
    // Provenance: the fixed date, the fingerprint, the version.
    let prov = &html[html.find("id=\"provenance\"").unwrap()..];
    let prov = &prov[..prov.find("</p>").unwrap()];
    assert!(prov.contains("Generated 2026-12-01"), "{prov}");
    assert!(prov.contains(&fp), "{prov}");
    // Cut-set events say what they take down.
    assert!(
        text.contains("release:binary (release: takes down sites"),
        "{}",
        &text[..200]
    );
    // Downtime by cause: every value as printed text, equal to drsim run's.
    let run = drsim()
        .args([
            "run", &t, "--trials", "1000", "--seed", "3", "--format", "json",
        ])
        .output()
        .unwrap();
    let run: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let rows = table_rows(&html, "causes-table");
    let header: Vec<String> = {
        let t = &html[html.find("id=\"causes-table\"").unwrap()..];
        let t = &t[..t.find("</tr>").unwrap()];
        t.split("<th")
            .skip(2)
            .map(|c| visible_text(&format!("<th{c}")))
            .collect()
    };
    assert_eq!(rows.len(), 4);
    for p in run["plans"].as_array().unwrap() {
        let row = rows
            .iter()
            .find(|r| r[0] == p["plan"].as_str().unwrap())
            .unwrap_or_else(|| panic!("{rows:?}"));
        for c in p["downtime_by_cause"].as_array().unwrap() {
            let m = c["minutes_per_year"].as_f64().unwrap();
            let Some(col) = header
                .iter()
                .position(|h| h == c["cause"].as_str().unwrap())
            else {
                assert_eq!(m, 0.0, "cause {} missing from the table", c["cause"]);
                continue;
            };
            assert_eq!(row[col + 1], drsim::report::format::si(m), "{row:?}");
        }
    }
    // Error bars on the cost-vs-downtime chart: one per plan.
    let frontier = &html[html.find("id=\"chart-frontier\"").unwrap()..];
    let frontier = &frontier[..frontier.find("</svg>").unwrap()];
    assert_eq!(frontier.matches("<path d=\"M").count(), 4);
}

#[test]
fn only_the_date_changes_between_days() {
    let dir = tempfile::tempdir().unwrap();
    let t = topo("small-company.toml");
    let run = |extra: &[&str]| {
        let out = dir.path().join("r.html");
        drsim()
            .args(["report", &t, "--trials", "200", "-q", "-o"])
            .arg(&out)
            .args(extra)
            .env("SOURCE_DATE_EPOCH", "0")
            .assert()
            .success();
        std::fs::read_to_string(&out).unwrap()
    };
    let a = run(&[]);
    assert!(a.contains("Generated 1970-01-01"));
    let b = run(&["--date", "2031-05-06"]);
    assert!(b.contains("Generated 2031-05-06"));
    // Same bytes once the date and the recorded command line are set aside.
    let strip = |s: &str| {
        s.replace(" --date 2031-05-06", "")
            .replace("1970-01-01", "DATE")
            .replace("2031-05-06", "DATE")
    };
    assert_eq!(strip(&a), strip(&b));
    drsim()
        .args(["report", &t, "--date", "2031-13-01", "-o"])
        .arg(dir.path().join("x.html"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a date"));
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
    let (_, page, html) = default_report(dir.path());
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
    let pre = |id: &str| {
        let tag = format!("<pre id=\"{id}\">");
        let start = dom.find(&tag).expect("the check script ran") + tag.len();
        let end = start + dom[start..].find("</pre>").unwrap();
        dom[start..end]
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
    };
    let checked = pre("drsim-check");
    let lines: Vec<&str> = checked.lines().collect();
    assert_eq!(lines.len(), n_charts, "{checked}");
    let boxes = pre("drsim-boxes");
    let size = |name: &str| -> Vec<f64> {
        let l = boxes
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{boxes}"));
        l.split(' ').skip(1).map(|x| x.parse().unwrap()).collect()
    };
    let content = size("content")[0];
    for table in ["targets-table", "causes-table", "plans-table"] {
        let wh = size(table);
        assert!(
            wh[0] > 200.0 && wh[1] > 40.0,
            "{table} not laid out: {boxes}"
        );
    }
    // The rendered text, what prints: targets with their verdicts, units,
    // money, and every downtime-by-cause value (not only in tooltips).
    let text = pre("drsim-text");
    for needed in [
        "Recommendation.",
        "Main finding.",
        "MISSED",
        "met",
        "p99 downtime, min/yr",
        "recovery time (measured)",
        "$680M",
        "Generated ",
    ] {
        assert!(text.contains(needed), "'{needed}' is not visible");
    }
    let cells = html[html.find("id=\"causes-table\"").unwrap()..]
        .split("</table>")
        .next()
        .unwrap()
        .to_string();
    let mut values = 0;
    for c in cells.split("<td>").skip(1) {
        let v = &c[..c.find("</td>").unwrap()];
        assert!(text.contains(v), "cause value {v} is not visible");
        values += 1;
    }
    assert!(values >= 4 * 5, "{values} cause values");
    for l in lines {
        let f: Vec<&str> = l.split(' ').collect();
        assert_eq!(f.len(), 5, "{l}");
        let num = |i: usize| f[i].parse::<f64>().unwrap();
        assert!(num(1) >= 300.0 && num(2) >= 150.0, "chart too small: {l}");
        // Full width: every chart fills the text column.
        assert!(
            num(1) >= 0.95 * content,
            "chart narrower than the page ({content}): {l}"
        );
        assert!(num(3) > 0.01, "chart nearly blank: {l}");
        // Coloured marks at all: the sparsest chart is the frontier, two
        // filled points and their line on the bundled default since its
        // active-active plans pay detection (global-mesh is dominated).
        assert!(num(4) > 0.001, "chart without coloured marks: {l}");
    }
}
