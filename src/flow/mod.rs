//! Network capacity under failure: a reusable max-flow solver and the Monte
//! Carlo distribution of the deliverable s-t flow.

pub mod capacity;
pub mod maxflow;
pub mod rare;
pub mod served;

pub use capacity::{CapacityError, CapacityOptions, CapacityReport, simulate};
pub use maxflow::{FlowNetwork, MaxFlow};
