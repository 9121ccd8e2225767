//! The time-based engine in the UI: `e` switches to it, its run streams
//! every trial-year and equals the CLI's run, and its statistics follow
//! their definitions. Also the synthetic groups the view snapshots use.

use super::app::Tab;
use super::test_support::{app, ch, select, snapshot, type_keys, wait_for_time_run};

/// Synthetic groups of 64 years, so the time-based snapshots pin the
/// rendering and not the simulation engine's numbers.
pub(super) fn synthetic_groups(groups: u64) -> Vec<crate::tui::timerun::Group> {
    (0..groups)
        .map(|g| {
            let years: Vec<crate::tui::timerun::Year> = (g * 64..(g + 1) * 64)
                .map(|k| {
                    let d = match k % 10 {
                        0..=5 => 0.0,
                        6 => 3.0,
                        7 => 20.0,
                        8 => 90.0,
                        _ if k % 50 == 9 => 2000.0,
                        _ => 300.0,
                    };
                    crate::tui::timerun::Year {
                        downtime_min: d,
                        long_outage: d > 60.0,
                    }
                })
                .collect();
            let d: f64 = years.iter().map(|y| y.downtime_min).sum();
            // Twelve 30-day windows a year, the year's downtime in its
            // first: synthetic, for the SLO lines' rendering.
            let window_bad: Vec<f64> = years
                .iter()
                .flat_map(|y| std::iter::once(y.downtime_min * 60.0).chain([0.0; 11]))
                .collect();
            let window_lost = vec![0.0; window_bad.len()];
            crate::tui::timerun::Group {
                years,
                cause_min: [0.4 * d, 0.0, 0.3 * d, 0.2 * d, 0.0, 0.0, 0.0],
                unattributed_min: 0.1 * d,
                window_bad,
                window_lost,
                rolling: drsim::simulate::RollingTally::default(),
            }
        })
        .collect()
}

pub(super) fn synthetic_config(groups: u64) -> crate::tui::timerun::TimeConfig {
    crate::tui::timerun::TimeConfig {
        batches_per_group: 1,
        groups,
    }
}

/// Every trial-year of the UI's run is the CLI run's (`whole`, in minutes),
/// and its latest downtime estimate is the CLI report's; returns that mean.
fn assert_years_are_the_clis(
    r: &crate::tui::timerun::TimeRun,
    whole: &drsim::simulate::RunData,
    report: &drsim::simulate::PlanReport,
) -> f64 {
    use drsim::simulate::TrialMetric;
    let want: Vec<f64> = whole
        .per_trial(TrialMetric::DowntimeSecs)
        .iter()
        .map(|s| s / 60.0)
        .collect();
    let got: Vec<f64> = r.years.iter().map(|y| y.downtime_min).collect();
    assert_eq!(got, want);
    let (mine, cli) = (
        r.latest().unwrap().downtime.mean,
        report.downtime_minutes_per_year.mean.mean,
    );
    assert!(
        (mine - cli).abs() <= 1e-12 * cli.max(1.0),
        "{mine} vs {cli}"
    );
    mine
}

#[test]
fn e_switches_the_engine_and_the_time_based_run_streams_every_trial_year() {
    use drsim::shard::Shard;
    use drsim::simulate::{SimConfig, run_plan, run_plan_data};
    let mut a = app();
    a.time_config = synthetic_config(3);
    ch(&mut a, 'e');
    assert_eq!(a.engine, super::app::Engine::TimeBased);
    assert!(a.message.contains("time-based"));
    type_keys(&mut a, "3js");
    assert_eq!(a.tab, Tab::Run);
    assert!(a.run.is_none(), "the static engine did not run");
    wait_for_time_run(&mut a);
    let r = a.time_run.as_ref().unwrap();
    assert_eq!(r.stream.status, super::run::RunStatus::Done);
    assert_eq!(r.history.len(), 3);
    assert_eq!(
        r.history.iter().map(|p| p.trials).collect::<Vec<_>>(),
        [64, 128, 192]
    );
    // The groups are the shards of `drsim run --trials 192 --seed 1`: every
    // year is that run's, and the chart ends on its downtime estimate.
    let cfg = SimConfig {
        trials: 192,
        years: 1,
        seed: 1,
    };
    let whole = run_plan_data(&a.topology, 1, &cfg, Shard::WHOLE, &|_| {}).unwrap();
    let report = run_plan(&a.topology, 1, &cfg, &|_| {}).unwrap();
    let mine = assert_years_are_the_clis(r, &whole, &report);
    let p = r.long_outage().unwrap().mean;
    assert!((p - report.p_outage_over_1h.mean).abs() < 1e-12);
    // Every year lands in one histogram bin.
    assert_eq!(r.histogram().iter().sum::<u64>(), 192);
    let mean = mine;
    // Downtime is attributed in full: causes plus unattributed = downtime.
    let (causes, un) = r.cause_means();
    let attributed = causes.iter().sum::<f64>() + un;
    assert!(
        (attributed - mean).abs() <= 1e-6 * mean.max(1.0),
        "{attributed} vs {mean}"
    );
    // n re-runs with the next seed and keeps this run to compare.
    ch(&mut a, 'n');
    assert_eq!(a.time_run.as_ref().unwrap().seed, 2);
    assert_eq!(a.previous_time_run.as_ref().unwrap().years.len(), 192);
    ch(&mut a, 'c');
    assert!(a.message.contains("cancelled"), "{}", a.message);
    ch(&mut a, 'e');
    assert_eq!(a.engine, super::app::Engine::Static);
}

#[test]
fn time_based_statistics_follow_their_definitions() {
    use crate::tui::timerun::TimeRun;
    use drsim::model::PlanId;
    let r = TimeRun::finished(PlanId(0), 1, synthetic_config(5), synthetic_groups(5));
    assert_eq!(r.stream.status, super::run::RunStatus::Done);
    assert_eq!(r.history.len(), 5);
    // 320 years: 192 zero years, 32 each of 3m, 20m, 90m; 25 of 300m and 7
    // of 2000m (k = 9, 59, ..., 309).
    assert_eq!(r.histogram(), [192, 32, 32, 32, 25, 0, 7]);
    assert_eq!(r.quantile(0.5), Some(0.0));
    assert_eq!(r.quantile(0.6), Some(0.0));
    assert_eq!(r.quantile(0.61), Some(3.0));
    assert_eq!(r.quantile(1.0), Some(2000.0));
    let mean = (32.0 * (3.0 + 20.0 + 90.0) + 25.0 * 300.0 + 7.0 * 2000.0) / 320.0;
    assert!((r.latest().unwrap().downtime.mean - mean).abs() < 1e-9);
    let (c, un) = r.cause_means();
    assert!((c[0] - 0.4 * mean).abs() < 1e-9 && (un - 0.1 * mean).abs() < 1e-9);
    // 64 years had an outage over an hour.
    assert_eq!(r.long_outage().unwrap().mean, 0.2);
}

/// What-if failures apply to the time-based engine too: the marked
/// components are held down for the whole of every trial-year, the run is
/// `drsim run --down ...` year for year, and it names its scenario.
#[test]
fn time_based_run_holds_the_what_ifs_down_and_names_the_scenario() {
    use drsim::model::SiteId;
    use drsim::service::FailedSet;
    use drsim::shard::Shard;
    use drsim::simulate::{SimConfig, run_what_if, run_what_if_data};
    use drsim::units::SECONDS_PER_YEAR;
    let cfg = SimConfig {
        trials: 128,
        years: 1,
        seed: 1,
    };
    // Europe's cable and fra-sin cut: three-region (plan 2) keeps running
    // on what is left; every year equals the CLI's scenario run.
    let mut a = app();
    a.time_config = synthetic_config(2);
    select(
        &mut a,
        super::app::Item::SharedRisk(drsim::model::SharedRiskId(0)),
    );
    ch(&mut a, ' ');
    select(&mut a, super::app::Item::Link(drsim::model::LinkId(3)));
    type_keys(&mut a, " e3jjs");
    assert!(a.message.contains("--down link:fra-sin"), "{}", a.message);
    wait_for_time_run(&mut a);
    let r = a.time_run.as_ref().unwrap();
    assert_eq!(r.what_if, ["link:fra-sin", "risk:atlantic-cable"]);
    let down = FailedSet::from_names(&a.topology, &r.what_if).unwrap();
    assert_eq!(down, a.failed, "the names give back the marked state");
    let whole = run_what_if_data(&a.topology, 2, &cfg, Shard::WHOLE, &|_| {}, &down).unwrap();
    let report = run_what_if(&a.topology, 2, &cfg, &|_| {}, &down).unwrap();
    assert_years_are_the_clis(r, &whole, &report);
    let screen = format!("{}", snapshot(&a, 120, 40));
    assert!(
        screen.contains("what-if scenario: link:fra-sin, risk:atlantic-cable held down all year"),
        "{screen}"
    );

    // Holding down iad, single-region's only serving site, takes every
    // whole year; the causes add up to it, nearly all booked to the what-if
    // (failures that strike meanwhile share the blame).
    let mut b = app();
    b.time_config = synthetic_config(2);
    select(&mut b, super::app::Item::Site(SiteId(1)));
    type_keys(&mut b, " es");
    wait_for_time_run(&mut b);
    let r = b.time_run.as_ref().unwrap();
    let year_min = SECONDS_PER_YEAR / 60.0;
    assert_eq!(r.years.len(), 128);
    for y in &r.years {
        assert!(
            (y.downtime_min - year_min).abs() < 1e-6,
            "{}",
            y.downtime_min
        );
    }
    let (causes, un) = r.cause_means();
    let what_if = r.cause_names.iter().position(|&n| n == "what-if").unwrap();
    let total = causes.iter().sum::<f64>() + un;
    assert!(
        (total - year_min).abs() < 1e-6 * year_min,
        "{causes:?} + {un}"
    );
    assert!(causes[what_if] > 0.99 * year_min, "{causes:?}");
    let screen = format!("{}", snapshot(&b, 160, 48));
    let row = screen
        .lines()
        .find(|l| l.contains("│what-if      "))
        .unwrap();
    let un = screen
        .lines()
        .find(|l| l.contains("unattributed "))
        .unwrap();
    // A whole year reads as one (365 days, the file format's year).
    assert!(
        row.contains("1y 100%") || row.contains("d  99%"),
        "{screen}"
    );
    let col = |l: &str| l.chars().position(|c| c == '%');
    assert_eq!(col(row), col(un), "columns stay aligned: {screen}");
    // At 80x24 the info box stays whole (the chart gives way).
    let screen = format!("{}", snapshot(&b, 80, 24));
    assert!(screen.contains("outage over 1h"), "{screen}");
    // The previous run of a comparison says it was a scenario too.
    ch(&mut b, 'n');
    wait_for_time_run(&mut b);
    let screen = format!("{}", snapshot(&b, 160, 48));
    assert!(screen.contains("· what-if site:iad · downtime"), "{screen}");
}

fn slo_30d(target: f64) -> drsim::model::Slo {
    drsim::model::Slo {
        target: drsim::units::Probability::new(target).unwrap(),
        window: drsim::units::Duration::parse("30d").unwrap(),
        threshold: 1.0,
        max_miss_probability: None,
        rolling: false,
    }
}

/// A plan with an SLO: the run view's forecast is the CLI report's, window
/// for window (the groups' windows joined), and the view shows it.
#[test]
fn time_based_run_of_a_plan_with_an_slo_shows_the_clis_forecast() {
    use drsim::simulate::{SimConfig, run_plan};
    let mut a = app();
    a.time_config = synthetic_config(3);
    a.topology.plans[1].targets.slo = Some(slo_30d(0.9999));
    type_keys(&mut a, "e3js");
    wait_for_time_run(&mut a);
    let r = a.time_run.as_ref().unwrap();
    let cfg = SimConfig {
        trials: 192,
        years: 1,
        seed: 1,
    };
    let report = run_plan(&a.topology, 1, &cfg, &|_| {}).unwrap();
    let cli = report.slo.expect("the CLI's forecast");
    assert_eq!(r.slo_report.as_ref(), Some(&cli));
    assert_eq!(cli.windows_per_trial, 12);
    let screen = format!("{}", snapshot(&a, 120, 40));
    let want = format!(
        "P(window misses) {}",
        drsim::human::percent_interval(&cli.p_miss)
    );
    assert!(screen.contains(&want), "{want}\n{screen}");
}

/// The SLO lines' rendering, on synthetic years: a year's downtime falls in
/// its first window, so against 99.99% of 30 days (a budget of 4.32
/// minutes) the 20, 90, 300 and 2000-minute years miss one window each.
#[test]
fn the_run_view_shows_the_window_distribution_of_a_plan_with_an_slo() {
    use crate::tui::timerun::TimeRun;
    use drsim::model::PlanId;
    let mut a = app();
    ch(&mut a, 'e');
    a.tab = Tab::Run;
    let r = TimeRun::finished(PlanId(0), 1, synthetic_config(6), synthetic_groups(6))
        .with_slo(slo_30d(0.9999));
    let slo = r.slo_report.clone().unwrap();
    assert_eq!(slo.windows_per_trial, 12);
    // 384 years: 38 each of 3m (within the budget), 20m and 90m, 30 of
    // 300m and 8 of 2000m.
    let missed = (38 + 38 + 30 + 8) as f64 / (384.0 * 12.0);
    assert!((slo.p_miss.mean - missed).abs() < 1e-12, "{slo:?}");
    a.time_run = Some(r);
    insta::assert_snapshot!("time_run_slo_120x40", snapshot(&a, 120, 40));
}
