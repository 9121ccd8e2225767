//! A failure state: which sites, links and services are down at one
//! instant. Regions and shared risks expand to their members here, so every
//! engine and the TUI's what-if list speak of the same state.

use crate::model::{LinkId, RegionId, ServiceId, SharedRiskId, SiteId, Topology};

/// Which sites, links and services are down. A link whose end site is down
/// carries nothing either way, so it need not be marked itself; a service
/// marked down is down on every site (a bad config, a quota at zero).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedSet {
    sites: Vec<bool>,
    links: Vec<bool>,
    services: Vec<bool>,
}

impl FailedSet {
    /// Nothing failed, sized for `t`.
    pub fn none(t: &Topology) -> FailedSet {
        FailedSet {
            sites: vec![false; t.sites.len()],
            links: vec![false; t.links.len()],
            services: vec![false; t.services.len()],
        }
    }
    pub fn fail_service(&mut self, s: ServiceId) {
        if self.services.len() <= s.index() {
            self.services.resize(s.index() + 1, false);
        }
        self.services[s.index()] = true;
    }
    pub fn service_failed(&self, s: ServiceId) -> bool {
        self.services.get(s.index()).copied().unwrap_or(false)
    }
    /// Per-service "down" flags (empty when the state was built without
    /// services: none is down).
    pub fn services_down(&self) -> &[bool] {
        &self.services
    }
    pub fn fail_site(&mut self, s: SiteId) {
        self.sites[s.index()] = true;
    }
    pub fn fail_link(&mut self, l: LinkId) {
        self.links[l.index()] = true;
    }
    /// A regional disaster takes every site in the region.
    pub fn fail_region(&mut self, t: &Topology, r: RegionId) {
        for s in t.sites_in_region(r) {
            self.fail_site(s);
        }
    }
    /// A shared-risk event takes all its member sites and links together.
    pub fn fail_shared_risk(&mut self, t: &Topology, g: SharedRiskId) {
        let group = &t.shared_risks[g.index()];
        for &s in &group.sites {
            self.fail_site(s);
        }
        for &l in &group.links {
            self.fail_link(l);
        }
    }
    pub fn site_failed(&self, s: SiteId) -> bool {
        self.sites[s.index()]
    }
    pub fn link_failed(&self, l: LinkId) -> bool {
        self.links[l.index()]
    }
    /// A link is usable only when it and both its ends are up.
    pub fn link_usable(&self, t: &Topology, l: LinkId) -> bool {
        let link = t.link(l);
        !self.links[l.index()] && !self.sites[link.a.index()] && !self.sites[link.b.index()]
    }
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }
}

impl FailedSet {
    /// From per-site and per-link "down" flags; no service is down.
    pub fn from_down(sites: &[bool], links: &[bool]) -> FailedSet {
        FailedSet {
            sites: sites.to_vec(),
            links: links.to_vec(),
            services: Vec::new(),
        }
    }
    /// From the static model's node flags (sites, then services: see
    /// [`crate::static_model::StaticModel::for_plan`]) and edge flags.
    pub fn from_nodes(n_sites: usize, nodes: &[bool], links: &[bool]) -> FailedSet {
        FailedSet {
            sites: nodes[..n_sites].to_vec(),
            links: links.to_vec(),
            services: nodes[n_sites..].to_vec(),
        }
    }
    /// Node flags for the static model: sites, then services.
    pub fn node_flags(&self) -> Vec<bool> {
        self.sites.iter().chain(&self.services).copied().collect()
    }
    /// Per-site "down" flags.
    pub fn sites_down(&self) -> &[bool] {
        &self.sites
    }
    /// Per-link "down" flags (a link whose end is down may read false).
    pub fn links_down(&self) -> &[bool] {
        &self.links
    }
    /// Adds every failure of `other` (same topology) to this state.
    pub fn union_with(&mut self, other: &FailedSet) {
        for (a, &b) in self.sites.iter_mut().zip(&other.sites) {
            *a |= b;
        }
        for (a, &b) in self.links.iter_mut().zip(&other.links) {
            *a |= b;
        }
        if self.services.len() < other.services.len() {
            self.services.resize(other.services.len(), false);
        }
        for (a, &b) in self.services.iter_mut().zip(&other.services) {
            *a |= b;
        }
    }
    /// How many sites, links and services are marked down.
    pub fn count(&self) -> usize {
        (self.sites.iter().chain(&self.links).chain(&self.services))
            .filter(|&&f| f)
            .count()
    }
}

/// Applies one named component's failure to a state.
type Apply<'t> = Box<dyn Fn(&mut FailedSet) + 't>;

impl FailedSet {
    /// Fails the component named `text`: `site:ID`, `link:ID`, `region:ID`,
    /// `risk:ID` (a shared risk), `train:ID` (every site and service of a
    /// release train) or `service:ID`, or a bare id when exactly one kind
    /// has it. The error says what was looked for.
    pub fn fail_named(&mut self, t: &Topology, text: &str) -> Result<(), String> {
        let (kind, key) = match text.split_once(':') {
            Some((k, rest))
                if ["site", "link", "region", "risk", "train", "service"].contains(&k) =>
            {
                (Some(k), rest)
            }
            _ => (None, text),
        };
        let mut found: Vec<(&str, Apply<'_>)> = Vec::new();
        let want = |k: &str| kind.is_none_or(|w| w == k);
        if want("site")
            && let Some(s) = t.site_id(key)
        {
            found.push(("site", Box::new(move |f| f.fail_site(s))));
        }
        if want("link")
            && let Some(l) = t.link_id(key)
        {
            found.push(("link", Box::new(move |f| f.fail_link(l))));
        }
        if want("region")
            && let Some(r) = t.region_id(key)
        {
            found.push(("region", Box::new(move |f| f.fail_region(t, r))));
        }
        if want("risk")
            && let Some(g) = t.shared_risk_id(key)
        {
            found.push(("risk", Box::new(move |f| f.fail_shared_risk(t, g))));
        }
        if want("train")
            && let Some(k) = t.release_trains.iter().position(|r| r.key == key)
        {
            let train = &t.release_trains[k];
            found.push((
                "train",
                Box::new(move |f| {
                    train.sites.iter().for_each(|&s| f.fail_site(s));
                    train.services.iter().for_each(|&s| f.fail_service(s));
                }),
            ));
        }
        if want("service")
            && let Some(s) = t.service_id(key)
        {
            found.push(("service", Box::new(move |f| f.fail_service(s))));
        }
        match found.len() {
            1 => {
                (found[0].1)(self);
                Ok(())
            }
            0 => Err(format!(
                "no {} '{key}' in the topology",
                kind.map_or(
                    "site, link, region, shared risk, release train or service",
                    |k| match k {
                        "risk" => "shared risk",
                        "train" => "release train",
                        k => k,
                    }
                )
            )),
            _ => Err(format!(
                "'{key}' names a {}; write it as {}",
                found
                    .iter()
                    .map(|f| f.0)
                    .collect::<Vec<_>>()
                    .join(" and a "),
                found
                    .iter()
                    .map(|f| format!("'{}:{key}'", f.0))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )),
        }
    }

    /// The state with every component of `names` failed ([`Self::fail_named`]).
    pub fn from_names<S: AsRef<str>>(t: &Topology, names: &[S]) -> Result<FailedSet, String> {
        let mut f = FailedSet::none(t);
        for n in names {
            f.fail_named(t, n.as_ref())?;
        }
        Ok(f)
    }
}
