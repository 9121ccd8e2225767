//! The single integration-test binary (one link step instead of one per file).

mod bad_topologies;
mod capacity;
mod capacity_cli;
mod check;
mod cli_errors;
mod cluster_examples;
mod common;
mod compare;
mod coverage;
mod crn;
mod diff;
mod golden;
mod hostile;
mod import;
mod limits;
mod load;
mod reliability;
mod reliability_cli;
mod report;
mod run_cli;
mod served;
mod shard_cli;
mod shard_merge;
mod simulate;
mod topologies;
mod tui;
