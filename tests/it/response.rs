//! Crew response delays by time of week (`[[crew]] response`, issue 14
//! item 3): a member dispatched at a trial time takes that time's delay
//! before the repair. Oracle: restores dispatched at Poisson hazard times,
//! so the expected delay is the year's time average of the delay rule.
//! The random-instant engines add the week's average to each repair a
//! crew with members to spare makes: closed forms to 1e-9.

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

/// The mean over a week of the delay rule, by the hour: (40 h business, 80
/// h night, 48 h weekend) / 168 h.
fn week_delay_hours(business: f64, night: f64, weekend: f64) -> f64 {
    let total: f64 = (0..168)
        .map(|h| match (h / 24, h % 24) {
            (5 | 6, _) => weekend,
            (_, 9..=16) => business,
            _ => night,
        })
        .sum();
    total / 168.0
}

const HOUR: f64 = 3600.0;
const YEAR: f64 = 365.0 * 86_400.0;
const RULE: &str = "response = { business = \"15m\", night = \"1h\", weekend = \"2h\" }";

/// `reliability --service --plan p` on `text` with `flags`: (P(down), SE).
fn p_down(text: &str, flags: &str) -> (f64, f64) {
    let (_dir, path) = temp_file("r.toml", text);
    let args = format!("--service --plan p --format json {flags}");
    let out = json_ok(&mut cli("reliability", &path, &args));
    let f = |k: &str| out[k].as_f64().unwrap();
    (f("unreliability"), f("std_error"))
}

/// The README's hazard case at a random instant: ten restores a year,
/// each the week's mean delay plus 1 h, an M/G/inf queue: P(down) = 1 -
/// exp(-10 (E[W] + 1 h) / 1 y), exact to 1e-9, with crude sampling and
/// `drsim run` (the year's calendar, 1,263.7 min/year by rate x duration)
/// agreeing within their intervals.
#[test]
fn the_random_instant_adds_the_weeks_mean_response_to_each_restore() {
    let text = file(RULE);
    let wait = week_delay_hours(0.25, 1.0, 2.0) * HOUR;
    let exact = -(-10.0 * (wait + HOUR) / YEAR).exp_m1();
    let (p, _) = p_down(&text, "--method exact");
    assert!((p - exact).abs() <= 1e-9 * exact, "{p} vs {exact}");
    let (crude, se) = p_down(&text, "--method crude --samples 2000000 --seed 3");
    within(crude, exact, se, "crude P(down)");
    // Without the response: one hour a restore, as before.
    let (bare, _) = p_down(&file(""), "--method exact");
    assert!((bare - -(-10.0 * HOUR / YEAR).exp_m1()).abs() <= 1e-9 * bare);
    let flags = "--trials 4000 --seed 2 --format json -q";
    let (_dir, path) = temp_file("r.toml", &text);
    let run = json_ok(&mut cli("run", &path, flags))["plans"][0].clone();
    let d = &run["downtime_minutes_per_year"]["mean"];
    let (mean, se) = (d["mean"].as_f64().unwrap(), d["se"].as_f64().unwrap());
    within(mean, exact * YEAR / 60.0, se, "run vs the random instant");
}

/// A site's own failures (MTBF 30 d, 1 h repairs) repaired by a site crew
/// of one member, which never runs out (one failure process): down (E[W] +
/// 1 h) / (30 d + E[W] + 1 h) of the time at a random instant, and in
/// `drsim run` within its interval; the crew's queue is not warned about.
#[test]
fn a_site_repair_waits_the_weeks_mean_response_at_a_random_instant() {
    let f = Fixture::new("hardware")
        .site("a")
        .set("failure", "{ mtbf = \"30d\", mttr = \"1h\" }")
        .demand("users", &["a"])
        .plan("p", &["a"]);
    let crew = format!("[[crew]]\nid = \"hands\"\nkinds = [\"site\"]\nsize = 1\n{RULE}\n");
    let text = format!("{}{crew}", f.toml());
    let wait = week_delay_hours(0.25, 1.0, 2.0) * HOUR;
    let down = wait + HOUR;
    let exact = down / (30.0 * 86_400.0 + down);
    let (_dir, path) = temp_file("r.toml", &text);
    let out = cli(
        "reliability",
        &path,
        "--service --plan p --method exact --format json",
    )
    .output()
    .unwrap();
    assert!(out.status.success());
    let e = String::from_utf8(out.stderr).unwrap();
    assert!(!e.contains("warning"), "{e}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = v["unreliability"].as_f64().unwrap();
    assert!((p - exact).abs() <= 1e-9 * exact, "{p} vs {exact}");
    let run = json_ok(&mut cli(
        "run",
        &path,
        "--trials 3000 --seed 5 --format json -q",
    ));
    let a = &run["plans"][0]["availability_time"];
    let (mean, se) = (1.0 - a["mean"].as_f64().unwrap(), a["se"].as_f64().unwrap());
    within(mean, exact, se, "run unavailability vs the random instant");
    // Without the response, 1 h / (30 d + 1 h): excluded by run.
    let bare = HOUR / (30.0 * 86_400.0 + HOUR);
    assert!((mean - bare).abs() > 6.0 * se, "{mean} vs {bare} ± {se}");
}

/// A fleet command (twice a year, 4 h per site) over `a`, whose site crew
/// responds in 3 h at every hour, and `b`, which no crew covers: `a` is
/// back 7 h after each command and `b` after 4 h, so at a random instant
/// both are down with probability 1 - exp(-2 x 4 h / 1 y) (plan `any`,
/// quorum 1) and `a` with 1 - exp(-2 x 7 h / 1 y) (plan `both`), exact to
/// 1e-9; `drsim run` gives 2 x 4 h and 2 x 7 h a year within its intervals.
#[test]
fn a_fleet_command_keeps_the_sites_waiting_for_a_crew_down_longer() {
    let f = (Fixture::new("fleet-wait").site("h"))
        .site("a")
        .set("region", "\"eu\"")
        .link("h", "a")
        .site("b")
        .link("h", "b")
        .demand("users", &["h"]);
    let text = format!(
        "[[region]]\nid = \"eu\"\n{}[[fleet_command]]\nid = \"drain\"\nsites = [\"a\", \"b\"]\n\
         annual_rate = 2.0\noutage = {{ dist = \"fixed\", value = \"4h\" }}\n\
         [[crew]]\nid = \"hands\"\nregions = [\"eu\"]\nkinds = [\"site\"]\nsize = 1\n\
         response = {{ business = \"3h\", night = \"3h\", weekend = \"3h\" }}\n\
         [[plan]]\nid = \"any\"\nserving_sites = [\"a\", \"b\"]\nmode = \"active-active\"\n\
         quorum = 1\nheadroom = 1.0\n\
         [[plan]]\nid = \"both\"\nserving_sites = [\"a\", \"b\"]\nmode = \"active-active\"\n\
         quorum = 2\nheadroom = 1.0\n",
        f.toml()
    );
    let (_dir, path) = temp_file("fleet-wait.toml", &text);
    for (plan, hours) in [("any", 4.0), ("both", 7.0)] {
        let exact = -(-2.0 * hours * HOUR / YEAR).exp_m1();
        let args = format!("--service --plan {plan} --method exact --format json");
        let v = json_ok(&mut cli("reliability", &path, &args));
        let p = v["unreliability"].as_f64().unwrap();
        assert!((p - exact).abs() <= 1e-9 * exact, "{plan}: {p} vs {exact}");
        let flags = format!("--plan {plan} --trials 1000 --seed 4 --format json -q");
        let run = json_ok(&mut cli("run", &path, &flags))["plans"][0].clone();
        let d = &run["downtime_minutes_per_year"]["mean"];
        let (mean, se) = (d["mean"].as_f64().unwrap(), d["se"].as_f64().unwrap());
        within(mean, 2.0 * hours * 60.0, se, plan);
    }
}
