//! Data, the rest of issue 14 item 4: corruption from trains rolled out in
//! waves (latent triggers included), backup retention, and backups kept as
//! several copies (sites or regions). Each rule is pinned by a closed form
//! (or an exact integral) that `drsim run` must match within 4 standard
//! errors at a fixed seed.

use crate::common::{Fixture, cli, refused, temp_file, within};
use crate::data_loss::{DAY_MIN, f, run};

/// A plan serving from `site` with daily backups and `extra` keys.
fn plan(id: &str, site: &str, extra: &str) -> String {
    format!(
        "\n[[plan]]\nid = \"{id}\"\nserving_sites = [\"{site}\"]\nmode = \"active-active\"\nbackup_interval = \"1d\"\n{extra}\n"
    )
}

/// The two waves of `tests/it/waves.rs` (r = 50 x 0.2 = 10 bad releases a
/// year to `a` then `b`; wave 1 bakes 6 h and catches half of the bugs
/// that trigger in it; detection D lognormal, median 1 h, sigma 1), half
/// of the bad releases corrupting; plan `w1` keeps its only replica on `a`
/// (the first wave), `w2` on `b` (the second), both with daily backups.
fn two_waves(train_extra: &str) -> String {
    let text = crate::waves::two_waves(&format!("corrupts = 0.5\n{train_extra}"));
    let modes = "mode = \"active-active\"\n";
    text.replace(modes, &format!("{modes}backup_interval = \"1d\"\n"))
}

/// Closed form of the two waves with catch probability `c` in wave 1. A
/// corrupting release (rate r q = 5 a year) corrupts `w1`'s data from its
/// trigger in wave 1; it is noticed D after the trigger in the wave that
/// stopped it: wave 1 (probability c) or wave 2, one 6 h bake later. So
/// `w1` loses D + U(0, 1 d) + (1 - I) 6 h, mean E[D] + B/2 + (1 - c) 6 h;
/// `w2` is corrupted only when wave 2 gets it (rate r q (1 - c)) and loses
/// D + U(0, 1 d), mean E[D] + B/2, whatever the trigger delay: the
/// corruption starts at the trigger, not at the deploy.
fn check_waves(text: &str, c: f64) {
    let trials = 2000.0;
    let out = run(text, "--trials 2000 --seed 11");
    let bake = 360.0;
    // Lognormal D (minutes): mean 60 e^(1/2), variance 60^2 (e - 1) e.
    let e = std::f64::consts::E;
    let (d_mean, d_var) = (60.0 * e.sqrt(), 3600.0 * (e - 1.0) * e);
    let var = DAY_MIN * DAY_MIN / 12.0 + d_var;
    let cases = [
        (5.0, (1.0 - c) * bake, var + c * (1.0 - c) * bake * bake),
        (5.0 * (1.0 - c), 0.0, var),
    ];
    for (p, (rate, bakes, var)) in out.iter().zip(cases) {
        let r = &p["rpo"];
        let id = p["plan"].as_str().unwrap();
        let n = f(r, &["incidents"]);
        let rate_se = (rate / trials).sqrt();
        within(f(r, &["incidents_per_year"]), rate, rate_se, id);
        let mean = d_mean + DAY_MIN / 2.0 + bakes;
        within(f(r, &["mean_minutes"]), mean, (var / n).sqrt(), id);
        assert_eq!(f(r, &["total_losses_per_year", "mean"]), 0.0, "{id}");
    }
}

#[test]
fn wave_corruption_matches_the_closed_form() {
    check_waves(&two_waves(""), 0.5);
}

/// A latent bug (trigger exponential, mean 3 h) escapes the 6 h bake when
/// it triggers after it: c = 0.5 (1 - e^-2). `w2`'s loss stays D + B/2:
/// the hours the bug lay latent lose nothing.
#[test]
fn latent_wave_corruption_starts_at_the_trigger() {
    let text = two_waves("trigger = { dist = \"exponential\", mean = \"3h\" }\n");
    check_waves(&text, 0.5 * -(-2.0f64).exp_m1());
}

/// One site `a` in region `r`, hit by a bad release 4 times a year, every
/// one corrupting, noticed after D ~ Exp(mean m = 1 d); `plans` follow.
fn corrupting_train(plans: &str) -> String {
    let base = Fixture::new("retention")
        .site("a")
        .site("b")
        .link("a", "b")
        .demand("users", &["a", "b"])
        .toml();
    format!(
        "{base}[[release_train]]\nid = \"push\"\nsites = [\"a\"]\nreleases_per_year = 4\n\
         bad_release_probability = 1\ncorrupts = 1\n\
         detection = {{ dist = \"exponential\", mean = \"1d\" }}\nrollback = \"30m\"\n{plans}"
    )
}

/// Oracle: daily backups (B = 1 d) kept R = 2 d. The newest backup before
/// the corruption is U B old then (U uniform) and U B + D old when it is
/// noticed; past R it is gone, and every older one with it: a total loss
/// with probability P(D + U B > R) = (m / B) e^(-R/m) (e^(B/m) - 1) =
/// e^-2 (e - 1) = 0.2325. The other incidents lose U B + D given that it
/// is at most R: mean and spread from the exact integral. Without
/// retention every incident is bounded, mean B/2 + m.
#[test]
fn retention_turns_old_backups_into_total_losses() {
    let plans = plan("kept-2d", "a", "retention = \"2d\"") + &plan("kept-forever", "a", "");
    let out = run(&corrupting_train(&plans), "--trials 5000 --seed 2");
    let (b, m, r): (f64, f64, f64) = (1.0, 1.0, 2.0);
    let p_total = m / b * (-r / m).exp() * (b / m).exp_m1();
    // The loss L = u + d over u ~ U(0, B), d ~ Exp(m), given L <= R: a
    // midpoint rule on a fine grid (exact to far below the tolerance).
    let k = 2000;
    let (mut mass, mut first, mut second) = (0.0, 0.0, 0.0);
    for i in 0..k {
        let u = (i as f64 + 0.5) * b / k as f64;
        for j in 0..k {
            let d = (j as f64 + 0.5) * (r - u) / k as f64;
            let w = (-d / m).exp() / m * (r - u) / k as f64 / k as f64;
            mass += w;
            first += w * (u + d);
            second += w * (u + d) * (u + d);
        }
    }
    assert!((mass - (1.0 - p_total)).abs() < 1e-6, "{mass} vs {p_total}");
    let mean = first / mass * DAY_MIN;
    let sd = (second / mass - (first / mass).powi(2)).sqrt() * DAY_MIN;

    let rpo = &out[0]["rpo"];
    let n = f(rpo, &["incidents"]);
    let totals = f(rpo, &["total_losses_per_year", "mean"]) * 5000.0;
    let se = (p_total * (1.0 - p_total) / n).sqrt();
    within(totals / n, p_total, se, "P(total loss)");
    within(
        f(rpo, &["mean_minutes"]),
        mean,
        sd / (n - totals).sqrt(),
        "mean loss of the rest",
    );
    // A quarter are total losses: p50 is a bounded loss (at most R), p90
    // falls on a total loss.
    assert!(f(rpo, &["p50_minutes"]) <= r * DAY_MIN, "{rpo}");
    assert!(rpo["p90_minutes"].is_null(), "{rpo}");
    // Kept forever: the same incidents, all bounded.
    let forever = &out[1]["rpo"];
    assert_eq!(f(forever, &["incidents"]), n);
    assert_eq!(f(forever, &["total_losses_per_year", "mean"]), 0.0);
    let sd = DAY_MIN * (1.0f64 / 12.0 + 1.0).sqrt();
    within(
        f(forever, &["mean_minutes"]),
        DAY_MIN * 1.5,
        sd / n.sqrt(),
        "mean loss kept forever",
    );
}

/// Sites: `a` (the only replica, region `ra`: fires 2 a year), `c1` and
/// `c2` (regions `r1`, `r2`: fires 2 a year each, independent), `d1` and
/// `d2` (region `q`: an earthquake 2 a year hits both), `e` (region `h`:
/// a flood 4 a year reaching each of its sites, and a store there, with
/// probability 1/2). Backups every B = 73 d (5 a year, so the phase of a
/// fire is uniform); `plans` follow.
fn stores(plans: &str) -> String {
    let mut fx = Fixture::new("backup-copies");
    for (site, region) in [
        ("a", "ra"),
        ("c1", "r1"),
        ("c2", "r2"),
        ("d1", "q"),
        ("d2", "q"),
        ("e", "h"),
    ] {
        fx = fx.site(site).set("region", &format!("\"{region}\""));
    }
    let mut base = fx
        .link("a", "c1")
        .link("a", "c2")
        .link("a", "d1")
        .link("a", "d2")
        .link("a", "e")
        .demand("users", &["a"])
        .toml();
    let mut regions = String::new();
    for (id, kind, rate, reach) in [
        ("ra", "fire", 2, 1.0),
        ("r1", "fire", 2, 1.0),
        ("r2", "fire", 2, 1.0),
        ("q", "earthquake", 2, 1.0),
        ("h", "flood", 4, 0.5),
    ] {
        regions.push_str(&format!(
            "[[region]]\nid = \"{id}\"\n[[region.hazard]]\nkind = \"{kind}\"\nannual_rate = {rate}\n\
             site_hit_probability = {reach}\noutage = {{ dist = \"fixed\", value = \"1h\" }}\n"
        ));
    }
    base = base.replacen("format = 1\n", &format!("format = 1\n{regions}"), 1);
    format!("{base}{plans}")
}

/// Oracle: a fire on `a` at a uniform phase w = U B after the last backup
/// finds that backup gone when every copy's store burnt in the last w
/// (then every older one is gone too). Store events at rate λ = 2 a year,
/// x = λ B = 0.4:
/// - one copy, or two copies one event always reaches together (two sites
///   of one region, a region store): P = E[1 - e^(-x U)] = 1 - (1 - e^-x)/x;
/// - two copies burnt by independent fires (two regions): never in one
///   event, so P = E[(1 - e^(-x U))^2] = 1 - 2 (1 - e^-x)/x + (1 - e^-2x)/(2x);
/// - a region store reached with probability 1/2 by floods at 4 a year:
///   rate 2 again, P as one copy.
///
/// The bounded incidents lose U B given the backup survived: mean
/// B E[U S(U)] / E[S(U)], S the survival of the copies over U B.
#[test]
fn backup_copies_survive_unless_every_copy_burns() {
    let plans = [
        ("one", "backup_site = \"c1\""),
        ("two-regions", "backup_site = [\"c1\", \"c2\"]"),
        ("one-region", "backup_site = [\"d1\", \"d2\"]"),
        ("region", "backup_region = \"q\""),
        ("half-reach", "backup_region = \"h\""),
    ];
    let text: String = plans
        .iter()
        .map(|(id, keys)| {
            let p = plan(id, "a", keys);
            p.replace("backup_interval = \"1d\"", "backup_interval = \"73d\"")
        })
        .collect();
    let trials = 5000.0;
    let out = run(&stores(&text), "--trials 5000 --seed 5");
    let b_min = 73.0 * DAY_MIN;
    let x = 2.0 * 73.0 / 365.0;
    // A second fire on `a` while it is down (1 h) burns nothing new.
    let fires = 2.0 / (1.0 + 2.0 / 8760.0);
    let one = |u: f64| (-x * u).exp();
    let two = |u: f64| 1.0 - (1.0 - (-x * u).exp()).powi(2);
    let survive: [&dyn Fn(f64) -> f64; 5] = [&one, &two, &one, &one, &one];
    for (p, s) in out.iter().zip(survive) {
        let id = p["plan"].as_str().unwrap();
        let r = &p["rpo"];
        let k = 100_000;
        let (mut mass, mut first, mut second) = (0.0, 0.0, 0.0);
        for i in 0..k {
            let u = (i as f64 + 0.5) / k as f64;
            mass += s(u) / k as f64;
            first += s(u) * u / k as f64;
            second += s(u) * u * u / k as f64;
        }
        let p_total = 1.0 - mass;
        let totals = f(r, &["total_losses_per_year", "mean"]) * trials;
        let n = f(r, &["incidents"]);
        within(n / trials, fires, (fires / trials).sqrt(), id);
        let se = (p_total * (1.0 - p_total) / n).sqrt();
        within(totals / n, p_total, se, &format!("{id}: P(total loss)"));
        let mean = first / mass;
        let sd = (second / mass - mean * mean).sqrt() * b_min;
        let bounded = n - totals;
        within(
            f(r, &["mean_minutes"]),
            mean * b_min,
            sd / bounded.sqrt(),
            &format!("{id}: mean loss"),
        );
    }
    // Two independent copies lose everything far less often than one.
    let total = |i: usize| f(&out[i], &["rpo", "total_losses_per_year", "mean"]);
    assert!(total(1) < 0.4 * total(0), "{} vs {}", total(1), total(0));
}

/// The fixture of the loader checks: regions `ra`, `r1`, ... and one plan
/// with `keys`.
fn bad(keys: &str, needle: &str) -> String {
    let plans = format!(
        "[[plan]]\nid = \"p\"\nserving_sites = [\"a\"]\nmode = \"active-active\"\n{keys}\n"
    );
    let (_dir, path) = temp_file("bad.toml", &stores(&plans));
    refused(cli("validate", &path, ""), needle)
}

/// New keys are checked at file:line:column, and written back by save.
#[test]
fn backup_keys_are_checked_and_round_trip() {
    let daily = "backup_interval = \"1d\"\n";
    // The fixture's lines, then the plan's four and the interval's.
    let line = stores("").lines().count() + 6;
    // (keys, message, column of the key's value on the line after the
    // interval's when it is given there)
    let cases = [
        (
            "backup_site = [\"c1\", \"zz\"]",
            "unknown site 'zz'",
            Some(22),
        ),
        (
            "backup_region = \"nope\"",
            "unknown region 'nope'",
            Some(17),
        ),
        (
            "backup_site = [\"c1\", \"c1\"]",
            "backup_site lists site 'c1' twice",
            Some(22),
        ),
        ("backup_site = []", "backup_site lists no site", Some(15)),
        ("retention = \"0s\"", "retention must be above 0", Some(13)),
        (
            "retention = \"12h\"",
            "retention 12h is shorter than the backup interval 1d",
            Some(13),
        ),
        ("retention = \"-2d\"", "retention", None),
    ];
    for (keys, needle, col) in cases {
        let e = bad(&format!("{daily}{keys}"), needle);
        if let Some(col) = col {
            assert!(e.contains(&format!("bad.toml:{line}:{col}")), "{e}");
        }
    }
    bad(
        "backup_region = \"q\"",
        "backup_region without backup_interval",
    );
    bad("backup_site = 3", "an id like");
    bad("retention = \"2d\"", "retention without backup_interval");

    let plans = [
        plan(
            "lists",
            "a",
            "backup_site = [\"c1\", \"d1\"]\nbackup_region = [\"q\", \"h\"]\nretention = \"30d\"",
        ),
        plan("lone", "a", "backup_site = \"c1\"\nbackup_region = \"q\""),
    ]
    .concat();
    let (_dir, path) = temp_file("t.toml", &stores(&plans));
    let t = drsim::io::load_path(&path).unwrap();
    assert_eq!(t.plans[0].data.backup_sites.len(), 2);
    let saved = drsim::io::save::to_toml_string(&t);
    for key in [
        "backup_site = [\"c1\", \"d1\"]",
        "backup_region = [\"q\", \"h\"]",
        "retention = \"30d\"",
        "backup_site = \"c1\"",
        "backup_region = \"q\"",
    ] {
        assert!(saved.contains(key), "{key} not saved:\n{saved}");
    }
    let (_dir, path) = temp_file("saved.toml", &saved);
    assert_eq!(drsim::io::load_path(&path).unwrap().plans, t.plans);
    // A corrupting train in waves loads (it was refused) and round-trips.
    let (_dir, path) = temp_file("w.toml", &two_waves(""));
    let t = drsim::io::load_path(&path).unwrap();
    let saved = drsim::io::save::to_toml_string(&t);
    assert!(saved.contains("corrupts = 0.5"), "{saved}");
    let (_dir, path) = temp_file("ws.toml", &saved);
    assert_eq!(drsim::io::load_path(&path).unwrap(), t);
}
