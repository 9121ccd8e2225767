//! `drsim capacity --from A --to B` from the command line: JSON against
//! closed forms on small networks, thread independence, the exact P(flow =
//! 0) on Geant2012, GraphML capacities and input errors.

use crate::capacity::{GEANT_GR, GEANT_UK, geant};
use crate::common::{cli, data, json_ok, refused};

fn diamond_json(extra: &[&str]) -> serde_json::Value {
    let flags = "--from Alpha --to d --link-failure 0.1 --format json";
    json_ok(cli("capacity", data("capacity-diamond.toml"), flags).args(extra))
}

#[test]
fn cli_diamond_matches_closed_forms() {
    // Routes a-b-d (10, up with prob 0.81) and a-c-d (two parallel 5G links
    // behind a 40G link) are disjoint, so with q = 0.1 per link:
    // flow = 10 X + 5 C (A1 + A2), X ~ B(0.81), C ~ B(0.9), A ~ B(0.9).
    let (pa, pc, px) = (0.9f64, 0.9f64, 0.81f64);
    let mean = 10.0 * px + 5.0 * pc * 2.0 * pa;
    let p_zero = (1.0 - px) * (1.0 - pc * (1.0 - (1.0 - pa).powi(2)));
    let p_degraded = 1.0 - px * pc * pa * pa;
    let p_below_15 = 1.0 - px * pc * (1.0 - (1.0 - pa).powi(2));
    let n = 200_000.0;
    let v = diamond_json(&["--samples", "200000", "--threshold", "15", "--seed", "9"]);
    let get = |k: &str| v[k].as_f64().unwrap_or_else(|| panic!("missing {k}"));
    assert_eq!(get("intact_flow"), 20.0);
    assert_eq!(get("samples"), n);
    // 4 standard errors: the reported one for the mean, the binomial one
    // at the exact value for probabilities.
    assert!((get("mean_flow") - mean).abs() < 4.0 * get("mean_flow_std_error"));
    for (k, exact) in [
        ("p_zero", p_zero),
        ("p_degraded", p_degraded),
        ("p_below_threshold", p_below_15),
    ] {
        let se = (exact * (1.0 - exact) / n).sqrt();
        assert!(
            (get(k) - exact).abs() < 4.0 * se,
            "{k}: {} vs {exact}",
            get(k)
        );
    }
    for k in ["p_zero", "p_degraded", "p_below_threshold"] {
        assert!(get(&format!("{k}_ci95_low")) < get(k) && get(k) < get(&format!("{k}_ci95_high")));
    }
    let p = &v["percentiles"];
    // P(flow = 0) ~ 2% and P(flow <= 5) ~ 6.6%, P(flow <= 10) ~ 28%.
    assert_eq!(p["p1"].as_f64(), Some(0.0));
    assert_eq!(p["p5"].as_f64(), Some(5.0));
    assert_eq!(p["p10"].as_f64(), Some(10.0));
    assert_eq!(p["p50"].as_f64(), Some(20.0));
    assert!(get("samples_per_second") > 0.0 && get("seconds") >= 0.0);
}

#[test]
fn cli_threads_do_not_change_results() {
    let strip = |mut v: serde_json::Value| {
        let o = v.as_object_mut().unwrap();
        o.remove("seconds");
        o.remove("samples_per_second");
        v
    };
    let one = strip(diamond_json(&["--samples", "50000", "--threads", "1"]));
    let two = strip(diamond_json(&["--samples", "50000", "--threads", "2"]));
    assert_eq!(one, two);
}

#[test]
fn cli_rejects_bad_input_with_a_message() {
    let diamond = data("capacity-diamond.toml");
    let run = |file: &str, flags: &str, needle: &str| refused(cli("capacity", file, flags), needle);
    run(
        &diamond,
        "--from nowhere --to d",
        "--from: no site with id or name 'nowhere'",
    );
    run(
        &diamond,
        "--from a --to Delta --threshold=-1",
        "threshold -1",
    );
    run(&diamond, "--from a --to a", "same site");
    run(
        &diamond,
        "--from a --to d --node-failure 1.5",
        "not a probability",
    );
    run(
        "/nonexistent/x.toml",
        "--from a --to d",
        "/nonexistent/x.toml",
    );
}

#[test]
fn cli_rare_tail_on_geant_reaches_the_target_relative_error() {
    let geant_file = data("geant2012.toml");
    let flags = "--from UK --to GR --link-failure 0.01 --samples 100000 --target-re 0.02";
    let run = |threads: &str| {
        json_ok(cli("capacity", &geant_file, flags).args([
            "--format",
            "json",
            "--threads",
            threads,
        ]))
    };
    let v = run("2");
    let p = v["p_zero"].as_f64().unwrap();
    let se = v["p_zero_std_error"].as_f64().unwrap();
    // Geant2012 is narrow enough for the exact two-terminal computation,
    // which the tail refinement prefers to any sampler.
    assert_eq!(v["p_zero_method"], "exact");
    let exact = drsim::reliability::exact::unreliability(
        &geant(0.01),
        &drsim::reliability::Criterion::TwoTerminal {
            s: GEANT_UK,
            t: GEANT_GR,
        },
    )
    .unwrap();
    assert!((p - exact).abs() <= 1e-12 * exact, "{p} vs exact {exact}");
    assert_eq!(se, 0.0);
    // Lower bound: P(some listed UK-GR cut is fully down) <= P(flow = 0).
    // GR's three links (q^3 = 1e-6) and four 4-link cuts around GR, BG,
    // RO, TR, HU (and the HR-SL chain), by inclusion-exclusion. An
    // estimator that only sees the dominant cut comes out ~4% low and fails.
    let cuts: [&[(u32, u32)]; 5] = [
        &[(9, 15), (12, 15), (15, 29)],
        &[(9, 15), (15, 29), (12, 22), (13, 22)],
        &[(9, 15), (15, 29), (22, 23), (22, 27)],
        &[(9, 15), (15, 29), (22, 23), (27, 28)],
        &[(9, 15), (15, 29), (22, 23), (28, 29)],
    ];
    let mut lower = 0.0;
    for mask in 1u32..32 {
        let mut links: Vec<(u32, u32)> = (0..5)
            .filter(|i| mask >> i & 1 == 1)
            .flat_map(|i| cuts[i].iter().copied())
            .collect();
        links.sort();
        links.dedup();
        let sign = if mask.count_ones() % 2 == 1 {
            1.0
        } else {
            -1.0
        };
        lower += sign * 0.01f64.powi(links.len() as i32);
    }
    assert!(lower > 1.03e-6, "{lower}");
    assert!(p > lower - 4.0 * se, "{p} ± {se} vs lower bound {lower}");
    assert_eq!(v["intact_flow"].as_f64(), Some(30.0));
    assert_eq!(run("1")["p_zero"], v["p_zero"]);
}

#[test]
fn cli_graphml_parallel_links_and_missing_capacity() {
    // Two parallel 10G links a-b (LinkSpeedRaw) then b-c with no stated
    // capacity, which gets --default-capacity C. With q = 0.1 per link,
    // flow = B * min(10 (A1 + A2), C), A, B ~ Bernoulli(0.9).
    let graphml = data("capacity-parallel.graphml");
    for (cap, mean) in [
        (100.0, 0.9 * 10.0 * 1.8),
        (15.0, 0.9 * (10.0 * 2.0 * 0.9 * 0.1 + 15.0 * 0.81)),
    ] {
        let flags = "--from Aa --to Cc --link-failure 0.1 --samples 100000 --format json";
        let v = json_ok(
            cli("capacity", &graphml, flags).args(["--default-capacity", &cap.to_string()]),
        );
        assert_eq!(v["intact_flow"].as_f64(), Some(f64::min(20.0, cap)));
        let m = v["mean_flow"].as_f64().unwrap();
        let se = v["mean_flow_std_error"].as_f64().unwrap();
        // 4 reported standard errors.
        assert!(
            (m - mean).abs() < 4.0 * se,
            "cap {cap}: {m} vs {mean} (se {se})"
        );
        let p0 = v["p_zero"].as_f64().unwrap();
        let exact = 1.0 - 0.9 * 0.99;
        assert!((p0 - exact).abs() < 4.0 * (exact * (1.0 - exact) / 1e5).sqrt());
    }
}

#[test]
fn cli_shared_risk_group_fails_its_links_together() {
    // With the duct down (probability 0.05, independent of the links) the
    // flow is 0; otherwise it is the plain diamond (see
    // cli_diamond_matches_closed_forms): mean 16.2, P(0) = 0.19 * 0.109.
    let flags = "--from a --to d --link-failure 0.1 --samples 400000 --format json";
    let v = json_ok(&mut cli(
        "capacity",
        data("capacity-diamond-duct.toml"),
        flags,
    ));
    let duct = 0.05;
    let mean = (1.0 - duct) * 16.2;
    let p_zero = duct + (1.0 - duct) * 0.19 * 0.109;
    let m = v["mean_flow"].as_f64().unwrap();
    let se = v["mean_flow_std_error"].as_f64().unwrap();
    // 4 reported / binomial standard errors.
    assert!((m - mean).abs() < 4.0 * se, "{m} vs {mean}");
    let p = v["p_zero"].as_f64().unwrap();
    assert!(
        (p - p_zero).abs() < 4.0 * (p_zero * (1.0 - p_zero) / 4e5).sqrt(),
        "{p} vs {p_zero}"
    );
}

/// A rare-event estimate that runs out of samples before the relative
/// error asked says so, in JSON and text; an exact one says nothing.
#[test]
fn cli_says_when_a_rare_event_estimate_stopped_short() {
    let flags = [
        "--threshold",
        "15",
        "--target-re",
        "1e-4",
        "--max-rare-samples",
        "20000",
    ];
    let v = diamond_json(&flags);
    assert_eq!(v["p_below_threshold_stopped_short"], "sample-cap", "{v}");
    assert_eq!(v["p_zero_method"], "exact");
    assert!(v.get("p_zero_stopped_short").is_none(), "{v}");
    let out = cli(
        "capacity",
        data("capacity-diamond.toml"),
        "--from Alpha --to d --link-failure 0.1",
    )
    .args(flags)
    .output()
    .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("note: P(flow < threshold) stopped short of the relative error asked: --max-rare-samples was spent"),
        "{text}"
    );
    // Given room, it meets the target and no note is printed.
    let v = diamond_json(&["--threshold", "15", "--target-re", "0.05"]);
    assert!(v.get("p_below_threshold_stopped_short").is_none(), "{v}");
}
