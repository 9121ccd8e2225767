//! Services on the command line: validate's dependency warnings, cut sets
//! and report with their chains, capacity --demand, --down service:ID, and
//! compare, diff and check on a file with services. Numbers are pinned by
//! closed forms on a three-site fixture.

use crate::common::{cli, json_ok, refused, succeeded, temp_file};
use serde_json::Value;
use std::path::Path;

/// Probabilities of the fixture: sites a and b down, site c down, dns down
/// as a whole.
const QA: f64 = 0.05;
const QC: f64 = 0.005;
const QD: f64 = 0.01;

/// Serving sites a and b and a third site c, all linked by links that never
/// fail; users enter at a or b. The front end needs auth (on a and b),
/// which needs dns, which runs on c only. Two "redundant" plans serve the
/// front end from a and b: both depend on the one dns.
fn fixture(extra: &str) -> String {
    format!(
        r#"
[topology]
name = "shared-dns"
[defaults.link]
failure = {{ never = true }}
[[site]]
id = "a"
capacity_rps = 1000
failure = {{ unavailability = {QA}, mttr = "1h" }}
[[site]]
id = "b"
capacity_rps = 1000
failure = {{ unavailability = {QA}, mttr = "1h" }}
[[site]]
id = "c"
failure = {{ unavailability = {QC}, mttr = "1h" }}
[[link]]
a = "a"
b = "b"
[[link]]
a = "a"
b = "c"
[[link]]
a = "b"
b = "c"
[[demand]]
id = "users"
sites = ["a", "b"]
users = 1000
peak_rps = 100
[[service]]
id = "front"
requires = ["auth"]
[[service]]
id = "auth"
sites = ["a", "b"]
requires = ["dns"]
[[service]]
id = "dns"
sites = ["c"]
failure = {{ unavailability = {QD}, mttr = "1h" }}
{extra}
[[plan]]
id = "pair"
serving_sites = ["a", "b"]
mode = "active-active"
quorum = 1
headroom = 1.0
serves = "front"
[[plan]]
id = "primary-standby"
serving_sites = ["b", "a"]
mode = "active-passive"
headroom = 1.0
serves = "front"
"#
    )
}

/// Down when dns is down, when c is down, or when both a and b are.
fn closed_form() -> f64 {
    1.0 - (1.0 - QD) * (1.0 - QC) * (1.0 - QA * QA)
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `v[key]` is the closed form `want` to rounding (exact methods only).
fn assert_closed_form(v: &Value, key: &str, want: f64) {
    let got = v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("no {key} in {v:#}"));
    assert!(
        (got - want).abs() < 1e-12,
        "{key} {got}, want {want}: {v:#}"
    );
}

#[test]
fn validate_names_every_cycle_and_each_single_instance_dependency() {
    let extra = r#"
[[service]]
id = "x"
sites = ["a", "b"]
requires = ["y"]
bootstrap = { dist = "fixed", value = "3h" }
[[service]]
id = "y"
sites = ["a", "b"]
requires = ["x"]
[[service]]
id = "z"
sites = ["a"]
requires = ["z"]
"#;
    let (_d, f) = temp_file("deps.toml", &fixture(extra));
    let out = succeeded(cli("validate", &f, "").output().unwrap());
    let err = stderr_of(&out);
    assert!(
        err.contains("dependency cycle: x needs y needs x; it cold-starts in 3h"),
        "{err}"
    );
    assert!(
        err.contains("dependency cycle: z needs z; it has no bootstrap time"),
        "{err}"
    );
    assert!(
        err.contains(
            "plans 'pair', 'primary-standby' serve 'front': front needs auth needs dns, \
             which runs on one site only ('c'), a single point of failure"
        ),
        "{err}"
    );
    // Three warnings, and --deny-warnings turns them into a failure.
    assert_eq!(err.matches("warning:").count(), 3, "{err}");
    refused(cli("validate", &f, "--deny-warnings"), "warning");
}

#[test]
fn validate_warns_when_a_dependency_needs_all_its_instances() {
    let text = fixture("").replace(
        "requires = [\"auth\"]",
        "requires = [{ service = \"auth\", needs = 2 }]",
    );
    let (_d, f) = temp_file("all.toml", &text);
    let err = stderr_of(&succeeded(cli("validate", &f, "").output().unwrap()));
    assert!(
        err.contains("front needs auth, needing all 2 of its instances, a single point of failure"),
        "{err}"
    );
}

#[test]
fn a_file_without_services_gets_no_dependency_warning() {
    let f = crate::common::topo("global-messaging.toml");
    let err = stderr_of(&succeeded(cli("validate", &f, "").output().unwrap()));
    assert!(
        !err.contains("dependency") && !err.contains("single point"),
        "{err}"
    );
}

/// `reliability --service --plan PLAN --method exact` with `flags`, JSON.
fn exact(f: &Path, plan: &str, flags: &str) -> Value {
    json_ok(&mut cli(
        "reliability",
        f,
        &format!("--service --plan {plan} --method exact --format json {flags}"),
    ))
}

fn cut<'a>(v: &'a Value, events: &[&str]) -> Option<&'a Value> {
    v["cut_sets"].as_array().unwrap().iter().find(|c| {
        let e: Vec<&str> = c["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        e == events
    })
}

#[test]
fn a_dependency_shared_by_two_redundant_plans_is_a_single_point_of_failure_of_both() {
    let (_d, f) = temp_file("shared.toml", &fixture(""));
    for plan in ["pair", "primary-standby"] {
        let v = exact(&f, plan, "--cut-sets 2");
        let u = v["unreliability"].as_f64().unwrap();
        assert!(
            (u - closed_form()).abs() <= 1e-12,
            "{plan}: {u} vs {}",
            closed_form()
        );
        let dns = cut(&v, &["service:dns"]).unwrap_or_else(|| panic!("{plan}: {v:#}"));
        assert_eq!(dns["chain"], "front needs auth needs dns, which is down");
        assert!((dns["prob"].as_f64().unwrap() - QD).abs() < 1e-15);
        let site = cut(&v, &["node:c"]).unwrap_or_else(|| panic!("{plan}: {v:#}"));
        assert_eq!(
            site["chain"],
            "front needs auth needs dns: too few dns instances are up and reached"
        );
        // Losing both serving sites is a cut, and no dependency is to blame.
        let both = cut(&v, &["node:a", "node:b"]).unwrap_or_else(|| panic!("{plan}: {v:#}"));
        assert!(both.get("chain").is_none(), "{both}");
        assert_eq!(v["cut_sets"].as_array().unwrap().len(), 3, "{v:#}");
    }
    // The text form shows the chain under its cut set.
    let out = succeeded(
        cli(
            "reliability",
            &f,
            "--service --plan pair --method exact --cut-sets 1",
        )
        .output()
        .unwrap(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let at = text.find("service:dns").expect("the dns cut set");
    assert!(
        text[at..].lines().nth(1).unwrap().trim() == "(front needs auth needs dns, which is down)",
        "{text}"
    );
}

#[test]
fn services_are_ranked_by_importance() {
    let (_d, f) = temp_file("imp.toml", &fixture(""));
    let v = exact(&f, "pair", "--importance");
    let imp = v["importance"].as_array().unwrap();
    let dns = imp
        .iter()
        .find(|i| i["event"]["name"] == "service:dns")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(dns["event"]["kind"], "service");
    // Birnbaum of dns: U(dns down) - U(dns up) = 1 - [1 - (1-QC)(1-QA^2)].
    let want = (1.0 - QC) * (1.0 - QA * QA);
    assert_closed_form(dns, "birnbaum", want);
}

#[test]
fn down_service_holds_the_service_down_in_reliability_and_run() {
    let (_d, f) = temp_file("down.toml", &fixture(""));
    for name in ["service:dns", "dns", "service:auth"] {
        let v = exact(&f, "pair", &format!("--down {name}"));
        let u = v["unreliability"].as_f64().unwrap();
        assert!((u - 1.0).abs() < 1e-12, "{name}: {v:#}");
        assert_eq!(v["what_if"][0], name);
    }
    // A site held down leaves the other serving site and the dependencies.
    let v = exact(&f, "pair", "--down site:a");
    let want = 1.0 - (1.0 - QD) * (1.0 - QC) * (1.0 - QA);
    assert_closed_form(&v, "unreliability", want);
    // Criteria over sites and links do not model services: refused, not
    // silently ignored.
    refused(
        cli("reliability", &f, "--all-terminal --down service:dns"),
        "only --service with a plan that serves a service",
    );
    // The time-based run takes the scenario and names it.
    let run = json_ok(&mut cli(
        "run",
        &f,
        "--trials 20 --plan pair --down service:dns --format json -q",
    ));
    assert_eq!(run["what_if"][0], "service:dns", "{run:#}");
}

#[test]
fn site_criteria_ignore_the_service_nodes_of_a_plan() {
    // All-terminal over a, b and c (links never fail): every site up.
    let (_d, f) = temp_file("at.toml", &fixture(""));
    let v = json_ok(&mut cli(
        "reliability",
        &f,
        "--all-terminal --plan pair --method exact --format json",
    ));
    let want = 1.0 - (1.0 - QA) * (1.0 - QA) * (1.0 - QC);
    assert_closed_form(&v, "unreliability", want);
}

#[test]
fn capacity_demand_serves_through_the_dependencies() {
    let (_d, f) = temp_file("cap.toml", &fixture(""));
    let v = json_ok(&mut cli(
        "capacity",
        &f,
        "--demand --plan pair --samples 200000 --seed 5 --format json -q",
    ));
    // Either site carries the whole peak, so the served fraction is 0 or 1
    // and P(served = 0) is the plan's unreliability.
    let (p, n) = (v["p_none"].as_f64().unwrap(), 200_000.0);
    let se = (closed_form() * (1.0 - closed_form()) / n).sqrt();
    assert!(
        (p - closed_form()).abs() <= 4.0 * se,
        "{p} vs {} (se {se})",
        closed_form()
    );
    assert_eq!(v["p_shortfall"], v["p_none"]);
}

#[test]
fn report_lists_dependency_single_points_of_failure_with_their_chain() {
    let (d, f) = temp_file("rep.toml", &fixture(""));
    let out = d.path().join("report.html");
    succeeded(
        cli("report", &f, "--trials 20 -q --date 2026-01-01 -o")
            .arg(&out)
            .output()
            .unwrap(),
    );
    let html = std::fs::read_to_string(&out).unwrap();
    let spof = &html[html.find("id=\"spof\"").unwrap()..];
    // Both plans: dns and site c are single points of failure, each with
    // its chain.
    assert_eq!(
        spof.matches("front needs auth needs dns, which is down")
            .count(),
        2,
        "{spof}"
    );
    assert!(spof.contains("<code>service:dns</code> <small>(service dns as a whole)</small>"));
    assert_eq!(spof.matches("2 single points of failure").count(), 2);
}

#[test]
fn compare_and_check_run_on_a_file_with_services() {
    let text = fixture("").replacen(
        "quorum = 1\n",
        "quorum = 1\ntargets = { availability = 0.5 }\n",
        1,
    );
    let (_d, f) = temp_file("cmp.toml", &text);
    let v = json_ok(&mut cli("compare", &f, "--trials 20 -q --format json"));
    let s = v.to_string();
    assert!(
        s.contains("\"pair\"") && s.contains("\"primary-standby\""),
        "{s}"
    );
    let out = succeeded(cli("check", &f, "--trials 20 -q").output().unwrap());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1 met"), "{text}");
}

#[test]
fn diff_lists_service_changes() {
    let old = fixture("[[service]]\nid = \"cache\"\nsites = [\"a\"]\n");
    let new = fixture("[[service]]\nid = \"oob\"\nsites = [\"a\", \"b\"]\n")
        .replace(
            "id = \"auth\"\nsites = [\"a\", \"b\"]\nrequires = [\"dns\"]",
            "id = \"auth\"\nsites = [\"a\", \"b\"]\nrequires = [\"dns\"]\nreach = \"region\"",
        )
        .replacen("serves = \"front\"", "serves = \"auth\"", 1);
    let (d, a) = temp_file("old.toml", &old);
    let b = d.path().join("new.toml");
    std::fs::write(&b, new).unwrap();
    let v = json_ok(
        cli("diff", &a, "--model-only --format json")
            .arg(&b)
            .arg("-q"),
    );
    let model = v["model"].as_array().unwrap();
    let find = |kind: &str, id: &str| {
        model
            .iter()
            .find(|c| c["kind"] == kind && c["id"] == id)
            .unwrap_or_else(|| panic!("{kind} {id}: {v:#}"))
    };
    assert_eq!(find("service", "cache")["change"], "removed");
    assert_eq!(find("service", "oob")["change"], "added");
    let auth = find("service", "auth");
    assert_eq!(auth["change"], "changed");
    assert_eq!(auth["fields"][0]["field"], "reach");
    assert_eq!(auth["fields"][0]["new"], "region");
    let plan = find("plan", "pair");
    assert_eq!(plan["fields"][0]["field"], "serves");
    assert_eq!(plan["fields"][0]["old"], "front");
    assert_eq!(plan["fields"][0]["new"], "auth");
}
