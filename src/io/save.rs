//! Writing a [`Topology`] as a TOML topology file.
//!
//! Used by the importers and anything else that creates a topology from
//! scratch. The output is laid out the way people write these files (one
//! table per item, blank lines between) and loads back to an equal model.
//! Editing a user's own file goes through format-preserving edits instead,
//! so comments survive.

use crate::model::*;
use crate::units::Duration;
use std::fmt::Write;

/// The TOML text of a topology, with `header` (if any) as leading comments.
pub fn to_toml_string(t: &Topology) -> String {
    to_toml_string_with_header(t, "")
}

/// As [`to_toml_string`], starting with `header` turned into `#` comments
/// (attribution, provenance).
pub fn to_toml_string_with_header(t: &Topology, header: &str) -> String {
    write_toml(t, header, &mut Vec::new())
}

/// The canonical TOML text of a topology and where each of its top-level
/// tables starts: `(kind, offset)` in order, `kind` being the file's table
/// name (`"topology"`, `"site"`, ...). Each section from its offset to the
/// next parses on its own, so a consumer can take one item at a time
/// (splitting the text at header lines would not do: a description may hold
/// one inside a multi-line string).
pub fn canonical_sections(t: &Topology) -> (String, Vec<(&'static str, usize)>) {
    let mut marks = Vec::new();
    let text = write_toml(t, "", &mut marks);
    (text, marks)
}

fn write_toml(t: &Topology, header: &str, marks: &mut Vec<(&'static str, usize)>) -> String {
    let mut o = String::new();
    for line in header.lines() {
        let _ = writeln!(o, "# {line}").map(|_| ());
        if line.is_empty() {
            o.truncate(o.len() - 2);
            o.push('\n');
        }
    }
    if !header.is_empty() {
        o.push('\n');
    }
    marks.push(("topology", o.len()));
    o.push_str("[topology]\n");
    kv(&mut o, "name", &q(&t.name));
    if !t.description.is_empty() {
        kv(&mut o, "description", &q(&t.description));
    }
    kv(&mut o, "format", "1");

    for r in &t.regions {
        marks.push(("region", o.len()));
        o.push_str("\n[[region]]\n");
        kv(&mut o, "id", &q(&r.key));
        name(&mut o, &r.name, &r.key);
        for h in &r.hazards {
            o.push_str("[[region.hazard]]\n");
            kv(&mut o, "kind", &q(&h.kind));
            kv(&mut o, "annual_rate", &num(h.events.annual_rate));
            kv(
                &mut o,
                "site_hit_probability",
                &num(h.site_hit_probability.get()),
            );
            kv(&mut o, "outage", &dist(&h.events.duration));
        }
    }
    for s in &t.sites {
        marks.push(("site", o.len()));
        o.push_str("\n[[site]]\n");
        kv(&mut o, "id", &q(&s.key));
        name(&mut o, &s.name, &s.key);
        if let Some(r) = s.region {
            kv(&mut o, "region", &q(&t.regions[r.index()].key));
        }
        if let Some(p) = s.location {
            kv(&mut o, "lat", &num(p.lat));
            kv(&mut o, "lon", &num(p.lon));
        }
        if s.capacity_rps.is_finite() {
            kv(&mut o, "capacity_rps", &num(s.capacity_rps));
        }
        failure(&mut o, s.failure.as_ref());
    }
    for l in &t.links {
        marks.push(("link", o.len()));
        o.push_str("\n[[link]]\n");
        kv(&mut o, "id", &q(&l.key));
        kv(&mut o, "a", &q(&t.site(l.a).key));
        kv(&mut o, "b", &q(&t.site(l.b).key));
        kv(&mut o, "capacity_gbps", &num(l.capacity_gbps));
        if let Some(x) = l.length_km {
            kv(&mut o, "length_km", &num(x));
        }
        if let Some(x) = l.latency_ms {
            kv(&mut o, "latency_ms", &num(x));
        }
        failure(&mut o, l.failure.as_ref());
    }
    for g in &t.shared_risks {
        marks.push(("shared_risk", o.len()));
        o.push_str("\n[[shared_risk]]\n");
        kv(&mut o, "id", &q(&g.key));
        name(&mut o, &g.name, &g.key);
        kv(&mut o, "kind", &q(g.kind.as_str()));
        if !g.sites.is_empty() {
            kv(
                &mut o,
                "sites",
                &list(g.sites.iter().map(|s| &t.site(*s).key)),
            );
        }
        if !g.links.is_empty() {
            kv(
                &mut o,
                "links",
                &list(g.links.iter().map(|l| &t.link(*l).key)),
            );
        }
        failure(&mut o, Some(&g.failure));
    }
    for r in &t.release_trains {
        marks.push(("release_train", o.len()));
        o.push_str("\n[[release_train]]\n");
        kv(&mut o, "id", &q(&r.key));
        name(&mut o, &r.name, &r.key);
        kv(
            &mut o,
            "sites",
            &list(r.sites.iter().map(|s| &t.site(*s).key)),
        );
        if !r.canary_sites.is_empty() {
            kv(
                &mut o,
                "canary_sites",
                &list(r.canary_sites.iter().map(|s| &t.site(*s).key)),
            );
        }
        kv(&mut o, "releases_per_year", &num(r.releases_per_year));
        kv(
            &mut o,
            "bad_release_probability",
            &num(r.bad_release_probability.get()),
        );
        kv(&mut o, "canary_catch", &num(r.canary_catch.get()));
        kv(&mut o, "detection", &dur(r.detection));
        kv(&mut o, "rollback", &dur(r.rollback));
    }
    if let Some(op) = &t.operator_errors {
        marks.push(("operator_errors", o.len()));
        o.push_str("\n[operator_errors]\n");
        kv(&mut o, "annual_rate", &num(op.events.annual_rate));
        kv(&mut o, "outage", &dist(&op.events.duration));
    }
    for d in &t.demands {
        marks.push(("demand", o.len()));
        o.push_str("\n[[demand]]\n");
        kv(&mut o, "id", &q(&d.key));
        name(&mut o, &d.name, &d.key);
        kv(
            &mut o,
            "sites",
            &list(d.entry_sites.iter().map(|s| &t.site(*s).key)),
        );
        kv(&mut o, "users", &num(d.users));
        kv(&mut o, "peak_rps", &num(d.peak_rps));
        let prof: Vec<String> = d.profile.iter().map(|x| num(*x)).collect();
        kv(&mut o, "profile", &format!("[{}]", prof.join(", ")));
        kv(&mut o, "kbit_per_request", &num(d.kbit_per_request));
    }
    for s in &t.surges {
        marks.push(("surge", o.len()));
        o.push_str("\n[[surge]]\n");
        kv(&mut o, "id", &q(&s.key));
        name(&mut o, &s.name, &s.key);
        kv(&mut o, "date", &q(&month_day(s.day_of_year)));
        kv(&mut o, "start_hour_utc", &num(s.start_hour_utc));
        kv(&mut o, "duration", &dur(s.duration));
        kv(&mut o, "multiplier", &num(s.multiplier));
        if !s.demands.is_empty() {
            kv(
                &mut o,
                "demands",
                &list(s.demands.iter().map(|d| &t.demands[d.index()].key)),
            );
        }
    }
    for p in &t.plans {
        marks.push(("plan", o.len()));
        o.push_str("\n[[plan]]\n");
        kv(&mut o, "id", &q(&p.key));
        name(&mut o, &p.name, &p.key);
        kv(
            &mut o,
            "serving_sites",
            &list(p.serving_sites.iter().map(|s| &t.site(*s).key)),
        );
        kv(&mut o, "mode", &q(p.mode.as_str()));
        kv(&mut o, "replicas", &p.replicas.to_string());
        kv(&mut o, "quorum", &p.quorum.to_string());
        kv(&mut o, "detection", &dur(p.detection));
        kv(&mut o, "switchover", &dur(p.switchover));
        match p.replication {
            Replication::Sync => kv(&mut o, "replication", "\"sync\""),
            Replication::Async { lag } => {
                kv(&mut o, "replication", "\"async\"");
                kv(&mut o, "replication_lag", &dur(lag));
            }
        }
        if let Some(b) = p.backup_interval {
            kv(&mut o, "backup_interval", &dur(b));
        }
        kv(&mut o, "headroom", &num(p.headroom));
        kv(&mut o, "cost_per_year", &num(p.cost_per_year));
        kv(
            &mut o,
            "operator_error_factor",
            &num(p.operator_error_factor),
        );
        let tg = &p.targets;
        if tg.availability.is_some() || tg.rto.is_some() || tg.rpo.is_some() {
            let mut parts = Vec::new();
            if let Some(a) = tg.availability {
                parts.push(format!("availability = {}", num(a.get())));
            }
            if let Some(r) = tg.rto {
                parts.push(format!("rto = {}", dur(r)));
            }
            if let Some(r) = tg.rpo {
                parts.push(format!("rpo = {}", dur(r)));
            }
            kv(&mut o, "targets", &format!("{{ {} }}", parts.join(", ")));
        }
    }
    o
}

fn kv(o: &mut String, key: &str, value: &str) {
    o.push_str(key);
    o.push_str(" = ");
    o.push_str(value);
    o.push('\n');
}

fn name(o: &mut String, name: &str, key: &str) {
    if name != key {
        kv(o, "name", &q(name));
    }
}

/// A TOML basic string with escapes.
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Shortest text that parses back to the same f64.
fn num(x: f64) -> String {
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let s = format!("{x}");
    if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}

fn dur(d: Duration) -> String {
    dur_in(d, None)
}

/// A duration string in `unit` where that is exact ([`Duration::to_text_in`]).
fn dur_in(d: Duration, unit: Option<&str>) -> String {
    q(&d.to_text_in(unit))
}

fn list<'a>(items: impl Iterator<Item = &'a String>) -> String {
    let v: Vec<String> = items.map(|s| q(s)).collect();
    format!("[{}]", v.join(", "))
}

fn dist(d: &Distribution) -> String {
    dist_in(d, None)
}

fn dist_in(d: &Distribution, unit: Option<&str>) -> String {
    let dur = |x: Duration| dur_in(x, unit);
    match d {
        Distribution::Exponential { mean } => dur(*mean),
        Distribution::Weibull { shape, scale } => {
            format!(
                "{{ dist = \"weibull\", shape = {}, scale = {} }}",
                num(*shape),
                dur(*scale)
            )
        }
        Distribution::LogNormal { median, sigma } => {
            format!(
                "{{ dist = \"lognormal\", median = {}, sigma = {} }}",
                dur(*median),
                num(*sigma)
            )
        }
        Distribution::Fixed { value } => format!("{{ dist = \"fixed\", value = {} }}", dur(*value)),
    }
}

fn failure(o: &mut String, f: Option<&FailureProcess>) {
    kv(o, "failure", &failure_inline(f));
}

/// The inline-table text of a failure process, `{ mtbf = .., mttr = .. }`,
/// which loads back to exactly `f` (format-preserving edits splice it in).
pub fn failure_inline(f: Option<&FailureProcess>) -> String {
    failure_inline_in(f, None, None)
}

/// [`failure_inline`] with the durations of the time to failure and of the
/// repair in the units their author wrote (`ttf_unit`, `ttr_unit`) wherever
/// that is exact, so an edited file keeps reading `"6h"`, `"90m"`, `"2y"`.
pub fn failure_inline_in(
    f: Option<&FailureProcess>,
    ttf_unit: Option<&str>,
    ttr_unit: Option<&str>,
) -> String {
    let Some(f) = f else {
        return "{ never = true }".into();
    };
    let ttf = match &f.ttf {
        Distribution::Exponential { mean } => format!("mtbf = {}", dur_in(*mean, ttf_unit)),
        other => format!("ttf = {}", dist_in(other, ttf_unit)),
    };
    let ttr = match &f.ttr {
        Distribution::Exponential { mean } => format!("mttr = {}", dur_in(*mean, ttr_unit)),
        other => format!("ttr = {}", dist_in(other, ttr_unit)),
    };
    format!("{{ {ttf}, {ttr} }}")
}

fn month_day(day: u32) -> String {
    const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut d = day;
    for (m, len) in DAYS.iter().enumerate() {
        if d < *len {
            return format!("{:02}-{:02}", m + 1, d + 1);
        }
        d -= len;
    }
    "12-31".into()
}
