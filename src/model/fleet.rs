//! Fleet-wide operator commands: one mistaken command that hits every site
//! in its scope at once (the AWS S3 2017 removal command, Facebook's October
//! 2021 backbone audit command). Each site it hits stays down for the
//! event's outage, restored by its site crew when one covers it, so with
//! crews a fleet-wide event queues every restore.

use super::{EventProcess, SiteId};

#[derive(Clone, Debug, PartialEq)]
pub struct FleetCommand {
    pub key: String,
    pub name: String,
    /// The sites one command takes down (the file's `regions` and `sites`
    /// resolved; every site when it gives neither).
    pub sites: Vec<SiteId>,
    /// Rate of bad commands a year, and each one's outage per site.
    pub events: EventProcess,
}

/// Each fleet command names sites that exist (the loader reports the same
/// with the line; this guards programmatic models).
pub(super) fn check_fleet(p: &super::TopologyParts) -> Result<(), super::ModelError> {
    for f in &p.fleet_commands {
        for s in &f.sites {
            super::check::in_range("fleet command", &f.key, "site", s.index(), p.sites.len())?;
        }
        if f.sites.is_empty() || !(f.events.annual_rate.is_finite() && f.events.annual_rate >= 0.0)
        {
            return Err(super::ModelError::invalid(
                "fleet command",
                &f.key,
                "a fleet command hits at least one site at a rate of at least 0",
            ));
        }
    }
    Ok(())
}
