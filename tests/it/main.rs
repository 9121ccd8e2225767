//! The single integration-test binary (one link step instead of one per file).

mod bad_topologies;
mod capacity;
mod import;
mod load;
mod reliability;
mod run_cli;
mod served;
mod simulate;
mod topologies;
mod tui;
