//! Repair crews: a limited number of hands per region and kind of work.
//!
//! Without crews every repair starts the instant its component fails, so a
//! fleet-wide event brings every site back at once. A crew makes repairs
//! of the components it covers wait in one first-come-first-served queue
//! for a free member; the repair itself still takes its drawn time.

use super::{RegionId, SiteId, Topology};

/// What a crew repairs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CrewKind {
    /// A site's own hardware failures.
    Site,
    /// A link's own failures (a field team, or a cable ship for sub-sea
    /// links).
    Link,
    /// Sites a regional hazard hit: each needs hands-on restoration for the
    /// event's outage time.
    Disaster,
}

impl CrewKind {
    pub const ALL: [CrewKind; 3] = [CrewKind::Site, CrewKind::Link, CrewKind::Disaster];
    pub fn as_str(self) -> &'static str {
        match self {
            CrewKind::Site => "site",
            CrewKind::Link => "link",
            CrewKind::Disaster => "disaster",
        }
    }
    pub fn parse(s: &str) -> Option<CrewKind> {
        CrewKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A pool of `size` interchangeable repairers.
#[derive(Clone, Debug, PartialEq)]
pub struct Crew {
    pub key: String,
    pub name: String,
    /// Regions whose components it covers; empty: every component, with a
    /// region or not.
    pub regions: Vec<RegionId>,
    pub kinds: Vec<CrewKind>,
    /// Repairs it can work on at once (at least 1).
    pub size: u32,
    /// Delay before each repair by the time of week it is dispatched.
    pub response: Option<super::Response>,
}

impl Crew {
    fn covers(&self, kind: CrewKind, regions: &[Option<RegionId>]) -> bool {
        self.kinds.contains(&kind)
            && (self.regions.is_empty()
                || regions
                    .iter()
                    .any(|r| r.is_some_and(|r| self.regions.contains(&r))))
    }
}

impl Topology {
    /// The crew repairing `kind` work on a site: the first crew in file
    /// order that covers the kind and the site's region.
    pub fn site_crew(&self, site: SiteId, kind: CrewKind) -> Option<usize> {
        let r = [self.site(site).region];
        self.crews.iter().position(|c| c.covers(kind, &r))
    }

    /// The crew repairing a link: the first that covers links in the region
    /// of either of its ends.
    pub fn link_crew(&self, link: super::LinkId) -> Option<usize> {
        let l = self.link(link);
        let r = [self.site(l.a).region, self.site(l.b).region];
        self.crews.iter().position(|c| c.covers(CrewKind::Link, &r))
    }
}
