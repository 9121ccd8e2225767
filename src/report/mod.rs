//! The design-review page of `drsim report`: one self-contained HTML file
//! (inline CSS and SVG, no scripts, nothing fetched) with the model summary,
//! the plans ranked side by side, downtime distributions, attribution by
//! cause, single points of failure and what it takes to reproduce it.
//!
//! Ranking, frontier and the reasons a plan is off it come from
//! [`crate::score::compare`] with downtime as the risk (paired comparisons:
//! a plan is dominated only when the difference is significant).
//!
//! The page depends only on its input, so a seed fixes it byte for byte.

pub use crate::human as format;
pub mod openmetrics;
pub mod openslo;
pub mod summary;
pub mod svg;

pub use summary::{Provenance, date_of_unix, describe_events};

use crate::model::{Replication, Topology};
use crate::reliability::importance::CutSet;
use crate::score::check::CheckReport;
use crate::score::compare::{ComparedPlan, compare};
use crate::score::{Metric, ScoreError, ScoredPlan};
use format::{money, si};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The risk the plans are ranked on and traded against cost.
pub const RISK: Metric = Metric::DowntimeMinutes;

/// One plan's results.
pub struct PlanSection {
    /// Scores with their per-trial values (for pairing and the
    /// distribution chart).
    pub scored: ScoredPlan,
    /// Minimal cut sets (up to order 2) of the plan's service at a random
    /// instant, or why they could not be computed.
    pub cut_sets: Result<Vec<CutSet>, String>,
    /// What each event of the cut sets takes down ([`describe_events`]).
    pub events: BTreeMap<String, String>,
}

/// Everything the page shows.
pub struct ReportInput<'a> {
    pub topo: &'a Topology,
    /// The topology file as given.
    pub source: String,
    pub plans: Vec<PlanSection>,
    pub seed: u64,
    pub trials: usize,
    pub years: usize,
    /// The command line that produced the page.
    pub command: String,
    /// The plans' targets, decided by [`crate::score::check`].
    pub targets: CheckReport,
    pub provenance: Provenance,
}

/// Escapes text for HTML and SVG content and attributes.
pub use crate::escape::html as esc;

/// Bins of annual downtime for the distribution charts, in minutes.
const BINS: [(f64, &str); 8] = [
    (0.0, "0"),
    (1.0, "≤1"),
    (5.0, "1–5"),
    (15.0, "5–15"),
    (60.0, "15–60"),
    (240.0, "1–4 h"),
    (1440.0, "4–24 h"),
    (f64::INFINITY, ">1 d"),
];

fn downtime_bins(minutes: &[f64]) -> Vec<(String, f64)> {
    let mut counts = [0usize; BINS.len()];
    for &m in minutes {
        let i = if m <= 0.0 {
            0
        } else {
            BINS.iter()
                .position(|&(hi, _)| m <= hi)
                .unwrap_or(BINS.len() - 1)
        };
        counts[i] += 1;
    }
    let n = minutes.len().max(1) as f64;
    BINS.iter()
        .zip(counts)
        .map(|(&(_, l), c)| (l.to_string(), c as f64 / n))
        .collect()
}

fn pct(e: &crate::simulate::Estimate) -> String {
    format!(
        "{:.4}%<br><small>[{:.4}, {:.4}]</small>",
        100.0 * e.mean,
        100.0 * e.lo,
        100.0 * e.hi
    )
}

const CSS: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1180px;color:#1a1a1a;padding:0 16px}
h1{font-size:1.6em;margin-bottom:4px}h2{margin-top:32px;border-bottom:2px solid #0072B2;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0;font-size:14px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right;vertical-align:top}
th{background:#f0f4f8}td.l,th.l{text-align:left}tr.front td{background:#eef7ee}
.muted{color:#666}.badge{display:inline-block;padding:0 6px;border-radius:8px;background:#009E73;color:#fff;font-size:12px}
.spof{color:#b00020;font-weight:bold}figure.chart{margin:12px 0;display:block;width:100%}figure.chart svg{width:100%;height:auto}
code,pre{background:#f4f4f4;padding:2px 4px;border-radius:3px}pre{padding:8px;white-space:pre-wrap;word-break:break-all}
.summary{border:2px solid #0072B2;border-radius:6px;padding:4px 16px;margin:16px 0}.summary h2{border:0;margin-top:8px}
.rec,.finding{font-size:1.08em}.prov{font-size:13px;color:#444}
.pass{color:#006b3c;font-weight:bold}.fail{color:#b00020;font-weight:bold}.undecided{color:#8a6d00;font-weight:bold}
@media print{body{max-width:none;margin:0}h2{break-after:avoid}figure.chart,table{break-inside:avoid}}
";

/// Renders the page; fails only if the plans' runs cannot be paired
/// (different trials, years or seed).
pub fn render_html(input: &ReportInput<'_>) -> Result<String, ScoreError> {
    let t = input.topo;
    let scored: Vec<ScoredPlan> = input.plans.iter().map(|p| p.scored.clone()).collect();
    let cmp = compare(&t.name, &scored, RISK)?;
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>drsim report: {}</title><style>{CSS}</style></head><body>",
        esc(&t.name)
    );
    let _ = writeln!(
        h,
        "<h1>Disaster-recovery review: {}</h1><p class=\"muted\">{}</p>",
        esc(&t.name),
        esc(&t.description),
    );
    summary::provenance(
        &mut h,
        &input.provenance,
        &input.source,
        input.trials,
        input.years,
        input.seed,
    );
    summary::summary(&mut h, &cmp.plans, &input.targets);
    summary::targets_table(&mut h, &input.targets);
    comparison(&mut h, &cmp.plans);
    charts(&mut h, input, &cmp.plans);
    spofs(&mut h, input);
    model_summary(&mut h, t);
    let _ = writeln!(
        h,
        "<h2 id=\"reproduce\">Reproduce</h2><p>Seed {seed}, {trials} trials × {years} year(s) per plan; the same command gives the same numbers on any machine and thread count.</p><pre>{cmd}</pre><p>The plan scores alone: <code>drsim run {src} --trials {trials} --years {years} --seed {seed} --format json</code></p>\n</body></html>",
        seed = input.seed,
        trials = input.trials,
        years = input.years,
        cmd = esc(&input.command),
        src = esc(&shell_quote(&input.source)),
    );
    Ok(h)
}

/// Quotes a word for a POSIX shell when it needs it.
pub fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn model_summary(h: &mut String, t: &Topology) {
    let users: f64 = t.demands.iter().map(|d| d.users).sum();
    let rps: f64 = t.demands.iter().map(|d| d.peak_rps).sum();
    let (mut head, mut cells) = (String::new(), String::new());
    for (kind, n) in t.part_counts() {
        let _ = write!(head, "<th class=\"l\">{kind}</th>");
        let _ = match kind {
            "demands" => write!(
                cells,
                "<td>{n} ({} users, {} peak req/s)</td>",
                si(users),
                si(rps)
            ),
            _ => write!(cells, "<td>{n}</td>"),
        };
    }
    let _ = writeln!(
        h,
        "<h2 id=\"model\">Model</h2><table><tr>{head}</tr><tr>{cells}</tr></table>"
    );
    h.push_str("<table><tr><th class=\"l\">plan</th><th class=\"l\">mode</th><th class=\"l\">serving sites</th><th>quorum</th><th>replicas</th><th class=\"l\">replication</th><th>detection</th><th>switchover</th><th>cost / year</th></tr>\n");
    for p in &t.plans {
        let sites: Vec<&str> = p
            .serving_sites
            .iter()
            .map(|s| t.sites[s.index()].key.as_str())
            .collect();
        let repl = match p.replication {
            Replication::Sync => "sync".to_string(),
            Replication::Async { lag } => format!("async, lag {lag}"),
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"l\"><b>{}</b><br><small>{}</small></td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&p.key),
            esc(&p.name),
            p.mode.as_str(),
            esc(&sites.join(", ")),
            p.quorum,
            p.replicas,
            esc(&repl),
            p.detection,
            p.switchover,
            money(p.cost_per_year)
        );
    }
    h.push_str("</table>\n");
}

/// The ranked comparison table.
fn comparison(h: &mut String, ranked: &[ComparedPlan]) {
    h.push_str("<h2 id=\"plans\">Plans compared</h2><p>Ranked by mean downtime per year. <span class=\"badge\">frontier</span> marks the cost-vs-downtime Pareto frontier: a plan is off it when another plan costs no more and has significantly less downtime (paired 95% interval over the same simulated years). Recovery time is measured: how long the simulated outages lasted from the plan going down to its demand being served again (mean and 99th percentile of episodes); the RTO <em>target</em> is checked against the plan's design under Targets. Downtime percentiles are over simulated years.</p>\n<table id=\"plans-table\"><tr><th>rank</th><th class=\"l\">plan</th><th>availability (time)</th><th>availability (demand)</th><th>downtime, min/yr<br>mean [95%]</th><th>p50 downtime, min/yr</th><th>p99 downtime, min/yr</th><th>user-minutes lost / yr</th><th>data lost, min of writes / yr</th><th>recovery time (measured), min<br>mean / p99</th><th>cost / year</th><th class=\"l\">frontier</th></tr>\n");
    for c in ranked {
        let r = &c.scores;
        let d = &r.downtime_minutes_per_year;
        let mut why = if c.pareto_optimal {
            "<span class=\"badge\">frontier</span>".to_string()
        } else {
            // Worded here from the numbers so that money and minutes read
            // as everywhere else on the page.
            c.standing.dominated_by
                .iter()
                .map(|x| {
                    let d = &x.risk_difference;
                    let cost = if x.cost_difference > 0.0 {
                        format!(
                            "costs {} more a year ({} vs {})",
                            money(x.cost_difference),
                            money(c.cost_per_year),
                            money(c.cost_per_year - x.cost_difference)
                        )
                    } else {
                        "costs the same".to_string()
                    };
                    format!(
                        "dominated by <b>{}</b>: {cost} and has {} [{}, {}] min/yr more downtime (paired, p &lt; .05)",
                        esc(&x.plan),
                        si(d.mean),
                        si(d.lo),
                        si(d.hi)
                    )
                })
                .collect::<Vec<_>>()
                .join("<br>")
        };
        for n in &c.standing.notes {
            let _ = write!(why, "<br><small>{}</small>", esc(n));
        }
        let _ = writeln!(
            h,
            "<tr class=\"{}\"><td>{}</td><td class=\"l\"><b>{}</b><br><small>{}</small></td><td>{}</td><td>{}</td><td>{}<br><small>[{}, {}]</small></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} / {}</td><td>{}</td><td class=\"l\">{}</td></tr>",
            if c.pareto_optimal { "front" } else { "" },
            c.rank,
            esc(&c.plan),
            esc(&c.name),
            pct(&r.availability_time),
            pct(&r.availability_demand),
            si(d.mean.mean),
            si(d.mean.lo),
            si(d.mean.hi),
            si(d.p50),
            si(d.p99),
            si(r.user_minutes_lost_per_year.mean),
            si(r.data_lost_minutes_per_year.mean),
            si(r.recovery.mean_minutes),
            si(r.recovery.p99_minutes),
            money(r.cost_per_year),
            why
        );
    }
    h.push_str("</table>\n");
}

fn charts(h: &mut String, input: &ReportInput<'_>, ranked: &[ComparedPlan]) {
    let section = |plan: &str| {
        input
            .plans
            .iter()
            .find(|p| p.scored.plan() == plan)
            .expect("the comparison ranks the input's plans")
    };
    h.push_str("<h2 id=\"distributions\">Downtime distribution</h2><p>Share of simulated years by total downtime in the year.</p><div>\n");
    for (k, c) in ranked.iter().enumerate() {
        let p = section(&c.plan);
        let svg = svg::histogram(
            &format!("{}: downtime per year", c.plan),
            "downtime in the year (minutes unless marked)",
            &downtime_bins(p.scored.values(Metric::DowntimeMinutes)),
            svg::PALETTE[k % svg::PALETTE.len()],
        );
        let _ = writeln!(
            h,
            "<figure class=\"chart\" id=\"chart-downtime-{}\">{svg}</figure>",
            esc(&c.plan)
        );
    }
    h.push_str("</div>\n");
    // Attribution: every cause that any plan has, in the simulator's order.
    let mut causes: Vec<&str> = Vec::new();
    for c in ranked {
        for x in &c.scores.downtime_by_cause {
            if x.minutes_per_year > 0.0 && !causes.contains(&x.cause) {
                causes.push(x.cause);
            }
        }
    }
    let rows: Vec<(String, Vec<f64>)> = ranked
        .iter()
        .map(|c| {
            let v = causes
                .iter()
                .map(|cause| {
                    c.scores
                        .downtime_by_cause
                        .iter()
                        .find(|x| x.cause == *cause)
                        .map_or(0.0, |x| x.minutes_per_year)
                })
                .collect();
            (c.plan.clone(), v)
        })
        .collect();
    h.push_str("<h2 id=\"causes\">Downtime by cause</h2><p>Mean minutes of downtime per year, attributed to what was down.</p>\n");
    let _ = writeln!(
        h,
        "<figure class=\"chart\" id=\"chart-causes\">{}</figure>",
        svg::stacked_bars(
            "Downtime by cause (minutes per year)",
            "minutes per year",
            &rows,
            &causes
        )
    );
    // The chart's values as text too: tooltips are lost in print and PDF.
    h.push_str("<table id=\"causes-table\"><tr><th class=\"l\">plan</th>");
    for c in &causes {
        let _ = write!(h, "<th>{}</th>", esc(c));
    }
    h.push_str("<th>total</th></tr>\n");
    for (plan, v) in &rows {
        let _ = write!(h, "<tr><td class=\"l\">{}</td>", esc(plan));
        for x in v {
            let _ = write!(h, "<td>{}</td>", si(*x));
        }
        let _ = writeln!(h, "<td>{}</td></tr>", si(v.iter().sum::<f64>()));
    }
    h.push_str("</table><p class=\"muted\">Minutes per year; the total is what the causes explain (downtime with nothing down to blame is not in it).</p>\n");
    let pts: Vec<svg::Point> = ranked
        .iter()
        .map(|c| {
            let d = &c.scores.downtime_minutes_per_year.mean;
            svg::Point {
                label: c.plan.clone(),
                x: c.cost_per_year,
                y: d.mean,
                y_lo: d.lo,
                y_hi: d.hi,
                frontier: c.pareto_optimal,
            }
        })
        .collect();
    h.push_str("<h2 id=\"frontier\">Cost and downtime</h2><p>Mean downtime per year with its 95% interval (error bars) against cost. Filled points joined by the dashed line are on the Pareto frontier; hollow ones are dominated.</p>\n");
    let _ = writeln!(
        h,
        "<figure class=\"chart\" id=\"chart-frontier\">{}</figure>",
        svg::scatter(
            "Cost vs. mean downtime",
            "cost per year",
            "downtime, minutes per year",
            &pts
        )
    );
}

fn spofs(h: &mut String, input: &ReportInput<'_>) {
    h.push_str("<h2 id=\"spof\">Single points of failure</h2><p>Minimal cut sets of each plan's service at a random instant (every demand reaching a quorum of its serving sites), over sites, links and shared causes (conduits, regional hazards, release trains, operator errors); one-event cuts are single points of failure. Event ids name a site (<code>node:</code>), a link (<code>edge:</code>), a service failing as a whole (<code>service:</code>, for a plan that serves one) or a shared cause (<code>hazard:REGION:KIND</code> a regional hazard; with a suffix such as <code>:11</code>, the hazard hitting one combination of the region's sites, the binary digits marking which; <code>release:</code> a release train's bad release, <code>operator:</code> an operator error at a site, <code>shared-risk:</code> a shared-risk group); each is followed by what it takes down. A cut that stops the plan's service through a dependency names the chain (<code>messaging needs auth needs dns, which is down</code>). Probability: that every event of the set is in effect at a random instant. Largest first, at most 10 per plan.</p>\n");
    for p in &input.plans {
        let _ = writeln!(h, "<h3>{}</h3>", esc(p.scored.plan()));
        let explain = |e: &str| match p.events.get(e) {
            Some(d) => format!("<code>{}</code> <small>({})</small>", esc(e), esc(d)),
            None => format!("<code>{}</code>", esc(e)),
        };
        match &p.cut_sets {
            Err(e) => {
                let _ = writeln!(h, "<p class=\"muted\">not computed: {}</p>", esc(e));
            }
            Ok(cuts) => {
                let singles = cuts.iter().filter(|c| c.events.len() == 1).count();
                let _ = writeln!(
                    h,
                    "<p>{} single point{} of failure; {} minimal cut sets of up to two events.</p>",
                    singles,
                    if singles == 1 { "" } else { "s" },
                    cuts.len()
                );
                if cuts.is_empty() {
                    continue;
                }
                let mut top: Vec<&CutSet> = cuts.iter().collect();
                top.sort_by(|a, b| {
                    a.events
                        .len()
                        .cmp(&b.events.len())
                        .then(b.prob.total_cmp(&a.prob))
                });
                h.push_str("<table class=\"cuts\"><tr><th class=\"l\">events (what each takes down)</th><th>probability</th><th class=\"l\"></th></tr>\n");
                for c in top.iter().take(10) {
                    let chain = c.chain.as_ref().map_or_else(String::new, |ch| {
                        format!("<br><small class=\"chain\">{}</small>", esc(ch))
                    });
                    let _ = writeln!(
                        h,
                        "<tr><td class=\"l\">{}{chain}</td><td>{:.3e}</td><td class=\"l\">{}</td></tr>",
                        c.events
                            .iter()
                            .map(|e| explain(e))
                            .collect::<Vec<_>>()
                            .join(" + "),
                        c.prob,
                        if c.events.len() == 1 {
                            "<span class=\"spof\">single point of failure</span>"
                        } else {
                            ""
                        }
                    );
                }
                h.push_str("</table>\n");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_count_every_trial_once() {
        let b = downtime_bins(&[0.0, 0.0, 0.5, 3.0, 100.0, 5000.0, 1.0, 1440.0]);
        let v: Vec<f64> = b.iter().map(|x| x.1 * 8.0).collect();
        assert_eq!(v, vec![2.0, 2.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("topologies/a.toml"), "topologies/a.toml");
        assert_eq!(shell_quote("my file's"), "'my file'\\''s'");
        assert_eq!(money(1234567.0), "$1.23M");
    }
}
