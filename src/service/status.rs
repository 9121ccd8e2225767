//! The what-if answer for one state, as the TUI shows it: up with a margin,
//! or down with the first demand that is not served.

use super::rule::{Active, ServiceRule};
use super::state::FailedSet;
use crate::model::{DemandId, PlanId, Topology};

/// Whether a plan serves all its demand in one failure state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanStatus {
    /// Every demand is served; `min_reachable` is the fewest usable serving
    /// sites any demand reaches (the margin over the quorum).
    Up { min_reachable: u32 },
    /// `demand` (or, with no demands declared, the service as a whole when
    /// `None`) is not served; it reaches `reachable` usable serving sites.
    Down {
        demand: Option<DemandId>,
        reachable: u32,
    },
}

impl PlanStatus {
    pub fn is_up(self) -> bool {
        matches!(self, PlanStatus::Up { .. })
    }
}

/// [`ServiceRule::evaluate`] at a random instant (the active-passive plan
/// has failed over to its first usable site), summarised.
pub fn plan_status(t: &Topology, plan: PlanId, failed: &FailedSet) -> PlanStatus {
    let out = ServiceRule::new(t, plan).evaluate(failed, Active::FirstUsable);
    match out.unserved().next() {
        Some(d) => PlanStatus::Down {
            demand: (!t.demands.is_empty()).then_some(DemandId(d)),
            reachable: out.reached[d as usize],
        },
        None => PlanStatus::Up {
            min_reachable: out.reached.iter().copied().min().unwrap_or(0),
        },
    }
}
