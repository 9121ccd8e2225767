//! The Run tab with the time-based engine: downtime minutes per year as the
//! trial-years come in, their spread and the causes of downtime.

use super::format::{fmt_min, fmt_prob, wrapped_rows};
use super::run::{
    convergence_chart, previous_line, render_header, render_no_run, run_status, series,
};
use super::style::{AT_RISK, SELECTED, Theme};
use crate::tui::app::{App, Engine};
use crate::tui::timerun::TimeRun;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, Paragraph};

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let th = Theme::of(app);
    let Some(run) = &app.time_run else {
        let first = "No time-based run yet.";
        render_no_run(app, f, area, Engine::TimeBased, first, |plan| {
            format!(
                "Press s to simulate trial-years of plan '{plan}' with the discrete-event engine: \
                 failures, repairs, failover, disasters, releases and operator errors over a \
                 year, scored as downtime minutes. Your parameter edits apply, and the what-if \
                 failures you marked are held down for the whole of every trial-year (a \
                 scenario run, as drsim run --down). Choose the plan on the Plans tab (j/k). \
                 c cancels, n re-runs with the next seed, e switches to the static engine."
            )
        });
        return;
    };
    let (_, color) = run_status(&run.stream.status);
    let lines = info_lines(app, run);
    // The info box fits its (wrapped) lines, so short terminals keep a chart
    // and 80 columns keep the `previous:` line.
    let tall = area.height >= 30;
    let [info_area, gauge_area, chart_area, bottom_area] = Layout::vertical([
        Constraint::Length(wrapped_rows(&lines, area.width.saturating_sub(2)) + 2),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(if tall { 12 } else { 8 }),
    ])
    .areas(area);
    let total = run.total();
    let progress = (run.years.len() as u64, total, "trial-years");
    let areas = [info_area, gauge_area];
    render_header(f, th, Engine::TimeBased, lines, areas, progress, color);

    let est = series(&run.history, |p| (p.trials as f64, p.downtime.mean));
    let lo = series(&run.history, |p| (p.trials as f64, p.downtime.lo.max(0.0)));
    let hi = series(&run.history, |p| (p.trials as f64, p.downtime.hi));
    let y_max = hi.iter().map(|p| p.1).fold(0.0, f64::max).max(1.0) * 1.1;
    let x_max = total as f64;
    let chart = convergence_chart(
        th,
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
    render_histogram(th, run, f, hist_area);
    render_causes(th, run, f, cause_area);
}

/// The run's plan, seed and state, its estimates, and the previous run.
fn info_lines(app: &App, run: &TimeRun) -> Vec<Line<'static>> {
    let t = &app.topology;
    let th = Theme::of(app);
    let (status, color) = run_status(&run.stream.status);
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("plan {}", t.plan(run.plan).key), th.selected_text()),
        Span::raw(format!(" · seed {} · ", run.seed)),
        Span::styled(status, th.fg(color)),
    ])];
    if !run.what_if.is_empty() {
        lines.push(Line::styled(
            format!(
                "what-if scenario: {} held down all year",
                run.what_if.join(", ")
            ),
            th.fg(AT_RISK),
        ));
    }
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
            if let Some(slo) = &run.slo_report {
                lines.extend(slo_lines(slo));
            }
        }
        None => lines.push(Line::raw("waiting for the first trial-years...")),
    }
    if let Some(prev) = &app.previous_time_run
        && let Some(p) = prev.latest()
    {
        let scenario = if prev.what_if.is_empty() {
            String::new()
        } else {
            format!(" · what-if {}", prev.what_if.join(", "))
        };
        let result = format!(
            "downtime {:.1} min/yr [{:.1}, {:.1}] after {} trial-years",
            p.downtime.mean,
            p.downtime.lo.max(0.0),
            p.downtime.hi,
            p.trials
        );
        lines.push(previous_line(t, prev.plan, prev.seed, &scenario, &result));
    }
    lines
}

/// The plan's SLO forecast: P(a window misses), the burn, and the window
/// availability's percentiles (what `drsim run` prints for the plan).
fn slo_lines(slo: &drsim::simulate::SloReport) -> [Line<'static>; 2] {
    let p = |x: f64| format!("{:.4}%", 100.0 * x);
    let w = &slo.window_availability;
    [
        Line::raw(format!(
            "SLO {}% of each {} {}window: P(window misses) {} · budget burn mean {:.1}%",
            drsim::human::trimmed(100.0 * slo.target),
            slo.window,
            if slo.rolling { "rolling " } else { "" },
            drsim::human::percent_interval(&slo.p_miss),
            100.0 * slo.error_budget_burn.mean
        )),
        Line::raw(format!(
            "window availability: mean {} · p1 {} · p5 {} · p50 {}",
            p(w.mean),
            p(w.p1),
            p(w.p5),
            p(w.p50)
        )),
    ]
}

fn render_histogram(th: Theme, run: &TimeRun, f: &mut Frame, area: Rect) {
    let bars: Vec<Bar> = run
        .histogram()
        .into_iter()
        .zip(crate::tui::timerun::BINS)
        .map(|(n, (label, _))| Bar::with_label(label, n))
        .collect();
    let inner_w = area.width.saturating_sub(2);
    let n_bins = crate::tui::timerun::BINS.len() as u16;
    let bar_w = (inner_w.saturating_sub(n_bins - 1) / n_bins).clamp(1, 8);
    let value_style = if th.color {
        Style::new().fg(ratatui::style::Color::Black).bg(SELECTED)
    } else {
        Style::new().add_modifier(Modifier::REVERSED)
    };
    f.render_widget(
        BarChart::new(bars)
            .block(Block::bordered().title(" Years by downtime "))
            .bar_width(bar_w)
            .bar_gap(1)
            .bar_style(th.fg(SELECTED))
            .value_style(value_style),
        area,
    );
}

/// Mean downtime by cause, as bars. When rows are short, causes that never
/// held the plan down go first, then the smallest; `unattributed` (what no
/// cause explains, the check that the causes add up) always stays.
fn render_causes(th: Theme, run: &TimeRun, f: &mut Frame, cause_area: Rect) {
    let (causes, unattributed) = run.cause_means();
    let total_min: f64 = causes.iter().sum::<f64>() + unattributed;
    let bar_cols = usize::from(cause_area.width.saturating_sub(2)).saturating_sub(30);
    let mut lines: Vec<Line> = Vec::new();
    let mut rows: Vec<(&str, f64)> = run.cause_names.iter().copied().zip(causes).collect();
    let room = usize::from(cause_area.height.saturating_sub(2)).max(1);
    if rows.len() + 1 > room {
        rows.retain(|r| r.1 > 0.0);
    }
    while rows.len() + 1 > room {
        // Drop the smallest cause, keeping the others in their order.
        let smallest = (0..rows.len())
            .min_by(|&a, &b| rows[a].1.total_cmp(&rows[b].1))
            .unwrap_or(0);
        rows.remove(smallest);
    }
    rows.push(("unattributed", unattributed));
    if total_min <= 0.0 {
        lines.push(Line::raw("no downtime yet"));
        rows.clear();
    }
    for (name, m) in rows {
        let share = if total_min > 0.0 { m / total_min } else { 0.0 };
        let filled = (share * bar_cols as f64).round() as usize;
        lines.push(Line::from(vec![
            Span::raw(format!("{name:<12} ")),
            Span::styled("█".repeat(filled), th.fg(SELECTED)),
            Span::styled(
                "·".repeat(bar_cols.saturating_sub(filled)),
                Style::new().dim(),
            ),
            Span::raw(format!(" {:>7} {:>3.0}%", cause_minutes(m), share * 100.0)),
        ]));
    }
    f.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Downtime by cause, min/yr ")),
        cause_area,
    );
}

const MINUTES_PER_YEAR: f64 = drsim::units::SECONDS_PER_YEAR / 60.0;

/// Minutes for the cause column, at most seven characters: `30.5m` up to
/// 1000 minutes, then a compact duration (`2.3d`, `364d`), so a scenario
/// run's whole-year downtime keeps the column aligned.
fn cause_minutes(m: f64) -> String {
    if m < 999.95 {
        format!("{m:.1}m")
    } else {
        fmt_min(m)
    }
}
