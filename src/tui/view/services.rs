//! A service in the Components details and the Map's side pane: its state
//! under the what-if (working instances, and why the others stop), its
//! dependency tree with each dependency's state, and what it declares.

use super::format::{fmt_secs, kv, names};
use super::style::{DOWN, Theme, UP};
use crate::tui::app::{App, Item};
use crate::tui::services::{self as svc, ServiceState};
use drsim::model::{ServiceId, Topology};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Rows of the dependency tree shown at most (a large fleet's closure
/// would push everything else off the pane).
const TREE_ROWS: usize = 12;
/// Distinct reasons for stopped instances spelled out.
const REASONS: usize = 3;

/// "3/4 up" or "0/4 DOWN", coloured.
pub fn state_span(app: &App, s: ServiceId) -> Span<'static> {
    let th = Theme::of(app);
    let st = &app.services[s.index()];
    let (n, w) = (st.instances.len(), st.working());
    if app.item_down(Item::Service(s)) {
        Span::styled(format!("{w}/{n} DOWN"), th.fg(DOWN))
    } else {
        Span::styled(format!("{w}/{n} up"), th.fg(UP))
    }
}

/// The state in words: down as a whole (and by what), too few instances,
/// or up.
pub fn state_text(app: &App, s: ServiceId) -> String {
    let t = &app.topology;
    let st = &app.services[s.index()];
    let needs = t.service(s).needs.max(1);
    let (n, w) = (st.instances.len(), st.working());
    if app.failed.service_failed(s) {
        let by: Vec<String> = app
            .marked
            .iter()
            .filter_map(|&i| match i {
                Item::Service(x) if x == s => Some("failed by you".to_string()),
                Item::Train(tr) if t.release_trains[tr.index()].services.contains(&s) => {
                    Some(format!(
                        "bad push of release train {}",
                        t.release_trains[tr.index()].key
                    ))
                }
                _ => None,
            })
            .collect();
        format!("DOWN on every site ({})", by.join("; "))
    } else if n == 0 {
        "no instances: no site runs it and no plan serves it".into()
    } else if w < needs as usize {
        format!("DOWN: {w} of {n} instances work (needs {needs})")
    } else {
        format!("up: {w} of {n} instances work (needs {needs})")
    }
}

/// The details of a service, for the Components pane.
pub fn detail_lines(app: &App, s: ServiceId, out: &mut Vec<Line<'static>>) {
    let t = &app.topology;
    let th = Theme::of(app);
    let service = t.service(s);
    let st = &app.services[s.index()];
    if service.name != service.key {
        out.push(kv("name", service.name.clone()));
    }
    out.push(instances_line(app, st, s));
    // Stopped instances grouped by reason ("ash, lla: dns needs backbone,
    // which is down"); down as a whole, each would say just that.
    let mut reasons: Vec<(Vec<String>, &str)> = Vec::new();
    if !app.failed.service_failed(s) {
        for i in st.instances.iter().filter(|i| !i.working) {
            let why = i
                .reason
                .as_deref()
                .unwrap_or("not traced (too many stopped instances)");
            let site = t.site(i.site).key.clone();
            match reasons.iter_mut().find(|r| r.1 == why) {
                Some(r) => r.0.push(site),
                None => reasons.push((vec![site], why)),
            }
        }
    }
    for (sites, why) in reasons.iter().take(REASONS) {
        out.push(Line::styled(
            format!("  {}: {why}", sites.join(", ")),
            th.fg(DOWN),
        ));
    }
    if reasons.len() > REASONS {
        out.push(Line::styled(
            format!("  and {} more reasons", reasons.len() - REASONS),
            Style::new().dim(),
        ));
    }
    let depended_on = t.services.iter().any(|o| {
        let recovery = o.recovery.iter().flat_map(|r| &r.requires);
        (o.requires.iter().chain(&o.control).chain(recovery)).any(|d| d.service == s)
    });
    if depended_on {
        out.push(kv(
            "dependents use",
            format!(
                "{} instance(s), reached {}",
                service.needs,
                reach_text(service.reach)
            ),
        ));
    }
    plan_lines(app, s, out);
    out.push(Line::styled(
        "depends on (data plane; control plane marked):",
        Style::new().bold(),
    ));
    tree_lines(app, s, out);
    match &service.failure {
        None => out.push(kv("as a whole", "fails only with its sites".into())),
        Some(fp) => out.push(kv(
            "as a whole",
            format!(
                "{:.3} failures/yr, MTTR {}",
                fp.annual_rate(),
                fmt_secs(fp.ttr.mean_secs())
            ),
        )),
    }
    if let Some(r) = &service.recovery {
        out.push(kv(
            "recovery needs",
            format!(
                "{}; else {} more by hand",
                names(r.requires.iter().map(|d| t.service(d.service).key.clone())),
                fmt_secs(r.fallback.secs())
            ),
        ));
    }
    for cycle in app.cycles.iter().filter(|c| c.contains(&s)) {
        out.push(kv(
            "on a cycle",
            format!(
                "{}{}",
                names(cycle.iter().map(|&c| t.service(c).key.clone())),
                service
                    .bootstrap
                    .as_ref()
                    .map_or(String::new(), |b| format!(
                        "; cold start {}",
                        fmt_secs(b.mean_secs())
                    ))
            ),
        ));
    }
    out.push(Line::styled(
        "failing it = the service down as a whole, on every site",
        Style::new().dim(),
    ));
}

/// "instances: ash✓ prn✗ ..." (the plans' serving sites for a front end
/// declared without sites).
fn instances_line(app: &App, st: &ServiceState, s: ServiceId) -> Line<'static> {
    let label = if st.from_plans {
        "serving sites"
    } else {
        "instances"
    };
    let mut spans = vec![Span::styled(format!("{label:>15}: "), Style::new().dim())];
    spans.extend(instance_spans(app, s));
    Line::from(spans)
}

/// Each instance's site with ✓ (works) or ✗, coloured.
pub fn instance_spans(app: &App, s: ServiceId) -> Vec<Span<'static>> {
    let t = &app.topology;
    let th = Theme::of(app);
    let st = &app.services[s.index()];
    if st.instances.is_empty() {
        return vec![Span::raw("-")];
    }
    let mut spans = Vec::new();
    for (k, i) in st.instances.iter().enumerate() {
        if k > 0 {
            spans.push(Span::raw(" "));
        }
        let (glyph, color) = if i.working {
            ("✓", UP)
        } else {
            ("✗", DOWN)
        };
        spans.push(Span::styled(
            format!("{}{glyph}", t.site(i.site).key),
            th.fg(color),
        ));
    }
    spans
}

/// The plans that serve it, each with its state and, when down, the chain.
fn plan_lines(app: &App, s: ServiceId, out: &mut Vec<Line<'static>>) {
    let t = &app.topology;
    let th = Theme::of(app);
    let serving: Vec<usize> = (0..t.plans.len())
        .filter(|&p| t.plans[p].serves == Some(s))
        .collect();
    if serving.is_empty() {
        return;
    }
    for p in serving {
        let up = app.statuses[p].is_up();
        let mut text = format!("plan {} {}", t.plans[p].key, if up { "UP" } else { "DOWN" });
        if let Some(b) = &app.blames[p] {
            text.push_str(&format!(": {b}"));
        }
        out.push(Line::styled(text, th.fg(if up { UP } else { DOWN })));
    }
}

/// The dependency tree, each row with the dependency's state.
fn tree_lines(app: &App, s: ServiceId, out: &mut Vec<Line<'static>>) {
    let t = &app.topology;
    let rows = svc::tree(t, s, TREE_ROWS + 1);
    if rows.is_empty() {
        out.push(Line::raw("  nothing"));
    }
    for r in rows.iter().take(TREE_ROWS) {
        let d = t.service(r.service);
        let spans = vec![
            Span::raw(format!("{}└ {} ", "  ".repeat(r.depth - 1), d.key)),
            state_span(app, r.service),
            Span::styled(
                format!(
                    " · needs {} {}{}{}",
                    r.needs,
                    reach_text(r.reach),
                    if r.control { " · control" } else { "" },
                    if r.repeat { " · (above)" } else { "" }
                ),
                Style::new().dim(),
            ),
        ];
        out.push(Line::from(spans));
    }
    if rows.len() > TREE_ROWS {
        out.push(Line::styled(
            format!("  ... {} services in all", t.service_closure(s).len()),
            Style::new().dim(),
        ));
    }
}

fn reach_text(r: drsim::model::Reach) -> &'static str {
    match r {
        drsim::model::Reach::Site => "on its site",
        drsim::model::Reach::Region => "in its region",
        drsim::model::Reach::Anywhere => "anywhere",
    }
}

/// The instance sites of a service, for the map's highlight.
pub fn sites(t: &Topology, s: ServiceId) -> Vec<usize> {
    svc::instance_sites(t, s)
        .0
        .iter()
        .map(|x| x.index())
        .collect()
}
