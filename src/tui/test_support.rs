//! What the UI tests share: the fixture app, typing keys, rendering to a
//! `TestBackend`, and ticking until a background worker has finished.

use super::app::{App, Item};
use super::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

/// `dev-topology.toml` itself (not `DEFAULT_TOPOLOGY`), so switching the
/// built-in topology does not change the snapshots.
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

/// Types every character of `keys` in turn (`"3jjs"`: Plans tab, down
/// twice, start a run).
pub(super) fn type_keys(app: &mut App, keys: &str) {
    for c in keys.chars() {
        ch(app, c);
    }
}

pub(super) fn select(app: &mut App, item: Item) {
    app.selected_item = app.items.iter().position(|&i| i == item).unwrap();
}

pub(super) fn snapshot(a: &App, w: u16, h: u16) -> TestBackend {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| view::render(a, f)).unwrap();
    term.backend().clone()
}

pub(super) fn small_runs(a: &mut App) {
    a.run_config = super::run::RunConfig {
        samples: 10 * drsim::reliability::crude::BATCH - 100,
    };
}

pub(super) fn click(a: &mut App, column: u16, row: u16) {
    a.handle_mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    });
}

/// Finds `text` in a rendered screen; returns (column, row) of its first char.
pub(super) fn find_on_screen(b: &TestBackend, text: &str) -> (u16, u16) {
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

/// Ticks until `done` holds; the bound (a minute) only guards against a
/// hang, and `what` names the worker that did not finish.
fn tick_until(a: &mut App, what: &str, done: impl Fn(&App) -> bool) {
    for _ in 0..12_000 {
        a.tick();
        if done(a) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("{what} did not finish");
}

/// Ticks until the static run's worker has exited.
pub(super) fn wait_for_worker(a: &mut App) {
    tick_until(a, "the static run's worker", |a| {
        a.run.as_ref().is_some_and(|r| r.stream.worker_done)
    });
}

/// Ticks until the importance job's worker has exited, then once more so
/// the app takes in its last message.
pub(super) fn wait_for_importance(a: &mut App) {
    tick_until(a, "the importance worker", |a| {
        a.importance.as_ref().is_some_and(|j| j.worker_done)
    });
    a.tick();
}

/// Starts the static run ('s') and waits for it to finish.
pub(super) fn run_static(a: &mut App) {
    ch(a, 's');
    wait_for_worker(a);
}

/// Opens the Importance tab ('5') and waits for its ranking.
pub(super) fn open_importance(a: &mut App) {
    ch(a, '5');
    a.tick();
    wait_for_importance(a);
}

/// Ticks until the time-based run's worker has exited, then once more so
/// the app takes in its last trial-years.
pub(super) fn wait_for_time_run(a: &mut App) {
    tick_until(a, "the time-based run's worker", |a| {
        a.time_run.as_ref().is_some_and(|r| r.stream.worker_done)
    });
    a.tick();
}
