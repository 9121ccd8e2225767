//! The Plans tab: every plan's state under the current what-if, and the
//! selected plan's parameters and targets.

use super::components::edit_line;
use super::format::{count, fmt_money, fmt_secs, names};
use super::style::{DOWN, Theme, UP};
use crate::tui::app::App;
use crate::tui::layout;
use drsim::service::PlanStatus;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState, Wrap};

pub fn status_span(th: Theme, st: PlanStatus) -> Span<'static> {
    match st {
        PlanStatus::Up { .. } => Span::styled(" UP ", th.badge(UP)),
        PlanStatus::Down { .. } => Span::styled("DOWN", th.badge(DOWN)),
    }
}

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.topology;
    let th = Theme::of(app);
    let [table_area, detail_area] = layout::plans(area, t.plans.len());
    let header = Row::new(["Plan", "Mode", "Serving sites", "Q", "Cost/yr", "Now"])
        .style(Style::new().bold());
    let rows = t.plans.iter().zip(&app.statuses).map(|(p, st)| {
        let sites = names(p.serving_sites.iter().map(|&s| t.site(s).key.clone()));
        let now = match *st {
            PlanStatus::Up { min_reachable } => {
                Line::styled(format!("UP {min_reachable}/{}", p.quorum), th.fg(UP))
            }
            PlanStatus::Down { reachable, .. } => {
                Line::styled(format!("DOWN {reachable}/{}", p.quorum), th.fg(DOWN))
            }
        };
        Row::new(vec![
            Cell::from(p.key.clone()),
            Cell::from(p.mode.as_str()),
            Cell::from(sites),
            Cell::from(p.quorum.to_string()),
            Cell::from(fmt_money(p.cost_per_year)),
            Cell::from(now),
        ])
    });
    use Constraint::{Fill, Length};
    let widths = [
        Fill(2),
        Length(14),
        Fill(3),
        Length(2),
        Length(8),
        Length(9),
    ];
    let title = " Plans under the current what-if (Now: serving sites reached/quorum) ";
    let table = Table::new(rows, widths)
        .header(header)
        .block(Block::bordered().title(title));
    let table = th.selectable(table);
    let mut state = TableState::default()
        .with_offset(app.plan_offset)
        .with_selected(Some(app.selected_plan));
    f.render_stateful_widget(table, table_area, &mut state);

    let lines = detail_lines(app, th);
    f.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(" Selected plan "))
            .wrap(Wrap { trim: false }),
        detail_area,
    );
}

/// The selected plan in words: its status and why, what it serves, its
/// sites, timings, replication and targets.
fn detail_lines(app: &App, th: Theme) -> Vec<Line<'static>> {
    let t = &app.topology;
    let mut lines: Vec<Line<'static>> = edit_line(app).into_iter().collect();
    if t.plans.is_empty() {
        lines.push(Line::raw("This topology declares no plans."));
    }
    if let (Some(p), Some(st)) = (
        t.plans.get(app.selected_plan),
        app.statuses.get(app.selected_plan),
    ) {
        lines.push(Line::styled(
            format!("{} ({})", p.name, p.key),
            th.selected_text(),
        ));
        lines.push(Line::raw(match *st {
            PlanStatus::Up { min_reachable } => format!(
                "UP: every demand still reaches {} or more; the plan needs {} (its quorum)",
                count(min_reachable, "serving site"),
                p.quorum
            ),
            PlanStatus::Down { demand, reachable } => format!(
                "DOWN: {} reaches only {}; the plan needs {} (its quorum)",
                demand.map_or("the service".into(), |d| format!(
                    "demand '{}'",
                    t.demands[d.index()].key
                )),
                count(reachable, "serving site"),
                p.quorum
            ),
        }));
        // What a plan that serves a service runs, and the chain that stops it.
        if let Some(s) = p.serves {
            lines.push(
                match app.blames.get(app.selected_plan).and_then(Option::as_ref) {
                    Some(b) => Line::styled(format!("why: {b}"), th.fg(DOWN)),
                    None => Line::raw(format!(
                        "serves {} (its dependencies: Components, Services)",
                        t.service(s).key
                    )),
                },
            );
        }
        lines.push(Line::raw(format!(
            "serving ({}): {}",
            p.mode.as_str(),
            names(p.serving_sites.iter().map(|&s| t.site(s).key.clone()))
        )));
        lines.push(Line::raw(format!(
            "replicas {} · detection {} · switchover {} · headroom {}",
            p.replicas,
            fmt_secs(p.detection.secs()),
            fmt_secs(p.switchover.secs()),
            p.headroom
        )));
        lines.push(Line::raw(format!(
            "replication {} · backups {}",
            match p.replication {
                drsim::model::Replication::Sync => "sync".to_string(),
                drsim::model::Replication::Async { lag } =>
                    format!("async, lag {}", fmt_secs(lag.secs())),
            },
            p.backup_interval
                .map_or("none".into(), |d| format!("every {}", fmt_secs(d.secs())))
        )));
        let tg = &p.targets;
        lines.push(Line::raw(format!(
            "targets: availability {} · RTO {} · RPO {}",
            tg.availability.map_or("-".into(), |a| a.get().to_string()),
            tg.rto.map_or("-".into(), |d| fmt_secs(d.secs())),
            tg.rpo.map_or("-".into(), |d| fmt_secs(d.secs()))
        )));
    }
    lines
}
