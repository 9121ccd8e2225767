//! The single integration-test binary (one link step instead of one per file).

mod load;
mod reliability;
