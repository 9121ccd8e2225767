//! Screen geometry shared by rendering and mouse hit-testing, so a click
//! always lands on what was drawn there.

use ratatui::layout::{Constraint, Layout, Rect};

/// Tab bar, body, status line. The status line takes a second or third row
/// when its text (`status_width` columns) does not fit, so a long message
/// (a refused edit, a save error) is never cut.
pub fn screen(area: Rect, status_width: usize) -> [Rect; 3] {
    let rows = status_width
        .div_ceil(usize::from(area.width.max(1)))
        .clamp(1, 3);
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(rows as u16),
    ])
    .areas(area)
}

/// Components list and details pane.
pub fn components(body: Rect) -> [Rect; 2] {
    Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(body)
}

/// Plans table and selected-plan pane. The table is as tall as its plans
/// (header and borders included), so a short terminal keeps the whole pane
/// (ten rows: eight lines) rather than empty table rows.
pub fn plans(body: Rect, n_plans: usize) -> [Rect; 2] {
    let pane = 10.min(body.height.saturating_sub(5));
    let table = (n_plans as u16 + 3).clamp(4, body.height.saturating_sub(pane).max(4));
    Layout::vertical([Constraint::Length(table), Constraint::Min(0)]).areas(body)
}

/// Importance: header, ranking table, single points of failure (beside the
/// table when both fit, below it otherwise). The table is as wide as its
/// longest event name needs (`event_width`), so names are never cut while
/// the side pane can take the rest.
pub fn importance(body: Rect, event_width: u16) -> [Rect; 3] {
    let [head, rest] = Layout::vertical([Constraint::Length(4), Constraint::Min(0)]).areas(body);
    // Borders, the other five columns and their gaps, a selection marker.
    let table_w = event_width + 2 + 3 + 11 + 8 + 9 + 7 + 5 + 2;
    let [table, side] = if body.width >= 120 && body.width >= table_w + 40 {
        Layout::horizontal([Constraint::Length(table_w), Constraint::Min(40)]).areas(rest)
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

/// Columns the Event column of the importance ranking needs: its longest
/// name, within reason.
pub fn event_width(job: Option<&super::importance::ImportanceJob>) -> u16 {
    let longest = job
        .and_then(|j| j.ranking.as_ref())
        .and_then(|r| r.iter().map(|i| i.event.name.chars().count()).max())
        .unwrap_or(0);
    longest.clamp(11, 48) as u16
}
