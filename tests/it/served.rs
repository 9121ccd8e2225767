//! `drsim capacity --demand`: the served-fraction distribution from the
//! command line (values are checked against enumeration in the library's
//! unit tests; here: the output, thread independence and input errors).

use crate::common::{cli, data, json_ok, topo};

#[test]
fn tiny_network_keys_and_closed_forms() {
    let f = data("served-tiny.toml");
    let flags = "--demand --plan ap --at-peak --samples 50000 --threshold 0.6 --format json";
    let v = json_ok(&mut cli("capacity", &f, flags));
    // Active-passive with everything up: all traffic crosses ax (10 of 20
    // Gbit/s), so no state serves more than half.
    assert_eq!(v["intact_served"].as_f64(), Some(0.5));
    assert_eq!(v["total_demand_gbps"].as_f64(), Some(20.0));
    assert_eq!(v["p_shortfall"].as_f64(), Some(1.0));
    assert!(v["percentiles"]["p99"].as_f64().unwrap() <= 0.7);
    for key in [
        "mean_served",
        "mean_served_std_error",
        "p_none",
        "p_none_ci95_low",
        "p_none_ci95_high",
        "p_below_threshold",
        "samples_per_second",
        "max_flow_solves",
    ] {
        assert!(v[key].is_number(), "{key} missing in {v}");
    }
    assert_eq!(v["samples"].as_u64(), Some(50_000));
}

#[test]
fn global_messaging_is_thread_independent_and_prints_text() {
    let g = topo("global-messaging.toml");
    let run = |threads: &str| {
        let flags = "--demand --plan global-mesh --samples 200000 --seed 5 --threshold 0.9";
        let mut v =
            json_ok(cli("capacity", &g, flags).args(["--threads", threads, "--format", "json"]));
        let o = v.as_object_mut().unwrap();
        o.remove("seconds");
        o.remove("samples_per_second");
        v
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert!(one["p_shortfall"].as_f64().unwrap() > 0.0);
    let out = cli(
        "capacity",
        &g,
        "--demand --plan single-region --samples 10000",
    )
    .output()
    .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("served fraction of demand, plan single-region"),
        "{text}"
    );
    assert!(text.contains("P(served < 1)"), "{text}");
}

#[test]
fn bad_input_gives_a_clear_error_and_exit_code_2() {
    let g = topo("global-messaging.toml");
    let tiny = data("served-tiny.toml");
    let diamond = data("capacity-diamond.toml");
    let cases = [
        (
            &g,
            "--demand --plan nope",
            "no plan 'nope' (plans: single-region, active-passive",
        ),
        (&g, "--demand", "4 plans, choose one with --plan"),
        (&diamond, "--demand", "declares no [[demand]]"),
        (
            &tiny,
            "--demand --plan aa1 --threshold 1.5",
            "must be a served fraction in (0, 1]",
        ),
        (&tiny, "--demand --plan aa1 --hour 24", "--hour"),
        (&tiny, "--demand --from a --to b", "cannot be used with"),
    ];
    for (file, flags, msg) in cases {
        let out = cli("capacity", file, flags).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags}: {err}");
        assert!(err.contains(msg), "{flags}: {err}");
    }
}
