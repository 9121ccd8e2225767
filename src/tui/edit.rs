//! Parameter edits of the selected site, link or plan, and writing them back
//! to the user's TOML file with `toml_edit`, so comments and layout survive.
//!
//! Durations and capacities step by a factor of two (exact in floating
//! point, so 4h becomes 8h, not 8.000001h); counts by one; headroom by 0.05.
//! Changing a repair time keeps the time to failure: a process the file gives
//! as `unavailability` (whose MTBF is derived from the MTTR) is written back
//! with the explicit `mtbf` it had, so the file loads to exactly the edited
//! model. Durations are written in the unit the file wrote them in where that
//! is exact (`"45m"` doubles to `"90m"`), never as raw seconds.

use drsim::model::{Distribution, LinkId, PlanId, SiteId, Topology};
use drsim::units::{Duration, MAX_DURATION_SECS, MAX_DURATION_YEARS};
use std::collections::BTreeSet;
use std::path::Path;
use toml_edit::{DocumentMut, Item, TableLike, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    Site(SiteId),
    Link(LinkId),
    Plan(PlanId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Mttr,
    SiteCapacity,
    LinkCapacity,
    Replicas,
    Quorum,
    Detection,
    Headroom,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Mttr => "MTTR",
            Field::SiteCapacity => "capacity_rps",
            Field::LinkCapacity => "capacity_gbps",
            Field::Replicas => "replicas",
            Field::Quorum => "quorum",
            Field::Detection => "detection",
            Field::Headroom => "headroom",
        }
    }
}

/// The editable fields of a target, in the order the field cursor visits.
pub fn fields(target: Target) -> &'static [Field] {
    match target {
        Target::Site(_) => &[Field::Mttr, Field::SiteCapacity],
        Target::Link(_) => &[Field::LinkCapacity, Field::Mttr],
        Target::Plan(_) => &[
            Field::Replicas,
            Field::Quorum,
            Field::Detection,
            Field::Headroom,
        ],
    }
}

/// The fields that can be stepped here: a component that never fails has
/// no repair time, and an unlimited (or zero) capacity has no double.
pub fn editable_fields(t: &Topology, target: Target) -> Vec<Field> {
    let finite = |c: f64| c.is_finite() && c > 0.0;
    fields(target)
        .iter()
        .copied()
        .filter(|&f| match (target, f) {
            (_, Field::Mttr) => failure_of(t, target).is_some(),
            (Target::Site(s), Field::SiteCapacity) => finite(t.site(s).capacity_rps),
            (Target::Link(l), Field::LinkCapacity) => finite(t.link(l).capacity_gbps),
            _ => true,
        })
        .collect()
}

pub fn target_label(t: &Topology, target: Target) -> String {
    match target {
        Target::Site(s) => format!("site {}", t.site(s).key),
        Target::Link(l) => format!("link {}", t.link(l).key),
        Target::Plan(p) => format!("plan {}", t.plan(p).key),
    }
}

fn failure_of(t: &Topology, target: Target) -> Option<&drsim::model::FailureProcess> {
    match target {
        Target::Site(s) => t.site(s).failure.as_ref(),
        Target::Link(l) => t.link(l).failure.as_ref(),
        Target::Plan(_) => None,
    }
}

/// The field's current value as shown in the details pane.
pub fn value_text(t: &Topology, target: Target, field: Field) -> String {
    match (target, field) {
        (_, Field::Mttr) => failure_of(t, target).map_or("never fails".into(), |f| {
            super::view::format::fmt_secs(f.ttr.mean_secs())
        }),
        (Target::Site(s), Field::SiteCapacity) => format!("{} rps", t.site(s).capacity_rps),
        (Target::Link(l), Field::LinkCapacity) => format!("{} Gbps", t.link(l).capacity_gbps),
        (Target::Plan(p), Field::Replicas) => t.plan(p).replicas.to_string(),
        (Target::Plan(p), Field::Quorum) => t.plan(p).quorum.to_string(),
        (Target::Plan(p), Field::Detection) => {
            super::view::format::fmt_secs(t.plan(p).detection.secs())
        }
        (Target::Plan(p), Field::Headroom) => t.plan(p).headroom.to_string(),
        _ => "-".into(),
    }
}

fn scale(d: &Distribution, k: f64) -> Distribution {
    let by = |x: Duration| Duration::from_secs(x.secs() * k).unwrap_or(x);
    match d {
        Distribution::Exponential { mean } => Distribution::Exponential { mean: by(*mean) },
        Distribution::Weibull { shape, scale } => Distribution::Weibull {
            shape: *shape,
            scale: by(*scale),
        },
        Distribution::LogNormal { median, sigma } => Distribution::LogNormal {
            median: by(*median),
            sigma: *sigma,
        },
        Distribution::Fixed { value } => Distribution::Fixed { value: by(*value) },
    }
}

/// The duration a distribution is written with (its mean, median, scale or
/// value): what the file's 1000-year limit applies to.
fn longest(d: &Distribution) -> Duration {
    match d {
        Distribution::Exponential { mean } => *mean,
        Distribution::Weibull { scale, .. } => *scale,
        Distribution::LogNormal { median, .. } => *median,
        Distribution::Fixed { value } => *value,
    }
}

/// A step past the limit is refused here, so a save never writes a file
/// that would not load again.
fn too_long(what: &str) -> String {
    format!("{what} cannot be longer than {MAX_DURATION_YEARS} years")
}

/// One step of `field` up or down. The result went through
/// `Topology::from_parts`, so it is a valid model; an error says why not.
pub fn step(t: &Topology, target: Target, field: Field, up: bool) -> Result<Topology, String> {
    let k = if up { 2.0 } else { 0.5 };
    let what = format!("{} of {}", field.name(), target_label(t, target));
    let mut parts = t.clone().into_parts();
    match (target, field) {
        (Target::Site(_) | Target::Link(_), Field::Mttr) => {
            let f = match target {
                Target::Site(s) => parts.sites[s.index()].failure.as_mut(),
                Target::Link(l) => parts.links[l.index()].failure.as_mut(),
                Target::Plan(_) => None,
            };
            let Some(f) = f else {
                return Err(format!(
                    "{} never fails, so it has no repair time to change",
                    target_label(t, target)
                ));
            };
            f.ttr = scale(&f.ttr, k);
            if longest(&f.ttr).secs() > MAX_DURATION_SECS {
                return Err(too_long(&what));
            }
        }
        (Target::Site(s), Field::SiteCapacity) => {
            let c = &mut parts.sites[s.index()].capacity_rps;
            if !c.is_finite() || *c == 0.0 {
                return Err(format!(
                    "{what} is {c}; set a finite, positive one in the file"
                ));
            }
            *c *= k;
        }
        (Target::Link(l), Field::LinkCapacity) => {
            let c = &mut parts.links[l.index()].capacity_gbps;
            if !c.is_finite() || *c == 0.0 {
                return Err(format!(
                    "{what} is {c}; set a finite, positive one in the file"
                ));
            }
            *c *= k;
        }
        (Target::Plan(p), Field::Replicas | Field::Quorum) => {
            let plan = &mut parts.plans[p.index()];
            let v = if field == Field::Replicas {
                &mut plan.replicas
            } else {
                &mut plan.quorum
            };
            *v = if up {
                v.saturating_add(1)
            } else {
                v.checked_sub(1)
                    .ok_or_else(|| format!("{what} is already 0"))?
            };
        }
        (Target::Plan(p), Field::Detection) => {
            let d = &mut parts.plans[p.index()].detection;
            let secs = if d.secs() == 0.0 && up {
                1.0
            } else {
                d.secs() * k
            };
            if secs > MAX_DURATION_SECS {
                return Err(too_long(&what));
            }
            *d = Duration::from_secs(secs).ok_or_else(|| format!("{what}: out of range"))?;
        }
        (Target::Plan(p), Field::Headroom) => {
            let h = &mut parts.plans[p.index()].headroom;
            // Round to hundredths so repeated steps stay readable.
            *h = ((*h + if up { 0.05 } else { -0.05 }) * 100.0).round() / 100.0;
        }
        _ => {
            return Err(format!(
                "{} has no {}",
                target_label(t, target),
                field.name()
            ));
        }
    }
    Topology::from_parts(parts).map_err(|e| format!("cannot change {what}: {e}"))
}

/// Writes the values of the `edited` fields of `t` into `original` (the text
/// the file had when opened) and replaces `path` atomically. Refuses when the
/// file on disk is no longer `original`. Returns the new text.
pub fn save(
    path: &Path,
    original: &str,
    t: &Topology,
    edited: &BTreeSet<(Target, Field)>,
) -> Result<String, String> {
    let shown = path.display();
    let now = drsim::io::load::read_limited(path).map_err(|e| e.to_string())?;
    if now != original {
        return Err(format!(
            "{shown} changed on disk since it was opened; not overwriting it \
             (reopen it to edit the new version)"
        ));
    }
    let text = apply_edits(original, t, edited)?;
    drsim::io::write::write_atomic(path, text.as_bytes()).map_err(|e| e.to_string())?;
    Ok(text)
}

/// The file text with only the edited keys rewritten.
pub fn apply_edits(
    original: &str,
    t: &Topology,
    edited: &BTreeSet<(Target, Field)>,
) -> Result<String, String> {
    // Line endings and a byte-order mark are the file's, not toml_edit's.
    let bom = original.starts_with('\u{feff}');
    let body = original.trim_start_matches('\u{feff}');
    let crlf = body.contains("\r\n");
    let mut doc: DocumentMut = body
        .parse()
        .map_err(|e| format!("the file no longer parses as TOML: {e}"))?;
    for &(target, field) in edited {
        let (array, key) = match target {
            Target::Site(s) => ("site", t.site(s).key.as_str()),
            Target::Link(l) => ("link", t.link(l).key.as_str()),
            Target::Plan(p) => ("plan", t.plan(p).key.as_str()),
        };
        // The `[defaults.site]` / `[defaults.link]` failure an item without
        // its own inherits: its way of giving the time to failure is kept.
        // Either spelling: `failure = { .. }` or a `[defaults.link.failure]`
        // table (which, missed, froze a length-based rate into an MTBF).
        let inherited = doc
            .get("defaults")
            .and_then(|d| d.get(array))
            .and_then(|d| d.get("failure"))
            .and_then(|f| match f {
                Item::Value(Value::InlineTable(t)) => Some(t.clone()),
                Item::Table(t) => Some(t.clone().into_inline_table()),
                _ => None,
            });
        let table = find_table(&mut doc, array, key)
            .ok_or_else(|| format!("no [[{array}]] with id '{key}' in the file"))?;
        match (target, field) {
            (_, Field::Mttr) => {
                let f = failure_of(t, target);
                write_failure(table, f, inherited)?;
            }
            (Target::Site(s), Field::SiteCapacity) => {
                set(table, "capacity_rps", number(t.site(s).capacity_rps));
            }
            (Target::Link(l), Field::LinkCapacity) => {
                set(table, "capacity_gbps", number(t.link(l).capacity_gbps));
            }
            (Target::Plan(p), Field::Replicas) => {
                set(
                    table,
                    "replicas",
                    Value::from(i64::from(t.plan(p).replicas)),
                );
            }
            (Target::Plan(p), Field::Quorum) => {
                set(table, "quorum", Value::from(i64::from(t.plan(p).quorum)));
            }
            (Target::Plan(p), Field::Detection) => {
                let unit = written_unit(table.get("detection"));
                let text = t.plan(p).detection.to_text_in(unit.as_deref());
                set(table, "detection", Value::from(text));
            }
            (Target::Plan(p), Field::Headroom) => {
                set(table, "headroom", Value::from(t.plan(p).headroom));
            }
            _ => {}
        }
    }
    let mut out = doc.to_string();
    if crlf {
        out = out.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    if bom {
        out.insert(0, '\u{feff}');
    }
    Ok(out)
}

/// A whole number as a TOML integer (as people write capacities), anything
/// else as a float; both load to the same f64.
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}

/// The `[[array]]` table whose `id` is `key`; a link without an id is
/// known as "a-b".
fn find_table<'a>(
    doc: &'a mut DocumentMut,
    array: &str,
    key: &str,
) -> Option<&'a mut dyn TableLike> {
    let is_it = |t: &dyn TableLike| {
        let s = |k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_string);
        match s("id") {
            Some(id) => id == key,
            None => {
                array == "link"
                    && s("a")
                        .zip(s("b"))
                        .is_some_and(|(a, b)| format!("{a}-{b}") == key)
            }
        }
    };
    // `[[plan]]` tables, or an inline array of tables `plan = [{ ... }]`.
    match doc.get_mut(array)? {
        Item::ArrayOfTables(tables) => tables
            .iter_mut()
            .find(|t| is_it(*t))
            .map(|t| t as &mut dyn TableLike),
        Item::Value(Value::Array(values)) => values
            .iter_mut()
            .filter_map(Value::as_inline_table_mut)
            .find(|t| is_it(*t))
            .map(|t| t as &mut dyn TableLike),
        _ => None,
    }
}

/// Replaces the value of `key`, keeping its comments and spacing, or adds it.
fn set(table: &mut dyn TableLike, key: &str, mut v: Value) {
    // Replace the value through the existing entry: inserting would replace
    // the key too, and with it the comment lines above it.
    if let Some(old) = table.get_mut(key).and_then(Item::as_value_mut) {
        *v.decor_mut() = old.decor().clone();
        *old = v;
        return;
    }
    v.decor_mut().set_prefix(" ");
    table.insert(key, Item::Value(v));
}

/// The item's own failure table gets the new repair time (and an explicit
/// `mtbf` if its MTBF was derived from the old one); an item that used the
/// defaults gets a failure table of its own with its whole process.
fn write_failure(
    table: &mut dyn TableLike,
    f: Option<&drsim::model::FailureProcess>,
    inherited: Option<toml_edit::InlineTable>,
) -> Result<(), String> {
    // The units the file wrote the process in: of its own table, else of
    // the default it inherits. A time to failure derived from an
    // unavailability is written in the repair time's unit.
    let written = table
        .get("failure")
        .and_then(Item::as_table_like)
        .map(units_of)
        .or_else(|| inherited.as_ref().map(|t| units_of(t)))
        .unwrap_or_default();
    let ttf_unit = written.0.or_else(|| written.1.clone());
    let text = format!(
        "failure = {}",
        drsim::io::save::failure_inline_in(f, ttf_unit.as_deref(), written.1.as_deref())
    );
    let gen_doc: DocumentMut = text
        .parse()
        .map_err(|e| format!("internal: generated failure table does not parse: {e}"))?;
    let Some(generated) = gen_doc.get("failure").and_then(Item::as_inline_table) else {
        return Err("internal: generated failure table is not inline".into());
    };
    if table.get("failure").is_none()
        && let Some(mut copy) = inherited
    {
        // A copy of the default, so a length-based or annual rate stays one
        // (it is not frozen into a fixed MTBF); the repair keys follow below.
        copy.decor_mut().set_prefix(" ");
        table.insert("failure", Item::Value(Value::InlineTable(copy)));
    }
    let own = table.get_mut("failure").and_then(Item::as_table_like_mut);
    let Some(own) = own else {
        set(table, "failure", Value::InlineTable(generated.clone()));
        return Ok(());
    };
    let derived_ttf = own.contains_key("unavailability");
    for k in ["mttr", "ttr"] {
        own.remove(k);
    }
    if derived_ttf {
        own.remove("unavailability");
    }
    for (k, v) in generated.iter() {
        let is_ttr = k == "mttr" || k == "ttr";
        // `annual_rate` is how a derived MTBF over the duration limit is written.
        let is_ttf = k == "mtbf" || k == "ttf" || k == "annual_rate";
        if is_ttr || (is_ttf && derived_ttf) {
            let mut v = v.clone();
            v.decor_mut().set_prefix(" ");
            own.insert(k, Item::Value(v));
        }
    }
    Ok(())
}

/// The unit a duration value was written in (`"90m"`: `m`), or the first
/// one among a distribution table's durations.
fn written_unit(item: Option<&Item>) -> Option<String> {
    let item = item?;
    if let Some(text) = item.as_str() {
        return Duration::unit_of(text).map(str::to_string);
    }
    let table = item.as_table_like()?;
    ["mean", "median", "scale", "value"]
        .iter()
        .find_map(|k| written_unit(table.get(k)))
}

/// The units of a failure table's time to failure and repair time, where
/// it writes them as durations.
fn units_of(t: &dyn TableLike) -> (Option<String>, Option<String>) {
    let first = |keys: [&str; 2]| keys.iter().find_map(|k| written_unit(t.get(k)));
    (first(["mtbf", "ttf"]), first(["mttr", "ttr"]))
}

#[cfg(test)]
mod save_tests {
    //! Issue 16, class 9: a save keeps the file's layout, line endings, BOM
    //! and ways of writing values.
    use super::*;

    const FILE: &str = "plan = [{ id = \"p\", serving_sites = [\"a\", \"b\"], mode = \"active-active\" }]\n\
        [topology]\nname = \"t\"\n\
        [defaults.link]\nfailure = { rate_per_1000km = 2.13, mttr = \"6h\" }\n\
        [[site]]\nid = \"a\"\nlat = 0.0\nlon = 0.0\n\
        failure = { unavailability = 0.001, mttr = \"4h\" }\n\
        [[site]]\nid = \"b\"\nlat = 1.0\nlon = 1.0\n\
        [[link]]\na = \"a\"\nb = \"b\"\n";

    /// One step up of `field` saved into `text`: the edited model, the
    /// saved file and what it loads back to.
    fn save_one_step(text: &str, target: Target, field: Field) -> (Topology, String, Topology) {
        let load = |text: &str| {
            drsim::io::load_str(text, Path::new("t.toml"))
                .unwrap()
                .topology
        };
        let t2 = step(&load(text), target, field, true).unwrap();
        let out = apply_edits(text, &t2, &BTreeSet::from([(target, field)])).unwrap();
        let back = load(&out);
        (t2, out, back)
    }

    fn edited(text: &str, target: Target, field: Field) -> String {
        // What was saved loads, and holds the edit.
        let (t2, out, back) = save_one_step(text, target, field);
        assert_eq!(back.sites.len(), t2.sites.len());
        out
    }

    #[test]
    fn inline_plan_arrays_crlf_and_bom_survive_a_save() {
        let crlf = format!("\u{feff}{}", FILE.replace('\n', "\r\n"));
        let out = edited(&crlf, Target::Plan(PlanId(0)), Field::Quorum);
        assert!(out.starts_with('\u{feff}'), "BOM dropped");
        assert!(
            !out.replace("\r\n", "").contains('\n'),
            "a bare LF: {out:?}"
        );
        assert!(out.contains("plan = [{ id = \"p\""), "{out}");
        assert!(out.contains("quorum = 2"), "{out}");
    }

    /// The file after one step up of `field`, checked to load back to
    /// exactly the edited model's failure processes and plan timings.
    fn edited_exactly(text: &str, target: Target, field: Field) -> String {
        let (t2, out, back) = save_one_step(text, target, field);
        let failures = |t: &Topology| -> Vec<_> {
            let sites = t.sites.iter().map(|s| s.failure.clone());
            sites
                .chain(t.links.iter().map(|l| l.failure.clone()))
                .collect()
        };
        assert_eq!(failures(&back), failures(&t2), "{out}");
        let detection = |t: &Topology| t.plans.iter().map(|p| p.detection).collect::<Vec<_>>();
        assert_eq!(detection(&back), detection(&t2), "{out}");
        out
    }

    #[test]
    fn saved_values_keep_the_units_the_file_wrote() {
        let file = "[topology]\nname = \"t\"\n\
            [defaults.link.failure]\nrate_per_1000km = 2.13\n\
            ttr = { dist = \"lognormal\", median = \"90m\", sigma = 1.0 }\n\
            [[site]]\nid = \"a\"\nlat = 0.0\nlon = 0.0\n\
            failure = { unavailability = 0.00018, mttr = \"4h\" }\n\
            [[site]]\nid = \"b\"\nlat = 1.0\nlon = 1.0\n\
            failure = { mtbf = \"2y\", mttr = \"45m\" }\n\
            [[link]]\na = \"a\"\nb = \"b\"\n\
            [[plan]]\nid = \"p\"\nserving_sites = [\"a\"]\nmode = \"active-active\"\n\
            detection = \"90m\"\n";
        // An MTBF derived from an unavailability is written explicitly, in
        // the repair time's unit, however long its number (never raw seconds).
        let out = edited_exactly(file, Target::Site(SiteId(0)), Field::Mttr);
        assert!(out.contains("mttr = \"8h\""), "{out}");
        let mtbf = out
            .split("mtbf = \"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert!(mtbf.ends_with('h'), "{mtbf}");
        // A short exact value stays in its unit: 45m doubles to 90m, not 1.5h.
        let out = edited_exactly(file, Target::Site(SiteId(1)), Field::Mttr);
        assert!(out.contains("{ mtbf = \"2y\", mttr = \"90m\" }"), "{out}");
        // A link inheriting a [defaults.link.failure] table keeps the
        // length-based rate and the lognormal in minutes.
        let out = edited_exactly(file, Target::Link(LinkId(0)), Field::Mttr);
        let link = &out[out.find("[[link]]").unwrap()..out.find("[[plan]]").unwrap()];
        assert!(link.contains("rate_per_1000km = 2.13"), "{link}");
        assert!(link.contains("median = \"180m\""), "{link}");
        assert!(!link.contains("mtbf"), "{link}");
        let out = edited_exactly(file, Target::Plan(PlanId(0)), Field::Detection);
        assert!(out.contains("detection = \"180m\""), "{out}");
    }

    #[test]
    fn an_mttr_edit_keeps_the_length_based_rate() {
        let out = edited(FILE, Target::Link(LinkId(0)), Field::Mttr);
        let link = &out[out.find("[[link]]").unwrap()..];
        assert!(link.contains("rate_per_1000km = 2.13"), "{link}");
        assert!(!link.contains("mtbf"), "{link}");
    }

    /// Issue 16: an MTBF derived from a small unavailability (here 4,566
    /// years) is longer than a written duration may be; the save writes it
    /// as an annual rate, so the file loads again to the edited model.
    #[test]
    fn a_derived_mtbf_past_the_duration_limit_saves_as_a_rate() {
        let file = FILE.replace("unavailability = 0.001", "unavailability = 1e-7");
        let out = edited_exactly_close(&file, Target::Site(SiteId(0)), Field::Mttr);
        assert!(out.contains("annual_rate = "), "{out}");
        assert!(out.contains("mttr = \"8h\""), "{out}");
    }

    /// Like [`edited_exactly`], with the MTBF equal to a relative 1e-12:
    /// a rate is its reciprocal, exact only to rounding.
    fn edited_exactly_close(text: &str, target: Target, field: Field) -> String {
        let (t2, out, back) = save_one_step(text, target, field);
        for (a, b) in back.sites.iter().zip(&t2.sites) {
            let (fa, fb) = (a.failure.as_ref(), b.failure.as_ref());
            let mean = |f: Option<&drsim::model::FailureProcess>| f.map(|f| f.ttf.mean_secs());
            let (ma, mb) = (mean(fa).unwrap_or(0.0), mean(fb).unwrap_or(0.0));
            assert!((ma - mb).abs() <= 1e-12 * mb, "{ma} vs {mb}: {out}");
            assert_eq!(
                fa.map(|f| f.ttr.clone()),
                fb.map(|f| f.ttr.clone()),
                "{out}"
            );
        }
        out
    }

    /// Issue 16: doubling a repair time or a detection past 1000 years is
    /// refused at the step, with the limit in the message, so no save can
    /// write a value the loader refuses.
    #[test]
    fn steps_past_the_duration_limit_are_refused() {
        let file = FILE.replace("mttr = \"4h\"", "mttr = \"600y\"");
        let t = drsim::io::load_str(&file, Path::new("t.toml"))
            .unwrap()
            .topology;
        let err = step(&t, Target::Site(SiteId(0)), Field::Mttr, true).unwrap_err();
        assert!(err.contains("1000 years"), "{err}");
        // Halving is fine, and so is a step that stays under the limit.
        assert!(step(&t, Target::Site(SiteId(0)), Field::Mttr, false).is_ok());
        let plan = file.replace(
            "mode = \"active-active\"",
            "mode = \"active-active\", detection = \"700y\"",
        );
        let t = drsim::io::load_str(&plan, Path::new("t.toml"))
            .unwrap()
            .topology;
        let err = step(&t, Target::Plan(PlanId(0)), Field::Detection, true).unwrap_err();
        assert!(err.contains("1000 years"), "{err}");
    }
}
