//! Small hand-written SVG charts for the HTML report: no fonts to load, no
//! scripts, nothing fetched; the markup is deterministic, so the same run
//! gives the same page byte for byte.

use super::esc;
use std::fmt::Write as _;

/// Colours that stay distinct for the usual colour-vision deficiencies
/// (Okabe-Ito), then a few greys.
pub const PALETTE: [&str; 10] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
    "#999999", "#666666",
];

const FONT: &str = r#"font-family="system-ui, sans-serif" font-size="12""#;

/// A chart's opening: the `<svg>` element of `w` x `h`, its white
/// background, and `title` in bold at the plot's `left` edge.
fn open(w: f64, h: f64, title: &str, left: f64) -> String {
    let t = esc(title);
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{t}" {FONT}><title>{t}</title><rect width="{w}" height="{h}" fill="#ffffff"/>"##,
    );
    let _ = write!(
        out,
        r#"<text x="{left}" y="18" font-weight="bold">{t}</text>"#
    );
    out
}

/// A rounded number for axis ticks: 1, 2 or 5 times a power of ten.
fn nice_step(range: f64, ticks: usize) -> f64 {
    let raw = (range / ticks as f64).max(f64::MIN_POSITIVE);
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    p * if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    }
}

/// Short tick label: integers without decimals, otherwise up to 3
/// significant digits, large values with k/M suffixes.
pub fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", trim(v / 1e6))
    } else if a >= 1e4 {
        format!("{}k", trim(v / 1e3))
    } else {
        trim(v)
    }
}

fn trim(v: f64) -> String {
    let s = if v == v.round() {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Vertical bars over labelled bins, each bar's value a fraction (0..1)
/// printed above it as a percentage.
pub fn histogram(title: &str, x_label: &str, bins: &[(String, f64)], color: &str) -> String {
    let (w, h) = (1100.0, 260.0);
    let (left, right, top, bottom) = (56.0, 12.0, 30.0, 58.0);
    let mut s = open(w, h, title, left);
    let max = bins.iter().map(|b| b.1).fold(0.0, f64::max).max(1e-12);
    let step = nice_step(max, 4);
    let top_val = (max / step).ceil() * step;
    let ph = h - top - bottom;
    let pw = w - left - right;
    let y_of = |v: f64| top + ph * (1.0 - v / top_val);
    let mut t = 0.0;
    while t <= top_val + step * 1e-9 {
        let y = y_of(t);
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e0e0e0"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}%</text>"##,
            w - right,
            left - 6.0,
            y + 4.0,
            short(100.0 * t)
        );
        t += step;
    }
    let bw = pw / bins.len().max(1) as f64;
    for (i, (label, v)) in bins.iter().enumerate() {
        let x = left + bw * i as f64;
        let y = y_of(*v);
        let _ = write!(
            s,
            r#"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{color}"><title>{}: {:.2}%</title></rect>"#,
            x + bw * 0.12,
            bw * 0.76,
            (top + ph - y).max(0.0),
            esc(label),
            100.0 * v
        );
        if *v > 0.0 {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}%</text>"#,
                x + bw / 2.0,
                y - 4.0,
                pct_label(*v)
            );
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x + bw / 2.0,
            top + ph + 16.0,
            esc(label)
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#333"/><text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text></svg>"##,
        top + ph,
        w - right,
        top + ph,
        left + pw / 2.0,
        h - 10.0,
        esc(x_label)
    );
    s
}

fn pct_label(v: f64) -> String {
    let p = 100.0 * v;
    if p >= 10.0 {
        format!("{p:.0}")
    } else if p >= 0.1 {
        format!("{p:.1}")
    } else {
        format!("{p:.2}")
    }
}

/// One horizontal bar per row, split into the series' values; a legend
/// below names the series.
pub fn stacked_bars(
    title: &str,
    x_label: &str,
    rows: &[(String, Vec<f64>)],
    series: &[&str],
) -> String {
    let w = 1100.0;
    let (left, right, top) = (170.0, 20.0, 30.0);
    let bar_h = 26.0;
    let ph = bar_h * rows.len() as f64 * 1.4;
    let legend_rows = series.len().div_ceil(4) as f64;
    let h = top + ph + 44.0 + 18.0 * legend_rows + 8.0;
    let mut s = open(w, h, title, left);
    let pw = w - left - right;
    let max = rows
        .iter()
        .map(|r| r.1.iter().sum::<f64>())
        .fold(0.0, f64::max)
        .max(1e-12);
    let step = nice_step(max, 5);
    let top_val = (max / step).ceil() * step;
    let x_of = |v: f64| left + pw * v / top_val;
    let mut t = 0.0;
    while t <= top_val + step * 1e-9 {
        let x = x_of(t);
        let _ = write!(
            s,
            r##"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{:.1}" stroke="#e0e0e0"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            top + ph,
            top + ph + 16.0,
            short(t)
        );
        t += step;
    }
    for (i, (label, values)) in rows.iter().enumerate() {
        let y = top + bar_h * 1.4 * i as f64 + bar_h * 0.2;
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 8.0,
            y + bar_h * 0.65,
            esc(label)
        );
        let mut acc = 0.0;
        for (j, v) in values.iter().enumerate() {
            if *v <= 0.0 {
                continue;
            }
            let (x0, x1) = (x_of(acc), x_of(acc + v));
            let _ = write!(
                s,
                r#"<rect x="{x0:.1}" y="{y:.1}" width="{:.1}" height="{bar_h}" fill="{}"><title>{}: {}: {} min/year</title></rect>"#,
                (x1 - x0).max(0.5),
                PALETTE[j % PALETTE.len()],
                esc(label),
                esc(series[j]),
                short(*v)
            );
            acc += v;
        }
    }
    let _ = write!(
        s,
        r##"<line x1="{left}" y1="{top}" x2="{left}" y2="{:.1}" stroke="#333"/><text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
        top + ph,
        left + pw / 2.0,
        top + ph + 34.0,
        esc(x_label)
    );
    for (j, name) in series.iter().enumerate() {
        let x = left + 150.0 * (j % 4) as f64;
        let y = top + ph + 48.0 + 18.0 * (j / 4) as f64;
        let _ = write!(
            s,
            r#"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{y:.1}">{}</text>"#,
            y - 10.0,
            PALETTE[j % PALETTE.len()],
            x + 17.0,
            esc(name)
        );
    }
    s.push_str("</svg>");
    s
}

/// A labelled point of [`scatter`].
pub struct Point {
    pub label: String,
    pub x: f64,
    pub y: f64,
    /// The 95% interval of `y`, drawn as an error bar.
    pub y_lo: f64,
    pub y_hi: f64,
    pub frontier: bool,
}

/// Vertical positions for point labels so that no two overlap: each label
/// starts beside its point and moves down (then up) past labels already
/// placed whose text spans the same x range. `boxes` are (x, y, width).
fn place_labels(boxes: &[(f64, f64, f64)], line: f64) -> Vec<f64> {
    let mut placed: Vec<(f64, f64, f64)> = Vec::new();
    let mut out = vec![0.0; boxes.len()];
    let mut order: Vec<usize> = (0..boxes.len()).collect();
    order.sort_by(|&a, &b| boxes[a].1.total_cmp(&boxes[b].1).then(a.cmp(&b)));
    for i in order {
        let (x, y0, w) = boxes[i];
        let clash = |y: f64| {
            placed
                .iter()
                .any(|&(px, py, pw)| (y - py).abs() < line && x < px + pw && px < x + w)
        };
        // Beside the point, else one line below, one above, two below...
        let y = (0..40)
            .map(|k| {
                let step = f64::from((k + 1) / 2);
                if k % 2 == 1 {
                    y0 + line * step
                } else {
                    y0 - line * step
                }
            })
            .find(|&y| !clash(y))
            .unwrap_or(y0);
        placed.push((x, y, w));
        out[i] = y;
    }
    out
}

/// Points with the frontier ones joined by a line (in x order) and drawn
/// filled; the others hollow.
pub fn scatter(title: &str, x_label: &str, y_label: &str, points: &[Point]) -> String {
    let (w, h) = (1100.0, 380.0);
    let (left, right, top, bottom) = (70.0, 150.0, 30.0, 50.0);
    let mut s = open(w, h, title, left);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let xmax = points.iter().map(|p| p.x).fold(0.0, f64::max).max(1e-12);
    let ymax = points
        .iter()
        .map(|p| p.y_hi.max(p.y))
        .fold(0.0, f64::max)
        .max(1e-12);
    let (xs, ys) = (nice_step(xmax, 5), nice_step(ymax, 4));
    let (xt, yt) = ((xmax / xs).ceil() * xs, (ymax / ys).ceil() * ys);
    let px = |x: f64| left + pw * x / xt;
    let py = |y: f64| top + ph * (1.0 - y / yt);
    let mut t = 0.0;
    while t <= xt + xs * 1e-9 {
        let _ = write!(
            s,
            r##"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{:.1}" stroke="#e0e0e0"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            top + ph,
            top + ph + 16.0,
            super::format::money(t),
            x = px(t)
        );
        t += xs;
    }
    let mut t = 0.0;
    while t <= yt + ys * 1e-9 {
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e0e0e0"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            left + pw,
            left - 6.0,
            py(t) + 4.0,
            short(t),
            y = py(t)
        );
        t += ys;
    }
    let mut front: Vec<&Point> = points.iter().filter(|p| p.frontier).collect();
    front.sort_by(|a, b| a.x.total_cmp(&b.x));
    if front.len() > 1 {
        let pts: Vec<String> = front
            .iter()
            .map(|p| format!("{:.1},{:.1}", px(p.x), py(p.y)))
            .collect();
        let _ = write!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2" stroke-dasharray="6 4"/>"#,
            pts.join(" "),
            PALETTE[3]
        );
    }
    // Label text is ~7 px a character at 12 px.
    let boxes: Vec<(f64, f64, f64)> = points
        .iter()
        .map(|p| {
            (
                px(p.x) + 9.0,
                py(p.y) + 4.0,
                7.0 * p.label.chars().count() as f64,
            )
        })
        .collect();
    let label_y = place_labels(&boxes, 15.0);
    for (p, ly) in points.iter().zip(label_y) {
        let (x, y) = (px(p.x), py(p.y));
        let (lo, hi) = (py(p.y_lo.max(0.0)), py(p.y_hi));
        let _ = write!(
            s,
            r##"<path d="M{x:.1} {lo:.1}V{hi:.1}M{:.1} {lo:.1}H{:.1}M{:.1} {hi:.1}H{:.1}" stroke="#333" stroke-width="1.5" fill="none"/>"##,
            x - 5.0,
            x + 5.0,
            x - 5.0,
            x + 5.0
        );
        let fill = if p.frontier { PALETTE[0] } else { "#ffffff" };
        let _ = write!(
            s,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="6" fill="{fill}" stroke="{}" stroke-width="2"><title>{}: cost {} / year, {} min/year [{}, {}]</title></circle><text x="{:.1}" y="{ly:.1}">{}</text>"#,
            PALETTE[0],
            esc(&p.label),
            super::format::money(p.x),
            super::format::si(p.y),
            super::format::si(p.y_lo),
            super::format::si(p.y_hi),
            x + 9.0,
            esc(&p.label)
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#333"/><line x1="{left}" y1="{top}" x2="{left}" y2="{:.1}" stroke="#333"/><text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><text transform="translate(16 {:.1}) rotate(-90)" text-anchor="middle">{}</text></svg>"##,
        top + ph,
        left + pw,
        top + ph,
        top + ph,
        left + pw / 2.0,
        h - 12.0,
        esc(x_label),
        top + ph / 2.0,
        esc(y_label)
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_and_labels() {
        assert_eq!(nice_step(10.0, 5), 2.0);
        assert_eq!(nice_step(0.07, 4), 0.02);
        assert_eq!(nice_step(730.0, 5), 200.0);
        assert_eq!(short(2_500_000.0), "2.5M");
        assert_eq!(short(45_000.0), "45k");
        assert_eq!(short(0.125), "0.125");
        assert_eq!(short(12.0), "12");
    }

    #[test]
    fn point_labels_never_overlap() {
        // Four labels at nearly the same spot, one far away.
        let boxes = [
            (100.0, 50.0, 80.0),
            (105.0, 52.0, 80.0),
            (102.0, 49.0, 80.0),
            (104.0, 51.0, 60.0),
            (400.0, 50.0, 80.0),
        ];
        let y = place_labels(&boxes, 15.0);
        for i in 0..boxes.len() {
            for j in 0..i {
                let (xi, wi) = (boxes[i].0, boxes[i].2);
                let (xj, wj) = (boxes[j].0, boxes[j].2);
                let overlap_x = xi < xj + wj && xj < xi + wi;
                assert!(!overlap_x || (y[i] - y[j]).abs() >= 15.0, "{i} {j}: {y:?}");
            }
        }
        // A label with room stays beside its point.
        assert_eq!(y[4], 50.0);
    }

    #[test]
    fn labels_are_escaped() {
        let s = histogram("a<b", "x&y", &[("<1".into(), 0.5)], "#000");
        assert!(s.contains("a&lt;b") && s.contains("x&amp;y") && s.contains("&lt;1"));
        assert!(!s.contains("<1<"));
    }
}
