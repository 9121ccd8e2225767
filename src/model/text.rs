//! Which text may stand in ids and names: they reach terminals, CSV, XML and
//! HTML, so a file must not smuggle escape sequences, forged lines or
//! characters XML cannot hold through them.

use std::borrow::Cow;

/// Whether `c` may be printed as it is: not a control character (C0, DEL,
/// C1), not a bidirectional override or isolate (which reorder what a
/// terminal shows), not a line or paragraph separator, not a Unicode
/// noncharacter (U+FFFE, U+FFFF, U+FDD0..U+FDEF and the like, which XML 1.0
/// refuses).
pub fn printable(c: char) -> bool {
    let u = c as u32;
    !(c.is_control()
        || matches!(u, 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069)
        || matches!(u, 0x2028 | 0x2029)
        || (0xFDD0..=0xFDEF).contains(&u)
        || (u & 0xFFFE) == 0xFFFE)
}

/// Longest id, in characters: ids are printed in every table and message
/// and used as map keys, so a 1 MB id would be copied into each of them.
pub const MAX_ID_CHARS: usize = 256;

/// Checks an id: non-empty, not only spaces, at most [`MAX_ID_CHARS`],
/// every character printable. The message says what is wrong, without
/// repeating the bad text raw.
pub fn check_id(id: &str) -> Result<(), String> {
    if id.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if id.len() > MAX_ID_CHARS && id.chars().count() > MAX_ID_CHARS {
        return Err(format!(
            "is {} characters long; ids may have at most {MAX_ID_CHARS}",
            id.chars().count()
        ));
    }
    check_name(id)
}

/// Checks a name or other one-line text: every character printable.
pub fn check_name(text: &str) -> Result<(), String> {
    match text.chars().find(|&c| !printable(c)) {
        Some(c) => Err(format!(
            "holds the unprintable character U+{:04X}; use printable text",
            c as u32
        )),
        None => Ok(()),
    }
}

/// Checks a multi-line text (a description): printable, or a line break or
/// tab.
pub fn check_multiline(text: &str) -> Result<(), String> {
    check_name(&text.replace(['\n', '\t', '\r'], " "))
}

/// `text` with every unprintable character written as `\u{1b}`, for
/// messages that quote text which failed [`check_id`].
pub fn escape(text: &str) -> Cow<'_, str> {
    if text.chars().all(printable) {
        return Cow::Borrowed(text);
    }
    let mut s = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if printable(c) {
            s.push(c);
        } else {
            s.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    Cow::Owned(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_bidi_and_nonchars_only() {
        assert!(check_id("fra-1 Ünïcode 東京").is_ok());
        for bad in [
            "a\u{1b}]0;x\u{7}",
            "a\nb",
            "a\u{fffe}",
            "\u{202e}x",
            "\u{9b}",
            "",
        ] {
            assert!(check_id(bad).is_err(), "{bad:?}");
        }
        assert_eq!(escape("a\u{1b}[2Jb\n"), "a\\u{1b}[2Jb\\u{a}");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert!(check_multiline("two\nlines\tok").is_ok());
        assert!(check_multiline("bell\u{7}").is_err());
    }
}
