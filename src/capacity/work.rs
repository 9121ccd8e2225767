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
    let members: usize = (model.shocks.iter())
        .map(|s| s.nodes.len() + s.edges.len())
        .sum();
    let size = model.n_nodes() + model.n_edges() + members;
    if samples as f64 * size as f64 > MAX_CAPACITY_WORK {
        return Err(CapacityError::TooMuchWork {
            samples,
            size,
            max_samples: (MAX_CAPACITY_WORK / size.max(1) as f64) as u64,
        });
    }
    Ok(())
}
