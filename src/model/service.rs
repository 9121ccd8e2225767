//! Services and what they depend on: DNS, auth, a control plane, the
//! user-facing front end. A site failure or a broken link is rarely what
//! takes a large service down; a dependency chain is (Facebook, 4 October
//! 2021: the DNS sat behind the broken backbone). This module holds the
//! declarations; [`crate::service`] decides who is served with them.

use super::{Distribution, FailureProcess, ServiceId, SiteId, Topology};
use crate::units::Duration;

/// Where a dependent instance looks for the instances it needs, always over
/// up links from its own site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reach {
    /// On the same site (a sidecar, a local cache).
    Site,
    /// In the same region (sites without a region form one of their own).
    Region,
    /// Anywhere the network reaches.
    Anywhere,
}

impl Reach {
    pub const ALL: [Reach; 3] = [Reach::Site, Reach::Region, Reach::Anywhere];
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::Site => "site",
            Reach::Region => "region",
            Reach::Anywhere => "anywhere",
        }
    }
    pub fn parse(s: &str) -> Option<Reach> {
        Reach::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// "Needs `needs` working instances of `service` within `reach`."
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dependency {
    pub service: ServiceId,
    pub needs: u32,
    pub reach: Reach,
}

/// What a recovery (a rollback, a service restore) needs, and the slower
/// way round when it is missing: manual work at the site, badge access.
#[derive(Clone, Debug, PartialEq)]
pub struct Recovery {
    /// Services that must be working (reached from anywhere) for the
    /// recovery to finish in its normal time.
    pub requires: Vec<Dependency>,
    /// Extra time the manual fallback takes, counted from the moment the
    /// normal recovery would have finished.
    pub fallback: Duration,
}

/// A service with instances on sites.
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    pub key: String,
    pub name: String,
    /// Sites that run an instance (at most one per site).
    pub sites: Vec<SiteId>,
    /// Working instances a dependent needs, unless its dependency says
    /// otherwise.
    pub needs: u32,
    /// Where dependents look for them, unless their dependency says
    /// otherwise.
    pub reach: Reach,
    /// Data plane: an instance works only while these are met from its site.
    pub requires: Vec<Dependency>,
    /// Control plane: needed only to change state. A plan serving this
    /// service cannot fail over to a site from which these are not met.
    pub control: Vec<Dependency>,
    /// The service failing as a whole (a bad config, a quota at zero): every
    /// instance is down together. `None`: it fails only with its sites.
    pub failure: Option<FailureProcess>,
    /// What restoring the service after its own failure needs.
    pub recovery: Option<Recovery>,
    /// Time to cold-start a dependency cycle this service is part of, once
    /// every instance in the cycle is down ([`Topology::service_cycles`]).
    pub bootstrap: Option<Distribution>,
}

impl Topology {
    pub fn service_id(&self, key: &str) -> Option<ServiceId> {
        self.services
            .iter()
            .position(|s| s.key == key)
            .map(|i| ServiceId(i as u32))
    }
    pub fn service(&self, id: ServiceId) -> &Service {
        &self.services[id.index()]
    }

    /// Services `root` needs to serve, directly or through others (data
    /// plane and control plane), `root` excluded unless it is on a cycle.
    pub fn service_closure(&self, root: ServiceId) -> Vec<ServiceId> {
        let mut seen = vec![false; self.services.len()];
        let mut stack = vec![root];
        let mut out = Vec::new();
        while let Some(s) = stack.pop() {
            let svc = self.service(s);
            for d in svc.requires.iter().chain(&svc.control) {
                if !seen[d.service.index()] {
                    seen[d.service.index()] = true;
                    out.push(d.service);
                    stack.push(d.service);
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// Dependency cycles (data plane): the strongly connected groups of two
    /// or more services, or one that requires itself, each in declaration
    /// order. Legal, since real fleets have them; `validate` warns.
    pub fn service_cycles(&self) -> Vec<Vec<ServiceId>> {
        // Kosaraju's algorithm in petgraph is iterative (no recursion depth
        // to exhaust) and linear, so a file with 10^5 chained services is
        // as cheap as a small one.
        let mut g = petgraph::graph::DiGraph::<(), ()>::with_capacity(
            self.services.len(),
            self.services.iter().map(|s| s.requires.len()).sum(),
        );
        let nodes: Vec<_> = self.services.iter().map(|_| g.add_node(())).collect();
        let mut self_loop = vec![false; self.services.len()];
        for (i, s) in self.services.iter().enumerate() {
            for d in &s.requires {
                self_loop[i] |= d.service.index() == i;
                g.add_edge(nodes[i], nodes[d.service.index()], ());
            }
        }
        let mut cycles: Vec<Vec<ServiceId>> = petgraph::algo::kosaraju_scc(&g)
            .into_iter()
            .filter(|c| c.len() > 1 || self_loop[c[0].index()])
            .map(|c| {
                let mut m: Vec<ServiceId> = c.iter().map(|n| ServiceId(n.index() as u32)).collect();
                m.sort_unstable();
                m
            })
            .collect();
        cycles.sort_unstable();
        cycles
    }

    /// "messaging needs auth needs dns": a chain of keys for messages. A
    /// chain longer than 12 shows its first 8 and last 2 services, so a
    /// hostile 10^5-service cycle stays one readable line.
    pub fn chain_text(&self, chain: &[ServiceId]) -> String {
        let key = |s: &ServiceId| self.service(*s).key.as_str();
        if chain.len() <= 12 {
            return chain.iter().map(key).collect::<Vec<_>>().join(" needs ");
        }
        let head: Vec<&str> = chain[..8].iter().map(key).collect();
        let tail: Vec<&str> = chain[chain.len() - 2..].iter().map(key).collect();
        format!(
            "{} needs ... ({} more) ... needs {}",
            head.join(" needs "),
            chain.len() - 10,
            tail.join(" needs ")
        )
    }
}
