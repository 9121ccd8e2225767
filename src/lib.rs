//! drsim: a disaster-recovery planning simulator.
//!
//! The library holds everything that computes: the typed topology
//! ([`model`]), its file formats ([`io`]), failure models ([`failure`]) and
//! the engines. The `drsim` binary (CLI and TUI) only parses, dispatches and
//! prints.

pub mod capacity;
pub mod graph;
pub mod io;
pub mod model;
pub mod reliability;
pub mod report;
pub mod rng;
pub mod score;
pub mod service;
pub mod shard;
pub mod simulate;
pub mod static_model;
pub mod stats;
pub mod units;
