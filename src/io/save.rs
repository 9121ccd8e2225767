//! Writing a [`Topology`] as a TOML topology file.
//!
//! Used by the importers and anything else that creates a topology from
//! scratch. The output is laid out the way people write these files (one
//! table per item, blank lines between) and loads back to an equal model.
//! Editing a user's own file goes through format-preserving edits instead,
//! so comments survive.

use crate::model::*;
use crate::units::{Duration, MAX_DURATION_SECS, SECONDS_PER_YEAR};
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
pub fn canonical_sections(t: &Topology) -> (String, Marks) {
    let mut marks = Vec::new();
    let text = write_toml(t, "", &mut marks);
    (text, marks)
}

/// Where each top-level table of a written file starts ([`canonical_sections`]).
pub type Marks = Vec<(&'static str, usize)>;

fn write_toml(t: &Topology, header: &str, marks: &mut Marks) -> String {
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
    // One function per kind of table, in the order files lay them out.
    let sections: [fn(&mut String, &Topology, &mut Marks); 12] = [
        regions,
        sites,
        links,
        shared_risks,
        release_trains,
        operator_errors,
        demands,
        surges,
        services,
        plans,
        crews,
        fleet_commands,
    ];
    for section in sections {
        section(&mut o, t, marks);
    }
    o
}

fn regions(o: &mut String, t: &Topology, marks: &mut Marks) {
    for r in &t.regions {
        marks.push(("region", o.len()));
        table(o, "region", &r.key, &r.name);
        for h in &r.hazards {
            o.push_str("[[region.hazard]]\n");
            kv(o, "kind", &q(&h.kind));
            kv(o, "annual_rate", &num(h.events.annual_rate));
            kv(
                o,
                "site_hit_probability",
                &num(h.site_hit_probability.get()),
            );
            kv(o, "outage", &dist(&h.events.duration));
            if let Some(d) = h.destroys {
                kv(o, "destroys", &d.to_string());
            }
        }
    }
}

fn sites(o: &mut String, t: &Topology, marks: &mut Marks) {
    for (i, s) in t.sites.iter().enumerate() {
        marks.push(("site", o.len()));
        table(o, "site", &s.key, &s.name);
        if let Some(r) = s.region {
            kv(o, "region", &q(&t.regions[r.index()].key));
        }
        if let Some(p) = s.location {
            kv(o, "lat", &num(p.lat));
            kv(o, "lon", &num(p.lon));
        }
        if s.capacity_rps.is_finite() {
            kv(o, "capacity_rps", &num(s.capacity_rps));
        }
        failure(o, s.failure.as_ref());
        if let Some(g) = &s.gray {
            kv(o, "gray", &gray_inline(g));
        }
        partials(o, t, PartialTarget::Site(SiteId(i as u32)));
    }
}

fn links(o: &mut String, t: &Topology, marks: &mut Marks) {
    for (j, l) in t.links.iter().enumerate() {
        marks.push(("link", o.len()));
        o.push_str("\n[[link]]\n");
        kv(o, "id", &q(&l.key));
        kv(o, "a", &q(&t.site(l.a).key));
        kv(o, "b", &q(&t.site(l.b).key));
        kv(o, "capacity_gbps", &num(l.capacity_gbps));
        if let Some(x) = l.length_km {
            kv(o, "length_km", &num(x));
        }
        if let Some(x) = l.latency_ms {
            kv(o, "latency_ms", &num(x));
        }
        failure(o, l.failure.as_ref());
        partials(o, t, PartialTarget::Link(LinkId(j as u32)));
    }
}

fn shared_risks(o: &mut String, t: &Topology, marks: &mut Marks) {
    for g in &t.shared_risks {
        marks.push(("shared_risk", o.len()));
        table(o, "shared_risk", &g.key, &g.name);
        kv(o, "kind", &q(g.kind.as_str()));
        nonempty_list(o, "sites", g.sites.iter().map(|s| &t.site(*s).key));
        nonempty_list(o, "links", g.links.iter().map(|l| &t.link(*l).key));
        failure(o, Some(&g.failure));
        if g.destroys {
            kv(o, "destroys", "true");
        }
    }
}

fn release_trains(o: &mut String, t: &Topology, marks: &mut Marks) {
    for r in &t.release_trains {
        marks.push(("release_train", o.len()));
        table(o, "release_train", &r.key, &r.name);
        kv(o, "sites", &list(r.sites.iter().map(|s| &t.site(*s).key)));
        nonempty_list(o, "services", r.services.iter().map(|s| &t.service(*s).key));
        if let Some(rec) = &r.recovery {
            kv(o, "recovery", &recovery(t, rec));
        }
        nonempty_list(
            o,
            "canary_sites",
            r.canary_sites.iter().map(|s| &t.site(*s).key),
        );
        kv(o, "releases_per_year", &num(r.releases_per_year));
        kv(
            o,
            "bad_release_probability",
            &num(r.bad_release_probability.get()),
        );
        kv(o, "canary_catch", &num(r.canary_catch.get()));
        kv(o, "detection", &time_dist(&r.detection));
        kv(o, "rollback", &time_dist(&r.rollback));
        if !r.waves.is_empty() {
            kv(o, "waves", &waves(t, &r.waves));
        }
        if r.corrupts.get() > 0.0 {
            kv(o, "corrupts", &num(r.corrupts.get()));
        }
        if let Some(d) = &r.trigger {
            kv(o, "trigger", &dist(d));
        }
        if let Some(x) = r.instances {
            kv(o, "instances", &num(x));
        }
    }
}

fn operator_errors(o: &mut String, t: &Topology, marks: &mut Marks) {
    if let Some(op) = &t.operator_errors {
        marks.push(("operator_errors", o.len()));
        o.push_str("\n[operator_errors]\n");
        kv(o, "annual_rate", &num(op.events.annual_rate));
        kv(o, "outage", &dist(&op.events.duration));
    }
}

fn demands(o: &mut String, t: &Topology, marks: &mut Marks) {
    for d in &t.demands {
        marks.push(("demand", o.len()));
        table(o, "demand", &d.key, &d.name);
        kv(
            o,
            "sites",
            &list(d.entry_sites.iter().map(|s| &t.site(*s).key)),
        );
        kv(o, "users", &num(d.users));
        kv(o, "peak_rps", &num(d.peak_rps));
        let prof: Vec<String> = d.profile.iter().map(|x| num(*x)).collect();
        kv(o, "profile", &format!("[{}]", prof.join(", ")));
        kv(o, "kbit_per_request", &num(d.kbit_per_request));
    }
}

fn surges(o: &mut String, t: &Topology, marks: &mut Marks) {
    for s in &t.surges {
        marks.push(("surge", o.len()));
        table(o, "surge", &s.key, &s.name);
        kv(o, "date", &q(&month_day(s.day_of_year)));
        kv(o, "start_hour_utc", &num(s.start_hour_utc));
        kv(o, "duration", &dur(s.duration));
        kv(o, "multiplier", &num(s.multiplier));
        nonempty_list(
            o,
            "demands",
            s.demands.iter().map(|d| &t.demands[d.index()].key),
        );
    }
}

fn plans(o: &mut String, t: &Topology, marks: &mut Marks) {
    for p in &t.plans {
        marks.push(("plan", o.len()));
        table(o, "plan", &p.key, &p.name);
        if let Some(sv) = p.serves {
            kv(o, "serves", &q(&t.service(sv).key));
        }
        kv(
            o,
            "serving_sites",
            &list(p.serving_sites.iter().map(|s| &t.site(*s).key)),
        );
        kv(o, "mode", &q(p.mode.as_str()));
        kv(o, "replicas", &p.replicas.to_string());
        kv(o, "quorum", &p.quorum.to_string());
        kv(o, "detection", &dur(p.detection));
        kv(o, "switchover", &dur(p.switchover));
        match p.replication {
            Replication::Sync => kv(o, "replication", "\"sync\""),
            Replication::Async { lag } => {
                kv(o, "replication", "\"async\"");
                kv(o, "replication_lag", &dur(lag));
            }
        }
        if let Some(b) = p.backup_interval {
            kv(o, "backup_interval", &dur(b));
        }
        let sites = p.data.backup_sites.iter().map(|s| &t.site(*s).key);
        let regions = p
            .data
            .backup_regions
            .iter()
            .map(|r| &t.regions[r.index()].key);
        for (key, ids) in [("backup_site", ids(sites)), ("backup_region", ids(regions))] {
            if let Some(ids) = ids {
                kv(o, key, &ids);
            }
        }
        if let Some(r) = p.data.retention {
            kv(o, "retention", &dur(r));
        }
        if let Some(r) = &p.data.restore {
            kv(o, "restore", &dist(r));
        }
        kv(o, "headroom", &num(p.headroom));
        kv(o, "cost_per_year", &num(p.cost_per_year));
        kv(o, "operator_error_factor", &num(p.operator_error_factor));
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
            if let Some(x) = tg.rto_quantile {
                parts.push(format!("rto_quantile = {}", num(x.get())));
            }
            if let Some(x) = tg.rpo_quantile {
                parts.push(format!("rpo_quantile = {}", num(x.get())));
            }
            kv(o, "targets", &format!("{{ {} }}", parts.join(", ")));
        }
        if let Some(slo) = &tg.slo {
            kv(o, "slo", &slo_table(slo));
        }
        if let Some(r) = &p.retry {
            let (f, d) = (num(r.factor), dur(r.decay));
            kv(o, "retry", &format!("{{ factor = {f}, decay = {d} }}"));
        }
        if let Some(w) = &p.warmup {
            let (d, c) = (dur(w.duration), num(w.capacity));
            kv(
                o,
                "warmup",
                &format!("{{ duration = {d}, capacity = {c} }}"),
            );
        }
        if let crate::model::Failback::Manual(d) = p.failback {
            kv(o, "failback", &dur(d));
        }
    }
}

/// A time that a plain duration gives as fixed (detection, rollback): an
/// exponential one is written as a table.
fn time_dist(d: &Distribution) -> String {
    match d {
        Distribution::Fixed { value } => dur(*value),
        Distribution::Exponential { mean } => {
            format!("{{ dist = \"exponential\", mean = {} }}", dur(*mean))
        }
        other => dist(other),
    }
}

fn waves(t: &Topology, waves: &[Wave]) -> String {
    let items: Vec<String> = waves
        .iter()
        .map(|w| {
            let reach = match &w.reach {
                WaveReach::Fraction(f) => format!("fraction = {}", num(*f)),
                WaveReach::Sites(s) => {
                    format!("sites = {}", list(s.iter().map(|s| &t.site(*s).key)))
                }
            };
            format!(
                "{{ {reach}, bake = {}, catch = {} }}",
                dur(w.bake),
                num(w.catch.get())
            )
        })
        .collect();
    format!("[{}]", items.join(", "))
}

fn crews(o: &mut String, t: &Topology, marks: &mut Marks) {
    for c in &t.crews {
        marks.push(("crew", o.len()));
        table(o, "crew", &c.key, &c.name);
        nonempty_list(
            o,
            "regions",
            c.regions.iter().map(|r| &t.regions[r.index()].key),
        );
        let kinds: Vec<String> = c.kinds.iter().map(|k| q(k.as_str())).collect();
        kv(o, "kinds", &format!("[{}]", kinds.join(", ")));
        kv(o, "size", &c.size.to_string());
        if let Some(r) = &c.response {
            let (b, n, w) = (dur(r.business), dur(r.night), dur(r.weekend));
            let table = format!("{{ business = {b}, night = {n}, weekend = {w} }}");
            kv(o, "response", &table);
        }
    }
}

fn fleet_commands(o: &mut String, t: &Topology, marks: &mut Marks) {
    for f in &t.fleet_commands {
        marks.push(("fleet_command", o.len()));
        table(o, "fleet_command", &f.key, &f.name);
        kv(o, "sites", &list(f.sites.iter().map(|s| &t.site(*s).key)));
        kv(o, "annual_rate", &num(f.events.annual_rate));
        kv(o, "outage", &dist(&f.events.duration));
    }
}

/// A plan's SLO as written in a file (defaults resolved: every plan that
/// has one gets its own table back).
fn slo_table(slo: &crate::model::Slo) -> String {
    let mut parts = vec![
        format!("target = {}", num(slo.target.get())),
        format!("window = {}", dur(slo.window)),
    ];
    if slo.threshold < 1.0 {
        parts.push(format!("threshold = {}", num(slo.threshold)));
    }
    if let Some(m) = slo.max_miss_probability {
        parts.push(format!("max_miss_probability = {}", num(m.get())));
    }
    if slo.rolling {
        parts.push("rolling = true".into());
    }
    format!("{{ {} }}", parts.join(", "))
}

fn kv(o: &mut String, key: &str, value: &str) {
    o.push_str(key);
    o.push_str(" = ");
    o.push_str(value);
    o.push('\n');
}

/// An array-of-tables entry's head: `[[kind]]`, its id, and its name when
/// it differs from the id.
fn table(o: &mut String, kind: &str, key: &str, name_: &str) {
    o.push_str("\n[[");
    o.push_str(kind);
    o.push_str("]]\n");
    kv(o, "id", &q(key));
    name(o, name_, key);
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

/// `key = [...]` with the items' keys, left out when there are none.
fn nonempty_list<'a>(o: &mut String, key: &str, items: impl Iterator<Item = &'a String>) {
    let mut items = items.peekable();
    if items.peek().is_some() {
        kv(o, key, &list(items));
    }
}

fn list<'a>(items: impl Iterator<Item = &'a String>) -> String {
    let v: Vec<String> = items.map(|s| q(s)).collect();
    format!("[{}]", v.join(", "))
}

/// A lone id as a string (as files wrote it before lists), more as an
/// array; `None` for none.
fn ids<'a>(mut items: impl ExactSizeIterator<Item = &'a String>) -> Option<String> {
    match items.len() {
        0 => None,
        1 => items.next().map(|s| q(s)),
        _ => Some(list(items)),
    }
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

fn services(o: &mut String, t: &Topology, marks: &mut Marks) {
    for s in &t.services {
        marks.push(("service", o.len()));
        table(o, "service", &s.key, &s.name);
        nonempty_list(o, "sites", s.sites.iter().map(|x| &t.site(*x).key));
        kv(o, "needs", &s.needs.to_string());
        kv(o, "reach", &q(s.reach.as_str()));
        if !s.requires.is_empty() {
            kv(o, "requires", &dependencies(t, &s.requires));
        }
        if !s.control.is_empty() {
            kv(o, "control", &dependencies(t, &s.control));
        }
        if let Some(f) = &s.failure {
            failure(o, Some(f));
        }
        if let Some(r) = &s.recovery {
            kv(o, "recovery", &recovery(t, r));
        }
        if let Some(b) = &s.bootstrap {
            kv(o, "bootstrap", &dist(b));
        }
    }
}

/// Dependencies as a TOML array: every entry a table, so the `needs` and
/// `reach` load back whatever the target's own defaults are.
fn dependencies(t: &Topology, deps: &[Dependency]) -> String {
    let items: Vec<String> = deps
        .iter()
        .map(|d| {
            format!(
                "{{ service = {}, needs = {}, reach = {} }}",
                q(&t.service(d.service).key),
                d.needs,
                q(d.reach.as_str())
            )
        })
        .collect();
    format!("[{}]", items.join(", "))
}

fn recovery(t: &Topology, r: &Recovery) -> String {
    format!(
        "{{ requires = {}, fallback = {} }}",
        dependencies(t, &r.requires),
        dur(r.fallback)
    )
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
    format!("{{ {} }}", failure_keys(f, ttf_unit, ttr_unit))
}

/// The keys of a failure process's inline table, `mtbf = .., mttr = ..`.
fn failure_keys(f: &FailureProcess, ttf_unit: Option<&str>, ttr_unit: Option<&str>) -> String {
    let ttf = match &f.ttf {
        // A time to failure derived from a small rate or unavailability can
        // be longer than a written duration may be (1000 years): write it as
        // the rate it is, so the saved file loads again.
        Distribution::Exponential { mean } if mean.secs() > MAX_DURATION_SECS => {
            format!("annual_rate = {}", num(SECONDS_PER_YEAR / mean.secs()))
        }
        Distribution::Exponential { mean } => format!("mtbf = {}", dur_in(*mean, ttf_unit)),
        other => format!("ttf = {}", dist_in(other, ttf_unit)),
    };
    let ttr = match &f.ttr {
        Distribution::Exponential { mean } => format!("mttr = {}", dur_in(*mean, ttr_unit)),
        other => format!("ttr = {}", dist_in(other, ttr_unit)),
    };
    format!("{ttf}, {ttr}")
}

/// `{ fraction = .., mtbf = .., mttr = .. }`: a gray failure, its process
/// written as [`failure_inline`] writes one.
fn gray_inline(g: &Gray) -> String {
    let keys = failure_keys(&g.process, None, None);
    format!("{{ fraction = {}, {keys} }}", num(g.fraction))
}

/// `partial = [{ fraction = .., mtbf = .., mttr = .. }, ..]`: the partial
/// modes of one site or link, when it has any.
fn partials(o: &mut String, t: &Topology, target: PartialTarget) {
    let modes: Vec<String> = t
        .partials
        .iter()
        .filter(|m| m.target == target)
        .map(|m| {
            let keys = failure_keys(&m.process, None, None);
            format!("{{ fraction = {}, {keys} }}", fraction(&m.fraction))
        })
        .collect();
    if !modes.is_empty() {
        kv(o, "partial", &format!("[{}]", modes.join(", ")));
    }
}

/// A fraction as the file writes it: `0.5`, `{ uniform = [lo, hi] }` or
/// `{ beta = [a, b] }`.
pub fn fraction(f: &Fraction) -> String {
    match *f {
        Fraction::Fixed(x) => num(x),
        Fraction::Uniform { lo, hi } => format!("{{ uniform = [{}, {}] }}", num(lo), num(hi)),
        Fraction::Beta { alpha, beta } => {
            format!("{{ beta = [{}, {}] }}", num(alpha), num(beta))
        }
    }
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
