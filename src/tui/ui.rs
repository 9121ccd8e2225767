//! Rendering: a pure function of `&App`, so snapshots pin every view.

use super::app::{App, ComponentRow as Row2, Engine, Item, Tab};
use super::layout;
use super::run::RunStatus;
use drsim::eval::PlanStatus;
use drsim::model::{FailureProcess, Topology};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Line as CLine, Map, MapResolution, Points};
use ratatui::widgets::{
    Axis, Bar, BarChart, Block, Borders, Cell, Chart, Clear, Dataset, GraphType, LineGauge, List,
    ListItem, ListState, Paragraph, Row, Table, TableState, Tabs, Wrap,
};

const UP: Color = Color::Green;
const DOWN: Color = Color::Red;
const AT_RISK: Color = Color::Yellow;
const SELECTED: Color = Color::Cyan;

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
    ("m", "map resolution low / high"),
    ("i", "map colours: plan state / criticality"),
    ("e", "engine: static / time-based"),
    ("s", "run the selected plan with the engine"),
    ("c", "cancel the run"),
    ("n", "next seed and run again"),
    ("[ / ]", "previous / next field to edit"),
    ("+ / -", "step the field up / down (x2, /2, ±1)"),
    ("w", "save edits to the file (asks y/n)"),
    ("?", "show / hide this help"),
    ("q / Esc / Ctrl-c", "quit (twice if edits are unsaved)"),
];

pub fn render(app: &App, f: &mut Frame) {
    let [top, body, status] = layout::screen(f.area());
    render_top(app, f, top);
    match app.tab {
        Tab::Map => render_map(app, f, body),
        Tab::Components => render_components(app, f, body),
        Tab::Plans => render_plans(app, f, body),
        Tab::Run => match app.engine {
            Engine::Static => render_run(app, f, body),
            Engine::TimeBased => render_time_run(app, f, body),
        },
        Tab::Importance => render_importance(app, f, body),
    }
    render_status(app, f, status);
    if app.help {
        render_help(f, body);
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

fn crit_color(c: f64) -> Color {
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

fn render_map(app: &App, f: &mut Frame, area: Rect) {
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

fn status_span(st: PlanStatus) -> Span<'static> {
    match st {
        PlanStatus::Up { .. } => Span::styled(" UP ", Style::new().fg(Color::Black).bg(UP)),
        PlanStatus::Down { .. } => Span::styled("DOWN", Style::new().fg(Color::Black).bg(DOWN)),
    }
}

fn render_components(app: &App, f: &mut Frame, area: Rect) {
    let [list_area, detail_area] = layout::components(area);
    let t = &app.topology;
    let mut rows: Vec<ListItem> = Vec::new();
    for row in app.component_rows() {
        let item = match row {
            Row2::Header(item) => {
                rows.push(ListItem::new(Line::styled(
                    section_title(t, item),
                    Style::new().bold().add_modifier(Modifier::UNDERLINED),
                )));
                continue;
            }
            Row2::Item(i) => app.items[i],
        };
        let down = app.item_down(item);
        let mark = if app.marked.contains(&item) {
            Span::styled("✗ ", DOWN)
        } else if down {
            Span::styled("↓ ", DOWN)
        } else {
            Span::styled("· ", UP)
        };
        rows.push(ListItem::new(Line::from(vec![
            Span::raw(" "),
            mark,
            Span::raw(item_short(t, item)),
        ])));
    }
    let mut state = ListState::default()
        .with_offset(app.comp_offset)
        .with_selected(app.selected_component_row());
    let list = List::new(rows)
        .block(Block::bordered().title(" Components "))
        .highlight_style(Style::new().fg(Color::Black).bg(SELECTED));
    f.render_stateful_widget(list, list_area, &mut state);

    let detail = app
        .selected()
        .map(|i| item_detail(app, i))
        .unwrap_or_default();
    f.render_widget(
        Paragraph::new(detail)
            .block(Block::bordered().title(" Details "))
            .wrap(Wrap { trim: false }),
        detail_area,
    );
}

fn section_title(t: &Topology, item: Item) -> String {
    match item {
        Item::Region(_) => format!("Regions ({})", t.regions.len()),
        Item::Site(_) => format!("Sites ({})", t.sites.len()),
        Item::Link(_) => format!("Links ({})", t.links.len()),
        Item::SharedRisk(_) => format!("Shared-risk groups ({})", t.shared_risks.len()),
        Item::Train(_) => format!("Release trains ({})", t.release_trains.len()),
    }
}

fn item_short(t: &Topology, item: Item) -> String {
    match item {
        Item::Region(r) => t.regions[r.index()].key.clone(),
        Item::Site(s) => t.site(s).key.clone(),
        Item::Link(l) => t.link(l).key.clone(),
        Item::SharedRisk(g) => t.shared_risks[g.index()].key.clone(),
        Item::Train(tr) => t.release_trains[tr.index()].key.clone(),
    }
}

/// A duration in its largest whole-ish unit: "4h", "2.5d", "30s".
pub fn fmt_secs(secs: f64) -> String {
    for (unit, factor) in [
        ("y", 365.25 * 86_400.0),
        ("d", 86_400.0),
        ("h", 3600.0),
        ("m", 60.0),
    ] {
        if secs >= factor {
            let v = secs / factor;
            return if (v - v.round()).abs() < 0.05 {
                format!("{:.0}{unit}", v)
            } else {
                format!("{v:.1}{unit}")
            };
        }
    }
    format!("{secs:.0}s")
}

/// Small probabilities in scientific notation, others as a plain decimal.
pub fn fmt_prob(p: f64) -> String {
    if p == 0.0 {
        "0".into()
    } else if p < 0.01 {
        format!("{p:.2e}")
    } else {
        format!("{p:.4}")
    }
}

fn failure_lines(out: &mut Vec<Line<'static>>, fp: Option<&FailureProcess>) {
    match fp {
        None => out.push(kv("failures", "never fails".into())),
        Some(fp) => {
            out.push(kv("failures/yr", format!("{:.3}", fp.annual_rate())));
            out.push(kv("MTBF", fmt_secs(fp.ttf.mean_secs())));
            out.push(kv("MTTR", fmt_secs(fp.ttr.mean_secs())));
            out.push(kv("unavailability", fmt_prob(fp.unavailability().get())));
        }
    }
}

fn kv(k: &str, v: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{k:>15}: "), Style::new().dim()),
        Span::raw(v),
    ])
}

fn names<I: Iterator<Item = String>>(it: I) -> String {
    let v: Vec<String> = it.collect();
    if v.is_empty() {
        "-".into()
    } else {
        v.join(", ")
    }
}

/// The editable fields of the selection, the one under the cursor marked.
fn edit_line(app: &App) -> Option<Line<'static>> {
    let target = app.edit_target()?;
    let cur = app.edit_field()?;
    let mut spans = vec![Span::raw("edit [ ] + -: ")];
    for &f in super::edit::fields(target) {
        let text = format!(
            "{} {}",
            f.name(),
            super::edit::value_text(&app.topology, target, f)
        );
        let changed = app.edits.contains(&(target, f));
        let style = if f == cur {
            Style::new().fg(Color::Black).bg(SELECTED)
        } else if changed {
            Style::new().fg(AT_RISK)
        } else {
            Style::new()
        };
        spans.push(Span::styled(
            if changed { format!("{text}*") } else { text },
            style,
        ));
        spans.push(Span::raw("  "));
    }
    Some(Line::from(spans))
}

fn item_detail(app: &App, item: Item) -> Vec<Line<'static>> {
    let t = &app.topology;
    let mut out = vec![
        Line::styled(app.item_label(item), Style::new().bold().fg(SELECTED)),
        kv(
            "state",
            if app.marked.contains(&item) {
                "DOWN (failed by you)".into()
            } else if app.item_down(item) {
                "DOWN (through a failed region, group or site)".into()
            } else {
                "up".into()
            },
        ),
    ];
    out.extend(edit_line(app));
    match item {
        Item::Region(r) => {
            let reg = &t.regions[r.index()];
            out.push(kv("name", reg.name.clone()));
            out.push(kv(
                "sites",
                names(t.sites_in_region(r).map(|s| t.site(s).key.clone())),
            ));
            if reg.hazards.is_empty() {
                out.push(kv("hazards", "none".into()));
            }
            for h in &reg.hazards {
                out.push(kv(
                    "hazard",
                    format!(
                        "{}: {}/yr, hits a site w.p. {}, lasts {} on average, active {}",
                        h.kind,
                        h.events.annual_rate,
                        h.site_hit_probability.get(),
                        fmt_secs(h.events.duration.mean_secs()),
                        fmt_prob(h.events.active_probability().get())
                    ),
                ));
            }
        }
        Item::Site(s) => {
            let site = t.site(s);
            out.push(kv("name", site.name.clone()));
            out.push(kv(
                "region",
                site.region
                    .map_or("-".into(), |r| t.regions[r.index()].key.clone()),
            ));
            if let Some(p) = site.location {
                out.push(kv("location", format!("{:.2}, {:.2}", p.lat, p.lon)));
            }
            out.push(kv("capacity", format!("{} rps", site.capacity_rps)));
            failure_lines(&mut out, site.failure.as_ref());
            out.push(kv(
                "serves plans",
                names(
                    t.plans
                        .iter()
                        .filter(|p| p.serving_sites.contains(&s))
                        .map(|p| p.key.clone()),
                ),
            ));
            if app.at_risk[s.index()] {
                out.push(Line::styled(
                    "at risk: a plan it serves has lost quorum",
                    Style::new().fg(AT_RISK),
                ));
            }
        }
        Item::Link(l) => {
            let link = t.link(l);
            out.push(kv(
                "ends",
                format!("{} - {}", t.site(link.a).key, t.site(link.b).key),
            ));
            out.push(kv("capacity", format!("{} Gbps", link.capacity_gbps)));
            if let Some(km) = link.length_km {
                out.push(kv("length", format!("{km:.0} km")));
            }
            if let Some(ms) = link.latency_ms {
                out.push(kv("latency", format!("{ms} ms")));
            }
            failure_lines(&mut out, link.failure.as_ref());
        }
        Item::SharedRisk(g) => {
            let g = &t.shared_risks[g.index()];
            out.push(kv("name", g.name.clone()));
            out.push(kv("kind", g.kind.as_str().into()));
            out.push(kv(
                "sites",
                names(g.sites.iter().map(|&s| t.site(s).key.clone())),
            ));
            out.push(kv(
                "links",
                names(g.links.iter().map(|&l| t.link(l).key.clone())),
            ));
            failure_lines(&mut out, Some(&g.failure));
        }
        Item::Train(tr) => {
            let r = &t.release_trains[tr.index()];
            out.push(kv("name", r.name.clone()));
            out.push(kv(
                "sites",
                names(r.sites.iter().map(|&s| t.site(s).key.clone())),
            ));
            out.push(kv(
                "canary sites",
                names(r.canary_sites.iter().map(|&s| t.site(s).key.clone())),
            ));
            out.push(kv("releases/yr", format!("{}", r.releases_per_year)));
            out.push(kv(
                "bad release",
                format!("{}", r.bad_release_probability.get()),
            ));
            out.push(kv("canary catch", format!("{}", r.canary_catch.get())));
            out.push(kv("escaped/yr", format!("{:.3}", r.escaped_rate())));
            out.push(kv("outage", fmt_secs(r.outage().secs())));
            out.push(Line::styled(
                "failing it = a bad release escaped to every site",
                Style::new().dim(),
            ));
        }
    }
    out
}

fn render_plans(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.topology;
    let [table_area, detail_area] = layout::plans(area);
    let header = Row::new(["Plan", "Mode", "Serving sites", "Q", "Cost/yr", "Now"])
        .style(Style::new().bold());
    let rows = t.plans.iter().zip(&app.statuses).map(|(p, st)| {
        let sites = names(p.serving_sites.iter().map(|&s| t.site(s).key.clone()));
        let now = match *st {
            PlanStatus::Up { min_reachable } => {
                Line::styled(format!("UP {min_reachable}/{}", p.quorum), UP)
            }
            PlanStatus::Down { reachable, .. } => {
                Line::styled(format!("DOWN {reachable}/{}", p.quorum), DOWN)
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
    let table = Table::new(
        rows,
        [
            Constraint::Fill(2),
            Constraint::Length(14),
            Constraint::Fill(3),
            Constraint::Length(2),
            Constraint::Length(8),
            Constraint::Length(9),
        ],
    )
    .header(header)
    .block(Block::bordered().title(" Plans under the current what-if "))
    .row_highlight_style(Style::new().fg(Color::Black).bg(SELECTED));
    let mut state = TableState::default()
        .with_offset(app.plan_offset)
        .with_selected(Some(app.selected_plan));
    f.render_stateful_widget(table, table_area, &mut state);

    let mut lines: Vec<Line> = edit_line(app).into_iter().collect();
    if t.plans.is_empty() {
        lines.push(Line::raw("This topology declares no plans."));
    }
    if let (Some(p), Some(st)) = (
        t.plans.get(app.selected_plan),
        app.statuses.get(app.selected_plan),
    ) {
        lines.push(Line::styled(
            format!("{} ({})", p.name, p.key),
            Style::new().bold().fg(SELECTED),
        ));
        lines.push(Line::raw(match *st {
            PlanStatus::Up { min_reachable } => format!(
                "up: every demand reaches at least {min_reachable} serving sites (quorum {})",
                p.quorum
            ),
            PlanStatus::Down { demand, reachable } => format!(
                "DOWN: {} reaches {reachable} serving sites, quorum is {}",
                demand.map_or("the service".into(), |d| format!(
                    "demand '{}'",
                    t.demands[d.index()].key
                )),
                p.quorum
            ),
        }));
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
    f.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(" Selected plan "))
            .wrap(Wrap { trim: false }),
        detail_area,
    );
}

fn fmt_money(x: f64) -> String {
    if x >= 1e6 {
        format!("${:.1}M", x / 1e6)
    } else if x >= 1e3 {
        format!("${:.0}k", x / 1e3)
    } else {
        format!("${x:.0}")
    }
}

fn render_help(f: &mut Frame, body: Rect) {
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
                Span::styled(format!("{k:>18}  "), Style::new().fg(SELECTED).bold()),
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

fn render_run(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.topology;
    let Some(run) = &app.run else {
        let plan = t
            .plans
            .get(app.selected_plan)
            .map_or("-".to_string(), |p| p.key.clone());
        let lines = vec![
            Line::raw("No run yet."),
            Line::raw(""),
            Line::raw(format!(
                "Press s to estimate how often plan '{plan}' is down at a random instant, \
                 under the failures you marked on the Map or Components tab. \
                 Choose the plan on the Plans tab (j/k). c cancels, n re-runs with the next seed. \
                 e switches to the time-based engine."
            )),
        ];
        f.render_widget(
            Paragraph::new(lines)
                .block(Block::bordered().title(run_title(Engine::Static)))
                .wrap(Wrap { trim: false }),
            area,
        );
        return;
    };
    let [info_area, gauge_area, chart_area] = Layout::vertical([
        Constraint::Length(6),
        Constraint::Length(1),
        Constraint::Min(6),
    ])
    .areas(area);
    let plan = &t.plan(run.plan).key;
    let (status, color) = match &run.stream.status {
        RunStatus::Running => ("running".to_string(), AT_RISK),
        RunStatus::Done => ("done".to_string(), UP),
        RunStatus::Cancelled => ("cancelled".to_string(), DOWN),
        RunStatus::Failed(e) => (format!("failed: {e}"), DOWN),
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("plan {plan}"), Style::new().bold().fg(SELECTED)),
        Span::raw(format!(
            " · seed {} · {} what-if failures forced · ",
            run.seed, run.forced_items
        )),
        Span::styled(status, color),
    ])];
    match run.latest() {
        Some(e) => {
            lines.push(Line::raw(format!(
                "P(down at a random instant) = {} ± {} (1 SE)",
                fmt_prob(e.p_down),
                fmt_prob(e.std_error)
            )));
            lines.push(Line::raw(format!(
                "95% interval [{}, {}] · availability {:.6} · {} of {} samples down",
                fmt_prob(e.ci95.0),
                fmt_prob(e.ci95.1),
                1.0 - e.p_down,
                e.down,
                e.samples
            )));
        }
        None => lines.push(Line::raw("waiting for the first batch...")),
    }
    if let Some(prev) = &app.previous_run
        && let Some(e) = prev.latest()
    {
        lines.push(Line::styled(
            format!(
                "previous: plan {} · seed {} · {} forced · P(down) = {} [{}, {}] after {} samples",
                t.plan(prev.plan).key,
                prev.seed,
                prev.forced_items,
                fmt_prob(e.p_down),
                fmt_prob(e.ci95.0),
                fmt_prob(e.ci95.1),
                e.samples
            ),
            Style::new().dim(),
        ));
    }
    f.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(run_title(Engine::Static)))
            .wrap(Wrap { trim: false }),
        info_area,
    );
    let total = run.config.batches * run.config.batch_size;
    let done = run.latest().map_or(0, |e| e.samples);
    f.render_widget(
        LineGauge::default()
            .ratio(done as f64 / total.max(1) as f64)
            .label(format!("{done}/{total} samples "))
            .filled_style(Style::new().fg(color)),
        gauge_area,
    );

    let est: Vec<(f64, f64)> = run
        .history
        .iter()
        .map(|e| (e.samples as f64, e.p_down))
        .collect();
    let lo: Vec<(f64, f64)> = run
        .history
        .iter()
        .map(|e| (e.samples as f64, e.ci95.0))
        .collect();
    let hi: Vec<(f64, f64)> = run
        .history
        .iter()
        .map(|e| (e.samples as f64, e.ci95.1))
        .collect();
    let y_max = (hi.iter().map(|p| p.1).fold(0.0, f64::max).max(1e-9) * 1.1).min(1.0);
    let x_max = total as f64;
    let chart = convergence_chart(
        " Convergence: estimate and 95% interval vs samples ",
        "P(down)",
        [&est, &lo, &hi],
        x_max,
        [0.0, y_max],
        ["0".to_string(), fmt_prob(y_max / 2.0), fmt_prob(y_max)],
    );
    f.render_widget(chart, chart_area);
}

fn fmt_count(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.1}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.0}k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}

fn run_title(engine: Engine) -> String {
    format!(" Run · {} engine (e to switch) ", engine.name())
}

/// Minutes as a compact duration ("0", "42s", "3.5h").
fn fmt_min(m: f64) -> String {
    if m <= 0.0 {
        "0".into()
    } else {
        fmt_secs(m * 60.0)
    }
}

fn render_time_run(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.topology;
    let Some(run) = &app.time_run else {
        let plan = t
            .plans
            .get(app.selected_plan)
            .map_or("-".to_string(), |p| p.key.clone());
        let lines = vec![
            Line::raw("No time-based run yet."),
            Line::raw(""),
            Line::raw(format!(
                "Press s to simulate trial-years of plan '{plan}' with the discrete-event engine: \
                 failures, repairs, failover, disasters, releases and operator errors over a \
                 year, scored as downtime minutes. Your parameter edits apply; what-if failures \
                 apply to the static engine only. Choose the plan on the Plans tab (j/k). \
                 c cancels, n re-runs with the next seed, e switches to the static engine."
            )),
        ];
        f.render_widget(
            Paragraph::new(lines)
                .block(Block::bordered().title(run_title(Engine::TimeBased)))
                .wrap(Wrap { trim: false }),
            area,
        );
        return;
    };
    let (status, color) = run_status(&run.stream.status);
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!("plan {}", t.plan(run.plan).key),
            Style::new().bold().fg(SELECTED),
        ),
        Span::raw(format!(" · seed {} · ", run.seed)),
        Span::styled(status, color),
    ])];
    match run.latest() {
        Some(p) => {
            let d = p.downtime;
            lines.push(Line::raw(format!(
                "downtime {:.1} min/yr, 95% [{:.1}, {:.1}] · availability {:.6} · {} years",
                d.mean,
                d.lo.max(0.0),
                d.hi,
                1.0 - d.mean / MINUTES_PER_YEAR,
                p.trials
            )));
            let q = |x| run.quantile(x).map_or("-".into(), fmt_min);
            let long = run.long_outage().map_or("-".into(), |e| {
                format!(
                    "{} [{}, {}]",
                    fmt_prob(e.mean),
                    fmt_prob(e.lo),
                    fmt_prob(e.hi)
                )
            });
            lines.push(Line::raw(format!(
                "a year's downtime: median {} · p90 {} · p99 {} · max {}",
                q(0.5),
                q(0.9),
                q(0.99),
                q(1.0)
            )));
            lines.push(Line::raw(format!("P(a year has an outage over 1h) {long}")));
        }
        None => lines.push(Line::raw("waiting for the first trial-years...")),
    }
    if let Some(prev) = &app.previous_time_run
        && let Some(p) = prev.latest()
    {
        lines.push(Line::styled(
            format!(
                "previous: plan {} · seed {} · downtime {:.1} min/yr [{:.1}, {:.1}] after {} trial-years",
                t.plan(prev.plan).key,
                prev.seed,
                p.downtime.mean,
                p.downtime.lo.max(0.0),
                p.downtime.hi,
                p.trials
            ),
            Style::new().dim(),
        ));
    }
    // The info box fits its lines, so short terminals keep a chart.
    let tall = area.height >= 30;
    let [info_area, gauge_area, chart_area, bottom_area] = Layout::vertical([
        Constraint::Length(lines.len() as u16 + 2),
        Constraint::Length(1),
        Constraint::Min(5),
        Constraint::Length(if tall { 12 } else { 8 }),
    ])
    .areas(area);
    f.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(run_title(Engine::TimeBased)))
            .wrap(Wrap { trim: false }),
        info_area,
    );
    let total = run.total();
    let done = run.years.len() as u64;
    f.render_widget(
        LineGauge::default()
            .ratio(done as f64 / total.max(1) as f64)
            .label(format!("{done}/{total} trial-years "))
            .filled_style(Style::new().fg(color)),
        gauge_area,
    );

    let pts = |f: fn(&super::timerun::Point) -> f64| -> Vec<(f64, f64)> {
        run.history
            .iter()
            .map(|p| (p.trials as f64, f(p)))
            .collect()
    };
    let est = pts(|p| p.downtime.mean);
    let lo = pts(|p| p.downtime.lo.max(0.0));
    let hi = pts(|p| p.downtime.hi);
    let y_max = hi.iter().map(|p| p.1).fold(0.0, f64::max).max(1.0) * 1.1;
    let x_max = total as f64;
    let chart = convergence_chart(
        " Convergence: downtime minutes per year vs trial-years ",
        "mean min/yr",
        [&est, &lo, &hi],
        x_max,
        [0.0, y_max],
        [
            "0".to_string(),
            format!("{:.0}", y_max / 2.0),
            format!("{y_max:.0}"),
        ],
    );
    f.render_widget(chart, chart_area);

    let [hist_area, cause_area] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(bottom_area);
    let bars: Vec<Bar> = run
        .histogram()
        .into_iter()
        .zip(super::timerun::BINS)
        .map(|(n, (label, _))| Bar::with_label(label, n))
        .collect();
    let inner_w = hist_area.width.saturating_sub(2);
    let n_bins = super::timerun::BINS.len() as u16;
    let bar_w = (inner_w.saturating_sub(n_bins - 1) / n_bins).clamp(1, 8);
    f.render_widget(
        BarChart::new(bars)
            .block(Block::bordered().title(" Years by downtime "))
            .bar_width(bar_w)
            .bar_gap(1)
            .bar_style(Style::new().fg(SELECTED))
            .value_style(Style::new().fg(Color::Black).bg(SELECTED)),
        hist_area,
    );

    let (causes, unattributed) = run.cause_means();
    let total_min: f64 = causes.iter().sum::<f64>() + unattributed;
    let bar_cols = usize::from(cause_area.width.saturating_sub(2)).saturating_sub(30);
    let mut lines: Vec<Line> = Vec::new();
    let mut rows: Vec<(&str, f64)> = run.cause_names.iter().copied().zip(causes).collect();
    rows.push(("unattributed", unattributed));
    // Causes that never held the plan down are left out when space is short.
    let room = usize::from(cause_area.height.saturating_sub(2));
    if rows.len() > room {
        rows.retain(|r| r.1 > 0.0);
    }
    if rows.is_empty() {
        lines.push(Line::raw("no downtime yet"));
    }
    for (name, m) in rows {
        let share = if total_min > 0.0 { m / total_min } else { 0.0 };
        let filled = (share * bar_cols as f64).round() as usize;
        lines.push(Line::from(vec![
            Span::raw(format!("{name:<12} ")),
            Span::styled("█".repeat(filled), Style::new().fg(SELECTED)),
            Span::styled(
                "·".repeat(bar_cols.saturating_sub(filled)),
                Style::new().dim(),
            ),
            Span::raw(format!(" {:>6.1}m {:>3.0}%", m, share * 100.0)),
        ]));
    }
    f.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Downtime by cause, min/yr ")),
        cause_area,
    );
}

const MINUTES_PER_YEAR: f64 = drsim::units::SECONDS_PER_YEAR / 60.0;

fn run_status(s: &RunStatus) -> (String, Color) {
    match s {
        RunStatus::Running => ("running".to_string(), AT_RISK),
        RunStatus::Done => ("done".to_string(), UP),
        RunStatus::Cancelled => ("cancelled".to_string(), DOWN),
        RunStatus::Failed(e) => (format!("failed: {e}"), DOWN),
    }
}

fn render_importance(app: &App, f: &mut Frame, area: Rect) {
    let t = &app.topology;
    let Some(job) = &app.importance else {
        f.render_widget(
            Paragraph::new("This topology declares no plans: nothing to rank.")
                .block(Block::bordered().title(" Importance ")),
            area,
        );
        return;
    };
    let plan = &t.plan(job.key.plan).key;
    let wide = area.width >= 120;
    let [head_area, table_area, side_area] = layout::importance(area);

    // Header: the plan, its unavailability, what the selected event hits.
    let status = if app.importance_key() != Some(job.key) {
        Span::styled(
            "outdated (plan, seed or model changed): recomputing once this finishes",
            AT_RISK,
        )
    } else if let Some(e) = &job.error {
        Span::styled(format!("failed: {e}"), DOWN)
    } else if job.ranking.is_some() {
        Span::styled("done", UP)
    } else {
        Span::styled("computing on a worker thread...", AT_RISK)
    };
    let mut head = vec![Line::from(vec![
        Span::styled(format!("plan {plan}"), Style::new().bold().fg(SELECTED)),
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
            Span::styled(format!("{} ", imp.event.name), Style::new().fg(SELECTED)),
            Span::raw(format!(
                "takes down {}",
                takes_down_text(t, &job.takes_down(&imp.event.name))
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

    // The ranking.
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
            Cell::from(Line::styled(format!("{:.1}%", c * 100.0), crit_color(c))),
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
    let table = Table::new(
        rows,
        [
            Constraint::Length(3),
            Constraint::Fill(1),
            Constraint::Length(11),
            Constraint::Length(8),
            Constraint::Length(9),
            Constraint::Length(7),
        ],
    )
    .header(header)
    .block(Block::bordered().title(title))
    .row_highlight_style(Style::new().fg(Color::Black).bg(SELECTED));
    let mut state = TableState::default()
        .with_offset(layout::importance_offset(table_area, app.selected_event))
        .with_selected(job.ranking.as_ref().map(|_| app.selected_event));
    f.render_stateful_widget(table, table_area, &mut state);

    // Single points of failure, then the likeliest pairs.
    let mut lines: Vec<Line> = Vec::new();
    if job.model.is_none() && job.error.is_none() {
        lines.push(Line::raw("finding cut sets..."));
    }
    if job.model.is_some() {
        if job.singles.is_empty() {
            lines.push(Line::styled(
                "no single event takes the plan down",
                Style::new().fg(UP),
            ));
        }
        for c in &job.singles {
            let ev = &c.events[0];
            lines.push(Line::from(vec![
                Span::styled("✗ ", DOWN),
                Span::raw(format!("{ev} ")),
                Span::styled(format!("p {} ", fmt_prob(c.prob)), Style::new().dim()),
                Span::raw(format!("→ {}", takes_down_text(t, &job.takes_down(ev)))),
            ]));
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

/// "sites a, b · links c" for what an event takes down.
fn takes_down_text(t: &Topology, (sites, links): &(Vec<usize>, Vec<usize>)) -> String {
    let mut parts = Vec::new();
    if !sites.is_empty() {
        parts.push(format!(
            "site{} {}",
            if sites.len() == 1 { "" } else { "s" },
            names(sites.iter().map(|&i| t.sites[i].key.clone()))
        ));
    }
    if !links.is_empty() {
        parts.push(format!(
            "link{} {}",
            if links.len() == 1 { "" } else { "s" },
            names(links.iter().map(|&i| t.links[i].key.clone()))
        ));
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(" · ")
    }
}

/// The convergence chart of both run views: the estimate in the selection
/// colour between the two grey bounds of its 95% interval.
fn convergence_chart<'a>(
    title: &'a str,
    estimate_name: &'a str,
    [est, lo, hi]: [&'a [(f64, f64)]; 3],
    x_max: f64,
    y_bounds: [f64; 2],
    y_labels: [String; 3],
) -> Chart<'a> {
    let line = |data: &'a [(f64, f64)], color: Color| {
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(Style::new().fg(color))
            .data(data)
    };
    let datasets = vec![
        line(hi, Color::DarkGray).name("95% band"),
        line(lo, Color::DarkGray),
        line(est, SELECTED).name(estimate_name),
    ];
    Chart::new(datasets)
        .block(Block::bordered().title(title))
        .x_axis(
            Axis::default()
                .bounds([0.0, x_max])
                .labels(["0".to_string(), fmt_count(x_max / 2.0), fmt_count(x_max)])
                .style(Style::new().dim()),
        )
        .y_axis(
            Axis::default()
                .bounds(y_bounds)
                .labels(y_labels)
                .style(Style::new().dim()),
        )
}
