//! The Map tab: sites and links on a world map coloured by state (or by
//! criticality), the what-if side pane and its legend.

use super::plans::status_span;
use super::style::{AT_RISK, DOWN, SELECTED, UP};
use crate::tui::app::{App, Item};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Line as CLine, Map, MapResolution, Points};
use ratatui::widgets::{Block, Paragraph, Wrap};

/// Criticality colours of the map: a site whose worst event carries at
/// least 10% of the plan's unavailability, at least 1%, or less.
const CRIT_HIGH: f64 = 0.10;
const CRIT_MID: f64 = 0.01;

/// Per site, the criticality the map shows, when importance colouring is
/// on and the ranking is in.
fn map_criticality(app: &App) -> Option<Vec<f64>> {
    if !app.map_importance {
        return None;
    }
    app.importance
        .as_ref()?
        .site_criticality(app.topology.sites.len())
}

pub fn crit_color(c: f64) -> Color {
    if c >= CRIT_HIGH {
        Color::Magenta
    } else if c >= CRIT_MID {
        AT_RISK
    } else {
        Color::Blue
    }
}

fn site_color(app: &App, crit: Option<&[f64]>, i: usize) -> Color {
    if let Some(&c) = crit.and_then(|v| v.get(i)) {
        crit_color(c)
    } else if app.failed.site_failed(drsim::model::SiteId(i as u32)) {
        DOWN
    } else if app.at_risk[i] {
        AT_RISK
    } else {
        UP
    }
}

/// Sites and links the selected item covers, for highlighting on the map.
fn selected_sites_links(app: &App) -> (Vec<usize>, Vec<usize>) {
    let t = &app.topology;
    match app.selected() {
        Some(Item::Site(s)) => (vec![s.index()], vec![]),
        Some(Item::Link(l)) => {
            let link = t.link(l);
            (vec![link.a.index(), link.b.index()], vec![l.index()])
        }
        Some(Item::Region(r)) => (t.sites_in_region(r).map(|s| s.index()).collect(), vec![]),
        Some(Item::SharedRisk(g)) => {
            let g = &t.shared_risks[g.index()];
            (
                g.sites.iter().map(|s| s.index()).collect(),
                g.links.iter().map(|l| l.index()).collect(),
            )
        }
        Some(Item::Train(tr)) => (
            t.release_trains[tr.index()]
                .sites
                .iter()
                .map(|s| s.index())
                .collect(),
            vec![],
        ),
        None => (vec![], vec![]),
    }
}

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let side = if area.width >= 120 { 40 } else { 26 };
    let [map_area, side_area] =
        Layout::horizontal([Constraint::Min(20), Constraint::Length(side)]).areas(area);
    let t = &app.topology;
    let (sel_sites, sel_links) = selected_sites_links(app);
    let crit = map_criticality(app);
    let resolution = if app.map_high_res {
        MapResolution::High
    } else {
        MapResolution::Low
    };
    let title = format!(
        " World map ({}, m to switch{}) ",
        if app.map_high_res { "high" } else { "low" },
        if crit.is_some() {
            "; sites by criticality, i for state"
        } else {
            ""
        }
    );
    let labelled = labelled_sites(app, &sel_sites, map_area.inner(Margin::new(1, 1)));
    let canvas = Canvas::default()
        .block(Block::bordered().title(title))
        .marker(Marker::Braille)
        .x_bounds([-180.0, 180.0])
        .y_bounds([LAT_BOTTOM, LAT_TOP])
        .paint(|ctx| {
            ctx.draw(&Map {
                color: Color::DarkGray,
                resolution,
            });
            ctx.layer();
            for l in t.link_ids() {
                let link = t.link(l);
                let (Some(a), Some(b)) = (t.site(link.a).location, t.site(link.b).location) else {
                    continue;
                };
                let color = if sel_links.contains(&l.index()) {
                    SELECTED
                } else if !app.failed.link_usable(t, l) {
                    DOWN
                } else if app.at_risk[link.a.index()] || app.at_risk[link.b.index()] {
                    AT_RISK
                } else {
                    UP
                };
                // A link spanning more than half the globe is drawn the short
                // way round, as two pieces meeting at the map's edge.
                if (a.lon - b.lon).abs() > 180.0 {
                    let (w, e) = if a.lon < b.lon { (a, b) } else { (b, a) };
                    let span = 360.0 - (e.lon - w.lon);
                    let mid_lat = w.lat + (e.lat - w.lat) * ((w.lon + 180.0) / span);
                    ctx.draw(&CLine::new(w.lon, w.lat, -180.0, mid_lat, color));
                    ctx.draw(&CLine::new(e.lon, e.lat, 180.0, mid_lat, color));
                } else {
                    ctx.draw(&CLine::new(a.lon, a.lat, b.lon, b.lat, color));
                }
            }
            ctx.layer();
            for (i, s) in t.sites.iter().enumerate() {
                let Some(p) = s.location else { continue };
                ctx.draw(&Points {
                    coords: &[(p.lon, p.lat)],
                    color: site_color(app, crit.as_deref(), i),
                });
            }
            ctx.layer();
            for &i in &labelled {
                let s = &t.sites[i];
                let Some(p) = s.location else { continue };
                let color = site_color(app, crit.as_deref(), i);
                let style = if sel_sites.contains(&i) {
                    Style::new().fg(Color::Black).bg(SELECTED).bold()
                } else {
                    Style::new().fg(color)
                };
                ctx.print(p.lon, p.lat, Span::styled(s.key.clone(), style));
            }
        });
    f.render_widget(canvas, map_area);

    let [plans_area, legend_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(6)]).areas(side_area);
    let mut lines: Vec<Line> = Vec::new();
    if let Some(item) = app.selected() {
        lines.push(Line::from(vec![
            Span::raw("selected: "),
            Span::styled(app.item_label(item), Style::new().fg(SELECTED).bold()),
        ]));
        lines.push(Line::from(if app.item_down(item) {
            Span::styled("  down", Style::new().fg(DOWN))
        } else {
            Span::styled("  up", Style::new().fg(UP))
        }));
        lines.push(Line::raw(""));
    }
    for (p, st) in t.plans.iter().zip(&app.statuses) {
        lines.push(Line::from(vec![
            status_span(*st),
            Span::raw(format!(" {}", p.key)),
        ]));
    }
    if t.plans.is_empty() {
        lines.push(Line::raw("no plans declared"));
    }
    let unplaced = t.sites.iter().filter(|s| s.location.is_none()).count();
    if unplaced > 0 {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(
                "{unplaced} of {} sites have no coordinates and are not drawn",
                t.sites.len()
            ),
            Style::new().fg(AT_RISK),
        ));
    }
    f.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(" What-if "))
            .wrap(Wrap { trim: false }),
        side_area.intersection(plans_area),
    );
    let plan_key = app
        .importance
        .as_ref()
        .map_or("-", |j| t.plan(j.key.plan).key.as_str());
    let legend = if crit.is_some() {
        vec![
            Line::raw(format!("criticality, plan {plan_key}:")),
            Line::from(vec![
                Span::styled("● ", crit_color(CRIT_HIGH)),
                Span::raw(">= 10% of its downtime"),
            ]),
            Line::from(vec![
                Span::styled("● ", crit_color(CRIT_MID)),
                Span::raw("1-10%"),
            ]),
            Line::from(vec![Span::styled("● ", crit_color(0.0)), Span::raw("< 1%")]),
        ]
    } else {
        vec![
            Line::from(vec![Span::styled("● ", UP), Span::raw("up")]),
            Line::from(vec![Span::styled("● ", DOWN), Span::raw("down (failed)")]),
            Line::from(vec![
                Span::styled("● ", AT_RISK),
                Span::raw("at risk (plan down)"),
            ]),
            Line::from(vec![Span::styled("● ", SELECTED), Span::raw("selected")]),
        ]
    };
    f.render_widget(
        Paragraph::new(legend).block(Block::bordered().title(" Legend ")),
        legend_area,
    );
}

/// Map bounds: the inhabited latitudes, so the map uses the screen well.
const LAT_TOP: f64 = 85.0;
const LAT_BOTTOM: f64 = -60.0;

/// Which sites get a name on the map, so that dense metros do not print
/// names over each other: selected sites first, then down and at-risk ones,
/// then the rest in file order; a label that would touch one already placed
/// on its row (one column of gap) is left out, its dot still drawn.
pub fn labelled_sites(app: &App, selected: &[usize], area: Rect) -> Vec<usize> {
    let t = &app.topology;
    let (w, h) = (f64::from(area.width.max(1)), f64::from(area.height.max(1)));
    let rank = |i: usize| {
        if selected.contains(&i) {
            0
        } else if app.failed.site_failed(drsim::model::SiteId(i as u32)) || app.at_risk[i] {
            1
        } else {
            2
        }
    };
    let mut order: Vec<usize> = (0..t.sites.len())
        .filter(|&i| t.sites[i].location.is_some())
        .collect();
    order.sort_by_key(|&i| (rank(i), i));
    let mut placed: Vec<(i64, i64, i64)> = Vec::new();
    let mut out = Vec::new();
    for i in order {
        let Some(p) = t.sites[i].location else {
            continue;
        };
        // The same truncating cell mapping ratatui's Canvas uses for labels.
        let col = ((p.lon + 180.0) / 360.0 * (w - 1.0)) as i64;
        let row = ((LAT_TOP - p.lat) / (LAT_TOP - LAT_BOTTOM) * (h - 1.0)) as i64;
        let end = col + t.sites[i].key.chars().count() as i64;
        if placed
            .iter()
            .any(|&(r, a, b)| r == row && col <= b && a <= end)
        {
            continue;
        }
        placed.push((row, col, end));
        out.push(i);
    }
    out
}
