//! The styles every view shares, so a state looks the same on each tab.
//!
//! With `NO_COLOR` (<https://no-color.org>) no colour is drawn at all, so
//! every state must still differ: states get their own glyphs, the selection
//! reverse video plus a `▶` marker, and the legends name the glyphs.

use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::Table;

pub const UP: Color = Color::Green;
pub const DOWN: Color = Color::Red;
pub const AT_RISK: Color = Color::Yellow;
pub const SELECTED: Color = Color::Cyan;

/// Colour on or off, for one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn of(app: &crate::tui::App) -> Theme {
        Theme { color: app.color }
    }

    /// Text in a state's colour; plain without colour.
    pub fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// A badge such as ` UP `: black on the colour, or reverse video.
    pub fn badge(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(Color::Black).bg(c)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    /// A badge that should not draw the eye (nothing to report).
    pub fn quiet_badge(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::DIM)
    }

    /// The selected row, tab or field.
    pub fn selected(self) -> Style {
        if self.color {
            Style::new().fg(Color::Black).bg(SELECTED)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// The name of the selection in running text.
    pub fn selected_text(self) -> Style {
        if self.color {
            Style::new().fg(SELECTED).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        }
    }

    /// `table` with the selected row highlighted and marked.
    pub fn selectable(self, table: Table<'_>) -> Table<'_> {
        table
            .row_highlight_style(self.selected())
            .highlight_symbol(self.marker())
    }

    /// Marker before the selected row of a list or table: reverse video
    /// alone does not survive a screen reader or a copied screen.
    pub fn marker(self) -> &'static str {
        if self.color { "" } else { "▶ " }
    }

    /// Lines drawn on the map and in charts: the colour, or the terminal's
    /// own foreground.
    pub fn line(self, c: Color) -> Color {
        if self.color { c } else { Color::Reset }
    }
}

/// Glyphs of the map without colour, one per state.
pub const GLYPH_UP: &str = "•";
pub const GLYPH_DOWN: &str = "✗";
pub const GLYPH_AT_RISK: &str = "!";
