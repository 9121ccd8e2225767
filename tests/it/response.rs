//! Crew response delays by time of week (`[[crew]] response`, issue 14
//! item 3): a member dispatched at a trial time takes that time's delay
//! before the repair. Oracle: restores dispatched at Poisson hazard times,
//! so the expected delay is the year's time average of the delay rule.

use crate::common::{Fixture, cli, json_ok, refused, temp_file, within};

/// One site `a` in region `eu` (where users enter and the plan serves),
/// hit by a hazard ten times a year for a fixed hour of hands-on work, and a
/// disaster crew that never runs out, with `response` (none when empty).
fn file(response: &str) -> String {
    let f = Fixture::new("response")
        .site("a")
        .set("region", "\"eu\"")
        .demand("users", &["a"])
        .plan("p", &["a"]);
    let region = "[[region]]\nid = \"eu\"\n[[region.hazard]]\nkind = \"flood\"\n\
                  annual_rate = 10.0\nsite_hit_probability = 1.0\n\
                  outage = { dist = \"fixed\", value = \"1h\" }\n";
    let crew =
        format!("[[crew]]\nid = \"hands\"\nkinds = [\"disaster\"]\nsize = 1000\n{response}\n");
    format!("{region}{}{crew}", f.toml())
}

/// The mean over a trial-year of the delay rule: 52 weeks and a Monday,
/// business hours 09-17 UTC Monday to Friday, weekends whole days.
fn mean_delay_hours(business: f64, night: f64, weekend: f64) -> f64 {
    let total: f64 = (0..8760)
        .map(|h| match ((h / 24) % 7, h % 24) {
            (5 | 6, _) => weekend,
            (_, 9..=16) => business,
            _ => night,
        })
        .sum();
    total / 8760.0
}

#[test]
fn restores_wait_the_response_of_the_hour_they_are_dispatched() {
    let response = "response = { business = \"15m\", night = \"1h\", weekend = \"2h\" }";
    let (_dir, path) = temp_file("r.toml", &file(response));
    let flags = "--trials 4000 --seed 2 --format json -q";
    let p = json_ok(&mut cli("run", &path, flags))["plans"][0].clone();
    let d = &p["downtime_minutes_per_year"]["mean"];
    let (mean, se) = (d["mean"].as_f64().unwrap(), d["se"].as_f64().unwrap());
    // Ten events a year, each the hour's delay plus 1 h (overlapping
    // events, about 0.25% of the time, are inside the gate).
    let exact = 10.0 * 60.0 * (mean_delay_hours(0.25, 1.0, 2.0) + 1.0);
    within(mean, exact, se, "downtime with response delays");
    // Without the response only the hour of work is left: excluded.
    assert!((mean - 600.0).abs() > 10.0 * se, "{mean}");
}

#[test]
fn responses_are_refused_with_their_line_and_round_trip() {
    let long = file("response = { night = \"8d\" }");
    let (_dir, path) = temp_file("bad-response.toml", &long);
    let err = refused(
        cli("validate", &path, ""),
        "response night must be at most 7d",
    );
    assert!(err.contains("bad-response.toml:"), "{err}");
    let typo = file("response = { nights = \"1h\" }");
    let (_dir, path) = temp_file("typo.toml", &typo);
    refused(cli("validate", &path, ""), "nights");
    let load = |text: &str| {
        let path = std::path::Path::new("f.toml");
        drsim::io::load_str(text, path).unwrap().topology
    };
    let t = load(&file("response = { business = \"15m\", weekend = \"2h\" }"));
    let r = t.crews[0].response.unwrap();
    assert_eq!(
        (r.business.secs(), r.night.secs(), r.weekend.secs()),
        (900.0, 0.0, 7200.0)
    );
    let saved = drsim::io::save::to_toml_string(&t);
    assert!(saved.contains("response = {"), "{saved}");
    assert_eq!(load(&saved), t);
}
