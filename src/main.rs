//! The `drsim` binary: a thin front end over the library.
//!
//! `cli` parses arguments and prints; every number comes from the library.

mod cli;
mod tui;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
