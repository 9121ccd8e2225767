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

/// Rows inside a bordered box.
pub fn inner_rows(r: Rect) -> usize {
    usize::from(r.height.saturating_sub(2))
}
