//! The `drsim` binary: a thin front end over the library.
//!
//! `cli` parses arguments and prints; every number comes from the library.

mod cli;
mod tui;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, so `drsim validate *.toml | head -1` would get
    // EPIPE from the next print and panic. Like other Unix tools, end
    // quietly instead: the default action kills the process by SIGPIPE
    // (status 141 in a shell), with no message.
    sigpipe::reset();
    cli::main()
}
