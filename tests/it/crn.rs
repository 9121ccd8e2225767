//! Common random numbers in the time-based simulator: trial `i` of a run
//! depends only on (seed, i, the file's components), so plans, versions of a
//! file and trial ranges can be compared trial by trial.

use crate::common::model::{self, hours, process, trials_years_seed};
use drsim::model::*;
use drsim::shard::Shard;
use drsim::simulate::{RunData, TrialMetric, run_plan_data};
use drsim::units::{Duration, Probability};

fn site(key: &str, region: Option<u32>) -> Site {
    model::site(key, region, process(24.0 * 60.0, 6.0))
}

fn link(a: u32, b: u32) -> Link {
    model::link(a, b, process(24.0 * 90.0, 8.0))
}

/// Active-active over `serving`, a replica on each, async with a 5 s lag.
fn plan(key: &str, serving: &[u32], quorum: u32, operator_error_factor: f64) -> Plan {
    Plan {
        replicas: serving.len() as u32,
        replication: Replication::Async {
            lag: Duration::from_secs(5.0).unwrap(),
        },
        operator_error_factor,
        ..model::plan(key, serving, PlanMode::ActiveActive, quorum)
    }
}

/// Serving sites `a`, `b` (0, 1) and entry `hub` (2) in a star; `x`, `y`
/// (3, 4) hang off the hub and serve nobody. Every kind of random process is
/// present: hardware, a regional hazard over `a` and `x`, a shared risk, a
/// release train and operator errors. `extra` adds a link `x`-`y`, which no
/// path between the entry and a serving site can use.
fn star(extra: bool, plans: Vec<Plan>) -> Topology {
    let mut links = vec![link(0, 2), link(1, 2), link(2, 3), link(2, 4)];
    if extra {
        links.push(link(3, 4));
    }
    Topology::from_parts(TopologyParts {
        name: "star".into(),
        regions: vec![Region {
            key: "west".into(),
            name: "west".into(),
            hazards: vec![Hazard {
                kind: "quake".into(),
                events: EventProcess {
                    annual_rate: 0.5,
                    duration: Distribution::lognormal(hours(48.0), 0.7).unwrap(),
                },
                site_hit_probability: Probability::new(0.6).unwrap(),
                destroys: None,
            }],
        }],
        sites: vec![
            site("a", Some(0)),
            site("b", None),
            site("hub", None),
            site("x", Some(0)),
            site("y", None),
        ],
        links,
        shared_risks: vec![model::conduit(&[0, 2], 2.0 * 8760.0, 12.0)],
        // Keyed "bin": the key names the train's random stream.
        release_trains: vec![ReleaseTrain {
            key: "bin".into(),
            name: "bin".into(),
            detection: Distribution::fixed(hours(0.5)),
            ..model::release_train(&[0, 1], &[0], 52.0, 0.05, 0.5)
        }],
        operator_errors: Some(OperatorErrors {
            events: EventProcess {
                annual_rate: 6.0,
                duration: Distribution::lognormal(hours(1.0), 0.5).unwrap(),
            },
        }),
        demands: vec![model::demand(&[2])],
        plans,
        ..TopologyParts::default()
    })
    .unwrap()
}

fn data(t: &Topology, plan: usize, trials: usize, seed: u64) -> RunData {
    let cfg = trials_years_seed(trials, 1, seed);
    run_plan_data(t, plan, &cfg, Shard::WHOLE, &|_| {}).unwrap()
}

const METRICS: [TrialMetric; 5] = [
    TrialMetric::DowntimeSecs,
    TrialMetric::LostFraction,
    TrialMetric::UserMinutesLost,
    TrialMetric::DataLostMinutes,
    TrialMetric::LongOutageFraction,
];

/// Trial `i` is the same trial in a run of 100 trials and in a run of 300
/// (where batch 1 holds different neighbours): results depend on the trial
/// index, not on the batch layout.
#[test]
fn a_trial_is_the_same_in_a_shorter_run() {
    let t = star(false, vec![plan("ab", &[0, 1], 1, 1.0)]);
    let (short, long) = (data(&t, 0, 100, 4), data(&t, 0, 300, 4));
    for m in METRICS {
        assert_eq!(short.per_trial(m)[..], long.per_trial(m)[..100], "{m:?}");
    }
    assert!(
        short
            .per_trial(TrialMetric::DowntimeSecs)
            .iter()
            .any(|&d| d > 0.0)
    );
}

/// A short run is cut into batches of a few trials (so two threads share
/// it) and still gives the same report on 1 and 2 threads.
#[test]
fn a_short_run_is_the_same_on_one_and_two_threads() {
    let t = star(false, vec![plan("ab", &[0, 1], 1, 1.0)]);
    assert_eq!(drsim::simulate::batch_trials(6), 1);
    let cfg = trials_years_seed(6, 1, 4);
    let on = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| drsim::simulate::run_plan(&t, 0, &cfg, &|_| {}).unwrap())
    };
    let one = on(1);
    assert_eq!(one, on(2));
    assert!(one.downtime_minutes_per_year.mean.mean > 0.0);
}

/// Two plans that differ only in the operator-error factor, on a plan that
/// needs both serving sites (quorum 2, so every site outage is downtime):
/// the lower factor keeps a subset of the same operator errors and sees the
/// same everything else, so its downtime is no larger in every single
/// trial, and strictly smaller in some. With independent draws per plan,
/// about half the trials would go the other way.
#[test]
fn a_lower_operator_factor_never_adds_downtime_trial_by_trial() {
    let t = star(
        false,
        vec![
            plan("careless", &[0, 1], 2, 1.0),
            plan("careful", &[0, 1], 2, 0.3),
        ],
    );
    let careless = data(&t, 0, 2000, 8).per_trial(TrialMetric::DowntimeSecs);
    let careful = data(&t, 1, 2000, 8).per_trial(TrialMetric::DowntimeSecs);
    let mut fewer = 0;
    for (i, (&a, &b)) in careless.iter().zip(&careful).enumerate() {
        // The union of down intervals only shrinks; 1 ms of slack for sums
        // of the same intervals cut at different points.
        assert!(b <= a + 1e-3, "trial {i}: careful {b} s > careless {a} s");
        if b < a - 1.0 {
            fewer += 1;
        }
    }
    // Operator errors hit one of 5 sites; 2 of them are serving: 6 x 0.7 x
    // 2/5 = 1.7 harmful errors a year are removed: most trials gain.
    assert!(fewer > 1000, "{fewer} of 2000 trials gained");
}

/// Adding a link that no path between the entry and a serving site can use
/// leaves every other process's draws where they were, so each trial's
/// downtime, lost demand and data loss stay the same. Not bit for bit: the
/// new link's events still cut the integration intervals at more points, so
/// sums differ in rounding (asserted to 1e-9 relative).
#[test]
fn an_unrelated_new_link_leaves_every_trial_unchanged() {
    let plans = || vec![plan("ab", &[0, 1], 1, 1.0)];
    let (before, after) = (star(false, plans()), star(true, plans()));
    let (b, a) = (data(&before, 0, 1000, 12), data(&after, 0, 1000, 12));
    for m in METRICS {
        let (x, y) = (b.per_trial(m), a.per_trial(m));
        for (i, (p, q)) in x.iter().zip(&y).enumerate() {
            assert!(
                (p - q).abs() <= 1e-9 * p.abs().max(1.0),
                "{m:?}, trial {i}: {p} before, {q} after"
            );
        }
    }
    let down = b.per_trial(TrialMetric::DowntimeSecs);
    assert!(down.iter().filter(|&&d| d > 0.0).count() > 100);
    // The new link is never blamed (it cannot cut the plan off), so the
    // attribution to causes and components is the same too.
    let (rb, ra) = (b.report(&before).unwrap(), a.report(&after).unwrap());
    for (x, y) in rb.downtime_by_cause.iter().zip(&ra.downtime_by_cause) {
        assert_eq!(x.cause, y.cause);
        assert!(
            (x.minutes_per_year - y.minutes_per_year).abs() <= 1e-9 * x.minutes_per_year.max(1.0)
        );
    }
    let names = |r: &drsim::simulate::PlanReport| {
        r.top_components
            .iter()
            .map(|c| c.component.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&rb), names(&ra));
    assert!(!names(&ra).contains(&"link:l3-4".to_string()));
}
