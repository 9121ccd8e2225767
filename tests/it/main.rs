//! The single integration-test binary (one link step instead of one per file).

mod bad_topologies;
mod import;
mod load;
mod reliability;
mod topologies;
mod tui;
