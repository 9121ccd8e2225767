//! Release trains in waves: a bad release is caught in a wave's bake with
//! the wave's probability and the rollout stops there. Oracle: the closed
//! form of two waves, for each site's fraction of time down and the
//! expected site-hours down a year, pinned by `drsim run` within its 95%
//! interval and matched exactly by the random-instant engine.

use crate::common::{Fixture, cli, json_ok, refused, temp_file};
use drsim::units::SECONDS_PER_YEAR;

const HOUR: f64 = 3600.0;

/// Hub `h` (never fails, users enter there) linked to `a` and `b`; plan
/// `w1` serves from `a` (the first wave), `w2` from `b` (the second). The
/// train deploys to a then b: 50 releases a year, 20% bad, the first wave
/// bakes 6 h and catches half of the bad releases that trigger during it;
/// detection lognormal (median 1 h, sigma 1), rollback exponential (mean
/// 30 min). `train_extra` adds keys to the train (a latent trigger).
pub(crate) fn two_waves(train_extra: &str) -> String {
    let f = Fixture::new("waves")
        .site("h")
        .site("a")
        .site("b")
        .link("h", "a")
        .link("h", "b")
        .demand("users", &["h"])
        .plan("w1", &["a"])
        .plan("w2", &["b"]);
    format!(
        "{}[[release_train]]\nid = \"binary\"\nsites = [\"a\", \"b\"]\nreleases_per_year = 50\n\
         bad_release_probability = 0.2\n\
         detection = {{ dist = \"lognormal\", median = \"1h\", sigma = 1.0 }}\n\
         rollback = {{ dist = \"exponential\", mean = \"30m\" }}\n\
         waves = [{{ fraction = 0.5, bake = \"6h\", catch = 0.5 }}, {{ fraction = 1.0 }}]\n{train_extra}",
        f.toml()
    )
}

/// Closed form. Bad releases arrive at rate r = 50 x 0.2 a year; each is
/// caught in wave 1 with probability c = 0.5 x P(trigger < 6 h). A wave-1
/// site is down from its trigger to the rollback: D + R when caught there,
/// bake + D + R when not; a wave-2 site only when not caught, for D + R.
/// Poisson arrivals of such intervals (an M/G/inf queue): P(down) =
/// 1 - exp(-r E[length]).
fn closed_form(p_trigger_in_bake: f64) -> (f64, f64) {
    let r = 10.0 / SECONDS_PER_YEAR;
    let fix = HOUR * 0.5f64.exp() + 0.5 * HOUR;
    let c = 0.5 * p_trigger_in_bake;
    let u1 = -(-r * (fix + (1.0 - c) * 6.0 * HOUR)).exp_m1();
    let u2 = -(-r * (1.0 - c) * fix).exp_m1();
    (u1, u2)
}

fn simulated(text: &str, plan: &str) -> (f64, f64, f64) {
    let (_dir, path) = temp_file("waves.toml", text);
    let flags = format!("--plan {plan} --trials 4000 --years 1 --seed 17 --format json -q");
    let out = json_ok(&mut cli("run", &path, &flags));
    let a = &out["plans"][0]["availability_time"];
    let f = |k: &str| 1.0 - a[k].as_f64().unwrap();
    (f("mean"), f("hi"), f("lo"))
}

fn random_instant(text: &str, plan: &str) -> f64 {
    let (_dir, path) = temp_file("waves.toml", text);
    let flags = format!("--service --plan {plan} --method exact --format json");
    json_ok(&mut cli("reliability", &path, &flags))["unreliability"]
        .as_f64()
        .unwrap()
}

fn check(text: &str, exact: (f64, f64)) {
    let mut site_hours = 0.0;
    for (plan, u) in [("w1", exact.0), ("w2", exact.1)] {
        let (mean, lo, hi) = simulated(text, plan);
        assert!(
            lo <= u && u <= hi,
            "{plan}: simulated {mean} [{lo}, {hi}], exact {u}"
        );
        let engine = random_instant(text, plan);
        assert!(
            (engine - u).abs() < 1e-9 * u,
            "{plan}: engine {engine}, exact {u}"
        );
        site_hours += mean * 8760.0;
    }
    // One site per wave: expected site-hours down a year is the sum.
    let want = (exact.0 + exact.1) * 8760.0;
    assert!(
        (site_hours - want).abs() < 0.05 * want,
        "{site_hours} vs {want}"
    );
}

#[test]
fn two_waves_match_the_closed_form() {
    let text = two_waves("");
    let exact = closed_form(1.0);
    // The stop rule is what the numbers show: wave 2 is hit half as often.
    assert!(exact.1 < 0.6 * exact.0 / 2.0, "{exact:?}");
    check(&text, exact);
}

/// A latent bug (trigger exponential, mean 3 h) escapes the 6 h bake when
/// it triggers after it: caught with 0.5 x (1 - e^-2).
#[test]
fn latent_bugs_escape_bakes_they_outlast() {
    let text = two_waves("trigger = { dist = \"exponential\", mean = \"3h\" }\n");
    check(&text, closed_form(-(-2.0f64).exp_m1()));
}

/// Every wave a bad release reached comes back at one instant. An
/// active-passive plan whose primary `b` is in the last wave and standby `a`
/// in the first never has `a` up while `b` is down, so it fails over never
/// and loses no writes; it is down exactly while `b` is. Seen on the
/// bundled files: with the waves returning one event at a time, the instant
/// with only `a` back moved the async write primary and booked the lag.
#[test]
fn waves_come_back_together() {
    let plan = "[[plan]]\nid = \"ba\"\nserving_sites = [\"b\", \"a\"]\nmode = \"active-passive\"\n\
                replication = \"async\"\nreplication_lag = \"1m\"\n";
    let text = two_waves(plan).replace("catch = 0.5", "catch = 0.0");
    let (_dir, path) = temp_file("waves.toml", &text);
    let flags = "--plan ba --plan w2 --trials 400 --years 1 --seed 5 --format json -q";
    let out = json_ok(&mut cli("run", &path, flags));
    let plan = |id: &str| {
        let plans = out["plans"].as_array().unwrap();
        plans.iter().find(|p| p["plan"] == id).unwrap().clone()
    };
    let (ba, w2) = (plan("ba"), plan("w2"));
    assert_eq!(
        ba["data_lost_minutes_per_year"]["mean"].as_f64(),
        Some(0.0),
        "{ba}"
    );
    let down = |p: &serde_json::Value| p["availability_time"]["mean"].as_f64().unwrap();
    assert!(down(&w2) < 1.0, "bad releases reached b: {w2}");
    assert_eq!(down(&ba), down(&w2), "ba is down exactly while b is");
}

/// Waves are saved and read back unchanged (with distributions for
/// detection and rollback), and a fixed detection stays a plain duration.
#[test]
fn waves_round_trip_through_save() {
    let text = two_waves("trigger = { dist = \"weibull\", shape = 0.7, scale = \"2d\" }\n");
    let path = std::path::Path::new("w.toml");
    let t = drsim::io::load_str(&text, path).unwrap().topology;
    assert_eq!(t.release_trains[0].waves.len(), 2);
    let saved = drsim::io::save::to_toml_string(&t);
    assert!(
        saved.contains("waves = [{ fraction = 0.5, bake = \"6h\""),
        "{saved}"
    );
    let back = drsim::io::load_str(&saved, path).unwrap().topology;
    assert_eq!(back, t);
    let gm = crate::common::topo("global-messaging.toml");
    let t = drsim::io::load_path(std::path::Path::new(&gm)).unwrap();
    let saved = drsim::io::save::to_toml_string(&t);
    assert!(saved.contains("detection = \""), "{saved}");
}

#[test]
fn bad_waves_are_refused_with_their_line() {
    let base = two_waves("");
    let waves = "waves = [{ fraction = 0.5, bake = \"6h\", catch = 0.5 }, { fraction = 1.0 }]";
    for (bad, needle) in [
        ("waves = []", "waves must list 1 to 100 waves, got 0"),
        (
            "waves = [{ fraction = 0.5 }]",
            "its waves never reach 1 of its 2 sites",
        ),
        (
            "waves = [{ fraction = 0.6 }, { fraction = 0.5 }]",
            "never decrease",
        ),
        (
            "waves = [{ fraction = 1.5 }]",
            "wave fraction must be between 0 and 1",
        ),
        (
            "waves = [{ sites = [\"h\"] }, { fraction = 1.0 }]",
            "wave site 'h' is not one of",
        ),
        (
            "waves = [{ sites = [\"a\"], fraction = 0.5 }]",
            "exactly one of fraction or sites",
        ),
        (
            "waves = [{ fraction = 1.0, speed = 2 }]",
            "unknown field `speed`",
        ),
        ("waves = [{ fraction = 1.0, catch = 2 }]", "probability"),
    ] {
        let text = base.replace(waves, bad);
        let (_dir, path) = temp_file("bad-waves.toml", &text);
        let err = refused(cli("validate", &path, ""), needle);
        assert!(err.contains("bad-waves.toml:"), "{err}");
    }
    for (extra, needle) in [
        (
            "canary_sites = [\"a\"]\n",
            "waves cannot be combined with canary_sites",
        ),
        (
            "trigger = { dist = \"gamma\", mean = \"1h\" }\n",
            "unknown distribution 'gamma'",
        ),
    ] {
        let (_dir, path) = temp_file("bad-waves.toml", &format!("{base}{extra}"));
        refused(cli("validate", &path, ""), needle);
    }
    let no_waves = base.replace(waves, "trigger = \"1h\"");
    let (_dir, path) = temp_file("bad-waves.toml", &no_waves);
    refused(
        cli("validate", &path, ""),
        "trigger (latent bugs) needs waves",
    );
}
