//! Services in the time-based simulator against exact answers: a
//! repairable two-service chain and an active-passive plan gated by its
//! control plane (continuous-time Markov chains solved with nalgebra), a
//! release that takes down what its rollback needs (detection + rollback +
//! fallback exactly), and a dependency cycle's cold start (lengthened by its
//! bootstrap). Tolerances are 4 standard errors reported by the simulator.

use crate::common::model::trials_years_seed;
use drsim::io::load_str;
use drsim::model::Topology;
use drsim::simulate::{PlanReport, run_plan};
use nalgebra::{DMatrix, DVector};
use std::path::Path;

fn load(text: &str) -> Topology {
    match load_str(text, Path::new("test.toml")) {
        Ok(l) => l.topology,
        Err(e) => panic!("{e}"),
    }
}

fn run(t: &Topology, plan: &str, trials: usize, seed: u64) -> PlanReport {
    let p = t.plan_id(plan).unwrap().index();
    run_plan(t, p, &trials_years_seed(trials, 1, seed), &|_| {}).unwrap()
}

fn within(estimate: f64, exact: f64, se: f64, what: &str) {
    assert!(
        se > 0.0,
        "{what}: zero standard error, the check is vacuous"
    );
    assert!(
        (estimate - exact).abs() < 4.0 * se,
        "{what}: simulated {estimate}, exact {exact}, 4 SE = {}",
        4.0 * se
    );
}

/// Stationary distribution of a CTMC with `states` states whose transitions
/// from `s` are `moves(s)` (target, rate), solved with LU.
fn stationary(states: usize, moves: impl Fn(usize) -> Vec<(usize, f64)>) -> DVector<f64> {
    let mut q = DMatrix::<f64>::zeros(states, states);
    for s in 0..states {
        for (to, rate) in moves(s) {
            q[(s, to)] += rate;
            q[(s, s)] -= rate;
        }
    }
    let mut a = q.transpose();
    a.row_mut(states - 1).fill(1.0);
    let mut b = DVector::zeros(states);
    b[states - 1] = 1.0;
    a.lu().solve(&b).expect("the generator is irreducible")
}

const HEADER: &str = r#"
[topology]
name = "services"
[[site]]
id = "a"
failure = { never = true }
[[demand]]
id = "users"
sites = ["a"]
peak_rps = 1
users = 1
"#;

#[test]
fn a_front_end_and_its_dns_match_their_markov_chain() {
    // Each service fails as a whole, exponentially, with its own repair.
    let (mtbf_f, mttr_f, mtbf_d, mttr_d) = (200.0, 10.0, 100.0, 4.0);
    let text = format!(
        "{HEADER}[[service]]\nid = \"front\"\nsites = [\"a\"]\nrequires = [\"dns\"]\n\
         failure = {{ mtbf = \"{mtbf_f}h\", mttr = \"{mttr_f}h\" }}\n\
         [[service]]\nid = \"dns\"\nsites = [\"a\"]\n\
         failure = {{ mtbf = \"{mtbf_d}h\", mttr = \"{mttr_d}h\" }}\n\
         [[plan]]\nid = \"p\"\nserving_sites = [\"a\"]\nmode = \"active-active\"\n\
         headroom = 10\nserves = \"front\"\n"
    );
    let t = load(&text);
    // State bits: 1 = front down, 2 = dns down; served only in state 0.
    let rates = [(1.0 / mtbf_f, 1.0 / mttr_f), (1.0 / mtbf_d, 1.0 / mttr_d)];
    let pi = stationary(4, |s| {
        (0..2)
            .map(|c| {
                let bit = 1 << c;
                if s & bit == 0 {
                    (s | bit, rates[c].0)
                } else {
                    (s & !bit, rates[c].1)
                }
            })
            .collect()
    });
    let exact = 1.0 - pi[0];
    let r = run(&t, "p", 1000, 21);
    let a = r.availability_time;
    within(1.0 - a.mean, exact, a.se, "front + dns unavailability");
    // Both services fail on their own: hardware (independent failures),
    // blamed on the services themselves.
    let hw = r
        .downtime_by_cause
        .iter()
        .find(|c| c.cause == "hardware")
        .unwrap();
    assert!((hw.share - 1.0).abs() < 1e-9, "{:?}", r.downtime_by_cause);
    let names: Vec<&str> = r
        .top_components
        .iter()
        .map(|c| c.component.as_str())
        .collect();
    assert_eq!(
        names,
        ["service:front", "service:dns"],
        "{:?}",
        r.top_components
    );
}

/// A hub `f` (never fails, where users enter) linked by perfect links to a
/// primary `s1` and a standby `s2`; the control plane `cp` runs on `f` and
/// fails as a whole. The front end has no instances of its own: it works
/// at a serving site that is up, and needs `cp` only to fail over.
fn control_plane(site: (f64, f64), cp: (f64, f64), mode: &str) -> Topology {
    let mut o = String::from(
        "[topology]\nname = \"cp\"\n[[site]]\nid = \"f\"\nfailure = { never = true }\n",
    );
    for s in ["s1", "s2"] {
        o += &format!(
            "[[site]]\nid = \"{s}\"\nfailure = {{ mtbf = \"{}h\", mttr = \"{}h\" }}\n\
             [[link]]\na = \"f\"\nb = \"{s}\"\nfailure = {{ never = true }}\n",
            site.0, site.1
        );
    }
    o += &format!(
        "[[demand]]\nid = \"users\"\nsites = [\"f\"]\npeak_rps = 1\nusers = 1\n\
         [[service]]\nid = \"front\"\ncontrol = [\"cp\"]\n\
         [[service]]\nid = \"cp\"\nsites = [\"f\"]\n\
         failure = {{ mtbf = \"{}h\", mttr = \"{}h\" }}\n\
         [[plan]]\nid = \"p\"\nserving_sites = [\"s1\", \"s2\"]\nmode = \"{mode}\"\n\
         headroom = 10\nserves = \"front\"\n",
        cp.0, cp.1
    );
    load(&o)
}

#[test]
fn an_active_passive_failover_waits_for_its_control_plane() {
    let (site, cp) = ((100.0, 10.0), (50.0, 8.0));
    let t = control_plane(site, cp, "active-passive");
    // State: bit 0 s1 down, bit 1 s2 down, bit 2 cp down, bit 3 active is
    // s2. With zero detection and switchover, the plan switches the moment
    // its active site is down, the other is up and cp is up; a site that
    // comes back resumes; there is no failback.
    let settle = |s: usize| {
        let active = s >> 3;
        let down = |i: usize| s & (1 << i) != 0;
        if down(active) && !down(1 - active) && !down(2) {
            s ^ 8
        } else {
            s
        }
    };
    let rates = [site, site, cp];
    let pi = stationary(16, |s| {
        (0..3)
            .map(|c| {
                let bit = 1 << c;
                let (to, mean) = if s & bit == 0 {
                    (s | bit, rates[c].0)
                } else {
                    (s & !bit, rates[c].1)
                };
                (settle(to), 1.0 / mean)
            })
            .collect()
    });
    // Unserved while the active site is down.
    let exact: f64 = (0..16)
        .filter(|&s| s & (1 << (s >> 3)) != 0)
        .map(|s| pi[s])
        .sum();
    let r = run(&t, "p", 1000, 22);
    let a = r.availability_time;
    within(
        1.0 - a.mean,
        exact,
        a.se,
        "active-passive with control plane",
    );
    // Without the gate it would be both sites down (q^2): the control
    // plane must cost something visible here.
    let q = site.1 / (site.0 + site.1);
    assert!(exact > 1.5 * q * q, "{exact} vs {}", q * q);

    // Active-active keeps serving on what it has: down only when both are.
    let aa = control_plane(site, cp, "active-active");
    let r = run(&aa, "p", 1000, 23);
    within(
        1.0 - r.availability_time.mean,
        q * q,
        r.availability_time.se,
        "active-active",
    );
}

/// A config push to `backbone` (which the front end needs); the rollback
/// needs `oob`, which in-band needs the backbone itself.
fn backbone(oob_requires: &str, fallback_h: f64) -> Topology {
    load(&format!(
        "{HEADER}[[service]]\nid = \"front\"\nsites = [\"a\"]\nrequires = [\"backbone\"]\n\
         [[service]]\nid = \"backbone\"\nsites = [\"a\"]\n\
         [[service]]\nid = \"oob\"\nsites = [\"a\"]\nrequires = [{oob_requires}]\n\
         [[release_train]]\nid = \"push\"\nservices = [\"backbone\"]\nreleases_per_year = 50\n\
         bad_release_probability = 0.02\ndetection = \"30m\"\nrollback = \"30m\"\n\
         recovery = {{ requires = [\"oob\"], fallback = \"{fallback_h}h\" }}\n\
         [[plan]]\nid = \"p\"\nserving_sites = [\"a\"]\nmode = \"active-active\"\n\
         headroom = 10\nserves = \"front\"\n"
    ))
}

#[test]
fn a_release_that_breaks_its_rollback_path_lasts_detection_rollback_and_fallback() {
    for (oob, want_min) in [("\"backbone\"", 60.0 + 300.0), ("", 60.0)] {
        let t = backbone(oob, 5.0);
        let r = run(&t, "p", 2000, 31);
        // Every episode is one bad release: exactly its length, but for the
        // rare overlap of two (6 h in a year: odds below 1e-3 per release)
        // and the one cut at the horizon.
        let rec = &r.recovery;
        assert!(rec.episodes > 1500, "{rec:?}");
        assert!(
            (rec.p50_minutes - want_min).abs() < 1e-6,
            "oob [{oob}]: {rec:?}"
        );
        assert!(
            (rec.p90_minutes - want_min).abs() < 1e-6,
            "oob [{oob}]: {rec:?}"
        );
        assert!(
            (rec.mean_minutes - want_min).abs() < 0.01 * want_min,
            "{rec:?}"
        );
        let release = r
            .downtime_by_cause
            .iter()
            .find(|c| c.cause == "release")
            .unwrap();
        assert!(
            (release.share - 1.0).abs() < 1e-9,
            "{:?}",
            r.downtime_by_cause
        );
    }
}

/// `dns` and `cp` hold each other up (a cycle on site `a`); the front end
/// needs `dns`; a bad push to `cp` takes it down for detection + rollback.
fn cycle(dns_bootstrap: &str, cp_bootstrap: &str) -> Topology {
    load(&format!(
        "{HEADER}[[service]]\nid = \"front\"\nsites = [\"a\"]\nrequires = [\"dns\"]\n\
         [[service]]\nid = \"dns\"\nsites = [\"a\"]\nrequires = [\"cp\"]\n{dns_bootstrap}\n\
         [[service]]\nid = \"cp\"\nsites = [\"a\"]\nrequires = [\"dns\"]\n{cp_bootstrap}\n\
         [[release_train]]\nid = \"push\"\nservices = [\"cp\"]\nreleases_per_year = 50\n\
         bad_release_probability = 0.02\ndetection = \"20m\"\nrollback = \"40m\"\n\
         [[plan]]\nid = \"p\"\nserving_sites = [\"a\"]\nmode = \"active-active\"\n\
         headroom = 10\nserves = \"front\"\n"
    ))
}

#[test]
fn a_cycle_that_went_cold_comes_back_only_after_its_bootstrap() {
    // The longest member bootstrap counts (3 h, not 1 h); with none given
    // the cycle restarts the moment its supports are back.
    let fixed = |h: u32| format!("bootstrap = {{ dist = \"fixed\", value = \"{h}h\" }}");
    let cases = [
        (fixed(3), fixed(1), 60.0 + 180.0),
        (fixed(1), String::new(), 60.0 + 60.0),
        (String::new(), String::new(), 60.0),
    ];
    for (dns, cp, want_min) in cases {
        let t = cycle(&dns, &cp);
        let b = format!("{dns} {cp}");
        assert_eq!(t.service_cycles().len(), 1);
        let r = run(&t, "p", 2000, 41);
        let rec = &r.recovery;
        assert!(rec.episodes > 1500, "{rec:?}");
        assert!((rec.p50_minutes - want_min).abs() < 1e-6, "[{b}]: {rec:?}");
        assert!(
            (rec.mean_minutes - want_min).abs() < 0.01 * want_min,
            "{rec:?}"
        );
        // The cold start is the release's doing.
        let release = r
            .downtime_by_cause
            .iter()
            .find(|c| c.cause == "release")
            .unwrap();
        assert!(
            (release.share - 1.0).abs() < 1e-9,
            "{:?}",
            r.downtime_by_cause
        );
    }
}

#[test]
fn a_service_whose_restore_needs_itself_waits_for_the_manual_fallback() {
    // `db` fails as a whole for exactly an hour; restoring it needs `tool`,
    // which (in the first case) needs `db`: every restore takes the
    // fallback's 2 hours more.
    for (tool_requires, want_min) in [("\"db\"", 60.0 + 120.0), ("", 60.0)] {
        let t = load(&format!(
            "{HEADER}[[service]]\nid = \"front\"\nsites = [\"a\"]\nrequires = [\"db\"]\n\
             [[service]]\nid = \"db\"\nsites = [\"a\"]\n\
             failure = {{ mtbf = \"2000h\", ttr = {{ dist = \"fixed\", value = \"1h\" }} }}\n\
             recovery = {{ requires = [\"tool\"], fallback = \"2h\" }}\n\
             [[service]]\nid = \"tool\"\nsites = [\"a\"]\nrequires = [{tool_requires}]\n\
             [[plan]]\nid = \"p\"\nserving_sites = [\"a\"]\nmode = \"active-active\"\n\
             headroom = 10\nserves = \"front\"\n"
        ));
        let r = run(&t, "p", 1000, 51);
        let rec = &r.recovery;
        assert!(rec.episodes > 2000, "{rec:?}");
        assert!(
            (rec.p50_minutes - want_min).abs() < 1e-6,
            "[{tool_requires}]: {rec:?}"
        );
        assert!(
            (rec.p90_minutes - want_min).abs() < 1e-6,
            "[{tool_requires}]: {rec:?}"
        );
    }
}

#[test]
fn with_its_control_plane_gone_an_active_passive_plan_never_fails_over() {
    // What if `cp` is down all year: the primary serves while it is up (it
    // needs no control plane to resume), the standby is never made active.
    // Active-active does not notice.
    let (site, cp) = ((100.0, 10.0), (50.0, 8.0));
    let gone = |t: &Topology| drsim::service::FailedSet::from_names(t, &["service:cp"]).unwrap();
    let cfg = trials_years_seed(1000, 1, 24);
    let ap = control_plane(site, cp, "active-passive");
    let r = drsim::simulate::run_what_if(&ap, 0, &cfg, &|_| {}, &gone(&ap)).unwrap();
    let q = site.1 / (site.0 + site.1);
    let a = r.availability_time;
    within(
        1.0 - a.mean,
        q,
        a.se,
        "active-passive without control plane",
    );
    let aa = control_plane(site, cp, "active-active");
    let r = drsim::simulate::run_what_if(&aa, 0, &cfg, &|_| {}, &gone(&aa)).unwrap();
    let a = r.availability_time;
    within(
        1.0 - a.mean,
        q * q,
        a.se,
        "active-active without control plane",
    );
}

/// The control-plane star with fixed times: `s1` fails at 100 h (for 10 h),
/// `s2` never fails, `cp` fails at `cp_at` hours for 3 h; detection and
/// switchover take 30 minutes each.
fn timed_failover(cp_at: f64) -> Topology {
    let fixed = |h: f64| format!("{{ dist = \"fixed\", value = \"{}m\" }}", h * 60.0);
    load(&format!(
        "[topology]\nname = \"timed\"\n\
         [[site]]\nid = \"f\"\nfailure = {{ never = true }}\n\
         [[site]]\nid = \"s1\"\nfailure = {{ ttf = {}, ttr = {} }}\n\
         [[site]]\nid = \"s2\"\nfailure = {{ never = true }}\n\
         [[link]]\na = \"f\"\nb = \"s1\"\nfailure = {{ never = true }}\n\
         [[link]]\na = \"f\"\nb = \"s2\"\nfailure = {{ never = true }}\n\
         [[demand]]\nid = \"users\"\nsites = [\"f\"]\npeak_rps = 1\nusers = 1\n\
         [[service]]\nid = \"front\"\ncontrol = [\"cp\"]\n\
         [[service]]\nid = \"cp\"\nsites = [\"f\"]\nfailure = {{ ttf = {}, ttr = {} }}\n\
         [[plan]]\nid = \"p\"\nserving_sites = [\"s1\", \"s2\"]\nmode = \"active-passive\"\n\
         detection = \"30m\"\nswitchover = \"30m\"\nheadroom = 10\nserves = \"front\"\n",
        fixed(100.0),
        fixed(10.0),
        fixed(cp_at),
        fixed(3.0)
    ))
}

#[test]
fn a_failover_switches_over_once_its_control_plane_is_back() {
    // Minutes of the one outage (s1 down from 100 h; s2 then serves for
    // good, no failback):
    // - cp down 99-102 h: detected at 100.5 h, switchover from 102 h: 150;
    // - cp down 100.2-103.2 h: the switch due at 101 h waits for it: 192;
    // - cp down 120-123 h (irrelevant): detection + switchover: 60.
    for (cp_at, want) in [(99.0, 150.0), (100.2, 192.0), (120.0, 60.0)] {
        let r = run(&timed_failover(cp_at), "p", 8, 61);
        let rec = &r.recovery;
        assert_eq!(rec.episodes, 8, "cp at {cp_at} h: {rec:?}");
        assert!(
            (rec.max_minutes - want).abs() < 1e-6,
            "cp at {cp_at} h: {rec:?}"
        );
        assert!(
            (rec.p50_minutes - want).abs() < 1e-6,
            "cp at {cp_at} h: {rec:?}"
        );
    }
}
