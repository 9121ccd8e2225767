//! Deterministic "is this plan serving right now?" check for one given set of
//! failed components.
//!
//! The engines answer "how often is the plan down?"; this answers the
//! what-if question for a single failure state, which the TUI recomputes on
//! every key press and a Monte Carlo estimator can call per sample. A plan
//! serves when every demand has an up entry site connected, through up sites
//! and up links, to at least `quorum` up serving sites.

use crate::model::{DemandId, LinkId, PlanId, RegionId, SharedRiskId, SiteId, Topology};

/// Which sites and links are down. A link whose end site is down carries
/// nothing either way, so it need not be marked itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedSet {
    sites: Vec<bool>,
    links: Vec<bool>,
}

impl FailedSet {
    /// Nothing failed, sized for `t`.
    pub fn none(t: &Topology) -> FailedSet {
        FailedSet {
            sites: vec![false; t.sites.len()],
            links: vec![false; t.links.len()],
        }
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
        !self.sites.iter().chain(&self.links).any(|&f| f)
    }
}

/// The outcome of [`plan_serves`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanStatus {
    /// Every demand reaches a quorum; `min_reachable` is the fewest up
    /// serving sites any demand reaches (the margin over `quorum`).
    Up { min_reachable: u32 },
    /// `demand` (or, with no demands declared, the service as a whole when
    /// `None`) reaches only `reachable` up serving sites, fewer than quorum.
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

/// Connected-component labels of the up part of the network: `None` for a
/// failed site. Computed once per failure state and shared by all plans.
pub struct Components {
    label: Vec<Option<u32>>,
}

impl Components {
    pub fn new(t: &Topology, failed: &FailedSet) -> Components {
        let n = t.sites.len();
        let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
        for l in t.link_ids() {
            if failed.link_usable(t, l) {
                let link = t.link(l);
                adj[link.a.index()].push(link.b.index());
                adj[link.b.index()].push(link.a.index());
            }
        }
        let mut label = vec![None; n];
        let mut next = 0u32;
        let mut stack = Vec::new();
        for start in 0..n {
            if label[start].is_some() || failed.sites[start] {
                continue;
            }
            label[start] = Some(next);
            stack.push(start);
            while let Some(u) = stack.pop() {
                for &v in &adj[u] {
                    if label[v].is_none() {
                        label[v] = Some(next);
                        stack.push(v);
                    }
                }
            }
            next += 1;
        }
        Components { label }
    }
    pub fn label(&self, s: SiteId) -> Option<u32> {
        self.label[s.index()]
    }
}

/// Whether `plan` serves all its demand under `failed`; see the module doc.
pub fn plan_serves(t: &Topology, plan: PlanId, failed: &FailedSet) -> PlanStatus {
    plan_serves_with(t, plan, &Components::new(t, failed))
}

/// [`plan_serves`] with precomputed components, to check many plans against
/// one failure state.
pub fn plan_serves_with(t: &Topology, plan: PlanId, comps: &Components) -> PlanStatus {
    let p = t.plan(plan);
    // Up serving sites reachable from a component label.
    let reachable_from = |label: u32| -> u32 {
        p.serving_sites
            .iter()
            .filter(|&&s| comps.label(s) == Some(label))
            .count() as u32
    };
    if t.demands.is_empty() {
        // No declared demand: the service is up when some connected group of
        // up serving sites forms a quorum.
        let best = p
            .serving_sites
            .iter()
            .filter_map(|&s| comps.label(s))
            .map(reachable_from)
            .max()
            .unwrap_or(0);
        return if best >= p.quorum {
            PlanStatus::Up {
                min_reachable: best,
            }
        } else {
            PlanStatus::Down {
                demand: None,
                reachable: best,
            }
        };
    }
    let mut min_reachable = u32::MAX;
    for (i, d) in t.demands.iter().enumerate() {
        // Users of a demand go to whichever of its entry sites does best.
        let best = d
            .entry_sites
            .iter()
            .filter_map(|&s| comps.label(s))
            .map(reachable_from)
            .max()
            .unwrap_or(0);
        if best < p.quorum {
            return PlanStatus::Down {
                demand: Some(DemandId(i as u32)),
                reachable: best,
            };
        }
        min_reachable = min_reachable.min(best);
    }
    PlanStatus::Up { min_reachable }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use crate::units::Duration;

    fn site(key: &str, region: Option<u32>) -> Site {
        Site {
            key: key.into(),
            name: key.into(),
            region: region.map(RegionId),
            location: None,
            capacity_rps: 1000.0,
            failure: None,
        }
    }
    fn link(a: u32, b: u32) -> Link {
        Link {
            key: format!("l{a}-{b}"),
            a: SiteId(a),
            b: SiteId(b),
            capacity_gbps: 100.0,
            length_km: None,
            latency_ms: None,
            failure: None,
        }
    }
    fn plan(sites: &[u32], quorum: u32) -> Plan {
        Plan {
            key: "p".into(),
            name: "p".into(),
            serving_sites: sites.iter().map(|&s| SiteId(s)).collect(),
            mode: PlanMode::ActiveActive,
            replicas: sites.len() as u32,
            quorum,
            detection: Duration::from_secs(30.0).unwrap(),
            switchover: Duration::from_secs(60.0).unwrap(),
            replication: Replication::Sync,
            backup_interval: None,
            headroom: 0.0,
            cost_per_year: 0.0,
            operator_error_factor: 1.0,
            targets: Targets::default(),
        }
    }
    fn demand(entry: &[u32]) -> Demand {
        Demand {
            key: "d".into(),
            name: "d".into(),
            entry_sites: entry.iter().map(|&s| SiteId(s)).collect(),
            users: 1.0,
            peak_rps: 1.0,
            profile: [1.0; 24],
            kbit_per_request: 1.0,
        }
    }

    /// Path 0 - 1 - 2 - 3, sites 0,1 in region 0, 2,3 in region 1; entry at
    /// site 0; the plan serves from 1, 2, 3 with quorum 2; one shared risk
    /// holds link 1-2.
    fn path() -> Topology {
        let region = |k: &str| Region {
            key: k.into(),
            name: k.into(),
            hazards: vec![],
        };
        Topology::from_parts(TopologyParts {
            name: "path".into(),
            regions: vec![region("r0"), region("r1")],
            sites: vec![
                site("s0", Some(0)),
                site("s1", Some(0)),
                site("s2", Some(1)),
                site("s3", Some(1)),
            ],
            links: vec![link(0, 1), link(1, 2), link(2, 3)],
            shared_risks: vec![SharedRisk {
                key: "g".into(),
                name: "g".into(),
                kind: RiskKind::ALL[0],
                sites: vec![],
                links: vec![LinkId(1)],
                failure: FailureProcess {
                    ttf: Distribution::fixed(Duration::from_years(1.0).unwrap()),
                    ttr: Distribution::fixed(Duration::from_hours(1.0).unwrap()),
                },
            }],
            demands: vec![demand(&[0])],
            plans: vec![plan(&[1, 2, 3], 2)],
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn intact_network_reaches_every_serving_site() {
        let t = path();
        let st = plan_serves(&t, PlanId(0), &FailedSet::none(&t));
        assert_eq!(st, PlanStatus::Up { min_reachable: 3 });
    }

    #[test]
    fn losing_one_serving_site_keeps_quorum() {
        let t = path();
        let mut f = FailedSet::none(&t);
        f.fail_site(SiteId(3));
        assert_eq!(
            plan_serves(&t, PlanId(0), &f),
            PlanStatus::Up { min_reachable: 2 }
        );
    }

    #[test]
    fn a_cut_link_strands_the_far_sites() {
        // Sites 2 and 3 are up but unreachable from the entry site 0.
        let t = path();
        let mut f = FailedSet::none(&t);
        f.fail_link(LinkId(1));
        assert_eq!(
            plan_serves(&t, PlanId(0), &f),
            PlanStatus::Down {
                demand: Some(DemandId(0)),
                reachable: 1
            }
        );
    }

    #[test]
    fn shared_risk_and_region_expand_to_members() {
        let t = path();
        let mut f = FailedSet::none(&t);
        f.fail_shared_risk(&t, SharedRiskId(0));
        assert!(f.link_failed(LinkId(1)));
        assert!(!plan_serves(&t, PlanId(0), &f).is_up());

        let mut f = FailedSet::none(&t);
        f.fail_region(&t, RegionId(1));
        assert!(f.site_failed(SiteId(2)) && f.site_failed(SiteId(3)));
        assert!(!f.site_failed(SiteId(1)));
        assert_eq!(
            plan_serves(&t, PlanId(0), &f),
            PlanStatus::Down {
                demand: Some(DemandId(0)),
                reachable: 1
            }
        );
    }

    #[test]
    fn failed_entry_site_means_no_service_for_that_demand() {
        let t = path();
        let mut f = FailedSet::none(&t);
        f.fail_site(SiteId(0));
        assert_eq!(
            plan_serves(&t, PlanId(0), &f),
            PlanStatus::Down {
                demand: Some(DemandId(0)),
                reachable: 0
            }
        );
    }

    /// Exhaustive check against a brute-force oracle: over all 2^7 failure
    /// states of the 4 sites and 3 links, the plan is up exactly when site 0
    /// is up and the up path from 0 covers at least 2 of sites 1..=3.
    #[test]
    fn exhaustive_agrees_with_path_reasoning() {
        let t = path();
        let mut ups = 0;
        for mask in 0u32..128 {
            let mut f = FailedSet::none(&t);
            for s in 0..4 {
                if mask & (1 << s) != 0 {
                    f.fail_site(SiteId(s));
                }
            }
            for l in 0..3 {
                if mask & (1 << (4 + l)) != 0 {
                    f.fail_link(LinkId(l));
                }
            }
            // On a path, the sites reachable from 0 are a prefix 0..k.
            let mut reach = 0;
            if !f.site_failed(SiteId(0)) {
                for k in 1..4u32 {
                    if f.link_failed(LinkId(k - 1)) || f.site_failed(SiteId(k)) {
                        break;
                    }
                    reach += 1;
                }
            }
            let expect_up = reach >= 2;
            let got = plan_serves(&t, PlanId(0), &f);
            assert_eq!(got.is_up(), expect_up, "mask {mask:07b}: {got:?}");
            ups += u32::from(expect_up);
        }
        // Up needs sites 0,1,2 and links 0,1 up: 2 free bits (site 3, link 2).
        assert_eq!(ups, 4);
    }

    #[test]
    fn without_demands_the_largest_connected_quorum_counts() {
        let mut parts = path().into_parts();
        parts.demands.clear();
        let t = Topology::from_parts(parts).unwrap();
        let mut f = FailedSet::none(&t);
        f.fail_link(LinkId(1));
        // {1} and {2,3} are separate; {2,3} is a quorum of 2.
        assert_eq!(
            plan_serves(&t, PlanId(0), &f),
            PlanStatus::Up { min_reachable: 2 }
        );
        f.fail_site(SiteId(3));
        assert!(!plan_serves(&t, PlanId(0), &f).is_up());
    }
}
