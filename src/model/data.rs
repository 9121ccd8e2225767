//! Where a plan's data survives beyond its replicas (the backup copies,
//! how long backups are kept, how long a restore takes) and which events
//! destroy what they hit: a fire or flood burns the disks, a power cut only
//! stops them. Files without these keys keep their meaning: backups kept
//! where nothing modelled reaches them and never expire, no restore step,
//! and only the destroying hazard kinds below destroy data.

use super::{Distribution, RegionId, SiteId};
use crate::units::{Duration, Probability};

/// A plan's backups and restore, beyond `backup_interval`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DataPlan {
    /// Sites whose storage each holds a copy of every backup: an event that
    /// destroys one destroys the copies taken there so far. A backup exists
    /// while one of its copies does. Empty (with no region either):
    /// off-site storage that no modelled event reaches.
    pub backup_sites: Vec<SiteId>,
    /// Regions each holding a copy at no modelled site: a destroying hazard
    /// of the region reaches it as it reaches a site (its hit probability).
    pub backup_regions: Vec<RegionId>,
    /// How long a backup is kept: older ones are gone. `None`: forever.
    pub retention: Option<Duration>,
    /// Time to restore the data once every replica is destroyed: the plan is
    /// down from the loss until detection plus this. `None`: no restore
    /// step (service resumes as soon as a serving site does).
    pub restore: Option<Distribution>,
}

impl DataPlan {
    /// Backup copies a destroying event can reach (sites, then regions).
    pub fn copies(&self) -> usize {
        self.backup_sites.len() + self.backup_regions.len()
    }

    /// What is wrong with `retention` given the plan's backup interval: it
    /// needs backups, and a retention below the interval would leave
    /// stretches with no backup at all (refused rather than modelled).
    pub fn retention_problem(&self, interval: Option<Duration>) -> Option<String> {
        let r = self.retention?;
        match interval {
            None => Some("retention without backup_interval".into()),
            Some(_) if r.secs() <= 0.0 => Some("retention must be above 0".into()),
            Some(b) if r.secs() < b.secs() => Some(format!(
                "retention {r} is shorter than the backup interval {b}: there would be times with no backup"
            )),
            Some(_) => None,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Retention needs backups and at least one interval; without it (or
    /// with a long enough one) there is nothing to say.
    #[test]
    fn retention_needs_backups_and_one_interval() {
        let d = |t: &str| Duration::parse(t).unwrap();
        let kept = |r: &str| DataPlan {
            retention: Some(d(r)),
            ..DataPlan::default()
        };
        assert_eq!(DataPlan::default().retention_problem(None), None);
        assert_eq!(kept("7d").retention_problem(Some(d("1d"))), None);
        assert_eq!(kept("1d").retention_problem(Some(d("1d"))), None);
        let problem = |r: &str, b: Option<&str>| kept(r).retention_problem(b.map(d)).unwrap();
        assert!(problem("7d", None).contains("without backup_interval"));
        assert!(problem("0s", Some("1d")).contains("above 0"));
        assert!(problem("12h", Some("1d")).contains("shorter than the backup interval 1d"));
    }
}
