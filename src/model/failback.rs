//! Detection, traffic shift and failback of an active-active plan: a load
//! balancer keeps sending a failed serving site its share of requests until
//! its health checks notice (`detection`) and the shift completes
//! (`switchover`: drain, DNS TTL). `failback` says how a repaired site
//! rejoins the rotation; the simulator's rules are in README.md.

use super::{Plan, PlanMode};
use crate::units::Duration;

/// How a serving site that was taken out of an active-active plan's
/// rotation comes back into it once it is up again.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Failback {
    /// Health checks pass and the balancer sends it traffic again at once,
    /// at no cost (the default).
    #[default]
    Automatic,
    /// An operator puts it back this long after it is up: meanwhile its
    /// capacity is missing from its pool (it still holds data and counts
    /// toward the quorum).
    Manual(Duration),
}

impl Plan {
    /// Seconds an active-active plan keeps losing a failed serving site's
    /// share of requests (detection + traffic shift); 0 for active-passive,
    /// whose detection and switchover are its failover.
    pub fn traffic_shift_secs(&self) -> f64 {
        match self.mode {
            PlanMode::ActiveActive => self.detection.secs() + self.switchover.secs(),
            PlanMode::ActivePassive => 0.0,
        }
    }

    /// Seconds a repaired serving site stays out of the rotation (0 when
    /// failback is automatic).
    pub fn failback_secs(&self) -> f64 {
        match self.failback {
            Failback::Automatic => 0.0,
            Failback::Manual(d) => d.secs(),
        }
    }
}

/// A manual failback is for active-active plans and takes (0, 7d] (the
/// loader reports the same with the line; this guards programmatic models).
pub(super) fn check_failback(p: &super::TopologyParts) -> Result<(), super::ModelError> {
    for plan in &p.plans {
        if let Failback::Manual(d) = plan.failback
            && !(plan.mode == PlanMode::ActiveActive
                && d.secs() > 0.0
                && d.secs() <= super::MAX_FEEDBACK_SECS)
        {
            return Err(super::ModelError::invalid(
                "plan",
                &plan.key,
                "a manual failback applies to an active-active plan and takes (0, 7d]",
            ));
        }
    }
    Ok(())
}
