//! The TUI refuses to start without a terminal, with a clear message and a
//! non-zero exit, and reports a bad topology file before touching the screen.

use crate::common::drsim;
use predicates::str::contains;

#[test]
fn no_arguments_without_a_terminal_fails_clearly() {
    // assert_cmd pipes stdout, so it is not a terminal.
    drsim()
        .assert()
        .code(2)
        .stderr(contains("needs a terminal"));
}

#[test]
fn tui_with_a_missing_file_names_it() {
    drsim()
        .args(["tui", "no/such/topology.toml"])
        .assert()
        .code(2)
        .stderr(contains("no/such/topology.toml"));
}
