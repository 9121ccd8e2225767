//! The TUI refuses to start without a terminal, with a clear message and a
//! non-zero exit, and reports a bad topology file before touching the screen.

use crate::common::{drsim, refused};

#[test]
fn no_arguments_without_a_terminal_fails_clearly() {
    // assert_cmd pipes stdout, so it is not a terminal.
    refused(drsim(), "needs a terminal");
}

#[test]
fn tui_with_a_missing_file_names_it() {
    refused(
        drsim().args(["tui", "no/such/topology.toml"]),
        "no/such/topology.toml",
    );
}
