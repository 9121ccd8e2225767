//! The Run tab with the static engine: P(down at a random instant) with its
//! interval as it converges, and the convergence chart both run views share.

use super::format::{fmt_count, fmt_prob, wrapped_rows};
use super::style::{AT_RISK, DOWN, SELECTED, Theme, UP};
use crate::tui::app::{App, Engine};
use crate::tui::run::{Run, RunStatus};
use drsim::model::{PlanId, Topology};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, LineGauge, Paragraph, Wrap};

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let th = Theme::of(app);
    let Some(run) = &app.run else {
        render_no_run(app, f, area, Engine::Static, "No run yet.", |plan| {
            format!(
                "Press s to estimate how often plan '{plan}' is down at a random instant, \
                 under the failures you marked on the Map or Components tab. \
                 Choose the plan on the Plans tab (j/k). c cancels, n re-runs with the next seed. \
                 e switches to the time-based engine."
            )
        });
        return;
    };
    let (_, color) = run_status(&run.stream.status);
    let lines = info_lines(app, run);
    // The info box fits its (wrapped) lines, so 80 columns keep `previous:`.
    let [info_area, gauge_area, chart_area] = Layout::vertical([
        Constraint::Length(wrapped_rows(&lines, area.width.saturating_sub(2)) + 2),
        Constraint::Length(1),
        Constraint::Min(6),
    ])
    .areas(area);
    let total = run.config.samples;
    let done = run.latest().map_or(0, |e| e.samples);
    // Samples against the plan and the relative error, as the CLI's
    // progress line shows them (a fixed sample count: no target).
    let unit = match run.latest() {
        Some(e) => format!(
            "samples · RE {}",
            drsim::sampling::relative_error_text(e.relative_error, None)
        ),
        None => "samples".into(),
    };
    let progress = (done, total, unit.as_str());
    let areas = [info_area, gauge_area];
    render_header(f, th, Engine::Static, lines, areas, progress, color);

    let est = series(&run.history, |e| (e.samples as f64, e.p_down));
    let lo = series(&run.history, |e| (e.samples as f64, e.ci95.0));
    let hi = series(&run.history, |e| (e.samples as f64, e.ci95.1));
    let y_max = (hi.iter().map(|p| p.1).fold(0.0, f64::max).max(1e-9) * 1.1).min(1.0);
    let x_max = total as f64;
    let chart = convergence_chart(
        th,
        " Convergence: estimate and 95% interval vs samples ",
        "P(down)",
        [&est, &lo, &hi],
        x_max,
        [0.0, y_max],
        ["0".to_string(), fmt_prob(y_max / 2.0), fmt_prob(y_max)],
    );
    f.render_widget(chart, chart_area);
}

/// The run's plan, status, what-if scenario, estimate and the previous run
/// to compare with.
fn info_lines(app: &App, run: &Run) -> Vec<Line<'static>> {
    let t = &app.topology;
    let th = Theme::of(app);
    let plan = &t.plan(run.plan).key;
    let (status, color) = run_status(&run.stream.status);
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("plan {plan}"), th.selected_text()),
        Span::raw(format!(
            " · seed {} · {} what-if failures forced · ",
            run.seed,
            run.what_if.len()
        )),
        Span::styled(status, th.fg(color)),
    ])];
    if !run.what_if.is_empty() {
        lines.push(Line::styled(
            format!("what-if scenario: {} held down", run.what_if.join(", ")),
            th.fg(AT_RISK),
        ));
    }
    let time_only = drsim::model::time_only_features(t, run.plan);
    if !time_only.is_empty() {
        lines.push(Line::styled(
            format!(
                "{} modelled by the time-based run only: this random instant leaves {} out",
                time_only.join(", "),
                if time_only.len() == 1 { "it" } else { "them" }
            ),
            th.fg(AT_RISK),
        ));
    }
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
        let scenario = format!(" · {} forced", prev.what_if.len());
        let result = format!(
            "P(down) = {} [{}, {}] after {} samples",
            fmt_prob(e.p_down),
            fmt_prob(e.ci95.0),
            fmt_prob(e.ci95.1),
            e.samples
        );
        lines.push(previous_line(t, prev.plan, prev.seed, &scenario, &result));
    }
    lines
}

/// One series of a convergence chart: a point per entry of `history`.
pub fn series<T>(history: &[T], point: impl Fn(&T) -> (f64, f64)) -> Vec<(f64, f64)> {
    history.iter().map(point).collect()
}

/// The info box (its `lines`, titled for `engine`) and, below it, the
/// progress gauge: `progress` is done, total and what is counted.
pub fn render_header(
    f: &mut Frame,
    th: Theme,
    engine: Engine,
    lines: Vec<Line<'static>>,
    [info_area, gauge_area]: [Rect; 2],
    (done, total, unit): (u64, u64, &str),
    color: Color,
) {
    f.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(run_title(engine)))
            .wrap(Wrap { trim: false }),
        info_area,
    );
    f.render_widget(
        LineGauge::default()
            .ratio(done as f64 / total.max(1) as f64)
            .label(format!("{done}/{total} {unit} "))
            .filled_style(th.fg(color)),
        gauge_area,
    );
}

/// The dimmed line that recalls the run before the current one, for
/// comparison: its plan, seed, what-if `scenario` and `result`.
pub fn previous_line(
    t: &Topology,
    plan: PlanId,
    seed: u64,
    scenario: &str,
    result: &str,
) -> Line<'static> {
    Line::styled(
        format!(
            "previous: plan {} · seed {seed}{scenario} · {result}",
            t.plan(plan).key
        ),
        Style::new().dim(),
    )
}

/// The Run tab before `engine` has run: a first line, then what `s` would
/// do for the selected plan (`help` gets the plan's id).
pub fn render_no_run(
    app: &App,
    f: &mut Frame,
    area: Rect,
    engine: Engine,
    first: &str,
    help: impl FnOnce(&str) -> String,
) {
    let plan = app
        .topology
        .plans
        .get(app.selected_plan)
        .map_or("-", |p| p.key.as_str());
    let lines = vec![
        Line::raw(first.to_string()),
        Line::raw(""),
        Line::raw(help(plan)),
    ];
    f.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(run_title(engine)))
            .wrap(Wrap { trim: false }),
        area,
    );
}

pub fn run_title(engine: Engine) -> String {
    format!(" Run · {} engine (e to switch) ", engine.name())
}

pub fn run_status(s: &RunStatus) -> (String, Color) {
    match s {
        RunStatus::Running => ("running".to_string(), AT_RISK),
        RunStatus::Done => ("done".to_string(), UP),
        RunStatus::Cancelled => ("cancelled".to_string(), DOWN),
        RunStatus::Failed(e) => (format!("failed: {e}"), DOWN),
    }
}

/// The convergence chart of both run views: the estimate in the selection
/// colour between the two grey bounds of its 95% interval.
pub fn convergence_chart<'a>(
    th: Theme,
    title: &'a str,
    estimate_name: &'a str,
    [est, lo, hi]: [&'a [(f64, f64)]; 3],
    x_max: f64,
    y_bounds: [f64; 2],
    y_labels: [String; 3],
) -> Chart<'a> {
    // Without colour the band is dotted, the estimate drawn solid.
    let line = |data: &'a [(f64, f64)], color: Color, marker: Marker| {
        Dataset::default()
            .marker(marker)
            .graph_type(GraphType::Line)
            .style(th.fg(color))
            .data(data)
    };
    let band = if th.color {
        Marker::Braille
    } else {
        Marker::Dot
    };
    let datasets = vec![
        line(hi, Color::DarkGray, band).name("95% band"),
        line(lo, Color::DarkGray, band),
        line(est, SELECTED, Marker::Braille).name(estimate_name),
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
