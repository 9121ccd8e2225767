//! Hostile inputs, round three (issue 16): durations and numbers past any
//! real value, huge accepted files, and the special paths and sizes the
//! earlier audits did not retry. Every case is refused with exit 2 and the
//! place named, or finishes.

use crate::common::{cli, drsim, one_site, refused};

/// Durations past 1000 years (overflowing to inf, or merely huge) are
/// refused at their line and column in every kind of duration field: a
/// plain duration, a distribution's mean string and a distribution table.
#[test]
fn durations_past_a_thousand_years_are_refused_with_their_place() {
    let cases = [
        (
            "site",
            "failure",
            r#"{ mtbf = "99999999999999999999y", mttr = "4h" }"#,
        ),
        ("site", "failure", r#"{ mtbf = "1y", mttr = "1e300s" }"#),
        (
            "site",
            "failure",
            r#"{ mtbf = "1y", ttr = { dist = "lognormal", median = "1001y", sigma = 1.0 } }"#,
        ),
        ("plan", "detection", r#""365001d""#),
        ("plan", "switchover", r#""1e400ms""#),
    ];
    for (kind, key, value) in cases {
        let (_d, f) = one_site("dur").set_in(kind, key, value).write_temp();
        let text = std::fs::read_to_string(&f).unwrap();
        let line = 1 + text.lines().position(|l| l.starts_with(key)).unwrap();
        let err = refused(cli("validate", &f, ""), "1000 years");
        assert!(err.contains(&format!("dur.toml:{line}:")), "{err}");
    }
    // The limit itself loads.
    let (_d, f) = one_site("dur")
        .set_in("site", "failure", r#"{ mtbf = "1000y", mttr = "4h" }"#)
        .write_temp();
    assert!(cli("validate", &f, "").output().unwrap().status.success());
}

/// Numbers that overflow into inf (or a u64) are refused at their place,
/// never accepted as infinite rates or capacities.
#[test]
fn overflowing_numbers_are_refused_with_their_place() {
    for (kind, key, value) in [
        ("site", "capacity_rps", "1e309"),
        ("demand", "users", "99999999999999999999"),
        ("demand", "peak_rps", "-inf"),
        ("demand", "peak_rps", "nan"),
    ] {
        let (_d, f) = one_site("num").set_in(kind, key, value).write_temp();
        let text = std::fs::read_to_string(&f).unwrap();
        let line = 1 + text
            .lines()
            .position(|l| l.starts_with(&format!("{key} = {value}")))
            .unwrap();
        refused(cli("validate", &f, ""), &format!("num.toml:{line}:"));
    }
}

/// `--years` is a duration too: at most 1000 (and at least 1).
#[test]
fn trial_years_are_bounded_like_durations() {
    let (_d, f) = one_site("yrs").write_temp();
    for years in ["0", "1001", "18446744073709551616"] {
        let mut c = drsim();
        c.arg("run")
            .arg(&f)
            .args(["--trials", "1", "--years", years]);
        refused(c, "--years");
    }
}
