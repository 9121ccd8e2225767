//! The one rule for "who is served": given a topology, a plan and a failure
//! state, which demand is served, from which serving sites and with what
//! capacity. Every engine asks it: the static engine ([`crate::reliability`],
//! through its union-find criterion), the time-based simulator
//! ([`crate::simulate`], through its reduced-graph fast path), the demand view
//! of [`crate::capacity`] (which adds link bandwidth by max-flow over the
//! rule's eligibility) and the TUI's what-if view ([`status`]). The fast paths
//! sit beside their engines; `tests/it/service_rule.rs` holds them to
//! [`ServiceRule::evaluate`] on random topologies, plans and states.

#[cfg(test)]
pub(crate) mod arbitrary;
mod deps;
pub mod flow;
mod rule;
mod state;
mod status;
pub mod year;

pub use deps::{Blame, BlameEnd, instances_working, recovery_met, recovery_possible};
pub use rule::{Active, Outcome, Pool, ServiceRule, site_capacities};
pub use state::FailedSet;
pub use status::{PlanStatus, plan_status};
