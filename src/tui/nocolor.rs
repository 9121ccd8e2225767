//! Without colour (`NO_COLOR`) every view must draw no colour at all and
//! still tell the states apart; and an imported network (numeric ids, no
//! plans, components that never fail) must read sensibly. Snapshots of every
//! view at 80x24, 120x40 and 160x48.

use super::app::{App, Item, Tab};
use super::test_support::{
    app, ch, open_importance, run_static, select, small_runs, snapshot, wait_for_importance,
    wait_for_worker,
};
use super::timerun_tests::{synthetic_config, synthetic_groups};
use drsim::model::{LinkId, PlanId, SharedRiskId, SiteId};
use ratatui::backend::TestBackend;
use ratatui::style::Color;

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (160, 48)];

/// Every cell of the screen in the terminal's own colours.
fn assert_colourless(b: &TestBackend, what: &str) {
    for cell in b.buffer().content() {
        assert!(
            cell.fg == Color::Reset && cell.bg == Color::Reset,
            "{what}: {:?} drawn in {:?} on {:?}",
            cell.symbol(),
            cell.fg,
            cell.bg
        );
    }
}

/// The dev topology with the Atlantic cable and fra-sin cut (two plans
/// down), as the colour snapshots have it, with colour off.
fn failed_app() -> App {
    let mut a = app();
    a.color = false;
    select(&mut a, Item::SharedRisk(SharedRiskId(0)));
    ch(&mut a, ' ');
    select(&mut a, Item::Link(LinkId(3)));
    ch(&mut a, ' ');
    a
}

#[test]
fn every_view_without_colour() {
    let mut a = failed_app();
    small_runs(&mut a);
    let mut shots: Vec<(&str, App)> = Vec::new();
    let mut push = |name, a: &App, f: &dyn Fn(&mut App)| {
        let mut b = clone_view(a);
        f(&mut b);
        shots.push((name, b));
    };
    push("map", &a, &|b| b.tab = Tab::Map);
    push("components", &a, &|b| {
        b.tab = Tab::Components;
        select(b, Item::Site(SiteId(1)));
    });
    push("plans", &a, &|b| b.tab = Tab::Plans);
    push("help", &a, &|b| {
        b.tab = Tab::Plans;
        b.help = true;
    });
    for (name, b) in &shots {
        for (w, h) in SIZES {
            let s = snapshot(b, w, h);
            assert_colourless(&s, name);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), s);
        }
    }
    // The states differ by glyph on the map, and its legend names them.
    let map = format!("{}", snapshot(&shots[0].1, 120, 40));
    for glyph in ["• up", "✗ down", "! at risk", "▶name selected"] {
        assert!(map.contains(glyph), "{glyph}: {map}");
    }
    assert!(
        map.contains("▶•fra") && map.contains("▶!sin"),
        "the selected link's ends keep their state glyphs: {map}"
    );
    assert!(map.contains("! plans up 0/3"), "{map}");
    // The selected row of a list or table carries the marker.
    let comps = format!("{}", snapshot(&shots[1].1, 120, 40));
    assert!(comps.contains("▶  · iad"), "{comps}");
    let plans = format!("{}", snapshot(&shots[2].1, 120, 40));
    assert!(plans.contains("▶ single-region"), "{plans}");
    assert!(plans.contains("▶replicas 1"), "the field cursor: {plans}");
}

/// The same app state, for a second screen; workers are not shared.
fn clone_view(a: &App) -> App {
    let mut b = app();
    b.color = a.color;
    b.run_config = a.run_config;
    for &item in &a.marked {
        select(&mut b, item);
        ch(&mut b, ' ');
    }
    b.selected_item = a.selected_item;
    b
}

/// At every size the `view` is drawn without colour, names the what-if
/// `scenario` it held down, and matches the snapshot `{name}_{w}x{h}`.
fn assert_scenario_screens(a: &App, view: &str, scenario: &str, name: &str) {
    for (w, h) in SIZES {
        let s = snapshot(a, w, h);
        assert_colourless(&s, view);
        let screen = format!("{s}");
        assert!(
            screen.contains(&format!("what-if scenario: {scenario} held down")),
            "the scenario is named: {screen}"
        );
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), s);
    }
}

#[test]
fn run_and_importance_views_without_colour() {
    let mut a = failed_app();
    small_runs(&mut a);
    run_static(&mut a);
    ch(&mut a, 'n');
    wait_for_worker(&mut a);
    assert!(
        a.message
            .contains("--method crude --down link:fra-sin --down risk:atlantic-cable"),
        "{}",
        a.message
    );
    assert_scenario_screens(
        &a,
        "static run",
        "link:fra-sin, risk:atlantic-cable",
        "run_compare",
    );

    ch(&mut a, 'e');
    a.time_run = Some(super::timerun::TimeRun::finished(
        PlanId(0),
        1,
        synthetic_config(6),
        synthetic_groups(6),
    ));
    a.time_run.as_mut().unwrap().what_if =
        vec!["risk:atlantic-cable".into(), "link:fra-sin".into()];
    assert_scenario_screens(
        &a,
        "time-based run",
        "risk:atlantic-cable, link:fra-sin",
        "time_run_done",
    );

    let mut b = app();
    b.color = false;
    ch(&mut b, '5');
    b.tick();
    wait_for_importance(&mut b);
    for (w, h) in SIZES {
        let s = snapshot(&b, w, h);
        assert_colourless(&s, "importance");
        insta::assert_snapshot!(format!("importance_{w}x{h}"), s);
    }
    ch(&mut b, '1');
    ch(&mut b, 'i');
    b.tick();
    let s = snapshot(&b, 120, 40);
    assert_colourless(&s, "map by criticality");
    let screen = format!("{s}");
    assert!(screen.contains("▲ >="), "criticality glyphs: {screen}");
    insta::assert_snapshot!("map_importance_120x40", s);
}

/// Importance at 120 columns shows whole event names (it cut them to 11).
#[test]
fn importance_names_are_whole_at_every_size() {
    let mut a = super::default_app().unwrap();
    open_importance(&mut a);
    let longest = a.importance.as_ref().unwrap().ranking.as_ref().unwrap()[..4]
        .iter()
        .map(|i| i.event.name.clone())
        .collect::<Vec<_>>();
    for (w, h) in SIZES {
        let screen = format!("{}", snapshot(&a, w, h));
        for name in &longest {
            assert!(screen.contains(name.as_str()), "{w}x{h}: {name}\n{screen}");
        }
    }
}

const GEANT: &str = include_str!("../../topologies/geant2012.toml");

fn geant() -> App {
    let t = drsim::io::load_str(GEANT, std::path::Path::new("geant2012.toml"))
        .unwrap()
        .topology;
    App::new(t, "geant2012.toml")
}

/// An imported European network: the map zooms to Europe, sites are
/// labelled by the file's names, details skip fields that mean nothing, and
/// "no plans" is not shown as all plans up.
#[test]
fn an_imported_network_reads_sensibly() {
    let mut a = geant();
    let t = &a.topology;
    let inner = ratatui::layout::Rect::new(0, 0, 78, 36);
    let view = super::view::map::View::fit(t, inner);
    assert!(!view.world);
    for s in t.sites.iter().filter_map(|s| s.location) {
        assert!(
            view.lon[0] < s.lon && s.lon < view.lon[1],
            "{s:?} in {view:?}"
        );
        assert!(
            view.lat[0] < s.lat && s.lat < view.lat[1],
            "{s:?} in {view:?}"
        );
    }
    assert!(
        view.lon[1] - view.lon[0] < 120.0,
        "zoomed, not the world: {view:?}"
    );
    for (w, h) in SIZES {
        let screen = format!("{}", snapshot(&a, w, h));
        assert!(screen.contains(" Map (high"), "{screen}");
        assert!(screen.contains("NL") && screen.contains("DK"), "{screen}");
        assert!(screen.contains(" no plans "), "{screen}");
        assert!(!screen.contains("plans up 0/0"), "{screen}");
        insta::assert_snapshot!(format!("geant_map_{w}x{h}"), snapshot(&a, w, h));
    }
    let s = snapshot(&a, 120, 40);
    let badge = &s.buffer()[(1, 39)];
    assert_eq!(badge.symbol(), "n");
    assert_ne!(badge.bg, Color::Green, "no plans is not green");

    // Site 0 never fails and has no capacity given.
    a.tab = Tab::Components;
    select(&mut a, Item::Site(SiteId(0)));
    let screen = format!("{}", snapshot(&a, 120, 40));
    assert!(screen.contains("0 NL"), "id and name in the list: {screen}");
    assert!(
        screen.contains("site 0 (NL)"),
        "and in the details: {screen}"
    );
    assert!(!screen.contains("MTTR never fails"), "{screen}");
    assert!(!screen.contains("inf rps"), "{screen}");
    assert!(screen.contains("unlimited"), "{screen}");
    insta::assert_snapshot!("geant_components_120x40", snapshot(&a, 120, 40));
    ch(&mut a, ']');
    assert!(a.message.contains("nothing to edit"), "{}", a.message);
}

/// On the bundled default, `i` no longer paints every site alike: the plan's
/// own serving sites (ash, atl) are in the top class, sites that only a
/// global bad release takes down in the bottom one.
#[test]
fn criticality_classes_discriminate_on_the_default() {
    let mut a = super::default_app().unwrap();
    open_importance(&mut a);
    a.map_importance = true;
    let c = super::view::map::SiteCriticality::of(&a).unwrap();
    let class = |key: &str| {
        let i = a.topology.sites.iter().position(|s| s.key == key).unwrap();
        c.class(i)
    };
    assert_eq!((class("ash"), class("atl")), (0, 0), "{:?}", c.share);
    let low = (0..a.topology.sites.len())
        .filter(|&i| c.class(i) == 2)
        .count();
    assert!(low >= a.topology.sites.len() / 2, "{:?}", c.share);
}
