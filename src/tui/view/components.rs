//! The Components tab: every region, site, link, shared-risk group and
//! release train with its state, and the selection's details.

use super::format::{fmt_prob, fmt_secs, kv, names, site_label, site_names};
use super::style::{AT_RISK, DOWN, Theme, UP};
use crate::tui::app::{App, ComponentRow as Row2, Item};
use crate::tui::layout;
use drsim::model::{FailureProcess, Topology};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let [list_area, detail_area] = layout::components(area);
    let th = Theme::of(app);
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
            Span::styled("✗ ", th.fg(DOWN))
        } else if down {
            Span::styled("↓ ", th.fg(DOWN))
        } else {
            Span::styled("· ", th.fg(UP))
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
        .highlight_style(th.selected())
        .highlight_symbol(th.marker());
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
        Item::Service(_) => format!("Services ({})", t.services.len()),
    }
}

fn item_short(t: &Topology, item: Item) -> String {
    match item {
        Item::Region(r) => t.regions[r.index()].key.clone(),
        Item::Site(s) => {
            let site = t.site(s);
            match site_label(site) {
                label if label != site.key => format!("{} {label}", site.key),
                _ => site.key.clone(),
            }
        }
        Item::Link(l) => t.link(l).key.clone(),
        Item::SharedRisk(g) => t.shared_risks[g.index()].key.clone(),
        Item::Train(tr) => t.release_trains[tr.index()].key.clone(),
        Item::Service(s) => t.service(s).key.clone(),
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

/// The editable fields of the selection, the one under the cursor marked.
pub fn edit_line(app: &App) -> Option<Line<'static>> {
    let target = app.edit_target()?;
    let cur = app.edit_field()?;
    let th = Theme::of(app);
    let mut spans = vec![Span::raw("edit [ ] + -: ")];
    for f in crate::tui::edit::editable_fields(&app.topology, target) {
        let text = format!(
            "{} {}",
            f.name(),
            crate::tui::edit::value_text(&app.topology, target, f)
        );
        let changed = app.edits.contains(&(target, f));
        let style = if f == cur {
            th.selected()
        } else if changed {
            th.fg(AT_RISK)
        } else {
            Style::new()
        };
        let text = match (f == cur && !th.color, changed) {
            (true, true) => format!("▶{text}*"),
            (true, false) => format!("▶{text}"),
            (false, true) => format!("{text}*"),
            (false, false) => text,
        };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw("  "));
    }
    Some(Line::from(spans))
}

fn item_detail(app: &App, item: Item) -> Vec<Line<'static>> {
    let t = &app.topology;
    let th = Theme::of(app);
    let mut out = vec![
        Line::styled(app.item_label(item), th.selected_text()),
        kv(
            "state",
            if let Item::Service(s) = item {
                super::services::state_text(app, s)
            } else if app.marked.contains(&item) {
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
        Item::Site(s) => site_lines(app, s, &mut out),
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
            out.push(kv("sites", site_names(t, &g.sites)));
            out.push(kv(
                "links",
                names(g.links.iter().map(|&l| t.link(l).key.clone())),
            ));
            failure_lines(&mut out, Some(&g.failure));
        }
        Item::Train(tr) => {
            let r = &t.release_trains[tr.index()];
            out.push(kv("name", r.name.clone()));
            out.push(kv("sites", site_names(t, &r.sites)));
            out.push(kv("canary sites", site_names(t, &r.canary_sites)));
            out.push(kv("releases/yr", format!("{}", r.releases_per_year)));
            out.push(kv(
                "bad release",
                format!("{}", r.bad_release_probability.get()),
            ));
            out.push(kv("canary catch", format!("{}", r.canary_catch.get())));
            out.push(kv("escaped/yr", format!("{:.3}", r.escaped_rate())));
            out.push(kv("outage", fmt_secs(r.outage().secs())));
            if !r.services.is_empty() {
                out.push(kv(
                    "pushes to",
                    names(r.services.iter().map(|&s| t.service(s).key.clone())),
                ));
            }
            out.push(Line::styled(
                "failing it = a bad release escaped to every site",
                Style::new().dim(),
            ));
        }
        Item::Service(s) => super::services::detail_lines(app, s, &mut out),
    }
    out
}

fn site_lines(app: &App, s: drsim::model::SiteId, out: &mut Vec<Line<'static>>) {
    let t = &app.topology;
    let th = Theme::of(app);
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
    out.push(kv(
        "capacity",
        if site.capacity_rps.is_finite() {
            format!("{} rps", site.capacity_rps)
        } else {
            "unlimited (none given)".into()
        },
    ));
    failure_lines(out, site.failure.as_ref());
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
            th.fg(AT_RISK),
        ));
    }
}
