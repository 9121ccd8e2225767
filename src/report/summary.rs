//! The top of the design-review page: the recommendation and the main
//! finding a reader can act on, the plans' targets with pass/fail (from
//! [`crate::score::check`], exactly what `drsim check` decides), provenance,
//! and what each cut-set event takes down.

use super::esc;
use super::format::{money, si};
use crate::model::Topology;
use crate::score::check::{CheckReport, Outcome};
use crate::score::compare::ComparedPlan;
use crate::static_model::StaticModel;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Where the page's numbers come from.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// `YYYY-MM-DD` (UTC): today, or fixed (`--date`, SOURCE_DATE_EPOCH).
    pub date: String,
    /// Fingerprint of the topology as simulated (its canonical form).
    pub fingerprint: String,
    /// `commit abc1234` of the file's last change when it is in a git
    /// repository, with "(uncommitted changes)" when it differs from it.
    pub git: Option<String>,
}

/// What each event of the plan's static model takes down, by event name as
/// cut sets spell it (`node:ash`, `edge:atl-mia`, `hazard:us-east:storm:11`,
/// `service:dns` when the plan's model has services).
pub fn describe_events(t: &Topology, m: &StaticModel) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for s in &t.sites {
        out.insert(format!("node:{}", s.key), format!("site {}", s.key));
    }
    for l in &t.links {
        out.insert(format!("edge:{}", l.key), format!("link {}", l.key));
    }
    let n_sites = t.sites.len();
    if m.n_nodes() > n_sites {
        for s in &t.services {
            out.insert(
                format!("service:{}", s.key),
                format!("service {} as a whole", s.key),
            );
        }
    }
    for sh in &m.shocks {
        let (sites, services): (Vec<u32>, Vec<u32>) =
            sh.nodes.iter().partition(|&&n| (n as usize) < n_sites);
        let sites: Vec<&str> = sites
            .iter()
            .map(|&n| m.node_names[n as usize].as_str())
            .collect();
        let services: Vec<&str> = services
            .iter()
            .filter_map(|&n| t.services.get(n as usize - n_sites))
            .map(|s| s.key.as_str())
            .collect();
        let links: Vec<&str> = sh
            .edges
            .iter()
            .map(|&e| m.edge_names[e as usize].as_str())
            .collect();
        let mut what = Vec::new();
        if !sites.is_empty() {
            let s = if sites.len() == 1 { "site" } else { "sites" };
            what.push(format!("{s} {}", sites.join(", ")));
        }
        if !links.is_empty() {
            let s = if links.len() == 1 { "link" } else { "links" };
            what.push(format!("{s} {}", links.join(", ")));
        }
        if !services.is_empty() {
            let s = if services.len() == 1 {
                "service"
            } else {
                "services"
            };
            what.push(format!("{s} {}", services.join(", ")));
        }
        out.insert(
            sh.name.clone(),
            format!("{}: takes down {}", sh.cause.as_str(), what.join(" and ")),
        );
    }
    out
}

/// Every plan's target outcome: met only when all its targets are met.
fn plan_outcome(r: &CheckReport, plan: &str) -> Option<Outcome> {
    let mine: Vec<Outcome> = r
        .results
        .iter()
        .filter(|t| t.plan == plan)
        .map(|t| t.outcome)
        .collect();
    if mine.is_empty() {
        None
    } else if mine.contains(&Outcome::Missed) {
        Some(Outcome::Missed)
    } else if mine.contains(&Outcome::Inconclusive) {
        Some(Outcome::Inconclusive)
    } else {
        Some(Outcome::Met)
    }
}

fn cause_label(c: &str) -> &str {
    match c {
        "release" => "Bad releases",
        "disaster" => "Regional disasters",
        "hardware" => "Hardware failures",
        "shared-risk" => "Shared-risk failures (conduits, power)",
        "operator" => "Operator errors",
        "congestion" => "Congestion",
        other => other,
    }
}

fn cause_advice(c: &str) -> &'static str {
    match c {
        "release" => {
            "release safety does: canary stages that catch more bad releases, faster detection and rollback"
        }
        "disaster" => "spreading entry and serving sites over more regions does",
        "hardware" => "faster repair or more replicas does",
        "shared-risk" => "diverse conduits and power feeds do",
        "operator" => "safer change processes do",
        "congestion" => "more headroom or capacity does",
        _ => "addressing that cause does",
    }
}

fn downtime(c: &ComparedPlan) -> String {
    let d = &c.scores.downtime_minutes_per_year.mean;
    format!("{} min/yr [{}, {}]", si(d.mean), si(d.lo), si(d.hi))
}

/// The cause that costs the most on the plan that suffers it least: what
/// no plan's redundancy removes. With its minimum, the range of its share
/// of each plan's downtime, and whether it is worth calling out.
fn common_cause(ranked: &[ComparedPlan]) -> Option<(&'static str, f64, f64, f64)> {
    let first = ranked.first()?;
    let mut best: Option<(&'static str, f64, f64, f64)> = None;
    for c in &first.scores.downtime_by_cause {
        let mut min = f64::INFINITY;
        let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
        for p in ranked {
            let m = p
                .scores
                .downtime_by_cause
                .iter()
                .find(|x| x.cause == c.cause)
                .map_or(0.0, |x| x.minutes_per_year);
            min = min.min(m);
            let total = p.scores.downtime_minutes_per_year.mean.mean;
            if total > 0.0 {
                lo = lo.min(m / total);
                hi = hi.max(m / total);
            }
        }
        if min > 0.0 && best.is_none_or(|b| min > b.1) {
            best = Some((c.cause, min, lo, hi));
        }
    }
    best
}

/// The summary: recommendation, main finding, targets at a glance.
pub fn summary(h: &mut String, ranked: &[ComparedPlan], targets: &CheckReport) {
    h.push_str("<section id=\"summary\" class=\"summary\"><h2>Summary</h2>\n");
    let status = |c: &ComparedPlan| plan_outcome(targets, &c.plan);
    let mut passing: Vec<&ComparedPlan> = ranked
        .iter()
        .filter(|c| status(c) == Some(Outcome::Met))
        .collect();
    passing.sort_by(|a, b| {
        a.cost_per_year
            .total_cmp(&b.cost_per_year)
            .then(a.rank.cmp(&b.rank))
    });
    let any_targets = ranked.iter().any(|c| status(c).is_some());
    let best = &ranked[0];
    let rec = if let Some(p) = passing.first() {
        format!(
            "Run <b>{}</b> ({} a year): the cheapest plan that meets all its targets; mean downtime {}.",
            esc(&p.plan),
            money(p.cost_per_year),
            downtime(p)
        )
    } else if any_targets {
        let cheapest_front = ranked
            .iter()
            .filter(|c| c.pareto_optimal)
            .min_by(|a, b| a.cost_per_year.total_cmp(&b.cost_per_year))
            .unwrap_or(best);
        format!(
            "<b>No plan meets all its targets.</b> The least downtime is <b>{}</b>'s, {} at {} a year; the cheapest plan on the cost-downtime frontier is <b>{}</b> ({}). Fix the cause below or revisit the targets before choosing.",
            esc(&best.plan),
            downtime(best),
            money(best.cost_per_year),
            esc(&cheapest_front.plan),
            money(cheapest_front.cost_per_year)
        )
    } else {
        format!(
            "No plan declares targets. The least downtime is <b>{}</b>'s, {} at {} a year.",
            esc(&best.plan),
            downtime(best),
            money(best.cost_per_year)
        )
    };
    let _ = writeln!(h, "<p class=\"rec\"><b>Recommendation.</b> {rec}</p>");
    if let Some((cause, min, lo, hi)) = common_cause(ranked) {
        let best_total = best.scores.downtime_minutes_per_year.mean.mean;
        // Called out when it is a real share of even the best plan's downtime.
        if best_total > 0.0 && min / best_total >= 0.2 {
            let _ = writeln!(
                h,
                "<p class=\"finding\"><b>Main finding.</b> {} cost at least {} min/yr on every plan ({:.0}–{:.0}% of each plan's downtime). No redundancy plan removes it; {}.</p>",
                cause_label(cause),
                si(min),
                100.0 * lo,
                100.0 * hi,
                cause_advice(cause)
            );
        } else if let Some(top) = best
            .scores
            .downtime_by_cause
            .iter()
            .max_by(|a, b| a.minutes_per_year.total_cmp(&b.minutes_per_year))
        {
            let _ = writeln!(
                h,
                "<p class=\"finding\"><b>Main finding.</b> The largest cause of downtime of <b>{}</b> is {} ({} min/yr, {:.0}%).</p>",
                esc(&best.plan),
                cause_label(top.cause).to_lowercase(),
                si(top.minutes_per_year),
                100.0 * top.share
            );
        }
    }
    let count = |o: Outcome| targets.results.iter().filter(|t| t.outcome == o).count();
    if !targets.results.is_empty() {
        let missed: Vec<String> = targets
            .results
            .iter()
            .filter(|t| t.outcome == Outcome::Missed)
            .map(|t| {
                format!(
                    "{} {} (required {}, observed {})",
                    esc(&t.plan),
                    t.target,
                    esc(&t.required),
                    esc(&t.observed)
                )
            })
            .collect();
        let _ = writeln!(
            h,
            "<p><b>Targets.</b> {} of {} met, {} missed, {} undecided{}. Details in Targets below.</p>",
            count(Outcome::Met),
            targets.results.len(),
            count(Outcome::Missed),
            count(Outcome::Inconclusive),
            if missed.is_empty() {
                String::new()
            } else {
                format!(": <span class=\"fail\">missed</span> {}", missed.join("; "))
            }
        );
    }
    let front: Vec<String> = ranked
        .iter()
        .filter(|c| c.pareto_optimal)
        .map(|c| format!("{} ({})", esc(&c.plan), money(c.cost_per_year)))
        .collect();
    let _ = writeln!(
        h,
        "<p><b>Cost-downtime frontier.</b> {}.</p></section>",
        front.join(", ")
    );
}

/// The targets table: one row per plan and target, as `drsim check`.
pub fn targets_table(h: &mut String, r: &CheckReport) {
    h.push_str("<h2 id=\"targets\">Targets</h2>");
    if r.results.is_empty() {
        h.push_str("<p class=\"muted\">No plan declares targets.</p>\n");
        return;
    }
    let _ = writeln!(
        h,
        "<p>Each plan's <code>targets</code> from the topology file, decided as <code>drsim check</code> decides them (same seed, {} trials): availability is met when the lower 95% bound is at or above the target and missed when the upper bound is below it; RTO and RPO are checked against the plan's design (detection, switchover, replication, backups), not against simulated recovery times.</p>",
        r.max_trials
    );
    h.push_str("<table id=\"targets-table\"><tr><th class=\"l\">plan</th><th class=\"l\">target</th><th>required</th><th>observed</th><th class=\"l\">result</th><th class=\"l\">why</th></tr>\n");
    for t in &r.results {
        let (class, word) = match t.outcome {
            Outcome::Met => ("pass", "met"),
            Outcome::Missed => ("fail", "MISSED"),
            Outcome::Inconclusive => ("undecided", "undecided"),
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td class=\"l\"><span class=\"{class}\">{word}</span></td><td class=\"l\"><small>{}</small></td></tr>",
            esc(&t.plan),
            t.target,
            esc(&t.required),
            esc(&t.observed),
            esc(&t.detail)
        );
    }
    h.push_str("</table>\n");
    if !r.plans_without_targets.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"muted\">Plans without targets: {}.</p>",
            esc(&r.plans_without_targets.join(", "))
        );
    }
}

/// The provenance line: date, file, fingerprint, commit, version, run size.
pub fn provenance(
    h: &mut String,
    p: &Provenance,
    source: &str,
    trials: usize,
    years: usize,
    seed: u64,
) {
    let _ = writeln!(
        h,
        "<p class=\"prov\" id=\"provenance\">Generated {} by drsim {} from <code>{}</code> (fingerprint <code>{}</code>{}); {} trials × {} year(s) per plan, seed {}; 95% intervals in brackets.</p>",
        esc(&p.date),
        env!("CARGO_PKG_VERSION"),
        esc(source),
        esc(&p.fingerprint),
        p.git
            .as_ref()
            .map_or(String::new(), |g| format!(", git {}", esc(g))),
        trials,
        years,
        seed
    );
}

/// `YYYY-MM-DD` of a Unix time (UTC), by the days-from-civil inverse
/// (H. Hinnant's algorithm), so no date crate is needed for one line.
pub fn date_of_unix(secs: i64) -> String {
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date_of_unix(0), "1970-01-01");
        assert_eq!(date_of_unix(951_782_400), "2000-02-29");
        assert_eq!(date_of_unix(1_796_083_200), "2026-12-01");
        assert_eq!(date_of_unix(-86_400), "1969-12-31");
    }
}
