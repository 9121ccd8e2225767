//! Editing parameters and saving them: field steps, refused edits, the
//! round trip through the user's file with its comments, refusals, the
//! question before quitting with unsaved edits, and a whole session through
//! the event loop that ends in a saved file.

use super::app::{App, Item, Tab};
use super::run_loop;
use super::test_support::{
    FIXTURE, app, ch, key, select, small_runs, type_keys, wait_for_time_run, wait_for_worker,
};
use super::timerun_tests::synthetic_config;
use drsim::model::{LinkId, RegionId, SiteId};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

pub(super) const COMMENTED: &str = include_str!("../../topologies/global-messaging.toml");

/// A file copy of the built-in topology (which is full of comments), opened
/// for editing.
pub(super) fn file_app(dir: &tempfile::TempDir) -> (App, std::path::PathBuf) {
    let path = dir.path().join("gm.toml");
    std::fs::write(&path, COMMENTED).unwrap();
    let t = drsim::io::load_path(&path).unwrap();
    (App::with_file(t, path.clone(), COMMENTED.into()), path)
}

/// One step up of the first plan's headroom on the Plans tab: an edit that
/// is always valid.
fn edit_headroom(a: &mut App) {
    ch(a, '3');
    a.field = 3;
    ch(a, '+');
}

#[test]
fn edit_keys_step_fields_and_mark_the_app_dirty() {
    let mut a = app();
    ch(&mut a, '2');
    select(&mut a, Item::Site(SiteId(0)));
    let mttr = |a: &App| {
        a.topology
            .site(SiteId(0))
            .failure
            .as_ref()
            .unwrap()
            .ttr
            .mean_secs()
    };
    let before = mttr(&a);
    ch(&mut a, '+');
    assert_eq!(mttr(&a), 2.0 * before);
    assert!(a.dirty());
    ch(&mut a, ']');
    let cap = a.topology.site(SiteId(0)).capacity_rps;
    ch(&mut a, '-');
    assert_eq!(a.topology.site(SiteId(0)).capacity_rps, cap / 2.0);
    // The cursor wraps: two fields, so `]` twice returns to MTTR.
    ch(&mut a, ']');
    ch(&mut a, '-');
    assert_eq!(mttr(&a), before);
    // Regions have nothing to edit.
    select(&mut a, Item::Region(drsim::model::RegionId(0)));
    let t = a.topology.clone();
    ch(&mut a, '+');
    assert_eq!(a.topology, t);
    assert!(a.message.contains("select a site or link"), "{}", a.message);
}

#[test]
fn plan_edits_that_break_the_model_are_refused_and_statuses_follow() {
    let mut a = app();
    ch(&mut a, '3');
    let p = drsim::model::PlanId(0);
    // Quorum 0 is invalid: stepping down past 1 is refused, model kept.
    ch(&mut a, ']');
    while a.topology.plan(p).quorum > 1 {
        ch(&mut a, '-');
    }
    let t = a.topology.clone();
    ch(&mut a, '-');
    assert_eq!(a.topology, t, "{}", a.message);
    // Raising the quorum past the serving sites a demand reaches takes the
    // plan down at once.
    let n = a.topology.plan(p).serving_sites.len() as u32;
    let mut last = String::new();
    while a.topology.plan(p).quorum <= n && a.topology.plan(p).quorum < 50 {
        let q = a.topology.plan(p).quorum;
        ch(&mut a, '+');
        if a.topology.plan(p).quorum == q {
            last = a.message.clone();
            break;
        }
    }
    assert!(
        !a.statuses[0].is_up() || last.contains("cannot change"),
        "quorum {} of {n}: {last}",
        a.topology.plan(p).quorum
    );
    // Headroom steps by 0.05 and stays readable.
    ch(&mut a, ']');
    ch(&mut a, ']');
    let h = a.topology.plan(p).headroom;
    ch(&mut a, '+');
    assert_eq!(
        a.topology.plan(p).headroom,
        ((h + 0.05) * 100.0).round() / 100.0
    );
}

#[test]
fn save_round_trips_the_edited_model_and_keeps_comments() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, path) = file_app(&dir);
    ch(&mut a, '2');
    // A site with its own `unavailability` failure table, and one on defaults.
    for s in 0..a.topology.sites.len() as u32 {
        select(&mut a, Item::Site(SiteId(s)));
        a.field = 0;
        type_keys(&mut a, "+]-");
    }
    select(&mut a, Item::Link(drsim::model::LinkId(0)));
    a.field = 0;
    type_keys(&mut a, "+]+3");
    a.field = 0;
    type_keys(&mut a, "+]]+]-");
    assert!(a.dirty());
    ch(&mut a, 'w');
    assert!(
        a.confirm_save && a.message.ends_with("y/n"),
        "{}",
        a.message
    );
    // Nothing is written before the answer.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), COMMENTED);
    ch(&mut a, 'y');
    assert!(a.message.starts_with("saved"), "{}", a.message);
    assert!(!a.dirty());
    let saved = std::fs::read_to_string(&path).unwrap();
    assert_eq!(drsim::io::load_path(&path).unwrap(), a.topology);
    for line in COMMENTED
        .lines()
        .filter(|l| l.trim_start().starts_with('#'))
    {
        assert!(saved.contains(line), "lost comment line: {line}");
    }
    // Unedited tables are byte-identical: the surge and demand sections.
    let tail = |s: &str| s[s.find("[[demand]]").unwrap()..s.find("[[plan]]").unwrap()].to_string();
    assert_eq!(tail(&saved), tail(COMMENTED));
    // A second save after more edits starts from the saved text.
    type_keys(&mut a, "+wy");
    assert!(a.message.starts_with("saved"), "{}", a.message);
    assert_eq!(drsim::io::load_path(&path).unwrap(), a.topology);
}

#[test]
fn save_refuses_a_file_changed_on_disk_and_n_cancels() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, path) = file_app(&dir);
    edit_headroom(&mut a);
    assert!(a.dirty(), "{}", a.message);
    ch(&mut a, 'w');
    ch(&mut a, 'n');
    assert!(!a.confirm_save && a.message.contains("cancelled"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), COMMENTED);
    let changed = format!("{COMMENTED}\n# edited elsewhere\n");
    std::fs::write(&path, &changed).unwrap();
    ch(&mut a, 'w');
    ch(&mut a, 'y');
    assert!(a.message.contains("changed on disk"), "{}", a.message);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), changed);
    assert!(a.dirty(), "the edits are kept after a refused save");
}

#[test]
fn the_built_in_topology_is_not_saved_in_place() {
    let mut a = app();
    ch(&mut a, 'w');
    assert_eq!(a.message, "no edits to save");
    edit_headroom(&mut a);
    ch(&mut a, 'w');
    assert!(!a.confirm_save);
    assert!(a.message.contains("drsim tui FILE"), "{}", a.message);
    // Unsaved edits: q and Esc ask; only y quits without saving.
    for stay in [KeyCode::Esc, KeyCode::Char('q'), KeyCode::Char('n')] {
        ch(&mut a, 'q');
        assert!(!a.quit && a.confirm_quit, "{}", a.message);
        assert!(
            a.message.contains("quit without saving 1 edited"),
            "{}",
            a.message
        );
        assert!(!a.message.contains("w saves"), "nothing to save into here");
        key(&mut a, stay);
        assert!(!a.quit && !a.confirm_quit, "{stay:?} stays");
        assert!(a.dirty(), "the edits are kept");
    }
    key(&mut a, KeyCode::Esc);
    assert!(a.confirm_quit, "Esc asks too");
    ch(&mut a, 'y');
    assert!(a.quit);
}

#[test]
fn quit_with_unsaved_edits_offers_to_save_first() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, path) = file_app(&dir);
    edit_headroom(&mut a);
    ch(&mut a, 'q');
    assert!(a.message.contains("w saves"), "{}", a.message);
    ch(&mut a, 'w');
    assert!(!a.quit && a.confirm_save, "w asks to save: {}", a.message);
    ch(&mut a, 'y');
    assert!(!a.dirty(), "saved: {}", a.message);
    assert_ne!(std::fs::read_to_string(&path).unwrap(), COMMENTED);
    ch(&mut a, 'q');
    assert!(a.quit, "nothing unsaved: q quits at once");
}

/// Links without an id are found by "a-b"; a link with its own failure table
/// (non-exponential repair, comment after it) keeps its time to failure and
/// its comment, and the file loads to exactly the edited model.
#[test]
fn link_edits_find_tables_by_endpoints_and_keep_own_failure_tables() {
    let text = FIXTURE.replacen(
        "[[link]]\na = \"iad\"\nb = \"ams\"\n",
        "[[link]]\na = \"iad\"\nb = \"ams\"\n# own process\nfailure = { mtbf = \"3y\", ttr = { dist = \"lognormal\", median = \"6h\", sigma = 1.0 } } # kept\n",
        1,
    );
    assert_ne!(text, FIXTURE);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dev.toml");
    std::fs::write(&path, &text).unwrap();
    let t = drsim::io::load_path(&path).unwrap();
    let mut a = App::with_file(t, path.clone(), text.clone());
    ch(&mut a, '2');
    for l in [0, 1] {
        select(&mut a, Item::Link(LinkId(l)));
        a.field = 0;
        type_keys(&mut a, "-]+");
    }
    let f = a.topology.link(LinkId(1)).failure.clone().unwrap();
    assert!(matches!(
        f.ttr,
        drsim::model::Distribution::LogNormal { .. }
    ));
    ch(&mut a, 'w');
    ch(&mut a, 'y');
    assert!(a.message.starts_with("saved"), "{}", a.message);
    let saved = std::fs::read_to_string(&path).unwrap();
    assert_eq!(drsim::io::load_path(&path).unwrap(), a.topology);
    assert!(
        saved.contains("# own process\nfailure = { mtbf = \"3y\", "),
        "{saved}"
    );
    assert!(saved.contains("} # kept\n"), "{saved}");
    assert!(saved.contains("median = \"12h\""), "{saved}");
}

/// A whole session on a file copy of the bundled default topology, typed
/// through the real event loop: fail a region, run a plan, run another to
/// compare, switch to the time-based engine and run, edit a plan's
/// detection time, save with confirmation, quit. The loop quits between
/// stages only so the test can wait for the workers; the app carries over.
/// The saved file is re-loaded: the edit is in it, everything else equals
/// the app's model, and every comment of the original is still there.
#[test]
fn end_to_end_session_on_the_default_topology_ends_in_a_saved_file() {
    use drsim::model::PlanId;
    use drsim::service::{FailedSet, plan_status as plan_serves};
    let dir = tempfile::tempdir().unwrap();
    let (mut a, path) = file_app(&dir);
    small_runs(&mut a);
    a.time_config = synthetic_config(2);
    let k = |c: char| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let mut stage = |a: &mut App, keys: &[char]| {
        // Ctrl-c ends the stage even with unsaved edits (q would ask).
        let stop = Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
        let mut ev = keys.iter().map(|&c| k(c)).chain([stop]);
        a.quit = false;
        run_loop(&mut term, a, || Ok(ev.next())).unwrap();
        assert!(a.quit);
        format!("{}", term.backend())
    };
    let screen = stage(&mut a, &[]);
    assert!(screen.contains("World map"), "{screen}");

    // Components: the second region (florida) fails; plan statuses are the
    // library's for that failure.
    stage(&mut a, &['2', 'j', ' ']);
    let florida = Item::Region(RegionId(1));
    assert!(a.marked.contains(&florida));
    let mut f = FailedSet::none(&a.topology);
    f.fail_region(&a.topology, RegionId(1));
    for p in 0..a.topology.plans.len() {
        let lib = plan_serves(&a.topology, PlanId(p as u32), &f);
        assert_eq!(a.statuses[p], lib, "plan {p}");
    }

    // Plans: run active-passive, then active-active-5 to compare.
    stage(&mut a, &['3', 'j', 's']);
    wait_for_worker(&mut a);
    assert_eq!(a.run.as_ref().unwrap().plan, PlanId(1));
    let screen = stage(&mut a, &['3', 'j', 's']);
    assert_eq!(a.tab, Tab::Run);
    wait_for_worker(&mut a);
    let screen_done = stage(&mut a, &[]);
    assert!(screen.contains("plan active-active-5"), "{screen}");
    assert!(
        screen_done.contains("previous: plan active-passive · seed 1 · 1 forced"),
        "{screen_done}"
    );
    assert_eq!(
        a.run.as_ref().unwrap().stream.status,
        super::run::RunStatus::Done
    );

    // The time-based engine on the same plan.
    stage(&mut a, &['e', 's']);
    wait_for_time_run(&mut a);
    let screen = stage(&mut a, &[]);
    assert!(screen.contains("time-based engine"), "{screen}");
    assert!(screen.contains("128/128 trial-years"), "{screen}");

    // Edit active-active-5's detection (third field) from 30s to 1m, save.
    stage(&mut a, &['3', ']', ']', '+']);
    let p = PlanId(2);
    assert_eq!(a.topology.plan(p).detection.secs(), 60.0);
    assert!(a.dirty());
    let screen = stage(&mut a, &['w']);
    assert!(screen.contains("y/n"), "{screen}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), COMMENTED);
    let screen = stage(&mut a, &['y']);
    assert!(screen.contains("saved 1 edited value(s)"), "{screen}");
    assert!(!a.dirty());

    let saved = std::fs::read_to_string(&path).unwrap();
    let reloaded = drsim::io::load_path(&path).unwrap();
    assert_eq!(reloaded.plan(p).detection.secs(), 60.0);
    assert_eq!(reloaded, a.topology);
    for line in COMMENTED
        .lines()
        .filter(|l| l.trim_start().starts_with('#'))
    {
        assert!(saved.contains(line), "lost comment line: {line}");
    }
    // Only the edited line differs.
    let changed: Vec<(&str, &str)> = COMMENTED
        .lines()
        .zip(saved.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(COMMENTED.lines().count(), saved.lines().count());
}

/// The TUI's save keeps partial failure modes (they are not edited here):
/// a capacity edit on a site with modes saves a file that loads to the
/// edited model, modes included.
#[test]
fn save_keeps_partial_failure_modes() {
    let text = include_str!("../../tests/data/partial-links.toml").replace(
        "capacity_rps = 20_000",
        "capacity_rps = 20_000\npartial = [{ fraction = { uniform = [0.1, 0.9] }, mtbf = \"9d\", mttr = \"1h\" }]",
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.toml");
    std::fs::write(&path, &text).unwrap();
    let t = drsim::io::load_path(&path).unwrap();
    assert_eq!(t.partials.len(), 3);
    let mut a = App::with_file(t, path.clone(), text);
    ch(&mut a, '2');
    select(&mut a, Item::Site(SiteId(1)));
    a.field = 0;
    type_keys(&mut a, "]-wy");
    assert!(a.message.starts_with("saved"), "{}", a.message);
    let back = drsim::io::load_path(&path).unwrap();
    assert_eq!(back.site(SiteId(1)).capacity_rps, 10_000.0);
    assert_eq!(back, a.topology);
    assert_eq!(back.partials.len(), 3);
}
