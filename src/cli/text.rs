//! Text-output helpers: human numbers (from `drsim::report::format`) and
//! wrapping of long lists so text lines stay within [`WIDTH`] columns.

pub use drsim::report::format::{money, si};
use drsim::simulate::Estimate;

/// Most columns a line of text output uses.
pub const WIDTH: usize = 100;

/// `mean [lo, hi]` in human numbers.
pub fn interval(e: &Estimate) -> String {
    format!("{} [{}, {}]", si(e.mean), si(e.lo), si(e.hi))
}

/// `label` padded to `indent` columns, then `items` joined by ", ", wrapped
/// at [`WIDTH`] with continuation lines indented to the same column.
pub fn wrapped(label: &str, indent: usize, items: &[String]) -> String {
    let mut out = format!("{label:<indent$}");
    let mut col = out.chars().count();
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() {
            format!("{item},")
        } else {
            item.clone()
        };
        let len = piece.chars().count();
        if i > 0 {
            if col + 1 + len > WIDTH {
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                col = indent;
            } else {
                out.push(' ');
                col += 1;
            }
        }
        out.push_str(&piece);
        col += len;
    }
    out.push('\n');
    out
}

/// `text` word-wrapped at [`WIDTH`], each line after the first indented by
/// `indent` spaces.
pub fn wrap_words(text: &str, indent: usize) -> String {
    let lead = text.len() - text.trim_start().len();
    let mut out = text[..lead].to_string();
    let mut col = lead;
    for (i, w) in text.split_whitespace().enumerate() {
        let len = w.chars().count();
        if i > 0 && col + 1 + len > WIDTH {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            col = indent;
        } else if i > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(w);
        col += len;
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_lines_within_width_and_loses_nothing() {
        let items: Vec<String> = (0..40).map(|i| format!("site:x{i} {i}.25")).collect();
        let s = wrapped("  top components", 26, &items);
        assert!(s.lines().all(|l| l.chars().count() <= WIDTH), "{s}");
        assert!(s.lines().count() > 1);
        let joined: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(joined, format!("top components {}", items.join(", ")));
        let long = "plan single-region costs more than active-passive ($80.0M vs $65.0M per year) and has more downtime: +160.34 [+97.43, +223.25] min/year (p < .05)";
        let w = wrap_words(&format!("  dominated: {long}"), 4);
        assert!(w.lines().all(|l| l.chars().count() <= WIDTH), "{w}");
        assert_eq!(
            w.split_whitespace().collect::<Vec<_>>(),
            format!("dominated: {long}")
                .split_whitespace()
                .collect::<Vec<_>>()
        );
    }
}
