//! The static engine in the UI: the Run tab streams one estimate per batch
//! and ends on the CLI's crude estimate, `c` cancels, and the Importance
//! tab ranks exactly what the library ranks.

use super::app::{Item, Tab};
use super::test_support::{
    app, ch, click, find_on_screen, select, small_runs, snapshot, type_keys, wait_for_importance,
    wait_for_worker,
};
use drsim::model::SharedRiskId;

/// The worker streams one estimate per batch, and the final estimate is
/// the CLI's: `drsim reliability --service --plan three-region --method
/// crude --down risk:<the cable> --samples N --seed 1` builds exactly this
/// model (the file's, what-ifs held down) and criterion.
#[test]
fn static_run_equals_the_cli_crude_estimator_with_the_what_ifs() {
    use drsim::model::PlanId;
    use drsim::reliability::{Criterion, EstimateOptions, Method, estimate};
    use drsim::service::FailedSet;
    use drsim::static_model::{Overrides, StaticModel};
    let mut a = app();
    small_runs(&mut a);
    // What-if: Europe's cable and fra-sin cut; run three-region.
    select(&mut a, Item::SharedRisk(SharedRiskId(0)));
    type_keys(&mut a, " 3js");
    assert_eq!(a.tab, Tab::Run);
    wait_for_worker(&mut a);
    let run = a.run.as_ref().unwrap();
    assert_eq!(run.stream.status, super::run::RunStatus::Done);
    assert_eq!(run.history.len(), 10);
    assert_eq!(run.plan, PlanId(1));
    let risk = &a.topology.shared_risks[0].key;
    let forced = FailedSet::from_names(&a.topology, &[format!("risk:{risk}")]).unwrap();
    assert_eq!(forced, a.failed);
    let mut m = StaticModel::for_plan(&a.topology, PlanId(1), Overrides::default()).unwrap();
    m.force_down(forced.sites_down(), forced.links_down());
    let c = Criterion::service(&a.topology, PlanId(1)).unwrap();
    let n = a.run_config.samples;
    let opts = EstimateOptions::fixed(Method::Crude, n, 1);
    let cli = estimate(&m, &c, &opts).unwrap();
    let last = run.latest().unwrap();
    assert_eq!(last.samples, n);
    assert_eq!(last.p_down, cli.unreliability);
    assert_eq!(last.ci95, (cli.ci95_low, cli.ci95_high));
    assert_eq!(last.relative_error, cli.relative_error);
    assert!(last.down > 0, "the what-if makes some samples fail");
    // The gauge counts samples against the plan with the CLI's relative error.
    let re = drsim::sampling::relative_error_text(cli.relative_error, None);
    let screen = snapshot(&a, 120, 40);
    find_on_screen(&screen, &format!("{n}/{n} samples · RE {re}"));
    // Batches arrive in order and only add up.
    assert!(
        run.history
            .windows(2)
            .all(|w| w[0].samples < w[1].samples && w[0].down <= w[1].down)
    );
    // The next seed gives a different, equally complete run.
    ch(&mut a, 'n');
    assert_eq!(a.seed, 2);
    wait_for_worker(&mut a);
    let again = a.run.as_ref().unwrap();
    assert_eq!(again.history.len(), 10);
    assert_eq!(again.seed, 2);
    // The first run is kept for comparison, complete.
    let prev = a.previous_run.as_ref().unwrap();
    assert_eq!((prev.seed, prev.history.len()), (1, 10));
}

#[test]
fn cancel_stops_the_worker_early() {
    let mut a = app();
    a.run_config = super::run::RunConfig {
        samples: 1_000_000_000,
    };
    ch(&mut a, 's');
    ch(&mut a, 'c');
    assert_eq!(
        a.run.as_ref().unwrap().stream.status,
        super::run::RunStatus::Cancelled
    );
    wait_for_worker(&mut a);
    assert!(a.run.as_ref().unwrap().history.len() < 1_000_000);
    assert!(a.message.contains("cancelled"));
    ch(&mut a, 'c');
    assert!(a.message.contains("no run in progress"));
}

/// The Importance tab computes, for the selected plan, exactly what the
/// library computes (cut sets of order 1 and 2, the crude importance ranking
/// with the app's seed), and the single points of failure are the ones the
/// fixture makes obvious.
#[test]
fn importance_tab_ranks_events_and_finds_single_points_of_failure() {
    use drsim::model::PlanId;
    use drsim::reliability::estimate;
    use drsim::reliability::importance::{cut_sets, importance};
    use drsim::static_model::{Overrides, StaticModel};
    let mut a = app();
    ch(&mut a, '5');
    assert_eq!(a.tab, Tab::Importance);
    a.tick();
    assert!(a.importance.is_some(), "entering the tab starts the job");
    wait_for_importance(&mut a);
    let job = a.importance.as_ref().unwrap();
    assert_eq!(job.error, None);
    assert_eq!(job.key.plan, PlanId(0));
    let singles: Vec<&str> = job.singles.iter().map(|c| c.events[0].as_str()).collect();
    // single-region serves from iad alone: iad's own failure, and the
    // backend release train (every site) each take it down.
    assert!(singles.contains(&"node:iad"), "{singles:?}");
    assert!(singles.contains(&"release:backend"), "{singles:?}");

    let m = StaticModel::for_plan(&a.topology, PlanId(0), Overrides::default()).unwrap();
    let crit = super::importance::criterion(&a.topology, PlanId(0)).unwrap();
    let lib = cut_sets(&m, &crit, 2).unwrap();
    assert_eq!(job.singles.len() + job.pairs.len(), lib.len());
    let opts = super::importance::options(a.seed);
    let u = estimate(&m, &crit, &opts).unwrap();
    let ranking = importance(&m, &crit, &opts, u.unreliability).unwrap();
    assert_eq!(job.ranking.as_ref().unwrap(), &ranking);
    // A single point of failure is down in every sample where it occurs, so
    // its Birnbaum importance is 1 - U(event up) >= 1 - U; U here is ~1e-2,
    // well below 0.1 (the bound allows 4 SE of Monte Carlo noise).
    assert!(u.unreliability + 4.0 * u.std_error < 0.1, "{u:?}");
    for imp in ranking
        .iter()
        .filter(|i| singles.contains(&i.event.name.as_str()))
    {
        assert!(imp.birnbaum > 0.9, "{imp:?}");
    }

    // j moves through the ranking; the header says what the event hits.
    ch(&mut a, 'j');
    assert_eq!(a.selected_event, 1);
    ch(&mut a, 'G');
    assert_eq!(a.selected_event, ranking.len() - 1);
    let screen = format!("{}", snapshot(&a, 160, 48));
    assert!(
        screen.contains(&format!(
            "{} takes down",
            ranking.last().unwrap().event.name
        )),
        "{screen}"
    );

    // A click on a ranking row selects that event.
    let third = &ranking[2].event.name;
    a.selected_event = 0;
    let (x, y) = find_on_screen(&snapshot(&a, 80, 24), &format!("3   {third}"));
    click(&mut a, x + 4, y);
    assert_eq!(a.selected_event, 2);

    // Another plan (chosen on Plans) or an edit makes the job stale.
    type_keys(&mut a, "3j5");
    a.tick();
    assert_eq!(a.importance.as_ref().unwrap().key.plan, PlanId(1));
    assert_eq!(a.selected_event, 0, "a new ranking starts at the top");
    // While that one computes, another change waits for it to finish: one
    // job at a time, and the screen says the ranking shown is outdated.
    type_keys(&mut a, "3j5");
    a.tick();
    if !a.importance.as_ref().unwrap().worker_done {
        assert_eq!(a.importance.as_ref().unwrap().key.plan, PlanId(1));
        let screen = format!("{}", snapshot(&a, 160, 48));
        assert!(screen.contains("outdated"), "{screen}");
    }
    wait_for_importance(&mut a);
    a.tick();
    assert_eq!(a.importance.as_ref().unwrap().key.plan, PlanId(2));
}

/// The static run's header lists what only the time-based run models, by
/// the library's one rule (`time_only_features`): here the failover of an
/// active-passive plan given 5 m + 15 m of detection and switchover.
#[test]
fn the_static_run_header_names_the_failover_the_random_instant_leaves_out() {
    use drsim::model::{PlanId, time_only_features};
    use drsim::units::Duration;
    let mut a = app();
    small_runs(&mut a);
    let plan = &mut a.topology.plans[1];
    assert_eq!(plan.key, "active-passive");
    plan.detection = Duration::parse("5m").unwrap();
    plan.switchover = Duration::parse("15m").unwrap();
    type_keys(&mut a, "3js");
    wait_for_worker(&mut a);
    let listed = time_only_features(&a.topology, PlanId(1));
    assert_eq!(listed, ["detection and switchover"]);
    let screen = format!("{}", snapshot(&a, 160, 48));
    let want = "detection and switchover modelled by the time-based run only";
    assert!(screen.contains(want), "{screen}");
}

/// The Importance tab shows what the ranking's worker is estimating as the
/// library reports it (the term, its estimator, samples against the plan
/// and the relative error), and says when estimates stopped short.
#[test]
fn importance_tab_shows_the_rankings_progress_and_short_estimates() {
    use super::test_support::open_importance;
    use drsim::sampling::{Progress, Status, StoppedShort};
    let mut a = app();
    open_importance(&mut a);
    let job = a.importance.as_mut().unwrap();
    let terms = 2 * job.ranking.as_ref().unwrap().len();
    // The worker's last report is the last conditional estimate, event up.
    let head = format!("importance {terms}/{terms} ");
    assert!(
        job.now.stage.starts_with(&head) && job.now.stage.contains(" up"),
        "{:?}",
        job.now
    );
    // While a ranking is computing, the head shows the latest report.
    let ranking = job.ranking.take();
    job.progress
        .stage("importance 7/32 edge:fra-sin down: turnip");
    let round = Status {
        done: 1000,
        planned: 2000,
        relative_error: 0.23,
        target: None,
    };
    job.progress.round(round);
    job.progress.drawn(200);
    job.poll();
    find_on_screen(
        &snapshot(&a, 160, 48),
        "computing: importance 7/32 edge:fra-sin down: turnip, 1200/2000 samples, RE 2.30e-1",
    );
    // A ranking whose estimates stopped short says how many and why.
    let job = a.importance.as_mut().unwrap();
    let mut ranking = ranking.unwrap();
    let events = ranking.len();
    ranking[0].stopped_short = Some(StoppedShort::WorkBudget);
    ranking[3].stopped_short = Some(StoppedShort::SampleCap);
    job.ranking = Some(ranking);
    find_on_screen(
        &snapshot(&a, 160, 48),
        &format!("done, but the estimates of 2 of {events} events stopped short (work-budget)"),
    );
}
