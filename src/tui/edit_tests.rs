//! Editing parameters and saving them: field steps, refused edits, the
//! round trip through the user's file with its comments, refusals, and the
//! question before quitting with unsaved edits.

use super::app::{App, Item};
use super::tests::{FIXTURE, app, ch, key, select};
use drsim::model::{LinkId, SiteId};
use ratatui::crossterm::event::KeyCode;

pub(super) const COMMENTED: &str = include_str!("../../topologies/global-messaging.toml");

/// A file copy of the built-in topology (which is full of comments), opened
/// for editing.
pub(super) fn file_app(dir: &tempfile::TempDir) -> (App, std::path::PathBuf) {
    let path = dir.path().join("gm.toml");
    std::fs::write(&path, COMMENTED).unwrap();
    let t = drsim::io::load_path(&path).unwrap();
    (App::with_file(t, path.clone(), COMMENTED.into()), path)
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
        ch(&mut a, '+');
        ch(&mut a, ']');
        ch(&mut a, '-');
    }
    select(&mut a, Item::Link(drsim::model::LinkId(0)));
    a.field = 0;
    ch(&mut a, '+');
    ch(&mut a, ']');
    ch(&mut a, '+');
    ch(&mut a, '3');
    a.field = 0;
    ch(&mut a, '+');
    ch(&mut a, ']');
    ch(&mut a, ']');
    ch(&mut a, '+');
    ch(&mut a, ']');
    ch(&mut a, '-');
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
    ch(&mut a, '+');
    ch(&mut a, 'w');
    ch(&mut a, 'y');
    assert!(a.message.starts_with("saved"), "{}", a.message);
    assert_eq!(drsim::io::load_path(&path).unwrap(), a.topology);
}

#[test]
fn save_refuses_a_file_changed_on_disk_and_n_cancels() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, path) = file_app(&dir);
    ch(&mut a, '3');
    // Headroom: always a valid step.
    a.field = 3;
    ch(&mut a, '+');
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
    ch(&mut a, '3');
    a.field = 3;
    ch(&mut a, '+');
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
    ch(&mut a, '3');
    a.field = 3;
    ch(&mut a, '+');
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
        ch(&mut a, '-');
        ch(&mut a, ']');
        ch(&mut a, '+');
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
