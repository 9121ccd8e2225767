//! The Map tab: sites and links on a map coloured by state (or by
//! criticality), the what-if side pane and its legend. The map zooms to the
//! sites, so a national or continental network fills the screen.

use super::format::site_label;
use super::plans::status_span;
use super::style::{AT_RISK, DOWN, GLYPH_AT_RISK, GLYPH_DOWN, GLYPH_UP, SELECTED, Theme, UP};
use crate::tui::app::{App, Item};
use drsim::model::{SiteId, Topology};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Context, Line as CLine, Map, MapResolution, Points};
use ratatui::widgets::{Block, Paragraph, Wrap};

/// Criticality colours of the Importance table: an event carrying at least
/// 10% of the plan's unavailability, at least 1%, or less.
const CRIT_HIGH: f64 = 0.10;
const CRIT_MID: f64 = 0.01;

pub fn crit_color(c: f64) -> Color {
    if c >= CRIT_HIGH {
        Color::Magenta
    } else if c >= CRIT_MID {
        AT_RISK
    } else {
        Color::Blue
    }
}

/// Criticality classes of the map, with their colour and (without colour)
/// glyph.
const CRIT_CLASSES: [(Color, &str); 3] = [
    (Color::Magenta, "▲"),
    (Color::Yellow, "◆"),
    (Color::Blue, "○"),
];

/// What the map shows per site with importance colouring on: each event's
/// criticality shared evenly among the sites it takes down (a bad release
/// on every site says little about any one of them, a storm on two says a
/// lot), then classed against the largest share so that the classes
/// discriminate whatever the plan: at least a third of it, a sixth, or less.
/// (On the bundled default every site carries ~2% from the global releases;
/// a tenth of the largest share put them all in the middle class.)
pub struct SiteCriticality {
    pub share: Vec<f64>,
    /// Lower bounds of the high and middle classes.
    pub cuts: [f64; 2],
}

impl SiteCriticality {
    pub fn of(app: &App) -> Option<SiteCriticality> {
        if !app.map_importance {
            return None;
        }
        let job = app.importance.as_ref()?;
        let ranking = job.ranking.as_ref()?;
        let mut share = vec![0.0f64; app.topology.sites.len()];
        for imp in ranking {
            let sites = job.takes_down(&imp.event.name).sites;
            let each = imp.criticality / sites.len().max(1) as f64;
            for s in sites {
                if let Some(v) = share.get_mut(s) {
                    *v += each;
                }
            }
        }
        let max = share.iter().copied().fold(0.0, f64::max);
        Some(SiteCriticality {
            share,
            cuts: [max / 3.0, max / 6.0],
        })
    }

    pub fn class(&self, i: usize) -> usize {
        let c = self.share.get(i).copied().unwrap_or(0.0);
        if c > 0.0 && c >= self.cuts[0] {
            0
        } else if c > 0.0 && c >= self.cuts[1] {
            1
        } else {
            2
        }
    }
}

/// A site's state on the map: its colour and its glyph without colour.
fn site_state(app: &App, crit: Option<&SiteCriticality>, i: usize) -> (Color, &'static str) {
    if let Some(c) = crit {
        CRIT_CLASSES[c.class(i)]
    } else if app.failed.site_failed(SiteId(i as u32)) {
        (DOWN, GLYPH_DOWN)
    } else if app.at_risk[i] {
        (AT_RISK, GLYPH_AT_RISK)
    } else {
        (UP, GLYPH_UP)
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
        Some(Item::Service(s)) => (super::services::sites(t, s), vec![]),
        None => (vec![], vec![]),
    }
}

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let side = if area.width >= 120 { 40 } else { 26 };
    let [map_area, side_area] =
        Layout::horizontal([Constraint::Min(20), Constraint::Length(side)]).areas(area);
    render_canvas(app, f, map_area);
    let [plans_area, legend_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(6)]).areas(side_area);
    render_what_if(app, f, plans_area);
    render_legend(app, f, legend_area);
}

fn render_canvas(app: &App, f: &mut Frame, map_area: Rect) {
    let th = Theme::of(app);
    let t = &app.topology;
    let (sel_sites, sel_links) = selected_sites_links(app);
    let crit = SiteCriticality::of(app);
    let resolution = if app.map_high_res {
        MapResolution::High
    } else {
        MapResolution::Low
    };
    let inner = map_area.inner(Margin::new(1, 1));
    let view = View::fit(t, inner);
    let title = format!(
        " {} ({}, m to switch{}) ",
        if view.world { "World map" } else { "Map" },
        if app.map_high_res { "high" } else { "low" },
        if crit.is_some() {
            "; sites by criticality, i for state"
        } else {
            ""
        }
    );
    let labelled = labelled_sites(app, &sel_sites, inner);
    let canvas = Canvas::default()
        .block(Block::bordered().title(title))
        .marker(Marker::Braille)
        .x_bounds(view.lon)
        .y_bounds(view.lat)
        .paint(|ctx| {
            ctx.draw(&Map {
                color: th.line(Color::DarkGray),
                resolution,
            });
            ctx.layer();
            draw_links(app, ctx, &sel_links, view.world);
            ctx.layer();
            for (i, s) in t.sites.iter().enumerate() {
                let Some(p) = s.location else { continue };
                let (color, glyph) = site_state(app, crit.as_ref(), i);
                if th.color {
                    ctx.draw(&Points {
                        coords: &[(p.lon, p.lat)],
                        color,
                    });
                } else {
                    ctx.print(p.lon, p.lat, glyph);
                }
            }
            ctx.layer();
            for &i in &labelled {
                let s = &t.sites[i];
                let Some(p) = s.location else { continue };
                let (color, glyph) = site_state(app, crit.as_ref(), i);
                ctx.print(
                    p.lon,
                    p.lat,
                    label_span(th, s, glyph, color, sel_sites.contains(&i)),
                );
            }
        });
    f.render_widget(canvas, map_area);
}

/// A site's label. Selected: black on the site's own state colour (so a
/// failed site stays red when selected), bold and underlined; without
/// colour, reverse video and a `▶`. Without colour every label starts with
/// its state glyph.
fn label_span(
    th: Theme,
    s: &drsim::model::Site,
    glyph: &str,
    color: Color,
    selected: bool,
) -> Span<'static> {
    let name = site_label(s);
    if th.color {
        if selected {
            let style = Style::new()
                .fg(Color::Black)
                .bg(color)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
            Span::styled(name.to_string(), style)
        } else {
            Span::styled(name.to_string(), Style::new().fg(color))
        }
    } else if selected {
        Span::styled(format!("▶{glyph}{name}"), th.selected())
    } else {
        Span::raw(format!("{glyph}{name}"))
    }
}

fn draw_links(app: &App, ctx: &mut Context, sel_links: &[usize], world: bool) {
    let th = Theme::of(app);
    let t = &app.topology;
    for l in t.link_ids() {
        let link = t.link(l);
        let (Some(a), Some(b)) = (t.site(link.a).location, t.site(link.b).location) else {
            continue;
        };
        let color = th.line(if sel_links.contains(&l.index()) {
            SELECTED
        } else if !app.failed.link_usable(t, l) {
            DOWN
        } else if app.at_risk[link.a.index()] || app.at_risk[link.b.index()] {
            AT_RISK
        } else {
            UP
        });
        // On the world map a link spanning more than half the globe is
        // drawn the short way round, as two pieces meeting at the edge.
        if world && (a.lon - b.lon).abs() > 180.0 {
            let (w, e) = if a.lon < b.lon { (a, b) } else { (b, a) };
            let span = 360.0 - (e.lon - w.lon);
            let mid_lat = w.lat + (e.lat - w.lat) * ((w.lon + 180.0) / span);
            ctx.draw(&CLine::new(w.lon, w.lat, -180.0, mid_lat, color));
            ctx.draw(&CLine::new(e.lon, e.lat, 180.0, mid_lat, color));
        } else {
            ctx.draw(&CLine::new(a.lon, a.lat, b.lon, b.lat, color));
        }
    }
}

fn render_what_if(app: &App, f: &mut Frame, area: Rect) {
    let th = Theme::of(app);
    let t = &app.topology;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(item) = app.selected() {
        lines.push(Line::from(vec![
            Span::raw("selected: "),
            Span::styled(app.item_label(item), th.selected_text()),
        ]));
        lines.push(Line::from(match item {
            Item::Service(s) => vec![
                Span::raw("  instances "),
                super::services::state_span(app, s),
            ],
            _ if app.item_down(item) => vec![Span::styled("  down", th.fg(DOWN))],
            _ => vec![Span::styled("  up", th.fg(UP))],
        }));
        // A service's layer: its instance sites (highlighted on the map)
        // and which of them work.
        if let Item::Service(s) = item {
            let mut spans = vec![Span::raw("  ")];
            spans.extend(super::services::instance_spans(app, s));
            lines.push(Line::from(spans));
        }
        lines.push(Line::raw(""));
    }
    for (p, st) in t.plans.iter().zip(&app.statuses) {
        lines.push(Line::from(vec![
            status_span(th, *st),
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
            th.fg(AT_RISK),
        ));
    }
    f.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(" What-if "))
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn render_legend(app: &App, f: &mut Frame, area: Rect) {
    let th = Theme::of(app);
    let t = &app.topology;
    let key = |color: Color, glyph: &str, text: String| {
        Line::from(vec![
            if th.color {
                Span::styled("● ", color)
            } else {
                Span::raw(format!("{glyph} "))
            },
            Span::raw(text),
        ])
    };
    let legend = if let Some(c) = SiteCriticality::of(app) {
        let plan_key = app
            .importance
            .as_ref()
            .map_or("-", |j| t.plan(j.key.plan).key.as_str());
        let pct = |x: f64| format!("{:.1}%", x * 100.0);
        let [(hi, hi_g), (mid, mid_g), (lo, lo_g)] = CRIT_CLASSES;
        vec![
            Line::raw(format!("share of {plan_key}'s downtime:")),
            key(hi, hi_g, format!(">= {}", pct(c.cuts[0]))),
            key(mid, mid_g, format!("{}-{}", pct(c.cuts[1]), pct(c.cuts[0]))),
            key(lo, lo_g, format!("< {}", pct(c.cuts[1]))),
        ]
    } else {
        vec![
            key(UP, GLYPH_UP, "up".into()),
            key(DOWN, GLYPH_DOWN, "down (failed)".into()),
            key(AT_RISK, GLYPH_AT_RISK, "at risk (plan down)".into()),
            if th.color {
                Line::from(vec![
                    Span::styled("name", Style::new().fg(Color::Black).bg(UP).bold()),
                    Span::raw(" selected"),
                ])
            } else {
                Line::from(vec![
                    Span::styled("▶name", th.selected()),
                    Span::raw(" selected"),
                ])
            },
        ]
    };
    f.render_widget(
        Paragraph::new(legend).block(Block::bordered().title(" Legend ")),
        area,
    );
}

/// The part of the globe the map shows: the whole inhabited world, or, when
/// the sites span less than half of it, their bounding box with a margin,
/// widened to the canvas's shape so that distances look right.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub lon: [f64; 2],
    pub lat: [f64; 2],
    pub world: bool,
}

/// World map bounds: the inhabited latitudes, so the map uses the screen well.
const WORLD: View = View {
    lon: [-180.0, 180.0],
    lat: [-60.0, 85.0],
    world: true,
};

impl View {
    pub fn fit(t: &Topology, area: Rect) -> View {
        let pts: Vec<_> = t.sites.iter().filter_map(|s| s.location).collect();
        if pts.is_empty() {
            return WORLD;
        }
        let lo = |f: fn(&drsim::model::GeoPoint) -> f64| pts.iter().map(f).fold(f64::MAX, f64::min);
        let hi = |f: fn(&drsim::model::GeoPoint) -> f64| pts.iter().map(f).fold(f64::MIN, f64::max);
        let (w, e) = (lo(|p| p.lon), hi(|p| p.lon));
        let (s, n) = (lo(|p| p.lat), hi(|p| p.lat));
        if e - w > 180.0 || n - s > 90.0 {
            return WORLD;
        }
        // A margin for labels, and at least a few degrees for one metro.
        let lon_span = ((e - w) * 1.2).max(6.0);
        let lat_span = ((n - s) * 1.2).max(3.0);
        // A terminal cell is about twice as tall as wide, and a degree of
        // longitude shrinks with the cosine of the latitude.
        let cos = ((n + s) / 2.0).to_radians().cos().max(0.2);
        let cols = f64::from(area.width.max(1));
        let rows = f64::from(area.height.max(1));
        let lat_per_row = lat_span / rows;
        let lon_per_col = lon_span / cols;
        let (lon_span, lat_span) = if lat_per_row > 2.0 * lon_per_col * cos {
            (lat_per_row * cols / (2.0 * cos), lat_span)
        } else {
            (lon_span, lon_per_col * rows * 2.0 * cos)
        };
        let (cx, cy) = ((w + e) / 2.0, (s + n) / 2.0);
        View {
            lon: [cx - lon_span / 2.0, cx + lon_span / 2.0],
            lat: [cy - lat_span / 2.0, cy + lat_span / 2.0],
            world: false,
        }
    }

    /// The terminal cell (column, row) of a point inside `area`, with the
    /// same truncating mapping ratatui's Canvas uses for labels.
    fn cell(&self, area: Rect, lon: f64, lat: f64) -> (i64, i64) {
        let (w, h) = (f64::from(area.width.max(1)), f64::from(area.height.max(1)));
        let col = ((lon - self.lon[0]) / (self.lon[1] - self.lon[0]) * (w - 1.0)) as i64;
        let row = ((self.lat[1] - lat) / (self.lat[1] - self.lat[0]) * (h - 1.0)) as i64;
        (col, row)
    }
}

/// Which sites get a name on the map, so that dense metros do not print
/// names over each other: selected sites first, then down and at-risk ones,
/// then the rest in file order; a label that would touch one already placed
/// on its row (one column of gap) is left out, its dot still drawn.
pub fn labelled_sites(app: &App, selected: &[usize], area: Rect) -> Vec<usize> {
    let t = &app.topology;
    let view = View::fit(t, area);
    // Without colour a label carries its glyph (and `▶` when selected).
    let extra = if app.color { 0 } else { 2 };
    let rank = |i: usize| {
        if selected.contains(&i) {
            0
        } else if app.failed.site_failed(SiteId(i as u32)) || app.at_risk[i] {
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
        let (col, row) = view.cell(area, p.lon, p.lat);
        let end = col + site_label(&t.sites[i]).chars().count() as i64 + extra;
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
