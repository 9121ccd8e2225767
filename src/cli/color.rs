//! Colour on a terminal: FAIL and "worse" in red, met and "better" in green,
//! inconclusive in yellow. `--color auto` (the default) colours only when
//! standard output is a terminal and `NO_COLOR` is unset or empty
//! (no-color.org); `always` and `never` override both. Output written with
//! `--out` is never coloured. Colour only ever wraps a word already laid
//! out, so tables keep their alignment.

use anstyle::{AnsiColor, Style};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Decides once, at start-up, from `--color` and the environment.
pub fn init(choice: ColorChoice) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
    };
    ENABLED.store(on, Ordering::Relaxed);
}

/// Whether text bound for `out` (None: standard output) gets colour.
pub fn enabled_for(out: Option<&std::path::Path>) -> bool {
    out.is_none() && ENABLED.load(Ordering::Relaxed)
}

#[derive(Clone, Copy, Debug)]
pub enum Tone {
    Good,
    Bad,
    Unsure,
}

fn style(t: Tone) -> Style {
    let c = match t {
        Tone::Good => AnsiColor::Green,
        Tone::Bad => AnsiColor::Red,
        Tone::Unsure => AnsiColor::Yellow,
    };
    let s = Style::new().fg_color(Some(c.into()));
    if matches!(t, Tone::Bad) { s.bold() } else { s }
}

/// `word` in its tone's colour.
pub fn paint(word: &str, t: Tone) -> String {
    let s = style(t);
    format!("{}{word}{}", s.render(), s.render_reset())
}

/// Every whole-word occurrence of each `(word, tone)` in `text` painted;
/// the text is unchanged when colour is off.
pub fn paint_words(text: &str, words: &[(&str, Tone)], on: bool) -> String {
    if !on {
        return text.to_string();
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '?';
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    'outer: while !rest.is_empty() {
        for &(w, t) in words {
            if let Some(tail) = rest.strip_prefix(w) {
                let before_ok = out.chars().last().is_none_or(|c| !is_word(c));
                let after_ok = tail.chars().next().is_none_or(|c| !is_word(c));
                if before_ok && after_ok {
                    out.push_str(&paint(w, t));
                    rest = tail;
                    continue 'outer;
                }
            }
        }
        let c = rest.chars().next().expect("rest is not empty");
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paints_whole_words_only_and_nothing_when_off() {
        let t = "ok  plan  FAIL\nFAILED ok2 ??\n";
        let words = [
            ("FAIL", Tone::Bad),
            ("ok", Tone::Good),
            ("??", Tone::Unsure),
        ];
        assert_eq!(paint_words(t, &words, false), t);
        let p = paint_words(t, &words, true);
        assert!(p.contains(&paint("FAIL", Tone::Bad)));
        assert!(p.contains("FAILED"), "{p}");
        assert!(p.contains("ok2"));
        assert_eq!(p.matches("\x1b[0m").count(), 3, "{p:?}");
        // Stripping the escapes gives the text back.
        let mut plain = String::new();
        let mut it = p.chars();
        while let Some(c) = it.next() {
            if c == '\x1b' {
                for d in it.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else {
                plain.push(c);
            }
        }
        assert_eq!(plain, t);
    }
}
