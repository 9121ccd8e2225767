//! Capacity under failure: how much the network can still carry at a random
//! instant. [`st_flow`] is the distribution of the deliverable s-t flow (Monte
//! Carlo over the static failure model, with a rare-tail refinement in
//! [`rare`]); [`served`] is the fraction of a plan's demand that can be served,
//! one max-flow per failure state over the service rule's eligibility.

mod batch;
mod gray;
mod partial;
pub mod rare;
pub mod served;
pub mod st_flow;
pub mod step;
pub mod tail;
pub mod work;

pub use crate::graph::maxflow::{FlowNetwork, MaxFlow};
pub use batch::SamplingCost;
pub use st_flow::{CapacityError, CapacityOptions, CapacityReport, simulate};
