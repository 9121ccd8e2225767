//! State updates by key and mouse, the event loop on a `TestBackend`, and
//! snapshots of every view at 80x24, 120x40 and 160x48 (without colour in
//! `nocolor.rs`).
//!
//! The fixture is `dev-topology.toml` itself (not `DEFAULT_TOPOLOGY`), so
//! switching the built-in topology does not change these snapshots.

use super::app::{Action, App, Item, Tab};
use super::edit_tests::{COMMENTED, file_app};
use super::input::tab_at_column;
use super::timerun_tests::{synthetic_config, synthetic_groups};
use super::{run_loop, view};
use drsim::model::{LinkId, RegionId, SharedRiskId, SiteId};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

pub(super) const FIXTURE: &str = include_str!("dev-topology.toml");

pub(super) fn app() -> App {
    let t = drsim::io::load_str(FIXTURE, std::path::Path::new("dev-topology.toml"))
        .unwrap()
        .topology;
    App::new(t, "dev-topology.toml")
}

pub(super) fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

pub(super) fn ch(app: &mut App, c: char) {
    key(app, KeyCode::Char(c));
}

pub(super) fn select(app: &mut App, item: Item) {
    app.selected_item = app.items.iter().position(|&i| i == item).unwrap();
}

fn up_plans(app: &App) -> Vec<bool> {
    app.statuses.iter().map(|s| s.is_up()).collect()
}

#[test]
fn tabs_cycle_with_tab_shift_tab_arrows_and_digits() {
    let mut a = app();
    assert_eq!(a.tab, Tab::Map);
    key(&mut a, KeyCode::Tab);
    assert_eq!(a.tab, Tab::Components);
    ch(&mut a, 'l');
    assert_eq!(a.tab, Tab::Plans);
    key(&mut a, KeyCode::Right);
    assert_eq!(a.tab, Tab::Run);
    key(&mut a, KeyCode::Right);
    assert_eq!(a.tab, Tab::Importance);
    key(&mut a, KeyCode::Right);
    assert_eq!(a.tab, Tab::Map, "wraps around");
    key(&mut a, KeyCode::BackTab);
    assert_eq!(a.tab, Tab::Importance);
    ch(&mut a, 'h');
    ch(&mut a, 'h');
    key(&mut a, KeyCode::Left);
    assert_eq!(a.tab, Tab::Components);
    ch(&mut a, '5');
    assert_eq!(a.tab, Tab::Importance);
    ch(&mut a, '4');
    assert_eq!(a.tab, Tab::Run);
    ch(&mut a, '3');
    assert_eq!(a.tab, Tab::Plans);
    ch(&mut a, '2');
    assert_eq!(a.tab, Tab::Components);
    ch(&mut a, '9');
    assert_eq!(a.tab, Tab::Components, "no ninth tab: ignored");
}

#[test]
fn selection_moves_and_clamps() {
    let mut a = app();
    let n = a.items.len();
    ch(&mut a, 'k');
    assert_eq!(a.selected_item, 0);
    ch(&mut a, 'j');
    key(&mut a, KeyCode::Down);
    assert_eq!(a.selected_item, 2);
    key(&mut a, KeyCode::Up);
    assert_eq!(a.selected_item, 1);
    ch(&mut a, 'G');
    assert_eq!(a.selected_item, n - 1);
    key(&mut a, KeyCode::PageUp);
    assert_eq!(a.selected_item, n - 11);
    ch(&mut a, 'g');
    assert_eq!(a.selected_item, 0);
    // On Plans the keys move the plan selection, not the component one.
    ch(&mut a, '3');
    ch(&mut a, 'j');
    ch(&mut a, 'j');
    ch(&mut a, 'j');
    assert_eq!(a.selected_plan, 2, "three plans: clamps at the last");
    assert_eq!(a.selected_item, 0);
}

#[test]
fn failing_and_restoring_updates_plan_status_at_once() {
    let mut a = app();
    assert_eq!(up_plans(&a), [true, true, true]);
    // iad is the only site of single-region and the primary of active-passive.
    select(&mut a, Item::Site(SiteId(1)));
    ch(&mut a, ' ');
    assert!(a.failed.site_failed(SiteId(1)));
    assert_eq!(up_plans(&a), [false, true, true]);
    assert!(a.message.contains("failed site iad"));
    // f toggles too: restores it.
    ch(&mut a, 'f');
    assert!(!a.failed.site_failed(SiteId(1)));
    assert_eq!(up_plans(&a), [true, true, true]);
}

#[test]
fn region_and_shared_risk_fail_their_members_and_r_restores_all() {
    let mut a = app();
    // Europe (ams, fra) down: the europe demand has no entry site left.
    select(&mut a, Item::Region(RegionId(2)));
    ch(&mut a, ' ');
    assert!(a.failed.site_failed(SiteId(2)) && a.failed.site_failed(SiteId(3)));
    assert_eq!(up_plans(&a), [false, false, false]);
    // Serving sites of down plans that are still up are at risk.
    assert!(a.at_risk[1], "iad serves a down plan");
    assert!(!a.at_risk[2], "ams is down, not at risk");
    ch(&mut a, 'r');
    assert!(a.marked.is_empty() && a.failed.is_empty());
    assert_eq!(up_plans(&a), [true, true, true]);
    // The Atlantic cable carries iad-ams; the ring still connects both ways.
    select(&mut a, Item::SharedRisk(SharedRiskId(0)));
    ch(&mut a, ' ');
    assert!(a.failed.link_failed(LinkId(1)));
    assert_eq!(up_plans(&a), [true, true, true]);
    // Cutting the ring a second time (fra-sin) isolates Europe from iad.
    // Active-passive serves from one site at a time (iad, the first usable),
    // so Europe's users are down even though they still reach the standby
    // ams: the one service rule, as the simulator has it.
    select(&mut a, Item::Link(LinkId(3)));
    ch(&mut a, ' ');
    assert_eq!(up_plans(&a), [false, false, false]);
}

#[test]
fn fail_key_on_plans_tab_changes_nothing() {
    let mut a = app();
    ch(&mut a, '3');
    ch(&mut a, ' ');
    assert!(a.marked.is_empty());
    assert!(a.message.contains("select a component"));
}

#[test]
fn help_overlay_swallows_keys_and_esc_closes_before_quitting() {
    let mut a = app();
    ch(&mut a, '?');
    assert!(a.help);
    ch(&mut a, 'j');
    ch(&mut a, '2');
    assert_eq!((a.selected_item, a.tab), (0, Tab::Map));
    key(&mut a, KeyCode::Esc);
    assert!(!a.help && !a.quit);
    key(&mut a, KeyCode::Esc);
    assert!(a.quit);
    let mut b = app();
    ch(&mut b, 'q');
    assert!(b.quit);
    let mut c = app();
    c.handle_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(c.quit);
}

#[test]
fn map_resolution_toggles() {
    let mut a = app();
    assert!(a.map_high_res, "high resolution by default");
    ch(&mut a, 'm');
    assert!(!a.map_high_res);
    a.update(Action::ToggleMapResolution);
    assert!(a.map_high_res);
}

/// The click mapping must match where ratatui actually draws the titles:
/// find each title in a rendered top row and click its first and last letter.
#[test]
fn click_on_each_rendered_tab_title_selects_it() {
    let a = app();
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    term.draw(|f| view::render(&a, f)).unwrap();
    let top: String = (0..80)
        .map(|x| term.backend().buffer()[(x, 0)].symbol().to_string())
        .collect();
    for tab in Tab::ALL {
        let start = top.find(tab.title()).unwrap();
        // Columns count chars, and the divider before it is multi-byte.
        let col = top[..start].chars().count() as u16;
        let last = col + tab.title().chars().count() as u16 - 1;
        for c in [col, last] {
            assert_eq!(tab_at_column(c), Some(tab), "column {c}");
            let mut b = app();
            b.handle_mouse(MouseEvent {
                kind: MouseEventKind::Down(MouseButton::Left),
                column: c,
                row: 0,
                modifiers: KeyModifiers::NONE,
            });
            assert_eq!(b.tab, tab);
        }
    }
    assert_eq!(tab_at_column(70), None);
}

#[test]
fn event_loop_runs_to_quit_on_a_test_backend_and_survives_resize() {
    let mut a = app();
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut events = vec![
        Event::Key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::NONE)),
        Event::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)),
        Event::Resize(160, 48),
        Event::Key(KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE)),
        Event::Key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE)),
    ]
    .into_iter();
    run_loop(&mut term, &mut a, || Ok(events.next())).unwrap();
    assert!(a.quit);
    assert_eq!(events.next(), None, "every event consumed");
    assert_eq!(a.tab, Tab::Components);
    assert!(a.marked.contains(&Item::Region(RegionId(1))));
}

pub(super) fn snapshot(a: &App, w: u16, h: u16) -> TestBackend {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| view::render(a, f)).unwrap();
    term.backend().clone()
}

/// Every view at both sizes: Map with the Atlantic cable and fra-sin cut
/// (two plans down), Components on a site, Plans, and the help overlay.
#[test]
fn snapshots_of_every_view() {
    let mut a = app();
    select(&mut a, Item::SharedRisk(SharedRiskId(0)));
    ch(&mut a, ' ');
    select(&mut a, Item::Link(LinkId(3)));
    ch(&mut a, ' ');
    for (w, h) in [(80, 24), (120, 40), (160, 48)] {
        a.tab = Tab::Map;
        insta::assert_snapshot!(format!("map_{w}x{h}"), snapshot(&a, w, h));
        a.tab = Tab::Components;
        select(&mut a, Item::Site(SiteId(1)));
        insta::assert_snapshot!(format!("components_{w}x{h}"), snapshot(&a, w, h));
        a.tab = Tab::Plans;
        insta::assert_snapshot!(format!("plans_{w}x{h}"), snapshot(&a, w, h));
        a.help = true;
        insta::assert_snapshot!(format!("help_{w}x{h}"), snapshot(&a, w, h));
        a.help = false;
    }
}

#[test]
fn durations_and_probabilities_format_compactly() {
    assert_eq!(view::format::fmt_secs(30.0), "30s");
    assert_eq!(view::format::fmt_secs(900.0), "15m");
    assert_eq!(view::format::fmt_secs(4.0 * 3600.0), "4h");
    assert_eq!(view::format::fmt_secs(36.0 * 3600.0), "1.5d");
    assert_eq!(view::format::fmt_secs(2.0 * 365.25 * 86400.0), "2y");
    assert_eq!(view::format::fmt_prob(0.000228), "2.28e-4");
    assert_eq!(view::format::fmt_prob(0.25), "0.2500");
    assert_eq!(view::format::fmt_prob(0.0), "0");
}

/// Box heights follow the rows a word-wrapping paragraph really takes: each
/// case is checked against ratatui's own rendering.
#[test]
fn wrapped_rows_match_the_rendered_paragraph() {
    use ratatui::text::Line;
    use ratatui::widgets::{Paragraph, Wrap};
    let cases: Vec<Vec<Line>> = vec![
        vec![Line::raw("short")],
        vec![Line::raw(
            "a b c d e f g h i j k l m n o p q r s t u v w x y z",
        )],
        vec![Line::raw(
            "previous: plan single-region · seed 1 · 2 forced · P(down) = 1.0000",
        )],
        vec![
            Line::raw(""),
            Line::raw("averyveryverylongwordthatdoesnotfit and more"),
        ],
        vec![Line::raw("x".repeat(45)), Line::raw("two words")],
    ];
    for width in [10u16, 20, 33] {
        for lines in &cases {
            let mut term = Terminal::new(TestBackend::new(width, 40)).unwrap();
            term.draw(|f| {
                f.render_widget(
                    Paragraph::new(lines.clone()).wrap(Wrap { trim: false }),
                    f.area(),
                )
            })
            .unwrap();
            let buf = term.backend().buffer();
            let used = (0..40u16)
                .rev()
                .find(|&y| (0..width).any(|x| buf[(x, y)].symbol() != " "))
                .map_or(0, |y| y + 1);
            let rows = view::format::wrapped_rows(lines, width);
            assert_eq!(rows, used, "{width}: {lines:?}");
        }
    }
}

pub(super) fn small_runs(a: &mut App) {
    a.run_config = super::run::RunConfig {
        samples: 10 * drsim::reliability::crude::BATCH - 100,
    };
}

/// Ticks until the worker has exited; the bound only guards against a hang.
pub(super) fn wait_for_worker(a: &mut App) {
    for _ in 0..12_000 {
        a.tick();
        if a.run.as_ref().is_some_and(|r| r.stream.worker_done) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("the worker did not finish");
}

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
    ch(&mut a, ' ');
    ch(&mut a, '3');
    ch(&mut a, 'j');
    ch(&mut a, 's');
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
    let opts = EstimateOptions {
        method: Method::Crude,
        samples: n,
        seed: 1,
        ..EstimateOptions::default()
    };
    let cli = estimate(&m, &c, &opts).unwrap();
    let last = run.latest().unwrap();
    assert_eq!(last.samples, n);
    assert_eq!(last.p_down, cli.unreliability);
    assert_eq!(last.ci95, (cli.ci95_low, cli.ci95_high));
    assert!(last.down > 0, "the what-if makes some samples fail");
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

#[test]
fn snapshots_of_the_run_view() {
    let mut a = app();
    small_runs(&mut a);
    a.tab = Tab::Run;
    insta::assert_snapshot!("run_empty_80x24", snapshot(&a, 80, 24));
    ch(&mut a, 's');
    wait_for_worker(&mut a);
    for (w, h) in [(80, 24), (120, 40), (160, 48)] {
        insta::assert_snapshot!(format!("run_done_{w}x{h}"), snapshot(&a, w, h));
    }
    // A second run (next seed) shows the first one's result to compare.
    ch(&mut a, 'n');
    wait_for_worker(&mut a);
    // 80 columns keep the `previous:` line too.
    for (w, h) in [(80, 24), (120, 40), (160, 48)] {
        insta::assert_snapshot!(format!("run_compare_{w}x{h}"), snapshot(&a, w, h));
        assert!(format!("{}", snapshot(&a, w, h)).contains("previous: plan"));
    }
}

#[test]
fn the_built_in_topology_loads_with_plans_all_up() {
    let a = super::default_app().unwrap();
    assert_eq!(a.topology.name, "global-messaging");
    assert!(!a.topology.plans.is_empty());
    assert!(a.statuses.iter().all(|s| s.is_up()), "{:?}", a.statuses);
}

/// Tiny or odd terminal sizes must never panic, on any tab or with help.
#[test]
fn renders_at_any_size_without_panicking() {
    let mut a = app();
    small_runs(&mut a);
    ch(&mut a, 's');
    wait_for_worker(&mut a);
    for (w, h) in [(1, 1), (10, 3), (20, 5), (40, 10), (79, 23), (300, 100)] {
        for tab in Tab::ALL {
            a.tab = tab;
            for help in [false, true] {
                a.help = help;
                snapshot(&a, w, h);
            }
        }
    }
}

/// docs/tui.md documents exactly the keys the help overlay lists.
#[test]
fn docs_key_table_matches_the_help() {
    let doc = include_str!("../../docs/tui.md");
    for (k, _) in view::help::KEYS {
        assert!(doc.contains(&format!("| `{k}` |")), "docs/tui.md lacks {k}");
    }
    let rows = doc.lines().filter(|l| l.starts_with("| `")).count();
    assert_eq!(
        rows,
        view::help::KEYS.len(),
        "docs/tui.md has extra key rows"
    );
}

/// A topology without coordinates or plans says so instead of showing an
/// empty map and table.
#[test]
fn missing_coordinates_and_plans_are_explained() {
    let text = "[topology]\nname = \"bare\"\nformat = 1\n\n[[site]]\nid = \"a\"\n\n[[site]]\nid = \"b\"\n\n[[link]]\na = \"a\"\nb = \"b\"\n";
    let t = drsim::io::load_str(text, std::path::Path::new("bare.toml"))
        .unwrap()
        .topology;
    let mut a = App::new(t, "bare.toml");
    let screen = |a: &App| format!("{}", snapshot(a, 100, 30));
    let map = screen(&a);
    assert!(map.contains("no plans declared"), "{map}");
    assert!(map.contains("2 of 2 sites have no"), "{map}");
    a.tab = Tab::Plans;
    assert!(screen(&a).contains("This topology declares no plans."));
    ch(&mut a, 's');
    assert!(a.run.is_none());
    assert!(a.message.contains("no plans"));
}

/// ams and fra fall on one row a column apart on a 52x10 map: only one is
/// named, and selecting the other gives it the name instead.
#[test]
fn map_labels_never_overlap_and_the_selection_wins() {
    let mut a = app();
    let area = ratatui::layout::Rect::new(0, 0, 52, 10);
    let (ams, fra) = (2usize, 3usize);
    let l = view::map::labelled_sites(&a, &[], area);
    assert!(l.contains(&ams) && !l.contains(&fra), "{l:?}");
    let l = view::map::labelled_sites(&a, &[fra], area);
    assert!(l.contains(&fra) && !l.contains(&ams), "{l:?}");
    // On a wide map both fit.
    let wide = ratatui::layout::Rect::new(0, 0, 300, 80);
    let l = view::map::labelled_sites(&a, &[], wide);
    assert_eq!(l.len(), a.topology.sites.len());
    // A failed site outranks an up neighbour.
    select(&mut a, Item::Site(SiteId(3)));
    ch(&mut a, ' ');
    let l = view::map::labelled_sites(&a, &[], area);
    assert!(l.contains(&fra) && !l.contains(&ams), "{l:?}");
}

/// A whole session through the real event loop, as a user would type it:
/// go to Components, fail the Europe region, look at the plans, pick a plan
/// and run it; then (after the worker finishes) restore everything and quit.
/// The loop quits between the two halves only so the test can wait for the
/// worker; the app and its run carry over.
#[test]
fn end_to_end_session_by_key_events() {
    let mut a = app();
    small_runs(&mut a);
    let k = |c: char| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    // Regions are listed first: us-west, us-east, eu.
    let mut first = [
        k('2'),
        k('j'),
        k('j'),
        k(' '),
        k('3'),
        k('j'),
        k('j'),
        k('s'),
        k('q'),
    ]
    .into_iter();
    run_loop(&mut term, &mut a, || Ok(first.next())).unwrap();
    assert_eq!(a.tab, Tab::Run);
    assert!(a.marked.contains(&Item::Region(RegionId(2))));
    assert_eq!(
        up_plans(&a),
        [false, false, false],
        "Europe's demand is cut off"
    );
    a.quit = false;
    wait_for_worker(&mut a);

    let mut second = [k('r'), k('q')].into_iter();
    run_loop(&mut term, &mut a, || Ok(second.next())).unwrap();
    let screen = format!("{}", term.backend());
    let run = a.run.as_ref().unwrap();
    assert_eq!(run.stream.status, super::run::RunStatus::Done);
    // With Europe forced down, three-region can never reach a quorum for
    // the europe demand: every sample is down.
    let e = run.latest().unwrap();
    assert_eq!(
        (e.samples, e.down),
        (a.run_config.samples, a.run_config.samples)
    );
    assert!(screen.contains("plan three-region · seed 1 · 1 what-if failures forced · done"));
    let all = format!("{0} of {0} samples", a.run_config.samples);
    assert!(screen.contains(&all), "{screen}");
    assert!(a.marked.is_empty());
    assert_eq!(up_plans(&a), [true, true, true]);
}

fn click(a: &mut App, column: u16, row: u16) {
    a.handle_mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    });
}

/// Finds `text` in a rendered screen; returns (column, row) of its first char.
fn find_on_screen(b: &TestBackend, text: &str) -> (u16, u16) {
    let buf = b.buffer();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        if let Some(i) = line.find(text) {
            return (line[..i].chars().count() as u16, y);
        }
    }
    panic!("{text:?} not on screen:\n{b}");
}

/// Clicking a drawn row selects exactly that row, also after scrolling.
#[test]
fn click_selects_the_component_or_plan_drawn_there() {
    let mut a = app();
    a.set_size(80, 24);
    ch(&mut a, '2');
    let (x, y) = find_on_screen(&snapshot(&a, 80, 24), " sin");
    click(&mut a, x + 2, y);
    assert_eq!(a.selected(), Some(Item::Site(SiteId(4))));
    // Scroll to the end; the top rows are gone and clicks still match.
    ch(&mut a, 'G');
    assert!(a.comp_offset > 0);
    let (x, y) = find_on_screen(&snapshot(&a, 80, 24), "sin-nrt");
    click(&mut a, x, y);
    assert_eq!(a.selected(), Some(Item::Link(LinkId(4))));
    // A click on a section header changes nothing.
    let (x, y) = find_on_screen(&snapshot(&a, 80, 24), "Shared-risk groups");
    click(&mut a, x, y);
    assert_eq!(a.selected(), Some(Item::Link(LinkId(4))));

    ch(&mut a, '3');
    let (x, y) = find_on_screen(&snapshot(&a, 80, 24), "three-region");
    click(&mut a, x, y);
    assert_eq!(a.selected_plan, 2);
    // The header row selects nothing.
    let (x, y) = find_on_screen(&snapshot(&a, 80, 24), "Plan ");
    click(&mut a, x, y);
    assert_eq!(a.selected_plan, 2);
}

/// Moving up from the bottom keeps the view still until the selection
/// reaches its top edge, like any list.
#[test]
fn list_scrolls_only_when_the_selection_leaves_the_view() {
    let mut a = app();
    a.set_size(80, 24);
    ch(&mut a, '2');
    ch(&mut a, 'G');
    let bottom_offset = a.comp_offset;
    let visible = 24 - 4;
    let rows = a.component_rows().len();
    assert_eq!(bottom_offset, rows - visible);
    ch(&mut a, 'k');
    ch(&mut a, 'k');
    assert_eq!(a.comp_offset, bottom_offset);
    ch(&mut a, 'g');
    assert_eq!(a.comp_offset, 0);
    // Moving onto the first site also shows the "Sites" title above it.
    select(&mut a, Item::Site(SiteId(1)));
    a.set_size(80, 24);
    let first_site_row = a.selected_component_row().unwrap() - 1;
    a.comp_offset = first_site_row + 1;
    ch(&mut a, 'k');
    assert_eq!(a.selected(), Some(Item::Site(SiteId(0))));
    assert_eq!(a.comp_offset, first_site_row - 1, "title row shown");
}

/// Ticks until the importance job's worker has exited.
pub(super) fn wait_for_importance(a: &mut App) {
    for _ in 0..12_000 {
        a.tick();
        if a.importance.as_ref().is_some_and(|j| j.worker_done) {
            a.tick();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("the importance worker did not finish");
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
    ch(&mut a, '3');
    ch(&mut a, 'j');
    ch(&mut a, '5');
    a.tick();
    assert_eq!(a.importance.as_ref().unwrap().key.plan, PlanId(1));
    assert_eq!(a.selected_event, 0, "a new ranking starts at the top");
    // While that one computes, another change waits for it to finish: one
    // job at a time, and the screen says the ranking shown is outdated.
    ch(&mut a, '3');
    ch(&mut a, 'j');
    ch(&mut a, '5');
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

#[test]
fn map_colours_by_criticality_once_the_ranking_is_in() {
    let mut a = app();
    ch(&mut a, 'i');
    assert!(a.map_importance);
    assert!(
        a.message.contains("once the Importance tab"),
        "{}",
        a.message
    );
    // The map itself starts the job when it colours by importance.
    a.tick();
    wait_for_importance(&mut a);
    let screen = format!("{}", snapshot(&a, 160, 48));
    assert!(screen.contains("sites by criticality"), "{screen}");
    assert!(
        screen.contains("share of single-region's downtime"),
        "{screen}"
    );
    let crit = view::map::SiteCriticality::of(&a).unwrap().share;
    // iad is the plan's only serving site: it is the most critical site.
    assert!(
        (0..crit.len()).all(|i| i == 1 || crit[1] > crit[i]),
        "{crit:?}"
    );
    insta::assert_snapshot!("map_importance_160x48", snapshot(&a, 160, 48));
    ch(&mut a, 'i');
    assert!(!format!("{}", snapshot(&a, 160, 48)).contains("sites by criticality"));
}

#[test]
fn snapshots_of_the_importance_view() {
    let mut a = app();
    ch(&mut a, '5');
    insta::assert_snapshot!("importance_empty_80x24", {
        let mut b = app();
        b.tab = Tab::Importance;
        b.importance = Some(super::importance::ImportanceJob::start(
            &b.topology,
            b.importance_key().unwrap(),
        ));
        // Nothing received yet: the computing state.
        snapshot(&b, 80, 24)
    });
    a.tick();
    wait_for_importance(&mut a);
    ch(&mut a, 'j');
    for (w, h) in [(80, 24), (120, 40), (160, 48)] {
        insta::assert_snapshot!(format!("importance_{w}x{h}"), snapshot(&a, w, h));
    }
}

#[test]
fn snapshots_of_the_time_based_run_view() {
    use super::timerun::TimeRun;
    use drsim::model::PlanId;
    let mut a = app();
    ch(&mut a, 'e');
    a.tab = Tab::Run;
    insta::assert_snapshot!("time_run_empty_80x24", snapshot(&a, 80, 24));
    let cfg = synthetic_config(6);
    a.time_run = Some(TimeRun::finished(PlanId(0), 1, cfg, synthetic_groups(6)));
    for (w, h) in [(80, 24), (120, 40), (160, 48)] {
        insta::assert_snapshot!(format!("time_run_done_{w}x{h}"), snapshot(&a, w, h));
    }
    a.previous_time_run = a.time_run.take();
    a.time_run = Some(TimeRun::finished(
        PlanId(1),
        2,
        synthetic_config(3),
        synthetic_groups(3),
    ));
    for (w, h) in [(80, 24), (120, 40), (160, 48)] {
        insta::assert_snapshot!(format!("time_run_compare_{w}x{h}"), snapshot(&a, w, h));
        let screen = format!("{}", snapshot(&a, w, h));
        assert!(screen.contains("previous: plan"), "{screen}");
        assert!(screen.contains("unattributed"), "{screen}");
    }
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
    for _ in 0..12_000 {
        a.tick();
        if a.time_run.as_ref().is_some_and(|r| r.stream.worker_done) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
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
