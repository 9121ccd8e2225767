//! State updates by key and mouse, the event loop on a `TestBackend`, and
//! snapshots of every view at 80x24, 120x40 and 160x48 (without colour in
//! `nocolor.rs`; the runs' results in `run_tests.rs` and `timerun_tests.rs`).

use super::app::{Action, App, Item, Tab};
use super::input::tab_at_column;
use super::test_support::{
    app, ch, click, find_on_screen, key, run_static, select, small_runs, snapshot, type_keys,
    wait_for_importance, wait_for_worker,
};
use super::timerun_tests::{synthetic_config, synthetic_groups};
use super::{run_loop, view};
use drsim::model::{LinkId, RegionId, SharedRiskId, SiteId};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

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
    type_keys(&mut a, "3jjj");
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
    let two_years = drsim::units::Duration::parse("2y").unwrap().secs();
    assert_eq!(view::format::fmt_secs(two_years), "2y");
    assert_eq!(view::format::fmt_secs(365.0 * 86400.0), "1y");
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

#[test]
fn snapshots_of_the_run_view() {
    let mut a = app();
    small_runs(&mut a);
    a.tab = Tab::Run;
    insta::assert_snapshot!("run_empty_80x24", snapshot(&a, 80, 24));
    run_static(&mut a);
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
    run_static(&mut a);
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
