//! Where a plan's data survives beyond its replicas (the backup store and
//! how long a restore takes) and which events destroy what they hit: a fire
//! or flood burns the disks, a power cut only stops them. Files without
//! these keys keep their meaning: backups kept where nothing modelled
//! reaches them, no restore step, and only the destroying hazard kinds
//! below destroy data.

use super::{Distribution, SiteId};
use crate::units::Probability;

/// A plan's backups and restore, beyond `backup_interval`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DataPlan {
    /// The site whose storage holds the backups: an event that destroys it
    /// destroys every backup taken so far. `None`: off-site storage that no
    /// modelled event reaches.
    pub backup_site: Option<SiteId>,
    /// Time to restore the data once every replica is destroyed: the plan is
    /// down from the loss until detection plus this. `None`: no restore
    /// step (service resumes as soon as a serving site does).
    pub restore: Option<Distribution>,
}

/// Hazard kinds that destroy the sites they hit unless the hazard says
/// otherwise (`destroys = false`): what burns, floods or shakes a building
/// apart. Any other kind (a storm, a heat wave, a grid failure) only takes
/// sites down, and their data survives.
pub const DESTROYING_HAZARDS: [&str; 7] = [
    "earthquake",
    "fire",
    "flood",
    "hurricane",
    "tsunami",
    "volcano",
    "wildfire",
];

/// Whether a hazard of `kind` destroys what it hits by default.
pub fn destroys_by_default(kind: &str) -> bool {
    DESTROYING_HAZARDS.contains(&kind.to_ascii_lowercase().as_str())
}

/// The default quantile of an `rto` or `rpo` target: p99 of the simulated
/// incidents.
pub const DEFAULT_TARGET_QUANTILE: f64 = 0.99;

/// Which quantile a target means, `quantile` or the default.
pub fn target_quantile(quantile: Option<Probability>) -> f64 {
    quantile.map_or(DEFAULT_TARGET_QUANTILE, |q| q.get())
}
