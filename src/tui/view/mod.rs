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
pub mod services;
mod style;
mod timerun;

use super::app::{App, Engine, Tab};
use super::layout;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Stylize;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs, Wrap};
use style::{AT_RISK, DOWN, Theme, UP};

pub fn render(app: &App, f: &mut Frame) {
    let status_line = status_line(app);
    let [top, body, status] = layout::screen(f.area(), status_line.width());
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
    f.render_widget(
        Paragraph::new(status_line).wrap(Wrap { trim: false }),
        status,
    );
    if app.help {
        help::render(Theme::of(app), f, body);
    }
}

fn render_top(app: &App, f: &mut Frame, area: Rect) {
    let tabs = Tabs::new(Tab::ALL.map(Tab::title))
        .select(Tab::ALL.iter().position(|&t| t == app.tab))
        .highlight_style(Theme::of(app).selected().bold());
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

/// The status line: plans up, what is failed and edited, then the last
/// message (wrapped onto a second line rather than cut; see
/// `layout::screen`).
pub fn status_line(app: &App) -> Line<'static> {
    let th = Theme::of(app);
    let up = app.statuses.iter().filter(|s| s.is_up()).count();
    let n = app.statuses.len();
    let badge = if n == 0 {
        Span::styled(" no plans ", th.quiet_badge())
    } else {
        let style = th.badge(if up == n { UP } else { DOWN });
        // Without colour, a plan down must still stand out.
        let text = if up == n || th.color {
            format!(" plans up {up}/{n} ")
        } else {
            format!(" ! plans up {up}/{n} ")
        };
        Span::styled(text, style)
    };
    let mut spans = vec![badge, Span::raw(format!(" failed: {} ", app.marked.len()))];
    if app.dirty() {
        spans.push(Span::styled(
            format!("edited: {} ", app.edits.len()),
            th.fg(AT_RISK),
        ));
    }
    spans.push(Span::raw("│ "));
    spans.push(Span::raw(app.message.clone()));
    Line::from(spans)
}
