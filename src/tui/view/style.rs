//! The colours every view shares, so a state looks the same on each tab.

use ratatui::style::Color;

pub const UP: Color = Color::Green;
pub const DOWN: Color = Color::Red;
pub const AT_RISK: Color = Color::Yellow;
pub const SELECTED: Color = Color::Cyan;
