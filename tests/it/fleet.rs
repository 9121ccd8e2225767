//! Fleet-wide operator commands (`[[fleet_command]]`, issue 14 item 2): one
//! command takes every site of its scope down at once; with a site crew
//! their restores queue. Closed forms: Poisson commands at rate r, each
//! costing a k-of-n plan ceil(k / c) restores of d with c crew members (d
//! with unlimited repairs); the static engine's M/G/inf shock 1 - e^(-r d).

use crate::common::{Fixture, cli, json_ok, refused, temp_file, within};
use serde_json::Value;

const YEAR_MIN: f64 = 365.0 * 1440.0;

/// Hub `h` (never fails, users enter there) linked to six sites of region
/// `eu` that never fail on their own; plans `one` and `three` need 1 and 3
/// of them (headroom 5: one site carries everything); a command over
/// region `eu` twice a year, each a fixed 4 h per site; `crew` appended.
fn file(crew: &str) -> String {
    let mut f = Fixture::new("fleet-command").site("h");
    let ids: Vec<String> = (0..6).map(|i| format!("s{i}")).collect();
    for id in &ids {
        f = f.site(id).set("region", "\"eu\"").link("h", id);
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    f = f.demand("users", &["h"]);
    for (plan, quorum) in [("one", "1"), ("three", "3")] {
        f = f
            .plan(plan, &refs)
            .set("quorum", quorum)
            .set("headroom", "5");
    }
    let command = "[[fleet_command]]\nid = \"drain\"\nregions = [\"eu\"]\nannual_rate = 2.0\n\
                   outage = { dist = \"fixed\", value = \"4h\" }\n";
    format!("[[region]]\nid = \"eu\"\n{}{command}{crew}", f.toml())
}

fn run(text: &str, plan: &str) -> Value {
    let (_dir, path) = temp_file("fleet.toml", text);
    let flags = format!("--plan {plan} --trials 1000 --seed 3 --format json -q");
    json_ok(&mut cli("run", &path, &flags))["plans"][0].clone()
}

/// Mean downtime (min/yr) and its standard error; the recovery p50 and p90.
fn downtime(p: &Value) -> (f64, f64, f64, f64) {
    let d = &p["downtime_minutes_per_year"]["mean"];
    let r = &p["recovery"];
    let f = |v: &Value, k: &str| v[k].as_f64().unwrap();
    (
        f(d, "mean"),
        f(d, "se"),
        f(r, "p50_minutes"),
        f(r, "p90_minutes"),
    )
}

#[test]
fn a_fleet_command_costs_each_plan_its_queue_of_restores() {
    let crew = "[[crew]]\nid = \"hands\"\nkinds = [\"site\"]\nsize = 1\n";
    for (text, plan, restores) in [
        (file(""), "one", 1.0),
        (file(""), "three", 1.0),
        (file(crew), "one", 1.0),
        (file(crew), "three", 3.0),
    ] {
        let (mean, se, p50, p90) = downtime(&run(&text, plan));
        // Two commands a year; overlapping ones (P ~ 2 x 12 h / year) are
        // far inside the 4-standard-error gate.
        within(
            mean,
            2.0 * restores * 240.0,
            se,
            &format!("{plan}, {restores} restores"),
        );
        assert_eq!((p50, p90), (restores * 240.0, restores * 240.0), "{plan}");
        // Booked to the operator.
        assert!(text.contains("fleet_command"));
    }
    let p = run(&file(crew), "three");
    let causes = p["downtime_by_cause"].as_array().unwrap();
    let operator = causes.iter().find(|c| c["cause"] == "operator").unwrap();
    assert_eq!(operator["share"].as_f64().unwrap(), 1.0);
}

/// The static engine holds every site of the scope down with the command's
/// M/G/inf probability 1 - e^(-r d), whatever the quorum.
#[test]
fn the_static_engine_sees_one_shock_over_the_scope() {
    let (_dir, path) = temp_file("fleet.toml", &file(""));
    let exact = -(-2.0 * 240.0 / YEAR_MIN).exp_m1();
    for plan in ["one", "three"] {
        let flags = format!("--service --plan {plan} --method exact --format json");
        let u = json_ok(&mut cli("reliability", &path, &flags))["unreliability"]
            .as_f64()
            .unwrap();
        assert!(
            (u - exact).abs() < 1e-12 * exact.max(1e-300) + 1e-15,
            "{plan}: {u} vs {exact}"
        );
    }
}

#[test]
fn fleet_commands_are_refused_with_their_line_and_round_trip() {
    let base = file("");
    for (from, to, needle) in [
        (
            "regions = [\"eu\"]",
            "regions = [\"eux\"]",
            "unknown region 'eux'",
        ),
        ("annual_rate = 2.0", "annual_rate = -1.0", "annual_rate"),
        (
            "regions = [\"eu\"]",
            "sites = [\"s9\"]",
            "unknown site 's9'",
        ),
    ] {
        let (_dir, path) = temp_file("bad-fleet.toml", &base.replace(from, to));
        let err = refused(cli("validate", &path, ""), needle);
        assert!(err.contains("bad-fleet.toml:"), "{err}");
    }
    let load = |text: &str| {
        let path = std::path::Path::new("f.toml");
        drsim::io::load_str(text, path).unwrap().topology
    };
    let t = load(&base);
    assert_eq!(t.fleet_commands[0].sites.len(), 6);
    let saved = drsim::io::save::to_toml_string(&t);
    assert!(saved.contains("[[fleet_command]]"), "{saved}");
    assert_eq!(load(&saved), t);
}
