//! Located messages about an input file: `file:line:column: error: ...`,
//! the offending line with a caret, and a hint where one helps.
//!
//! House style: name the offending id or key in single quotes, say what is
//! wrong, then (as a hint) what to do about it.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One message about one place in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub path: PathBuf,
    /// 1-based line and column; 0 when the message is about the whole file.
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
    /// The source line, for the caret display.
    pub snippet: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at byte offset range `span` of `source`.
    pub fn at(
        severity: Severity,
        path: &Path,
        source: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (line, column, snippet) = match span {
            Some(r) => {
                let (l, c) = line_col(source, r.start);
                (l, c, source.lines().nth(l - 1).map(str::to_string))
            }
            None => (0, 0, None),
        };
        Diagnostic {
            severity,
            path: path.to_path_buf(),
            line,
            column,
            message: message.into(),
            hint: None,
            snippet,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

impl fmt::Display for Diagnostic {
    /// Every piece of text from the file (and the path) is printed with its
    /// unprintable characters escaped: a hostile id cannot send escape
    /// sequences or forge lines through an error message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::model::text::escape;
        let path = self.path.display().to_string();
        let path = escape(&path);
        let message = escape(&self.message);
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.line > 0 && self.column == 0 {
            write!(f, "{path}:{}: {kind}: {message}", self.line,)?;
        } else if self.line > 0 {
            write!(f, "{path}:{}:{}: {kind}: {message}", self.line, self.column,)?;
        } else {
            write!(f, "{path}: {kind}: {message}")?;
        }
        if let Some(src) = &self.snippet {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            let (shown, column) = window(src, self.column);
            // A tab stays one column wide for the caret.
            let shown = shown.replace('\t', " ");
            write!(f, "\n{pad} |\n{num} | {}", escape(&shown))?;
            if column > 0 {
                write!(f, "\n{pad} | {}^", " ".repeat(column - 1))?;
            }
        }
        if let Some(h) = &self.hint {
            write!(f, "\n  = help: {}", escape(h))?;
        }
        Ok(())
    }
}

/// Most characters of a source line shown under a message: a hostile file
/// can put megabytes on one line.
const SNIPPET_CHARS: usize = 120;

/// The part of `line` shown around 1-based `column` (at most
/// [`SNIPPET_CHARS`], cut ends marked `...`), and the column within it.
fn window(line: &str, column: usize) -> (String, usize) {
    let n = line.chars().count();
    if n <= SNIPPET_CHARS {
        return (line.to_string(), column);
    }
    let start = column
        .saturating_sub(SNIPPET_CHARS / 2)
        .min(n - SNIPPET_CHARS);
    let mut s: String = line.chars().skip(start).take(SNIPPET_CHARS).collect();
    let mut column = column.saturating_sub(start);
    if start > 0 {
        s.insert_str(0, "...");
        column += 3;
    }
    if start + SNIPPET_CHARS < n {
        s.push_str("...");
    }
    (s, column)
}

/// Why a file could not be loaded: every error found, in file order.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadError {
    pub fn single(d: Diagnostic) -> LoadError {
        LoadError {
            diagnostics: vec![d],
        }
    }
    /// An error about the whole file (unreadable, too large, unknown format).
    pub fn file(path: &Path, message: impl Into<String>) -> LoadError {
        Self::single(Diagnostic::at(Severity::Error, path, "", None, message))
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        let n = self.diagnostics.len();
        if n > 1 {
            write!(f, "\n{n} errors")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let src = "a = 1\nbb = 2\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 6), (2, 1));
        assert_eq!(line_col(src, 11), (2, 6));
        assert_eq!(line_col(src, 999), (3, 1));
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = format!("{}X{}", "a".repeat(5000), "b".repeat(5000));
        let (shown, col) = window(&line, 5001);
        assert!(shown.len() < 130, "{}", shown.len());
        assert_eq!(shown.chars().nth(col - 1), Some('X'));
        assert!(shown.starts_with("...") && shown.ends_with("..."));
        assert_eq!(window("short", 2), ("short".to_string(), 2));
    }

    #[test]
    fn renders_caret() {
        let d = Diagnostic::at(
            Severity::Error,
            Path::new("t.toml"),
            "x = 1\nsite = \"nope\"\n",
            Some(13..19),
            "unknown site 'nope'",
        )
        .with_hint("declare it");
        assert_eq!(
            d.to_string(),
            "t.toml:2:8: error: unknown site 'nope'\n  |\n2 | site = \"nope\"\n  |        ^\n  = help: declare it"
        );
    }
}
