//! Load that changes over time because of failures: clients that retry and
//! reconnect when service comes back, a cold standby that serves at reduced
//! capacity while it warms up, and gray failure (an up site failing a
//! fraction of its requests). Every field is optional in the file and off by
//! default, so files without them keep their numbers. The simulator's rules
//! are in docs/internals.md, "simulate/trial/load.rs".

use super::FailureProcess;
use crate::units::Duration;

/// Retries and reconnects after an outage: a demand that comes back to
/// service arrives at `factor` times its rate, the excess decaying
/// exponentially, m(t) = 1 + (factor - 1) exp(-t / decay).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Retry {
    /// Load multiplier at the instant service returns, >= 1.
    pub factor: f64,
    /// Time constant of the decay of the excess (> 0).
    pub decay: Duration,
}

impl Retry {
    /// The load multiplier `since` seconds after service came back.
    pub fn multiplier(&self, since: f64) -> f64 {
        1.0 + (self.factor - 1.0) * (-since / self.decay.secs()).exp()
    }
}

/// A cold standby: an active-passive site that takes over serves at
/// `capacity` (a fraction of its capacity) at first, ramping linearly to
/// full capacity over `duration`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Warmup {
    pub duration: Duration,
    /// Fraction of its capacity the site has when it takes over, in [0, 1].
    pub capacity: f64,
}

impl Warmup {
    /// The fraction of capacity `since` seconds after taking over.
    pub fn fraction(&self, since: f64) -> f64 {
        let w = self.duration.secs();
        if since >= w || w <= 0.0 {
            1.0
        } else {
            self.capacity + (1.0 - self.capacity) * since.max(0.0) / w
        }
    }
}

/// Gray failure of a site: while its own process has it "gray", the site
/// stays up and reachable but fails `fraction` of the requests it serves.
#[derive(Clone, Debug, PartialEq)]
pub struct Gray {
    /// Fraction of the site's requests that fail while it is gray, (0, 1].
    pub fraction: f64,
    /// Time to going gray and time back to healthy.
    pub process: FailureProcess,
}

/// Bounds on the load-feedback settings of the file's sites and plans (the
/// loader reports the same with the line; this guards programmatic models).
pub(super) fn check_feedback(p: &super::TopologyParts) -> Result<(), super::ModelError> {
    let invalid = super::ModelError::invalid;
    for s in &p.sites {
        if let Some(g) = &s.gray
            && !(g.fraction > 0.0 && g.fraction <= 1.0)
        {
            return Err(invalid("site", &s.key, "gray fraction must be in (0, 1]"));
        }
    }
    for plan in &p.plans {
        if let Some(r) = &plan.retry
            && !(r.factor.is_finite()
                && (1.0..=MAX_RETRY_FACTOR).contains(&r.factor)
                && r.decay.secs() > 0.0
                && r.decay.secs() <= MAX_FEEDBACK_SECS)
        {
            return Err(invalid(
                "plan",
                &plan.key,
                "retry factor must be in [1, 1000] and its decay in (0, 7d]",
            ));
        }
        if let Some(w) = &plan.warmup {
            let secs = w.duration.secs();
            if !((0.0..=1.0).contains(&w.capacity) && secs > 0.0 && secs <= MAX_FEEDBACK_SECS) {
                return Err(invalid(
                    "plan",
                    &plan.key,
                    "warm-up capacity must be in [0, 1] and its duration in (0, 7d]",
                ));
            }
            if plan.mode != super::PlanMode::ActivePassive {
                return Err(invalid(
                    "plan",
                    &plan.key,
                    "a warm-up applies to an active-passive plan's standbys",
                ));
            }
        }
    }
    Ok(())
}

/// Largest retry factor: a thousand times the load is past any storm.
pub const MAX_RETRY_FACTOR: f64 = 1000.0;

/// Longest retry decay and warm-up, seconds (7 days): storms and warm-ups
/// last minutes to hours, and the simulator integrates their windows piece
/// by piece, so a year-long one would cost a year of pieces per outage.
pub const MAX_FEEDBACK_SECS: f64 = 7.0 * 86_400.0;
