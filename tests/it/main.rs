//! The single integration-test binary (one link step instead of one per file).

mod bad_topologies;
mod load;
mod reliability;
mod topologies;
