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

/// The repairs crew `c` can be asked to hold at once, per site and per
/// link (`Topology::crew_work`): a site's own failure, one per fleet
/// command over it, one per hazard of its region for disaster work; a
/// link's own failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrewWork {
    pub sites: Vec<u32>,
    pub links: Vec<u32>,
}

impl CrewWork {
    /// Repairs the crew can hold at once, every source of work counted once.
    pub fn jobs(&self) -> u64 {
        self.sites
            .iter()
            .chain(&self.links)
            .map(|&n| u64::from(n))
            .sum()
    }
}

impl Crew {
    /// Whether a repair can wait for a free member: fewer members than the
    /// sources of work of `work`. A crew at least that large waits only
    /// when two events of one hazard or fleet command overlap at a site.
    pub fn can_queue(&self, work: &CrewWork) -> bool {
        u64::from(self.size) < work.jobs()
    }
}

impl Topology {
    /// The sources of work of crew `c` (see [`CrewWork`]), in the order the
    /// simulator assigns them ([`Topology::site_crew`], [`Topology::link_crew`]).
    pub fn crew_work(&self, c: usize) -> CrewWork {
        let sites = (0..self.sites.len() as u32)
            .map(|i| {
                let site = SiteId(i);
                let s = self.site(site);
                let mut n = 0;
                if self.site_crew(site, CrewKind::Site) == Some(c) {
                    n += u32::from(s.failure.is_some());
                    let fleet = self
                        .fleet_commands
                        .iter()
                        .filter(|f| f.sites.contains(&site));
                    n += fleet.count() as u32;
                }
                if let Some(r) = s.region
                    && self.site_crew(site, CrewKind::Disaster) == Some(c)
                {
                    n += self.regions[r.index()].hazards.len() as u32;
                }
                n
            })
            .collect();
        let links = (0..self.links.len() as u32)
            .map(|j| {
                let l = super::LinkId(j);
                u32::from(self.link_crew(l) == Some(c) && self.link(l).failure.is_some())
            })
            .collect();
        CrewWork { sites, links }
    }
}
