//! Number and text formatting shared by the views.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// A duration in its largest whole-ish unit: "4h", "2.5d", "30s".
pub fn fmt_secs(secs: f64) -> String {
    for (unit, factor) in [
        // The file format's year (365 days): "2y" shows as written.
        ("y", drsim::units::SECONDS_PER_YEAR),
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

pub fn kv(k: &str, v: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{k:>15}: "), Style::new().dim()),
        Span::raw(v),
    ])
}

/// The ids of `sites`, as [`names`] lists them.
pub fn site_names(t: &drsim::model::Topology, sites: &[drsim::model::SiteId]) -> String {
    names(sites.iter().map(|&s| t.site(s).key.clone()))
}

pub fn names<I: Iterator<Item = String>>(it: I) -> String {
    let v: Vec<String> = it.collect();
    if v.is_empty() {
        "-".into()
    } else {
        v.join(", ")
    }
}

/// Dollars in the compact form of [`fmt_count`] (`$2.5M`, `$40k`).
pub fn fmt_money(x: f64) -> String {
    format!("${}", fmt_count(x))
}

pub fn fmt_count(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.1}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.0}k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}

/// Minutes as a compact duration ("0", "42s", "3.5h").
pub fn fmt_min(m: f64) -> String {
    if m <= 0.0 {
        "0".into()
    } else {
        fmt_secs(m * 60.0)
    }
}

/// The name a site goes by on screen: its id, unless the id is a bare
/// number (an imported network's node id, e.g. Topology Zoo's `12`) and the
/// file gives a name.
pub fn site_label(s: &drsim::model::Site) -> &str {
    let numeric = !s.key.is_empty() && s.key.bytes().all(|b| b.is_ascii_digit());
    if numeric && !s.name.trim().is_empty() {
        s.name.trim()
    } else {
        &s.key
    }
}

/// "1 serving site", "2 serving sites".
pub fn count(n: u32, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// Rows that `lines` take in a wrapping paragraph `width` columns wide,
/// counted the way a greedy word wrap fills them (as ratatui's does), so a
/// box can be sized to its text.
pub fn wrapped_rows(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let mut rows = 0usize;
    for line in lines {
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        let mut row = 0usize;
        let mut n = 1usize;
        for word in text.split(' ') {
            let w = word.chars().count();
            let need = if row == 0 { w } else { row + 1 + w };
            if need <= width {
                row = need;
                continue;
            }
            // A new row (unless this is the first word), and more rows for
            // a word longer than the width.
            n += usize::from(row > 0) + w.saturating_sub(1) / width;
            row = w - w.saturating_sub(1) / width * width;
        }
        rows += n;
    }
    rows.min(usize::from(u16::MAX)) as u16
}
