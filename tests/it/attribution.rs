//! Attribution a reviewer can act on (issue 14 item 6): downtime goes to the
//! event that holds the blamed components (a shared risk once, not its
//! members in equal halves), and an outage to the event that started it
//! while that event still holds something blamed. Fixed-time cases with
//! known answers.

use crate::common::{cli, json_ok, temp_file};
use serde_json::Value;

const FIXED: &str = r#"{ dist = "fixed", value = "#;

/// A fixed up time `ttf` then a fixed down time `ttr`.
fn fixed(ttf: &str, ttr: &str) -> String {
    format!("{{ ttf = {FIXED}\"{ttf}\" }}, ttr = {FIXED}\"{ttr}\" }} }}")
}

/// Serving site `a`, users entering at `b`, two links between them and a
/// shared risk `g` over `members`; `fa` is `a`'s failure.
fn file(fa: &str, members: &str, risk: &str) -> String {
    format!(
        r#"
[topology]
name = "attribution"

[[site]]
id = "a"
failure = {fa}

[[site]]
id = "b"
failure = {{ never = true }}

[[link]]
id = "north"
a = "a"
b = "b"
failure = {{ never = true }}

[[link]]
id = "south"
a = "a"
b = "b"
failure = {{ never = true }}

[[shared_risk]]
id = "g"
kind = "conduit"
{members}
failure = {risk}

[[demand]]
id = "users"
sites = ["b"]
users = 1000
peak_rps = 100

[[plan]]
id = "p"
serving_sites = ["a"]
mode = "active-active"
headroom = 1.0
"#
    )
}

/// Minutes a year by name, nonzero only.
type Minutes = Vec<(String, f64)>;

/// (top components, downtime by cause).
fn blame(text: &str) -> (Minutes, Minutes) {
    let (_dir, path) = temp_file("a.toml", text);
    let p =
        json_ok(&mut cli("run", &path, "--trials 2 --seed 1 --format json"))["plans"][0].clone();
    let list = |v: &Value, key: &str| {
        let rows = v.as_array().unwrap().iter();
        let rows = rows.map(|r| {
            (
                r[key].as_str().unwrap().to_string(),
                r["minutes_per_year"].as_f64().unwrap(),
            )
        });
        rows.filter(|r| r.1 > 0.0).collect::<Vec<_>>()
    };
    (
        list(&p["top_components"], "component"),
        list(&p["downtime_by_cause"], "cause"),
    )
}

fn close(got: &[(String, f64)], want: &[(&str, f64)]) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (w, m) in want {
        let g = got
            .iter()
            .find(|(k, _)| k == w)
            .unwrap_or_else(|| panic!("{w} in {got:?}"));
        assert!((g.1 - m).abs() < 1e-9, "{w}: {} vs {m}", g.1);
    }
}

/// A conduit that cuts both links of the only path: its 3 hours a year are
/// the shared risk's, not 90 minutes for each cable (the even split of
/// components this rule replaced).
#[test]
fn a_conduit_cut_is_blamed_on_the_shared_risk_not_its_cables() {
    let text = file(
        "{ never = true }",
        "links = [\"north\", \"south\"]",
        &fixed("200d", "3h"),
    );
    let (top, causes) = blame(&text);
    close(&top, &[("shared-risk:g", 180.0)]);
    close(&causes, &[("shared-risk", 180.0)]);
}

/// Site `a` fails on its own at day 200 for 2 h; an hour in, a shared risk
/// over `a` holds it down for 3 h more (to 4 h). The outage is blamed on
/// its starter, `a`'s failure, while it lasts (2 h), then on the risk (2 h);
/// splitting the overlap evenly would give 1.5 h and 2.5 h.
#[test]
fn an_outage_is_blamed_on_the_event_that_started_it() {
    let text = file(
        &fixed("200d", "2h"),
        "sites = [\"a\"]",
        &fixed("4801h", "3h"),
    );
    let (top, causes) = blame(&text);
    close(&top, &[("site:a", 120.0), ("shared-risk:g", 120.0)]);
    close(&causes, &[("hardware", 120.0), ("shared-risk", 120.0)]);
    // The other way round: the risk starts (day 200, 3 h) and `a` fails an
    // hour in for 2 h, ending with it: all 3 h are the risk's.
    let text = file(
        &fixed("4801h", "2h"),
        "sites = [\"a\"]",
        &fixed("200d", "3h"),
    );
    let (top, causes) = blame(&text);
    close(&top, &[("shared-risk:g", 180.0)]);
    close(&causes, &[("shared-risk", 180.0)]);
}
