//! Shared printing helpers for the subcommands.

/// Prints an error chain once, `error: outer: inner`, ripgrep style.
pub fn report_error(e: &anyhow::Error) {
    eprintln!("error: {e:#}");
}
