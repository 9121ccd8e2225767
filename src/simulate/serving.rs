//! Which demand a plan serves in a given failure state, and with how much
//! capacity.
//!
//! **Reachability.** Up sites joined by up links form connected groups
//! (union-find, recomputed only for failure states not seen before). A
//! serving site is *usable* when it is up and in a group with an up entry
//! site of at least one demand.
//!
//! The union-find runs on a reduced graph that gives the same groups for the
//! sites that matter (serving and entry sites, the *terminals*): sites that
//! are not terminals and hang off the rest by a single link (with everything
//! beyond them) are dropped, since no path between two other sites passes
//! through them; and chains of non-terminal sites with two links each become
//! one edge, up when every site and link of the chain is up, since a path
//! that enters a chain must run its whole length. Failures of dropped
//! components cannot change the service, so the simulator does not even look
//! the state up again when one of them fails or comes back.
//!
//! **Active-active.** Demand `d` looks at the groups of its up entry sites and
//! takes the one holding the most usable serving sites; it is served when that
//! count reaches the plan's quorum. **Active-passive.** Only the active site
//! (chosen by the trial's failover logic) serves; demand `d` is served when
//! one of its up entry sites is in the active site's group. The plan's quorum
//! is not used in this mode.
//!
//! **Capacity.** Each serving site can carry
//! `min(site.capacity_rps, total_peak / n_active * (1 + headroom))`, where
//! `total_peak` is the sum of the demands' daily peaks (before surges) and
//! `n_active` is the number of serving sites for active-active, 1 for
//! active-passive: a plan provisions each active site for its share of the
//! peak plus headroom, never beyond what the building holds. All demands
//! served by the same group share the group's usable capacity; when their
//! current demand exceeds it, every one of them gets the same served fraction
//! `capacity / demand` (overload sheds evenly). Link bandwidth is not a
//! bottleneck in this model.

use crate::model::{PlanMode, Topology};

/// The plan compiled against its topology, plus scratch space.
#[derive(Clone, Debug)]
pub(crate) struct ServingModel {
    /// Reduced graph: element `k < kept.len()` is kept site `kept[k]`, the
    /// rest are edges (chains) between kept sites, `edges[e - kept.len()]`.
    kept: Vec<u32>,
    edges: Vec<(u32, u32)>,
    /// Element of each component (sites, then links); [`IRRELEVANT`] for
    /// components that cannot change the service.
    pub element_of: Vec<u32>,
    /// Site index of each serving site, in plan priority order.
    pub serving: Vec<u32>,
    /// Kept-site index of each serving site.
    serving_node: Vec<u32>,
    /// Capacity (rps) of each serving site.
    pub capacity: Vec<f64>,
    pub mode: PlanMode,
    pub quorum: usize,
    /// Entry sites of each demand, as kept-site indices.
    entries: Vec<Vec<u32>>,
    /// Serving sites and entry sites, deduplicated: the components whose loss
    /// is blamed first for an outage.
    pub key_sites: Vec<u32>,
    parent: Vec<u32>,
    count: Vec<u32>,
    cap: Vec<f64>,
    has_entry: Vec<bool>,
    group_of_root: Vec<u32>,
}

/// The service in one failure state.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Eval {
    /// Demands with no serving site (no quorum, no active site reachable).
    pub unserved: Vec<u32>,
    /// Sets of demands sharing one pool of capacity.
    pub groups: Vec<Group>,
    /// Usable flag per serving site (plan order).
    pub usable: Vec<bool>,
    /// Could some group's demand exceed its capacity at some hour? Set by
    /// the caller that knows the demand curve; false skips the hourly loop.
    pub may_congest: bool,
    /// Could it at some hour of an ordinary day (no surge)? When not, only
    /// intervals that overlap a surge need the congestion check.
    pub daily_congest: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Group {
    pub capacity: f64,
    pub demands: Vec<u32>,
}

const NONE: u32 = u32::MAX;
/// Element of a component whose state cannot change the service.
pub(crate) const IRRELEVANT: u32 = u32::MAX;

/// The reduced graph of a topology for a set of terminal sites.
struct Reduced {
    kept: Vec<u32>,
    edges: Vec<(u32, u32)>,
    element_of: Vec<u32>,
}

/// Drops non-terminal pendant trees and contracts non-terminal chains (see
/// the module comment).
fn reduce(n: usize, links: &[(u32, u32)], terminal: &[bool]) -> Reduced {
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (j, &(a, b)) in links.iter().enumerate() {
        adj[a as usize].push(j as u32);
        adj[b as usize].push(j as u32);
    }
    let other = |j: u32, x: u32| {
        let (a, b) = links[j as usize];
        if a == x { b } else { a }
    };
    // Peel non-terminal sites of degree <= 1.
    let mut link_gone = vec![false; links.len()];
    let mut site_gone = vec![false; n];
    let mut degree: Vec<usize> = adj.iter().map(Vec::len).collect();
    let mut stack: Vec<u32> = (0..n as u32)
        .filter(|&x| !terminal[x as usize] && degree[x as usize] <= 1)
        .collect();
    while let Some(x) = stack.pop() {
        if site_gone[x as usize] {
            continue;
        }
        site_gone[x as usize] = true;
        for &j in &adj[x as usize] {
            if !link_gone[j as usize] {
                link_gone[j as usize] = true;
                let y = other(j, x) as usize;
                degree[y] -= 1;
                if !terminal[y] && degree[y] <= 1 && !site_gone[y] {
                    stack.push(y as u32);
                }
            }
        }
    }
    let mut element_of = vec![IRRELEVANT; n + links.len()];
    let mut kept = Vec::new();
    for x in 0..n {
        if !site_gone[x] && (terminal[x] || degree[x] >= 3) {
            element_of[x] = kept.len() as u32;
            kept.push(x as u32);
        }
    }
    // Walk every chain from a kept site to the next kept site.
    let mut edges = Vec::new();
    let mut done = link_gone.clone();
    for k in 0..kept.len() {
        let start = kept[k];
        for &first in &adj[start as usize] {
            if done[first as usize] {
                continue;
            }
            let mut members = vec![n as u32 + first];
            done[first as usize] = true;
            let (mut x, mut via) = (other(first, start), first);
            while element_of[x as usize] == IRRELEVANT {
                // A non-terminal site with exactly two remaining links.
                members.push(x);
                let next = adj[x as usize]
                    .iter()
                    .copied()
                    .find(|&j| j != via && !link_gone[j as usize])
                    .expect("a chain site has two links");
                done[next as usize] = true;
                members.push(n as u32 + next);
                x = other(next, x);
                via = next;
            }
            // A chain back to where it started is a dead end: irrelevant.
            if x != start {
                let e = (kept.len() + edges.len()) as u32;
                for m in members {
                    element_of[m as usize] = e;
                }
                edges.push((k as u32, element_of[x as usize]));
            }
        }
    }
    // Anything left over (cycles with no kept site) stays irrelevant.
    Reduced {
        kept,
        edges,
        element_of,
    }
}

impl ServingModel {
    pub fn new(t: &Topology, plan: &crate::model::Plan) -> ServingModel {
        let total_peak: f64 = t.demands.iter().map(|d| d.peak_rps).sum();
        let n_active = match plan.mode {
            PlanMode::ActiveActive => plan.serving_sites.len(),
            PlanMode::ActivePassive => 1,
        } as f64;
        let share = total_peak / n_active * (1.0 + plan.headroom);
        let serving: Vec<u32> = plan.serving_sites.iter().map(|s| s.0).collect();
        let capacity = plan
            .serving_sites
            .iter()
            .map(|&s| t.site(s).capacity_rps.min(share))
            .collect();
        let entry_sites: Vec<Vec<u32>> = t
            .demands
            .iter()
            .map(|d| d.entry_sites.iter().map(|s| s.0).collect())
            .collect();
        let mut key_sites: Vec<u32> = serving
            .iter()
            .copied()
            .chain(entry_sites.iter().flatten().copied())
            .collect();
        key_sites.sort_unstable();
        key_sites.dedup();
        let mut terminal = vec![false; t.sites.len()];
        for &x in &key_sites {
            terminal[x as usize] = true;
        }
        let links: Vec<(u32, u32)> = t.links.iter().map(|l| (l.a.0, l.b.0)).collect();
        let r = reduce(t.sites.len(), &links, &terminal);
        let entries = entry_sites
            .iter()
            .map(|es| es.iter().map(|&x| r.element_of[x as usize]).collect())
            .collect();
        let serving_node = serving.iter().map(|&x| r.element_of[x as usize]).collect();
        let n = r.kept.len();
        ServingModel {
            kept: r.kept,
            edges: r.edges,
            element_of: r.element_of,
            serving_node,
            serving,
            capacity,
            mode: plan.mode,
            quorum: plan.quorum as usize,
            entries,
            key_sites,
            parent: vec![0; n],
            count: vec![0; n],
            cap: vec![0.0; n],
            has_entry: vec![false; n],
            group_of_root: vec![NONE; n],
        }
    }

    /// Evaluates the service from the state of every site and link (the
    /// simulator passes element states to [`Self::evaluate_elements`]).
    #[cfg(test)]
    pub fn evaluate(
        &mut self,
        site_up: &[bool],
        link_up: &[bool],
        active: Option<usize>,
        out: &mut Eval,
    ) {
        let n = site_up.len();
        let mut up = vec![true; self.n_elements()];
        for (c, &e) in self.element_of.iter().enumerate() {
            let ok = if c < n { site_up[c] } else { link_up[c - n] };
            if e != IRRELEVANT && !ok {
                up[e as usize] = false;
            }
        }
        self.evaluate_elements(&up, active, out);
    }

    /// Kept sites plus chain edges: the size of the failure-state key.
    pub fn n_elements(&self) -> usize {
        self.kept.len() + self.edges.len()
    }

    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let p = parent[x as usize];
            parent[x as usize] = parent[p as usize];
            x = p;
        }
        x
    }

    /// Connects up sites over up links and marks usable serving sites.
    fn connect(&mut self, up: &[bool], out: &mut Eval) {
        for (i, p) in self.parent.iter_mut().enumerate() {
            *p = i as u32;
        }
        let (site_up, edge_up) = up.split_at(self.kept.len());
        for (j, &(a, b)) in self.edges.iter().enumerate() {
            if edge_up[j] && site_up[a as usize] && site_up[b as usize] {
                let ra = Self::find(&mut self.parent, a);
                let rb = Self::find(&mut self.parent, b);
                if ra != rb {
                    self.parent[ra as usize] = rb;
                }
            }
        }
        for e in self.entries.iter().flatten() {
            if site_up[*e as usize] {
                let r = Self::find(&mut self.parent, *e);
                self.has_entry[r as usize] = true;
            }
        }
        out.usable.clear();
        for &s in &self.serving_node {
            let ok = site_up[s as usize] && {
                let r = Self::find(&mut self.parent, s);
                self.has_entry[r as usize]
            };
            out.usable.push(ok);
        }
    }

    /// Evaluates the service. `up` is the state of each element of the
    /// reduced graph ([`Self::element_of`]); `active` is the serving-site
    /// index currently active under active-passive (ignored for
    /// active-active).
    pub fn evaluate_elements(&mut self, up: &[bool], active: Option<usize>, out: &mut Eval) {
        out.unserved.clear();
        out.groups.clear();
        self.connect(up, out);
        let site_up = &up[..self.kept.len()];
        let mut touched: Vec<u32> = Vec::new();
        match self.mode {
            PlanMode::ActiveActive => {
                for (i, &s) in self.serving_node.iter().enumerate() {
                    if out.usable[i] {
                        let r = Self::find(&mut self.parent, s) as usize;
                        self.count[r] += 1;
                        self.cap[r] += self.capacity[i];
                        touched.push(r as u32);
                    }
                }
                for d in 0..self.entries.len() {
                    let mut best: Option<u32> = None;
                    for k in 0..self.entries[d].len() {
                        let e = self.entries[d][k];
                        if !site_up[e as usize] {
                            continue;
                        }
                        let r = Self::find(&mut self.parent, e);
                        let better = match best {
                            None => true,
                            Some(b) => {
                                let (cr, cb) = (self.count[r as usize], self.count[b as usize]);
                                cr > cb || (cr == cb && self.cap[r as usize] > self.cap[b as usize])
                            }
                        };
                        if better {
                            best = Some(r);
                        }
                    }
                    match best {
                        Some(r) if self.count[r as usize] as usize >= self.quorum => {
                            self.assign(out, r, self.cap[r as usize], d as u32, &mut touched);
                        }
                        _ => out.unserved.push(d as u32),
                    }
                }
            }
            PlanMode::ActivePassive => {
                let active = active.filter(|&a| out.usable[a]);
                let root = active.map(|a| Self::find(&mut self.parent, self.serving_node[a]));
                for d in 0..self.entries.len() {
                    let reach = root.is_some_and(|r| {
                        (0..self.entries[d].len()).any(|k| {
                            let e = self.entries[d][k];
                            site_up[e as usize] && Self::find(&mut self.parent, e) == r
                        })
                    });
                    match (reach, root, active) {
                        (true, Some(r), Some(a)) => {
                            self.assign(out, r, self.capacity[a], d as u32, &mut touched)
                        }
                        _ => out.unserved.push(d as u32),
                    }
                }
            }
        }
        for r in touched {
            self.count[r as usize] = 0;
            self.cap[r as usize] = 0.0;
            self.group_of_root[r as usize] = NONE;
        }
        for e in self.entries.iter().flatten() {
            let r = Self::find(&mut self.parent, *e);
            self.has_entry[r as usize] = false;
        }
    }

    fn assign(&mut self, out: &mut Eval, root: u32, capacity: f64, d: u32, touched: &mut Vec<u32>) {
        let g = &mut self.group_of_root[root as usize];
        if *g == NONE {
            *g = out.groups.len() as u32;
            out.groups.push(Group {
                capacity,
                demands: Vec::new(),
            });
            touched.push(root);
        }
        out.groups[*g as usize].demands.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    fn roots(n: usize, edges: impl Iterator<Item = (usize, usize)>) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        fn find(p: &mut [usize], mut x: usize) -> usize {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        for (a, b) in edges {
            let (ra, rb) = (find(&mut p, a), find(&mut p, b));
            p[ra] = rb;
        }
        (0..n).map(|x| find(&mut p, x)).collect()
    }

    /// On random multigraphs with random terminals and random failure
    /// states, two up terminals are joined in the reduced graph exactly when
    /// they are joined by up sites and links in the full one, and a failure
    /// of a component the reduction calls irrelevant never matters.
    #[test]
    fn reduction_keeps_connectivity_between_terminals() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        let mut reduced_some = 0;
        for case in 0..400 {
            let n = rng.random_range(2..14usize);
            let m = rng.random_range(1..2 * n);
            let links: Vec<(u32, u32)> = (0..m)
                .map(|_| {
                    let a = rng.random_range(0..n as u32);
                    let b = (a + rng.random_range(1..n as u32)) % n as u32;
                    (a, b)
                })
                .collect();
            let terminal: Vec<bool> = (0..n).map(|_| rng.random::<f64>() < 0.3).collect();
            let r = reduce(n, &links, &terminal);
            if r.kept.len() + r.edges.len() < n + m {
                reduced_some += 1;
            }
            for (x, &t) in terminal.iter().enumerate() {
                assert!(!t || r.element_of[x] != IRRELEVANT, "case {case}");
            }
            for _ in 0..30 {
                let up: Vec<bool> = (0..n + m).map(|_| rng.random::<f64>() < 0.7).collect();
                let full = roots(
                    n,
                    links
                        .iter()
                        .enumerate()
                        .filter(|&(j, &(a, b))| up[n + j] && up[a as usize] && up[b as usize])
                        .map(|(_, &(a, b))| (a as usize, b as usize)),
                );
                let k = r.kept.len();
                let mut elem_up = vec![true; k + r.edges.len()];
                for (c, &e) in r.element_of.iter().enumerate() {
                    if e != IRRELEVANT && !up[c] {
                        elem_up[e as usize] = false;
                    }
                }
                let red = roots(
                    k,
                    r.edges
                        .iter()
                        .enumerate()
                        .filter(|&(i, &(a, b))| {
                            elem_up[k + i] && elem_up[a as usize] && elem_up[b as usize]
                        })
                        .map(|(_, &(a, b))| (a as usize, b as usize)),
                );
                let ts: Vec<usize> = (0..n).filter(|&x| terminal[x] && up[x]).collect();
                for &a in &ts {
                    for &b in &ts {
                        let (ea, eb) = (r.element_of[a] as usize, r.element_of[b] as usize);
                        assert_eq!(
                            full[a] == full[b],
                            red[ea] == red[eb],
                            "case {case}: terminals {a}, {b}; links {links:?}"
                        );
                    }
                }
            }
        }
        // The random graphs did exercise the pruning and the contraction.
        assert!(reduced_some > 100, "{reduced_some}");
    }
}
