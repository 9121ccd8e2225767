//! Number and text formatting shared by the views.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// A duration in its largest whole-ish unit: "4h", "2.5d", "30s".
pub fn fmt_secs(secs: f64) -> String {
    for (unit, factor) in [
        ("y", 365.25 * 86_400.0),
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

pub fn names<I: Iterator<Item = String>>(it: I) -> String {
    let v: Vec<String> = it.collect();
    if v.is_empty() {
        "-".into()
    } else {
        v.join(", ")
    }
}

pub fn fmt_money(x: f64) -> String {
    if x >= 1e6 {
        format!("${:.1}M", x / 1e6)
    } else if x >= 1e3 {
        format!("${:.0}k", x / 1e3)
    } else {
        format!("${x:.0}")
    }
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
