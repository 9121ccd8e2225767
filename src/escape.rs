//! Escaping text for the markup the crate writes: HTML and SVG (the
//! report), XML (JUnit) and OpenMetrics label values. One loop, one table
//! per format.

/// `s` with every character that `replace` maps replaced by its text.
fn escape(s: &str, replace: impl Fn(char) -> Option<&'static str>) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match replace(c) {
            Some(r) => o.push_str(r),
            None => o.push(c),
        }
    }
    o
}

/// HTML and SVG content and attributes.
pub fn html(s: &str) -> String {
    escape(s, |c| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        _ => None,
    })
}

/// XML 1.0 content and attributes. XML forbids most control characters even
/// escaped (they become spaces), and the noncharacters U+FFFE/U+FFFF (they
/// become U+FFFD); surrogates cannot be in a `str`.
pub fn xml(s: &str) -> String {
    escape(s, |c| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&apos;"),
        c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => Some(" "),
        '\u{fffe}' | '\u{ffff}' => Some("\u{fffd}"),
        _ => None,
    })
}

/// An OpenMetrics label value: backslash, double quote and line feed.
pub fn label(v: &str) -> String {
    escape(v, |c| match c {
        '\\' => Some("\\\\"),
        '"' => Some("\\\""),
        '\n' => Some("\\n"),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_format_escapes_its_own_characters() {
        assert_eq!(
            super::html(r#"<a href="x">R&D's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;R&amp;D&#39;s&lt;/a&gt;"
        );
        assert_eq!(super::xml("a'b\u{1}c\td\u{ffff}"), "a&apos;b c\td\u{fffd}");
        assert_eq!(super::label("a\\b\"c\nd<&"), "a\\\\b\\\"c\\nd<&");
    }
}
