//! The single integration-test binary (one link step instead of one per file).

mod bad_topologies;
mod capacity;
mod check;
mod cli_conventions;
mod cluster_examples;
mod compare;
mod coverage;
mod crn;
mod diff;
mod import;
mod load;
mod qa;
mod readme;
mod reliability;
mod report;
mod run_cli;
mod served;
mod shard_cli;
mod shard_merge;
mod simulate;
mod topologies;
mod tui;
