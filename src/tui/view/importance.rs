//! The Importance tab: which events take the selected plan down, ranked by
//! criticality, with its single points of failure and likeliest pairs.

use super::format::fmt_prob;
use super::map::crit_color;
use super::style::{AT_RISK, DOWN, Theme, UP};
use crate::tui::app::App;
use crate::tui::importance::{Hits, ImportanceJob, Now};
use crate::tui::layout;
use drsim::model::Topology;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState, Wrap};

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let Some(job) = &app.importance else {
        f.render_widget(
            Paragraph::new("This topology declares no plans: nothing to rank.")
                .block(Block::bordered().title(" Importance ")),
            area,
        );
        return;
    };
    let [head_area, table_area, side_area] =
        layout::importance(area, layout::event_width(Some(job)));
    render_head(app, job, f, head_area);
    render_ranking(app, job, f, table_area);
    render_cut_sets(app, job, f, side_area);
}

/// The plan, its unavailability, what the selected event takes down.
fn render_head(app: &App, job: &ImportanceJob, f: &mut Frame, head_area: Rect) {
    let t = &app.topology;
    let th = Theme::of(app);
    let plan = &t.plan(job.key.plan).key;
    let wide = head_area.width >= 120;
    let status = if app.importance_key() != Some(job.key) {
        Span::styled(
            "outdated (plan, seed or model changed): recomputing once this finishes",
            th.fg(AT_RISK),
        )
    } else if let Some(e) = &job.error {
        Span::styled(format!("failed: {e}"), th.fg(DOWN))
    } else if let Some((n, why)) = job.stopped_short() {
        let events = job.ranking.as_ref().map_or(0, Vec::len);
        Span::styled(
            format!(
                "done, but the estimates of {n} of {events} events stopped short ({})",
                why.as_str()
            ),
            th.fg(AT_RISK),
        )
    } else if job.ranking.is_some() {
        Span::styled("done", th.fg(UP))
    } else {
        Span::styled(progress_text(&job.now), th.fg(AT_RISK))
    };
    let mut head = vec![Line::from(vec![
        Span::styled(format!("plan {plan}"), th.selected_text()),
        Span::raw(match &job.unavailability {
            Some(u) if u.std_error == 0.0 => format!(
                " · unavailability {} ({}) · ",
                fmt_prob(u.unreliability),
                u.method
            ),
            Some(u) if wide => format!(
                " · unavailability {} ± {} · {}, {} samples per term, seed {} · ",
                fmt_prob(u.unreliability),
                fmt_prob(u.std_error),
                u.method,
                u.samples,
                job.key.seed
            ),
            Some(u) => format!(
                " · U {} ± {} · {} {}/term · seed {} · ",
                fmt_prob(u.unreliability),
                fmt_prob(u.std_error),
                u.method,
                u.samples,
                job.key.seed
            ),
            None => " · ".into(),
        }),
        status,
    ])];
    let selected = job.ranking.as_ref().and_then(|r| r.get(app.selected_event));
    head.push(match selected {
        Some(imp) => Line::from(vec![
            Span::styled(format!("{} ", imp.event.name), th.selected_text()),
            Span::raw(format!(
                "takes down {}{}",
                takes_down_text(t, &job.takes_down(&imp.event.name)),
                job.chain(&imp.event.name)
                    .map_or(String::new(), |c| format!(" · {c}"))
            )),
        ]),
        None => Line::styled(
            "plan chosen on the Plans tab; the file's failure model, what-if failures not applied",
            Style::new().dim(),
        ),
    });
    f.render_widget(
        Paragraph::new(head)
            .block(Block::bordered().title(" Importance: what takes the plan down "))
            .wrap(Wrap { trim: true }),
        head_area,
    );
}

fn render_ranking(app: &App, job: &ImportanceJob, f: &mut Frame, table_area: Rect) {
    let th = Theme::of(app);
    let header = Row::new(["#", "Event", "Kind", "P(event)", "Birnbaum", "Critic."])
        .style(Style::new().bold());
    let empty = Vec::new();
    let ranking = job.ranking.as_ref().unwrap_or(&empty);
    let rows = ranking.iter().enumerate().map(|(i, imp)| {
        let c = imp.criticality;
        Row::new(vec![
            Cell::from((i + 1).to_string()),
            Cell::from(imp.event.name.clone()),
            Cell::from(imp.event.kind.clone()),
            Cell::from(fmt_prob(imp.event.prob)),
            Cell::from(fmt_prob(imp.birnbaum)),
            Cell::from(Line::styled(
                format!("{:.1}%", c * 100.0),
                th.fg(crit_color(c)),
            )),
        ])
    });
    let title = if job.ranking.is_some() {
        format!(
            " Ranking by criticality ({} events; j/k to move) ",
            ranking.len()
        )
    } else {
        " Ranking by criticality (computing...) ".into()
    };
    use Constraint::{Fill, Length};
    let widths = [
        Length(3),
        Fill(1),
        Length(11),
        Length(8),
        Length(9),
        Length(7),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .block(Block::bordered().title(title));
    let table = th.selectable(table);
    let mut state = TableState::default()
        .with_offset(layout::importance_offset(table_area, app.selected_event))
        .with_selected(job.ranking.as_ref().map(|_| app.selected_event));
    f.render_stateful_widget(table, table_area, &mut state);
}

/// Single points of failure, then the likeliest pairs.
fn render_cut_sets(app: &App, job: &ImportanceJob, f: &mut Frame, side_area: Rect) {
    let t = &app.topology;
    let th = Theme::of(app);
    let mut lines: Vec<Line> = Vec::new();
    if job.model.is_none() && job.error.is_none() {
        lines.push(Line::raw("finding cut sets..."));
    }
    if job.model.is_some() {
        if job.singles.is_empty() {
            lines.push(Line::styled(
                "no single event takes the plan down",
                th.fg(UP),
            ));
        }
        for c in &job.singles {
            let ev = &c.events[0];
            lines.push(Line::from(vec![
                Span::styled("✗ ", th.fg(DOWN)),
                Span::raw(format!("{ev} ")),
                Span::styled(format!("p {} ", fmt_prob(c.prob)), Style::new().dim()),
                Span::raw(format!("→ {}", takes_down_text(t, &job.takes_down(ev)))),
            ]));
            // A dependency's chain: why this one event stops the front end.
            if let Some(chain) = &c.chain {
                lines.push(Line::styled(format!("    {chain}"), Style::new().dim()));
            }
        }
        lines.push(Line::styled(
            format!(
                "{} pairs of events take it down; likeliest:",
                job.pairs.len()
            ),
            Style::new().bold(),
        ));
        for c in job.pairs.iter().take(8) {
            lines.push(Line::from(vec![
                Span::raw(format!("  {} + {} ", c.events[0], c.events[1])),
                Span::styled(format!("p {}", fmt_prob(c.prob)), Style::new().dim()),
            ]));
        }
    }
    f.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(format!(
                " Single points of failure ({}) ",
                job.singles.len()
            )))
            .wrap(Wrap { trim: false }),
        side_area,
    );
}

/// What the worker is estimating: "computing: importance 7/32 edge:fra-sin
/// down: turnip, 1200/2000 samples, RE 2.30e-1", as the library reports it.
pub fn progress_text(now: &Now) -> String {
    if now.stage.is_empty() {
        return "computing on a worker thread...".into();
    }
    match &now.round {
        Some(r) => format!(
            "computing: {}, {}/{} samples, RE {}",
            now.stage,
            now.drawn.min(r.planned),
            r.planned,
            r.relative_error_text()
        ),
        None => format!("computing: {}", now.stage),
    }
}

/// "sites a, b · links c · service dns" for what an event takes down.
fn takes_down_text(t: &Topology, h: &Hits) -> String {
    let mut parts = Vec::new();
    let sites: Vec<String> = h.sites.iter().map(|&i| t.sites[i].key.clone()).collect();
    let links: Vec<String> = h.links.iter().map(|&i| t.links[i].key.clone()).collect();
    let services: Vec<String> = h
        .services
        .iter()
        .map(|&i| t.services[i].key.clone())
        .collect();
    for (kind, keys) in [("site", sites), ("link", links), ("service", services)] {
        if !keys.is_empty() {
            parts.push(format!(
                "{kind}{} {}",
                if keys.len() == 1 { "" } else { "s" },
                keys.join(", ")
            ));
        }
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(" · ")
    }
}
