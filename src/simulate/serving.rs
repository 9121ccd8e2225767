//! The simulator's fast path of the one service rule ([`crate::service`]):
//! the same answer (property tests below hold it to the rule), computed on
//! the plan's reduced graph ([`crate::graph::reduce`]) with element states
//! kept by the trial, so a failure of a dropped component never triggers a
//! re-evaluation. A plan that serves a service with dependencies keeps the
//! instance sites of the services it needs as terminals too, and the rule
//! itself ([`ServiceRule::evaluate_in`]) reads the groups found on the
//! reduced graph (see docs/internals.md, "simulate/serving.rs").

use crate::graph::UnionFind;
use crate::graph::cutspace::CutSpace;
use crate::model::{PlanMode, Topology};
use crate::service::{Active, ServiceRule};

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
    /// elements are the reduced graph's, then one per service
    /// (`kept + edges + service`; only the services it needs are used).
    rule: Option<ServiceRule>,
    /// Elements whose own state (not only connectivity) the service reads:
    /// serving, entry and (with dependencies) instance sites, and services.
    terminals: Vec<u32>,
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
    /// The cut-space labels of the reduced graph: which failure states
    /// leave it in one piece ([`Self::stays_connected`]).
    cut: CutSpace,
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
    /// The vectors met only in surge windows are not served yet (they are
    /// when an interval of this state meets one), and the active site they
    /// will be served with.
    pub surge_pending: Option<Option<usize>>,
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
        // With dependencies, the services the front end needs (and the
        // front end) are elements, and their instance sites terminals.
        let mut needed = vec![false; t.services.len()];
        if let Some(front) = plan.serves.filter(|_| rule.is_some()) {
            for v in t.service_closure(front).into_iter().chain([front]) {
                needed[v.index()] = true;
                for x in &t.service(v).sites {
                    terminal[x.index()] = true;
                }
            }
        }
        let mut r = reduce(t.sites.len(), &links, &terminal);
        let graph = (r.kept.len() + r.edges.len()) as u32;
        r.element_of.extend(
            needed
                .iter()
                .enumerate()
                .map(|(k, &yes)| if yes { graph + k as u32 } else { IRRELEVANT }),
        );
        let mut terminals: Vec<u32> = (0..t.sites.len())
            .filter(|&x| terminal[x])
            .map(|x| r.element_of[x])
            .chain(r.element_of[t.sites.len() + links.len()..].iter().copied())
            .filter(|&e| e != IRRELEVANT)
            .collect();
        terminals.sort_unstable();
        let entries = entry_sites
            .iter()
            .map(|es| es.iter().map(|&x| r.element_of[x as usize]).collect())
            .collect();
        let serving_node = serving.iter().map(|&x| r.element_of[x as usize]).collect();
        let n = r.kept.len();
        let cut = CutSpace::new(n, &r.edges);
        ServingModel {
            terminals,
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
        let down = |up: &[bool]| up.iter().map(|u| !u).collect::<Vec<bool>>();
        let failed = crate::service::FailedSet::from_down(&down(site_up), &down(link_up));
        let up = self.element_states(&failed);
        self.evaluate_elements(&up, active, out);
    }

    /// The up flag of each element in state `failed` (sites, links and
    /// services): an element is down when any of its components is.
    #[cfg(test)]
    pub fn element_states(&self, failed: &crate::service::FailedSet) -> Vec<bool> {
        let (n, m) = (self.n_sites, self.n_links);
        let mut up = vec![true; self.n_elements()];
        for (c, &e) in self.element_of.iter().enumerate() {
            let down = if c < n {
                failed.sites_down()[c]
            } else if c < n + m {
                failed.links_down()[c - n]
            } else {
                failed
                    .services_down()
                    .get(c - n - m)
                    .copied()
                    .unwrap_or(false)
            };
            if e != IRRELEVANT && down {
                up[e as usize] = false;
            }
        }
        up
    }

    /// Kept sites plus chain edges (plus services, with dependencies): the
    /// size of the failure-state key.
    pub fn n_elements(&self) -> usize {
        match self.rule {
            Some(_) => self.element_of.len() - self.n_sites - self.n_links + self.n_graph(),
            None => self.n_graph(),
        }
    }

    /// Elements of the reduced graph (kept sites, then chains); services'
    /// elements, with dependencies, come after these.
    pub fn n_graph(&self) -> usize {
        self.kept.len() + self.edges.len()
    }

    /// Kept sites of the reduced graph: elements below this are sites, the
    /// rest chains (then, with dependencies, services).
    pub fn n_kept(&self) -> usize {
        self.kept.len()
    }

    /// True only if the reduced graph without these kept sites and chains
    /// (`down_edges` numbered from 0) is still one piece: then who is served
    /// depends on which terminals ([`Self::terminal_index`]) are down and
    /// nothing else.
    pub fn stays_connected(&mut self, down_nodes: &[u32], down_edges: &[u32]) -> bool {
        self.cut.stays_connected(down_nodes, down_edges)
    }

    pub fn n_terminals(&self) -> usize {
        self.terminals.len()
    }

    /// The terminal number of each element, or `u32::MAX` (see
    /// [`Self::stays_connected`]).
    pub fn terminal_index(&self) -> Vec<u32> {
        let mut index = vec![u32::MAX; self.n_elements()];
        for (k, &e) in self.terminals.iter().enumerate() {
            index[e as usize] = k as u32;
        }
        index
    }

    /// The rule's answer from the reduced graph's element states: the
    /// groups of the up kept sites (one piece, or by union-find) and the
    /// states of the terminals and services, in the rule's own terms.
    fn evaluate_rule(&mut self, up: &[bool], active: Option<usize>, out: &mut Eval) {
        if !self.one_piece {
            self.union_up(up);
        }
        let mut site_down = vec![true; self.n_sites];
        let mut group = vec![NONE; self.n_sites];
        for (e, &x) in self.kept.iter().enumerate() {
            if up[e] {
                site_down[x as usize] = false;
                group[x as usize] = root(&mut self.uf, self.one_piece, e as u32);
            }
        }
        let services = &self.element_of[self.n_sites + self.n_links..];
        let services_down: Vec<bool> = services
            .iter()
            .map(|&e| e != IRRELEVANT && !up[e as usize])
            .collect();
        let rule = self.rule.as_ref().expect("a plan with dependencies");
        let o = rule.evaluate_in(
            &site_down,
            &services_down,
            group,
            active.map_or(Active::NoSite, Active::Site),
        );
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

    /// Joins the up kept sites over the up chains.
    fn union_up(&mut self, up: &[bool]) {
        let (site_up, edge_up) = up.split_at(self.kept.len());
        self.uf.reset();
        for (j, &(a, b)) in self.edges.iter().enumerate() {
            if edge_up[j] && site_up[a as usize] && site_up[b as usize] {
                self.uf.union(a, b);
            }
        }
    }

    /// Connects up sites over up links and marks usable serving sites.
    fn connect(&mut self, up: &[bool], out: &mut Eval) {
        let site_up = &up[..self.kept.len()];
        if !self.one_piece {
            self.union_up(up);
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
        if self.rule.is_some() {
            return self.evaluate_rule(up, active, out);
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

#[cfg(test)]
mod agreement {
    use super::{Eval, ServingModel};
    use crate::model::PlanId;
    use crate::service::{Active, Outcome, arbitrary};
    use proptest::prop_assert_eq;
    use proptest::test_runner::TestCaseError;
    use std::cell::Cell;

    fn active(c: &arbitrary::Case) -> Active {
        c.active.map_or(Active::NoSite, Active::Site)
    }

    /// The simulator caches a state that leaves the reduced graph in one
    /// piece by its terminals' states alone: whenever the cut-space check
    /// says so, the evaluation equals that of the state with every other
    /// element up, and the one-piece evaluation (no union-find) gives it.
    /// Counts the cases that had other elements down and still one piece.
    fn one_piece_case(c: &arbitrary::Case, reduced: &Cell<u32>) -> Result<(), TestCaseError> {
        let mut m = ServingModel::new(&c.topo, PlanId(0));
        let up = m.element_states(&c.failed);
        let (k, graph) = (m.n_kept(), m.n_graph());
        let nodes: Vec<u32> = (0..k as u32).filter(|&e| !up[e as usize]).collect();
        let edges: Vec<u32> = (k..graph)
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
    }

    #[test]
    fn one_piece_states_depend_on_the_terminals_alone() {
        let reduced = Cell::new(0u32);
        arbitrary::check_against_rule(active, |c, _| one_piece_case(c, &reduced));
        assert!(reduced.get() > 500, "{}", reduced.get());
    }

    /// The same with services: a front end with dependencies reads the
    /// instance sites and the services it needs, which are terminals too.
    #[test]
    fn one_piece_states_with_dependencies_depend_on_the_terminals_alone() {
        let reduced = Cell::new(0u32);
        arbitrary::check_services_against_rule(active, |c, _| one_piece_case(c, &reduced));
        assert!(reduced.get() > 300, "{}", reduced.get());
    }

    /// The fast path's evaluation of a case equals the rule's outcome: the
    /// same usable sites, unserved demands, capacity pools and control
    /// plane.
    fn agrees(c: &arbitrary::Case, rule: &Outcome) -> Result<(), TestCaseError> {
        let mut m = ServingModel::new(&c.topo, PlanId(0));
        let up = m.element_states(&c.failed);
        let mut eval = Eval::default();
        m.evaluate_elements(&up, c.active, &mut eval);
        prop_assert_eq!(&eval.usable, &rule.usable);
        prop_assert_eq!(eval.unserved.clone(), rule.unserved().collect::<Vec<_>>());
        prop_assert_eq!(eval.groups.len(), rule.pools.len());
        for (g, p) in eval.groups.iter().zip(&rule.pools) {
            prop_assert_eq!(g.capacity, p.capacity);
            prop_assert_eq!(&g.demands, &p.demands);
            prop_assert_eq!(&g.sites, &p.sites);
        }
        if m.rule.is_some() {
            prop_assert_eq!(&eval.control_ok, &rule.control_ok);
        }
        Ok(())
    }

    /// The simulator's reduced-graph fast path gives the rule's answer on
    /// random topologies, plans (both modes), states and active sites.
    #[test]
    fn reduced_graph_agrees_with_the_service_rule() {
        arbitrary::check_against_rule(active, agrees);
    }

    /// And so it does for plans serving a front end with dependencies
    /// (random services, reach, needs, cycles, control planes and services
    /// down), whose groups come from the reduced graph.
    #[test]
    fn reduced_graph_with_dependencies_agrees_with_the_service_rule() {
        let served = Cell::new((0u32, 0u32));
        arbitrary::check_services_against_rule(active, |c, rule| {
            let (some, none) = served.get();
            served.set(match rule.all_served() {
                true => (some + 1, none),
                false => (some, none + 1),
            });
            agrees(c, rule)
        });
        // Both outcomes were exercised.
        let (some, none) = served.get();
        assert!(some > 1000 && none > 1000, "{some} {none}");
    }
}
