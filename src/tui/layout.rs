//! Screen geometry shared by rendering and mouse hit-testing, so a click
//! always lands on what was drawn there.

use ratatui::layout::{Constraint, Layout, Rect};

/// Tab bar, body, status line.
pub fn screen(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// Components list and details pane.
pub fn components(body: Rect) -> [Rect; 2] {
    Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(body)
}

/// Plans table and selected-plan pane.
pub fn plans(body: Rect) -> [Rect; 2] {
    Layout::vertical([Constraint::Min(5), Constraint::Length(9)]).areas(body)
}

/// Importance: header, ranking table, single points of failure (beside the
/// table when wide, below it otherwise).
pub fn importance(body: Rect) -> [Rect; 3] {
    let [head, rest] = Layout::vertical([Constraint::Length(4), Constraint::Min(0)]).areas(body);
    let [table, side] = if body.width >= 120 {
        Layout::horizontal([Constraint::Min(40), Constraint::Length(64)]).areas(rest)
    } else {
        Layout::vertical([Constraint::Min(4), Constraint::Length(8)]).areas(rest)
    };
    [head, table, side]
}

/// First ranking row shown: the selection stays on the last visible row
/// once it moves past the first screenful.
pub fn importance_offset(table: Rect, selected: usize) -> usize {
    let visible = inner_rows(table).saturating_sub(1).max(1);
    selected.saturating_sub(visible - 1)
}

/// Rows inside a bordered box.
pub fn inner_rows(r: Rect) -> usize {
    usize::from(r.height.saturating_sub(2))
}
