//! The help overlay and the key table it shows (also checked against
//! docs/tui.md).

use super::style::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// Every key, shown by the help overlay (and in docs/tui.md).
pub const KEYS: &[(&str, &str)] = &[
    ("Tab / l / →", "next tab"),
    ("Shift-Tab / h / ←", "previous tab"),
    (
        "1 2 3 4 5",
        "go to Map / Components / Plans / Run / Importance",
    ),
    (
        "mouse click",
        "select a tab, component, plan or ranked event",
    ),
    ("j / ↓   k / ↑", "move the selection"),
    ("PgDn PgUp / ^d ^u", "down / up 10 rows"),
    ("g / Home  G / End", "first / last row"),
    (
        "space / f / Enter",
        "fail or restore the selected component",
    ),
    ("r", "restore every failed component"),
    ("m", "map resolution high / low"),
    ("i", "map colours: plan state / criticality"),
    ("e", "engine: static / time-based"),
    ("s", "run the selected plan with the engine"),
    ("c", "cancel the run"),
    ("n", "next seed and run again"),
    ("[ / ]", "previous / next field to edit"),
    ("+ / -", "step the field up / down (x2, /2, ±1)"),
    ("w", "save edits to the file (asks y/n)"),
    ("?", "show / hide this help"),
    (
        "q / Esc / Ctrl-c",
        "quit (q and Esc ask first if edits are unsaved)",
    ),
];

pub fn render(th: Theme, f: &mut Frame, body: Rect) {
    let w = 72.min(body.width);
    let h = (KEYS.len() as u16 + 2).min(body.height);
    let area = Rect::new(
        body.x + (body.width - w) / 2,
        body.y + (body.height - h) / 2,
        w,
        h,
    );
    let lines: Vec<Line> = KEYS
        .iter()
        .map(|(k, v)| {
            Line::from(vec![
                Span::styled(format!("{k:>18}  "), th.selected_text()),
                Span::raw(*v),
            ])
        })
        .collect();
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Keys (? or Esc closes) "),
        ),
        area,
    );
}
