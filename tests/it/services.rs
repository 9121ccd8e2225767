//! Services and dependencies in the static engine, pinned by closed forms:
//! a series chain, k-of-n instances, a diamond (a shared dependency counted
//! once), a cycle (greatest fixed point), a control plane gating failover,
//! and a release whose rollback needs what it broke. Each exact answer is
//! matched to 1e-12 relative; crude and the turnip within 4 standard errors.

use drsim::io::load_str;
use drsim::model::{PlanId, Topology};
use drsim::reliability::{Criterion, EstimateOptions, Method, estimate};
use drsim::static_model::{Overrides, StaticModel};
use std::path::Path;

fn load(text: &str) -> Topology {
    match load_str(text, Path::new("test.toml")) {
        Ok(l) => l.topology,
        Err(e) => panic!("{e}"),
    }
}

/// P(plan down) by `method` on the plan's static model.
fn p_down(t: &Topology, plan: &str, method: Method, samples: u64) -> (f64, f64) {
    let id = t.plan_id(plan).unwrap();
    let model = StaticModel::for_plan(t, id, Overrides::default()).unwrap();
    let crit = Criterion::service(t, id).unwrap();
    let opts = EstimateOptions::fixed(method, samples, 7);
    let e = estimate(&model, &crit, &opts).unwrap();
    (e.unreliability, e.std_error)
}

fn assert_exact(t: &Topology, plan: &str, want: f64) {
    let got = p_down(t, plan, Method::Exact, 0).0;
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1e-300),
        "{plan}: exact {got:e}, closed form {want:e}"
    );
    for method in [Method::Crude, Method::Pmc] {
        let (value, se) = p_down(t, plan, method, 200_000);
        assert!(
            (value - want).abs() <= 4.0 * se + 1e-15,
            "{plan} {method:?}: {value:e} ± {se:e}, closed form {want:e}"
        );
    }
}

/// One site `a` that never fails, one demand entering there, and the
/// services given; `plan` serves `front` from `a`.
fn one_site(services: &str) -> String {
    format!(
        r#"
[topology]
name = "deps"
[[site]]
id = "a"
failure = {{ never = true }}
[[demand]]
id = "users"
sites = ["a"]
peak_rps = 1
users = 1
{services}
[[plan]]
id = "p"
serving_sites = ["a"]
mode = "active-active"
headroom = 10
serves = "front"
"#
    )
}

fn svc(id: &str, sites: &str, q: f64, requires: &str) -> String {
    format!(
        "[[service]]\nid = \"{id}\"\nsites = [{sites}]\nrequires = [{requires}]\n\
         failure = {{ unavailability = {q}, mttr = \"1h\" }}\n"
    )
}

#[test]
fn a_series_chain_is_up_when_every_link_of_it_is() {
    let (qf, qa, qd) = (0.01, 0.002, 0.0005);
    let t = load(&one_site(
        &(svc("front", "\"a\"", qf, "\"auth\"")
            + &svc("auth", "\"a\"", qa, "\"dns\"")
            + &svc("dns", "\"a\"", qd, "")),
    ));
    assert_exact(&t, "p", 1.0 - (1.0 - qf) * (1.0 - qa) * (1.0 - qd));
}

#[test]
fn a_diamond_counts_its_shared_dependency_once() {
    // front needs auth and storage; both need dns. Multiplying per path
    // would count dns twice.
    let (qf, qa, qs, qd) = (0.003, 0.004, 0.005, 0.006);
    let t = load(&one_site(
        &(svc("front", "\"a\"", qf, "\"auth\", \"storage\"")
            + &svc("auth", "\"a\"", qa, "\"dns\"")
            + &svc("storage", "\"a\"", qs, "\"dns\"")
            + &svc("dns", "\"a\"", qd, "")),
    ));
    let up = (1.0 - qf) * (1.0 - qa) * (1.0 - qs) * (1.0 - qd);
    assert_exact(&t, "p", 1.0 - up);
}

/// A hub `f` (the front end's site, never fails) linked by perfect links to
/// sites `s1..sn`, each down with `q`.
fn star(n: usize, q: f64, services: &str, plans: &str) -> String {
    let mut o = String::from(
        "[topology]\nname = \"star\"\n[[site]]\nid = \"f\"\nfailure = { never = true }\n",
    );
    for i in 1..=n {
        o += &format!(
            "[[site]]\nid = \"s{i}\"\nfailure = {{ unavailability = {q}, mttr = \"1h\" }}\n\
             [[link]]\na = \"f\"\nb = \"s{i}\"\nfailure = {{ never = true }}\n"
        );
    }
    o + "[[demand]]\nid = \"users\"\nsites = [\"f\"]\npeak_rps = 1\nusers = 1\n" + services + plans
}

#[test]
fn k_of_n_instances_follow_the_binomial_tail() {
    let q: f64 = 0.05;
    let services = "[[service]]\nid = \"front\"\nsites = [\"f\"]\n\
        requires = [{ service = \"dns\", needs = 2 }]\n\
        [[service]]\nid = \"dns\"\nsites = [\"s1\", \"s2\", \"s3\"]\n";
    let plan = "[[plan]]\nid = \"p\"\nserving_sites = [\"f\"]\nmode = \"active-active\"\n\
        headroom = 10\nserves = \"front\"\n";
    let t = load(&star(3, q, services, plan));
    // Down when fewer than 2 of the 3 dns sites are up.
    let p = 1.0 - q;
    let want = q.powi(3) + 3.0 * p * q * q;
    assert_exact(&t, "p", want);
}

#[test]
fn a_dependency_cycle_stands_while_its_members_hold_each_other_up() {
    // a needs b on the same site and b needs a: an instance pair works when
    // its site is up and neither service is down as a whole.
    let (q, qa, qb) = (0.1, 0.01, 0.02);
    let services = "[[service]]\nid = \"front\"\nsites = [\"f\"]\nrequires = [\"a\"]\n\
        [[service]]\nid = \"a\"\nsites = [\"s1\", \"s2\"]\nrequires = [{ service = \"b\", reach = \"site\" }]\n\
        failure = { unavailability = 0.01, mttr = \"1h\" }\n\
        [[service]]\nid = \"b\"\nsites = [\"s1\", \"s2\"]\nrequires = [{ service = \"a\", reach = \"site\" }]\n\
        failure = { unavailability = 0.02, mttr = \"1h\" }\n";
    let plan = "[[plan]]\nid = \"p\"\nserving_sites = [\"f\"]\nmode = \"active-active\"\n\
        headroom = 10\nserves = \"front\"\n";
    let t = load(&star(2, q, services, plan));
    let up = (1.0 - qa) * (1.0 - qb) * (1.0 - q * q);
    assert_exact(&t, "p", 1.0 - up);
    let cycles = t.service_cycles();
    assert_eq!(cycles.len(), 1);
    assert_eq!(t.chain_text(&cycles[0]), "a needs b");
}

#[test]
fn a_failover_needs_its_control_plane_but_active_active_does_not() {
    // Primary s1 and standby s2 (each down with q); the control plane runs
    // on f and is down as a whole with qc.
    let (q, qc) = (0.02, 0.05);
    let services = format!(
        "[[service]]\nid = \"front\"\ncontrol = [\"cp\"]\n\
         [[service]]\nid = \"cp\"\nsites = [\"f\"]\n\
         failure = {{ unavailability = {qc}, mttr = \"1h\" }}\n"
    );
    let plans = "[[plan]]\nid = \"ap\"\nserving_sites = [\"s1\", \"s2\"]\nmode = \"active-passive\"\n\
        headroom = 10\nserves = \"front\"\n\
        [[plan]]\nid = \"aa\"\nserving_sites = [\"s1\", \"s2\"]\nmode = \"active-active\"\n\
        headroom = 10\nserves = \"front\"\n";
    let t = load(&star(2, q, &services, plans));
    // Active-passive: down when the primary is down and the standby is down
    // too or cannot be made active.
    assert_exact(&t, "ap", q * (q + (1.0 - q) * qc));
    assert_exact(&t, "aa", q * q);
}

#[test]
fn a_release_that_breaks_its_own_rollback_path_lasts_for_the_fallback_too() {
    // A config push to the backbone control plane; rolling it back needs
    // out-of-band access, which (in-band) itself needs the backbone.
    let text = |oob_requires: &str| {
        one_site(&format!(
            "[[service]]\nid = \"front\"\nsites = [\"a\"]\nrequires = [\"backbone\"]\n\
             [[service]]\nid = \"backbone\"\nsites = [\"a\"]\n\
             [[service]]\nid = \"oob\"\nsites = [\"a\"]\nrequires = [{oob_requires}]\n\
             [[release_train]]\nid = \"push\"\nservices = [\"backbone\"]\nreleases_per_year = 50\n\
             bad_release_probability = 0.02\ndetection = \"30m\"\nrollback = \"30m\"\n\
             recovery = {{ requires = [\"oob\"], fallback = \"5h\" }}\n"
        ))
    };
    let rate_per_sec = 50.0 * 0.02 / drsim::units::SECONDS_PER_YEAR;
    let active = |hours: f64| 1.0 - (-rate_per_sec * hours * 3600.0).exp();
    let in_band = load(&text("\"backbone\""));
    let out_of_band = load(&text(""));
    let got = |t: &Topology| p_down(t, "p", Method::Exact, 0).0;
    assert!((got(&in_band) - active(6.0)).abs() < 1e-12 * active(6.0));
    assert!((got(&out_of_band) - active(1.0)).abs() < 1e-12 * active(1.0));
}

#[test]
fn a_file_without_services_keeps_todays_criterion() {
    let t = load(&std::fs::read_to_string(super::common::topo("small-company.toml")).unwrap());
    for p in 0..t.plans.len() {
        let c = Criterion::service(&t, PlanId(p as u32)).unwrap();
        assert!(matches!(c, Criterion::Service { .. }));
    }
}

/// Each broken service declaration is refused with its line and a message
/// naming what is wrong.
#[test]
fn bad_service_declarations_name_the_line_and_the_problem() {
    let base = |services: &str, plan_extra: &str| {
        format!(
            "[topology]\nname = \"x\"\n[[site]]\nid = \"a\"\n[[site]]\nid = \"b\"\n\
             [[link]]\na = \"a\"\nb = \"b\"\n\
             [[demand]]\nid = \"u\"\nsites = [\"a\"]\nusers = 1\npeak_rps = 1\n{services}\
             [[plan]]\nid = \"p\"\nserving_sites = [\"a\"]\nmode = \"active-active\"\n{plan_extra}"
        )
    };
    let cases = [
        (
            base(
                "[[service]]\nid = \"f\"\nrequires = [\"dsn\"]\n[[service]]\nid = \"dns\"\nsites = [\"a\"]\n",
                "serves = \"f\"\n",
            ),
            17,
            "unknown service 'dsn'",
        ),
        (
            base(
                "[[service]]\nid = \"f\"\nrequires = [{ service = \"dns\", needs = 3 }]\n[[service]]\nid = \"dns\"\nsites = [\"a\", \"b\"]\n",
                "",
            ),
            17,
            "needs 3 instances of 'dns', which has 2",
        ),
        (
            base(
                "[[service]]\nid = \"dns\"\nsites = [\"a\"]\nreach = \"planet\"\n",
                "",
            ),
            18,
            "unknown reach 'planet'",
        ),
        (
            base(
                "[[service]]\nid = \"f\"\nsites = [\"b\"]\n",
                "serves = \"f\"\n",
            ),
            22,
            "serves 'f' from site 'a', which does not run it",
        ),
        (
            base(
                "[[service]]\nid = \"f\"\n[[service]]\nid = \"g\"\nsites = [\"a\"]\nrequires = [\"f\"]\n",
                "",
            ),
            20,
            "needs service 'f', which runs on no site",
        ),
        (
            base("[[service]]\nid = \"dns\"\nsites = [\"a\", \"a\"]\n", ""),
            17,
            "lists site 'a' twice",
        ),
        (
            base(
                "[[service]]\nid = \"dns\"\nsites = [\"a\"]\nneeds = 2\n",
                "",
            ),
            18,
            "needs 2 must be between 1 and its 1 instances",
        ),
        (
            base(
                "[[release_train]]\nid = \"t\"\nreleases_per_year = 1\nbad_release_probability = 0.1\ndetection = \"1m\"\nrollback = \"1m\"\n",
                "",
            ),
            15,
            "deploys to no site and no service",
        ),
        (
            base(
                "[[service]]\nid = \"dns\"\nsites = [\"a\"]\n[[release_train]]\nid = \"t\"\nservices = [\"dns\"]\nreleases_per_year = 1\nbad_release_probability = 0.1\ndetection = \"1m\"\nrollback = \"1m\"\nrecovery = { fallback = \"1h\" }\n",
                "",
            ),
            25,
            "a recovery with no requires changes nothing",
        ),
        (
            base("", "serves = \"nope\"\n"),
            19,
            "no service is declared in this file",
        ),
    ];
    for (text, line, want) in cases {
        let err = load_str(&text, Path::new("bad.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(want) && err.contains(&format!("bad.toml:{line}:")),
            "want line {line} and {want:?}, got:\n{err}\nin:\n{text}"
        );
    }
}

/// A hostile file: a 20,000-service dependency cycle. `validate` names it in
/// one bounded line, and `reliability` does not plan a turnip whose every
/// step runs the rule over the whole chain (it falls back to crude).
#[test]
fn a_huge_dependency_cycle_is_named_briefly_and_estimated_in_bounded_time() {
    let n = 20_000;
    let mut text = String::from(
        "[topology]\nname = \"chain\"\n[[site]]\nid = \"a\"\n[[site]]\nid = \"b\"\n\
         [[link]]\na = \"a\"\nb = \"b\"\n\
         [[demand]]\nid = \"u\"\nsites = [\"a\"]\nusers = 1\npeak_rps = 1\n",
    );
    for i in 0..n {
        text += &format!(
            "[[service]]\nid = \"s{i}\"\nsites = [\"a\", \"b\"]\nrequires = [\"s{}\"]\n\
             failure = {{ unavailability = 1e-6, mttr = \"1h\" }}\n",
            (i + 1) % n
        );
    }
    text += "[[service]]\nid = \"front\"\nrequires = [\"s0\"]\n\
             [[plan]]\nid = \"p\"\nserving_sites = [\"a\"]\nmode = \"active-active\"\nserves = \"front\"\n";
    let (_dir, path) = super::common::temp_file("chain.toml", &text);
    let out = super::common::drsim()
        .arg("validate")
        .arg(&path)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.contains("dependency cycle"))
        .expect("the cycle is named");
    assert!(line.contains("(19991 more)") && line.len() < 400, "{line}");
    let v = super::common::json_ok(
        super::common::drsim()
            .arg("reliability")
            .arg(&path)
            .args(["--service", "--samples", "1000", "--format", "json"])
            .timeout(std::time::Duration::from_secs(120)),
    );
    assert_eq!(v["method"], "auto:crude", "{v}");
}
