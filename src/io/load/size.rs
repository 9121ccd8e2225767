//! What a TOML text will cost to parse, estimated before it is parsed: the
//! parser builds a spanned tree of every value and serde a record of every
//! table, so the 32 MiB byte limit alone let a file of a million sites and
//! links take 3.4 GB. The tokens are counted with the parser's own lexer,
//! which allocates nothing, each weighted by what it makes the parser build.

use toml_parser::lexer::TokenKind;

/// Most bytes a topology file's load may be estimated to take
/// ([`estimated_bytes`]): the worst file within it loads in about 600 MB.
pub const MAX_LOAD_BYTES: u64 = 600_000_000;

/// Bytes the load of one token is charged, by what the parser builds for
/// it (measured with `/usr/bin/time -v` on files of nothing but that
/// construct, rounded up): an inline table, an array or table header, a
/// dotted key's table (a `.` in a float is charged the same, which only
/// errs on the safe side), any other key or value.
fn weight(kind: TokenKind) -> u64 {
    match kind {
        TokenKind::LeftCurlyBracket => 800,
        TokenKind::Dot => 550,
        TokenKind::LeftSquareBracket => 500,
        TokenKind::Whitespace | TokenKind::Newline | TokenKind::Comment | TokenKind::Eof => 0,
        _ => 150,
    }
}

/// The estimated bytes of loading `source`, and the byte offset of the
/// token where the estimate passes [`MAX_LOAD_BYTES`], if it does.
pub fn estimated_bytes(source: &str) -> (u64, Option<usize>) {
    let mut total = 0u64;
    let mut past = None;
    for t in toml_parser::Source::new(source).lex() {
        total += weight(t.kind());
        if total > MAX_LOAD_BYTES && past.is_none() {
            past = Some(t.span().start());
        }
    }
    (total, past)
}
