//! Rendering: a pure function of `&App`, so snapshots pin every view. One
//! module per tab, plus the overlay, the shared styles and the number
//! formatting they all use.

mod components;
pub mod format;
pub mod help;
mod importance;
pub mod map;
mod plans;
mod run;
mod style;
mod timerun;

use super::app::{App, Engine, Tab};
use super::layout;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs};
use style::{AT_RISK, DOWN, SELECTED, UP};

pub fn render(app: &App, f: &mut Frame) {
    let [top, body, status] = layout::screen(f.area());
    render_top(app, f, top);
    match app.tab {
        Tab::Map => map::render(app, f, body),
        Tab::Components => components::render(app, f, body),
        Tab::Plans => plans::render(app, f, body),
        Tab::Run => match app.engine {
            Engine::Static => run::render(app, f, body),
            Engine::TimeBased => timerun::render(app, f, body),
        },
        Tab::Importance => importance::render(app, f, body),
    }
    render_status(app, f, status);
    if app.help {
        help::render(f, body);
    }
}

fn render_top(app: &App, f: &mut Frame, area: Rect) {
    let tabs = Tabs::new(Tab::ALL.map(Tab::title))
        .select(Tab::ALL.iter().position(|&t| t == app.tab))
        .highlight_style(Style::new().fg(Color::Black).bg(SELECTED).bold());
    f.render_widget(tabs, area);
    let tabs_width: u16 = Tab::ALL
        .iter()
        .map(|t| t.title().chars().count() as u16 + 3)
        .sum();
    // The full title if it fits, else just the topology's name.
    let full = format!("drsim · {} ({}) ", app.topology.name, app.source);
    let short = format!("{} ", app.topology.name);
    if let Some(title) = [full, short]
        .into_iter()
        .find(|t| area.width >= tabs_width + t.chars().count() as u16)
    {
        let w = title.chars().count() as u16;
        let r = Rect::new(area.right() - w, area.y, w, 1);
        f.render_widget(Paragraph::new(title).dim(), r);
    }
}

fn render_status(app: &App, f: &mut Frame, area: Rect) {
    let up = app.statuses.iter().filter(|s| s.is_up()).count();
    let line = Line::from(vec![
        Span::styled(
            format!(" plans up {up}/{} ", app.statuses.len()),
            Style::new()
                .fg(Color::Black)
                .bg(if up == app.statuses.len() { UP } else { DOWN }),
        ),
        Span::raw(format!(" failed: {} ", app.marked.len())),
        Span::styled(
            if app.dirty() {
                format!("edited: {} ", app.edits.len())
            } else {
                String::new()
            },
            Style::new().fg(AT_RISK),
        ),
        Span::raw("│ "),
        Span::raw(app.message.clone()),
    ]);
    f.render_widget(Paragraph::new(line), area);
}
