//! The simulator's fast path of the one service rule ([`crate::service`]):
//! the same answer (a property test below holds it to the rule), computed on
//! the plan's reduced graph ([`crate::graph::reduce`]) with element states
//! kept by the trial, so a failure of a dropped component never triggers a
//! re-evaluation. A plan that serves a service with dependencies takes no
//! fast path (see docs/internals.md, "simulate/serving.rs").

use crate::graph::UnionFind;
use crate::graph::cutspace::CutSpace;
use crate::model::{PlanMode, Topology};
use crate::service::{Active, FailedSet, ServiceRule};

/// The plan compiled against its topology, plus scratch space.
#[derive(Clone, Debug)]
pub(crate) struct ServingModel {
    /// Reduced graph: element `k < kept.len()` is kept site `kept[k]`, the
    /// rest are edges (chains) between kept sites, `edges[e - kept.len()]`.
    kept: Vec<u32>,
    edges: Vec<(u32, u32)>,
    /// Element of each component (sites, then links, then services);
    /// [`IRRELEVANT`] for components that cannot change the service.
    pub element_of: Vec<u32>,
    /// The rule itself, for a plan whose front end has dependencies: its
    /// elements are the sites, links and services unreduced.
    rule: Option<ServiceRule>,
    n_sites: usize,
    n_links: usize,
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
    /// The cut-space labels of the reduced graph (fast path only): which
    /// failure states leave it in one piece ([`Self::stays_connected`]).
    cut: Option<CutSpace>,
    /// Set while [`Self::evaluate_one_piece`] runs.
    one_piece: bool,
    uf: UnionFind,
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
    /// Per serving site: the control plane reaches it, so the plan may fail
    /// over to it. Empty when the plan has no control dependency (all may).
    pub control_ok: Vec<bool>,
    /// Could some group's demand exceed its capacity at some hour? Set by
    /// the caller that knows the demand curve; false skips the hourly loop.
    pub may_congest: bool,
    /// Could it at some hour of an ordinary day (no surge)? When not, only
    /// intervals that overlap a surge need the congestion check.
    pub daily_congest: bool,
    /// When links can bind ([`crate::simulate::trial`]'s bandwidth path):
    /// the served fraction of each demand under each distinct demand vector
    /// of the year, `served[vector * n_demands + d]`; empty otherwise.
    pub served: Vec<f64>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Group {
    pub capacity: f64,
    pub demands: Vec<u32>,
    /// Serving sites (plan indices) that take the group's load.
    pub sites: Vec<u32>,
}

const NONE: u32 = u32::MAX;

/// The piece of kept site `x`: its union-find root, or 0 for every site
/// when the up sites are known to form one piece.
fn root(uf: &mut UnionFind, one_piece: bool, x: u32) -> u32 {
    if one_piece { 0 } else { uf.find(x) }
}
pub(crate) use crate::graph::reduce::IRRELEVANT;
use crate::graph::reduce::reduce;

impl ServingModel {
    pub fn new(t: &Topology, plan_id: crate::model::PlanId) -> ServingModel {
        let plan = t.plan(plan_id);
        let serving: Vec<u32> = plan.serving_sites.iter().map(|s| s.0).collect();
        let capacity = crate::service::site_capacities(t, plan_id);
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
        let rule = ServiceRule::new(t, plan_id);
        let rule = rule.has_dependencies().then_some(rule);
        let mut r = reduce(t.sites.len(), &links, &terminal);
        if rule.is_some() {
            r = unreduced(t, plan_id, &links);
        } else {
            // Services cannot change a plan without dependencies.
            r.element_of
                .extend(std::iter::repeat_n(IRRELEVANT, t.services.len()));
        }
        let entries = entry_sites
            .iter()
            .map(|es| es.iter().map(|&x| r.element_of[x as usize]).collect())
            .collect();
        let serving_node = serving.iter().map(|&x| r.element_of[x as usize]).collect();
        let n = r.kept.len();
        let cut = rule.is_none().then(|| CutSpace::new(n, &r.edges));
        ServingModel {
            cut,
            one_piece: false,
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
            rule,
            n_sites: t.sites.len(),
            n_links: t.links.len(),
            uf: UnionFind::new(n),
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
        for (c, &e) in self.element_of.iter().enumerate().take(n + link_up.len()) {
            let ok = if c < n { site_up[c] } else { link_up[c - n] };
            if e != IRRELEVANT && !ok {
                up[e as usize] = false;
            }
        }
        self.evaluate_elements(&up, active, out);
    }

    /// Kept sites plus chain edges (plus services, with dependencies): the
    /// size of the failure-state key.
    pub fn n_elements(&self) -> usize {
        match self.rule {
            Some(_) => self.element_of.len(),
            None => self.kept.len() + self.edges.len(),
        }
    }

    /// Kept sites of the reduced graph: elements below this are sites, the
    /// rest chains (or, with dependencies, links and services).
    pub fn n_kept(&self) -> usize {
        self.kept.len()
    }

    /// True only if the reduced graph without these kept sites and chains
    /// (`down_edges` numbered from 0) is still one piece: then who is served
    /// depends on which terminals are down and nothing else. Always false
    /// for a plan the rule evaluates.
    pub fn stays_connected(&mut self, down_nodes: &[u32], down_edges: &[u32]) -> bool {
        self.cut
            .as_mut()
            .is_some_and(|c| c.stays_connected(down_nodes, down_edges))
    }

    /// Terminals: the serving and entry sites' elements, deduplicated.
    fn terminals(&self) -> Vec<u32> {
        let mut t: Vec<u32> = self
            .serving_node
            .iter()
            .chain(self.entries.iter().flatten())
            .copied()
            .collect();
        t.sort_unstable();
        t.dedup();
        t
    }

    pub fn n_terminals(&self) -> usize {
        self.terminals().len()
    }

    /// The terminal number of each element, or `u32::MAX` (see
    /// [`Self::stays_connected`]).
    pub fn terminal_index(&self) -> Vec<u32> {
        let mut index = vec![u32::MAX; self.n_elements()];
        for (k, &e) in self.terminals().iter().enumerate() {
            index[e as usize] = k as u32;
        }
        index
    }

    /// The rule's answer from unreduced element states (sites, links,
    /// services).
    fn evaluate_rule(
        rule: &ServiceRule,
        dims: (usize, usize),
        up: &[bool],
        active: Option<usize>,
        out: &mut Eval,
    ) {
        let (n, m) = dims;
        let down: Vec<bool> = up.iter().map(|u| !u).collect();
        let nodes: Vec<bool> = down[..n].iter().chain(&down[n + m..]).copied().collect();
        let failed = FailedSet::from_nodes(n, &nodes, &down[n..n + m]);
        let o = rule.evaluate(&failed, active.map_or(Active::NoSite, Active::Site));
        out.unserved.extend(o.unserved());
        out.groups.extend(o.pools.iter().map(|p| Group {
            capacity: p.capacity,
            demands: p.demands.clone(),
            sites: p.sites.clone(),
        }));
        out.usable = o.usable;
        out.control_ok = o.control_ok;
    }

    /// [`Self::evaluate_elements`] for a state the caller knows leaves the
    /// up sites in one piece ([`Self::stays_connected`]): the same answer
    /// without the union-find over the whole graph.
    pub fn evaluate_one_piece(&mut self, up: &[bool], active: Option<usize>, out: &mut Eval) {
        self.one_piece = true;
        self.evaluate_elements(up, active, out);
        self.one_piece = false;
    }

    /// Connects up sites over up links and marks usable serving sites.
    fn connect(&mut self, up: &[bool], out: &mut Eval) {
        let (site_up, edge_up) = up.split_at(self.kept.len());
        if !self.one_piece {
            self.uf.reset();
            for (j, &(a, b)) in self.edges.iter().enumerate() {
                if edge_up[j] && site_up[a as usize] && site_up[b as usize] {
                    self.uf.union(a, b);
                }
            }
        }
        for e in self.entries.iter().flatten() {
            if site_up[*e as usize] {
                let r = root(&mut self.uf, self.one_piece, *e);
                self.has_entry[r as usize] = true;
            }
        }
        out.usable.clear();
        for &s in &self.serving_node {
            let ok = site_up[s as usize] && {
                let r = root(&mut self.uf, self.one_piece, s);
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
        out.control_ok.clear();
        if let Some(rule) = &self.rule {
            return Self::evaluate_rule(rule, (self.n_sites, self.n_links), up, active, out);
        }
        self.connect(up, out);
        let site_up = &up[..self.kept.len()];
        let mut touched: Vec<u32> = Vec::new();
        match self.mode {
            PlanMode::ActiveActive => {
                for (i, &s) in self.serving_node.iter().enumerate() {
                    if out.usable[i] {
                        let r = root(&mut self.uf, self.one_piece, s) as usize;
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
                        let r = root(&mut self.uf, self.one_piece, e);
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
                for (i, &s) in self.serving_node.iter().enumerate() {
                    if out.usable[i] {
                        let g = self.group_of_root[root(&mut self.uf, self.one_piece, s) as usize];
                        if g != NONE {
                            out.groups[g as usize].sites.push(i as u32);
                        }
                    }
                }
            }
            PlanMode::ActivePassive => {
                let active = active.filter(|&a| out.usable[a]);
                let active_root =
                    active.map(|a| root(&mut self.uf, self.one_piece, self.serving_node[a]));
                for d in 0..self.entries.len() {
                    let reach = active_root.is_some_and(|r| {
                        (0..self.entries[d].len()).any(|k| {
                            let e = self.entries[d][k];
                            site_up[e as usize] && root(&mut self.uf, self.one_piece, e) == r
                        })
                    });
                    match (reach, active_root, active) {
                        (true, Some(r), Some(a)) => {
                            self.assign(out, r, self.capacity[a], d as u32, &mut touched)
                        }
                        _ => out.unserved.push(d as u32),
                    }
                }
                if let (Some(a), Some(g)) = (active, out.groups.first_mut()) {
                    g.sites.push(a as u32);
                }
            }
        }
        for r in touched {
            self.count[r as usize] = 0;
            self.cap[r as usize] = 0.0;
            self.group_of_root[r as usize] = NONE;
        }
        for e in self.entries.iter().flatten() {
            let r = root(&mut self.uf, self.one_piece, *e);
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
                sites: Vec::new(),
            });
            touched.push(root);
        }
        out.groups[*g as usize].demands.push(d);
    }
}

/// The identity "reduction" for a plan with dependencies: every site and
/// link is its own element, then the services the front end needs (and the
/// front end itself); other services are irrelevant.
fn unreduced(
    t: &Topology,
    plan_id: crate::model::PlanId,
    links: &[(u32, u32)],
) -> crate::graph::reduce::Reduced {
    let n = t.sites.len();
    let mut element_of: Vec<u32> = (0..(n + links.len()) as u32).collect();
    let front = t
        .plan(plan_id)
        .serves
        .expect("a plan with dependencies serves a service");
    let mut relevant = t.service_closure(front);
    relevant.push(front);
    element_of.extend((0..t.services.len()).map(|k| {
        if relevant.iter().any(|r| r.index() == k) {
            (n + links.len() + k) as u32
        } else {
            IRRELEVANT
        }
    }));
    crate::graph::reduce::Reduced {
        kept: (0..n as u32).collect(),
        edges: links.to_vec(),
        element_of,
    }
}

#[cfg(test)]
mod agreement {
    use super::{Eval, ServingModel};
    use crate::model::PlanId;
    use crate::service::{Active, arbitrary};
    use proptest::prop_assert_eq;

    /// The simulator caches a state that leaves the reduced graph in one
    /// piece by its terminals' states alone: whenever the cut-space check
    /// says so, the evaluation equals that of the state with every other
    /// element up, and the one-piece evaluation (no union-find) gives it.
    #[test]
    fn one_piece_states_depend_on_the_terminals_alone() {
        let reduced = std::cell::Cell::new(0u32);
        let active = |c: &arbitrary::Case| c.active.map_or(Active::NoSite, Active::Site);
        arbitrary::check_against_rule(active, |c, _| {
            let mut m = ServingModel::new(&c.topo, PlanId(0));
            if m.rule.is_some() {
                return Ok(());
            }
            let n = c.topo.sites.len();
            let (sites, links) = (c.failed.sites_down(), c.failed.links_down());
            let mut up = vec![true; m.n_elements()];
            for (comp, &e) in m.element_of.iter().enumerate().take(n + links.len()) {
                let down = if comp < n {
                    sites[comp]
                } else {
                    links[comp - n]
                };
                if e != super::IRRELEVANT && down {
                    up[e as usize] = false;
                }
            }
            let k = m.n_kept();
            let nodes: Vec<u32> = (0..k as u32).filter(|&e| !up[e as usize]).collect();
            let edges: Vec<u32> = (k..up.len())
                .filter(|&e| !up[e])
                .map(|e| (e - k) as u32)
                .collect();
            if !m.stays_connected(&nodes, &edges) {
                return Ok(());
            }
            let index = m.terminal_index();
            let terminals: Vec<bool> = up
                .iter()
                .zip(&index)
                .map(|(&u, &t)| u || t == u32::MAX)
                .collect();
            if terminals != up {
                reduced.set(reduced.get() + 1);
            }
            let (mut a, mut b, mut one) = (Eval::default(), Eval::default(), Eval::default());
            m.evaluate_elements(&up, c.active, &mut a);
            m.evaluate_elements(&terminals, c.active, &mut b);
            m.evaluate_one_piece(&up, c.active, &mut one);
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(&a, &one);
            Ok(())
        });
        // Many cases had other elements down and still one piece.
        assert!(reduced.get() > 500, "{}", reduced.get());
    }

    /// The simulator's reduced-graph fast path gives the rule's answer: the
    /// same usable sites, unserved demands and capacity pools, on random
    /// topologies, plans (both modes), states and active sites.
    #[test]
    fn reduced_graph_agrees_with_the_service_rule() {
        let active = |c: &arbitrary::Case| c.active.map_or(Active::NoSite, Active::Site);
        arbitrary::check_against_rule(active, |c, rule| {
            let up = |down: &[bool]| down.iter().map(|d| !d).collect::<Vec<bool>>();
            let mut eval = Eval::default();
            ServingModel::new(&c.topo, PlanId(0)).evaluate(
                &up(c.failed.sites_down()),
                &up(c.failed.links_down()),
                c.active,
                &mut eval,
            );
            prop_assert_eq!(&eval.usable, &rule.usable);
            prop_assert_eq!(eval.unserved.clone(), rule.unserved().collect::<Vec<_>>());
            prop_assert_eq!(eval.groups.len(), rule.pools.len());
            for (g, p) in eval.groups.iter().zip(&rule.pools) {
                prop_assert_eq!(g.capacity, p.capacity);
                prop_assert_eq!(&g.demands, &p.demands);
                prop_assert_eq!(&g.sites, &p.sites);
            }
            Ok(())
        });
    }
}
