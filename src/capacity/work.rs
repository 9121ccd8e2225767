//! How much work a capacity run will take, checked before it starts: every
//! sample draws each site and link and solves a max flow over them, so a
//! million samples of a 160,000-site ring (the default) would run for hours.

use super::CapacityError;
use crate::static_model::StaticModel;

/// Most samples x (nodes + edges + shock members) one capacity run may
/// plan. Measured on a loaded core over a 160,000-site ring: an s-t max flow
/// about 1.3 ms a sample, a served fraction about 4 ms (2.5e8 and 8e7
/// elements a second), so this is well under a minute.
pub const MAX_CAPACITY_WORK: f64 = 5e9;

/// Refuses `samples` over `model` when they pass [`MAX_CAPACITY_WORK`].
pub fn check_samples(model: &StaticModel, samples: u64) -> Result<(), CapacityError> {
    model
        .over_work(samples, MAX_CAPACITY_WORK)
        .map_or(Ok(()), |w| Err(CapacityError::TooMuchWork(w)))
}

/// Most samples one capacity run may draw on `model` within
/// [`MAX_CAPACITY_WORK`] (at least 1): the budget of its rare-event
/// refinement, pilots included.
pub fn budget(model: &StaticModel) -> u64 {
    model
        .over_work(u64::MAX, MAX_CAPACITY_WORK)
        .map_or(u64::MAX, |w| w.max_samples.max(1))
}

/// Why a rare-event estimate stopped above the relative error asked of it
/// (the work budget here is [`budget`]).
pub use crate::sampling::StoppedShort;
