//! A plan's serving problem as one flow network: which demand the rule
//! lets each serving site take, plus link bandwidth, solved by one max-flow
//! per failure state and demand vector. The max-flow value is the optimum of
//! "maximise total served demand" over every routing (all demands share the
//! sink, so the flow decomposes into per-demand paths). Both engines call it:
//! `capacity --demand` per sampled state, the simulator per failure state
//! whose links can bind (README.md, "Demand-level view", has the model).

use crate::graph::maxflow::warm::WarmStart;
use crate::graph::maxflow::{FlowNetwork, MaxFlow};
use crate::model::{PlanId, Topology};
use crate::service::{Active, FailedSet, Outcome, ServiceRule};

/// Served fractions this close to 1 (relative) count as fully served:
/// floating-point flow sums land a few ulps short.
const FULL: f64 = 1.0 - 1e-9;

/// The plan's serving problem compiled into a flow network, built once; the
/// demand rates come with each evaluation ([`Load`]).
///
/// Nodes: sites `0..n`, then the super-source `n`, the super-sink `n + 1`
/// and one node per demand. Edges: the links (undirected, same indices as
/// the topology), then per demand the source arc and its entry arcs, then
/// one sink arc per serving site (all directed).
#[derive(Clone, Debug)]
pub struct DemandNetwork {
    n_sites: usize,
    links: Vec<(u32, u32)>,
    link_cap: Vec<f64>,
    /// kbit per request of each demand.
    kbit: Vec<f64>,
    entries: Vec<Vec<u32>>,
    /// First edge index of each demand's source arc (entry arcs follow).
    demand_edge: Vec<usize>,
    /// The demand of each source and entry arc (edge index minus the
    /// links'): every state asks it of each arc.
    arc_demand: Vec<u32>,
    serving: Vec<u32>,
    /// Requests/s each serving site can take (the rule's provisioning).
    site_rps: Vec<f64>,
    sink_edge: usize,
    /// Who may be served where: the one service rule.
    rule: ServiceRule,
    net: FlowNetwork,
}

/// One demand vector converted for the network: each demand's rate and each
/// serving site's capacity in Gbit/s.
#[derive(Clone, Debug, PartialEq)]
pub struct Load {
    pub rate: Vec<f64>,
    site_cap: Vec<f64>,
    /// Total demand, Gbit/s.
    pub total: f64,
}

impl Load {
    /// Gbit/s each serving site (plan order) can take under this load.
    pub fn site_cap(&self) -> &[f64] {
        &self.site_cap
    }
}

/// A flow that serves a whole load with nothing down: the edges that carry
/// some of it and how much ([`DemandNetwork::full_flow`]). In any state
/// that leaves each of them that much capacity it is still feasible, so it
/// is a maximum flow there and every demand is served in full.
#[derive(Clone, Debug)]
pub struct FullFlow {
    used: Vec<(u32, f64)>,
}

/// A load's maximum flow with every arc open (every link, entry and
/// serving site up, every sink arc open), kept as paths
/// ([`DemandNetwork::full_test`]). Without partial failures a state leaves
/// each arc at that capacity or closes it, so the paths it keeps, augmented
/// in its residual network, show whether it serves the load in full
/// ([`DemandNetwork::serves_in_full`]) without a solve from zero.
#[derive(Clone, Debug)]
pub struct FullTest {
    warm: WarmStart,
    rate: Vec<f64>,
    /// The evaluator's scratch flow this test uses: one per test, so the
    /// cuts each one learns bound only its own load.
    slot: usize,
}

/// Scratch space for evaluating states on one thread.
pub struct Evaluator {
    mf: MaxFlow,
    caps: Vec<f64>,
    sink_open: Vec<bool>,
    /// The arcs the last [`DemandNetwork::close_arcs`] state closes, as a
    /// bitset over edges, and the [`FullTest`]s' scratch flows by slot.
    closed: Vec<u64>,
    warm: Vec<MaxFlow>,
    /// Fraction of each serving site's and link's capacity left by partial
    /// failures ([`Evaluator::set_left`]); empty: all of it.
    site_left: Vec<f64>,
    link_left: Vec<f64>,
}

impl Evaluator {
    /// The next states are served with only these fractions left of each
    /// serving site's (plan order) and link's capacity (partial failures);
    /// `None`: all of it.
    pub fn set_left(&mut self, left: Option<(&[f64], &[f64])>) {
        self.site_left.clear();
        self.link_left.clear();
        if let Some((sites, links)) = left {
            self.site_left.extend_from_slice(sites);
            self.link_left.extend_from_slice(links);
        }
    }
}

/// Entry `i` of a [`Evaluator::set_left`] vector (1 when it is empty).
fn left(v: &[f64], i: usize) -> f64 {
    v.get(i).copied().unwrap_or(1.0)
}

impl DemandNetwork {
    /// Compiles `plan` of `t` (which must exist; callers check). `scale` is
    /// the largest demand vector it will see (e.g. every demand at its
    /// yearly maximum): it sets the flow's rounding tolerance.
    pub fn new(t: &Topology, plan: PlanId, scale: &[f64]) -> DemandNetwork {
        let rule = ServiceRule::new(t, plan);
        let serving: Vec<u32> = rule.serving().to_vec();
        let site_rps = rule.capacity().to_vec();
        let n = t.sites.len();
        let (src, sink) = (n as u32, n as u32 + 1);
        let links: Vec<(u32, u32)> = t.links.iter().map(|l| (l.a.0, l.b.0)).collect();
        let link_cap = link_cap_of(t);
        let mut edges = links.clone();
        let mut directed = vec![false; edges.len()];
        let entries: Vec<Vec<u32>> = t
            .demands
            .iter()
            .map(|d| d.entry_sites.iter().map(|s| s.0).collect())
            .collect();
        let mut demand_edge = Vec::new();
        for (d, es) in entries.iter().enumerate() {
            let dn = n as u32 + 2 + d as u32;
            demand_edge.push(edges.len());
            edges.push((src, dn));
            edges.extend(es.iter().map(|&e| (dn, e)));
        }
        let sink_edge = edges.len();
        edges.extend(serving.iter().map(|&s| (s, sink)));
        directed.resize(edges.len(), true);
        let arc_demand = (0..entries.len())
            .flat_map(|d| std::iter::repeat_n(d as u32, entries[d].len() + 1))
            .collect();
        let mut dn = DemandNetwork {
            n_sites: n,
            links,
            link_cap,
            kbit: t.demands.iter().map(|d| d.kbit_per_request).collect(),
            entries,
            arc_demand,
            demand_edge,
            serving,
            site_rps,
            sink_edge,
            rule,
            net: FlowNetwork::new(0, &[], &[]),
        };
        // Capacities come with each evaluation; these set the tolerance.
        let caps = dn.open_caps(&dn.load(scale));
        dn.net = FlowNetwork::with_directed(n + 2 + dn.entries.len(), &edges, &caps, &directed);
        dn
    }

    /// Every arc's capacity under `load` when it is open and no partial
    /// failure is in progress.
    fn open_caps(&self, load: &Load) -> Vec<f64> {
        let mut caps = self.link_cap.clone();
        for (d, es) in self.entries.iter().enumerate() {
            caps.extend(std::iter::repeat_n(load.rate[d], es.len() + 1));
        }
        caps.extend(&load.site_cap);
        caps
    }

    /// The demand vector `rps` (requests/s per demand) in Gbit/s. Site
    /// capacities are converted with the rate-weighted mean kbit per request
    /// (exact when all demands have the same).
    pub fn load(&self, rps: &[f64]) -> Load {
        let rate: Vec<f64> = rps
            .iter()
            .zip(&self.kbit)
            .map(|(r, k)| r * k / 1e6)
            .collect();
        let total: f64 = rate.iter().sum();
        let total_rps: f64 = rps.iter().sum();
        let g = if total_rps > 0.0 {
            total / total_rps
        } else {
            0.0
        };
        Load {
            site_cap: self.site_rps.iter().map(|c| c * g).collect(),
            rate,
            total,
        }
    }

    /// The plan's serving sites, in plan order (the order of
    /// [`Evaluator::set_left`]'s site fractions).
    pub fn serving(&self) -> &[u32] {
        &self.serving
    }

    /// Links of the topology (the length of a `link_down` state).
    pub fn n_links(&self) -> usize {
        self.links.len()
    }

    /// Bandwidth of each link, Gbit/s.
    pub fn link_capacities(&self) -> &[f64] {
        &self.link_cap
    }

    pub fn evaluator(&self) -> Evaluator {
        Evaluator {
            mf: MaxFlow::new(&self.net),
            caps: vec![0.0; self.net.n_edges()],
            sink_open: vec![false; self.serving.len()],
            closed: vec![0; self.net.n_edges().div_ceil(64).max(1)],
            warm: Vec::new(),
            site_left: Vec::new(),
            link_left: Vec::new(),
        }
    }

    /// The served demand in Gbit/s under `load` when the nodes with
    /// `site_down[i]` (the sites, then any services) and links with
    /// `link_down[j]` are down, `active` choosing the active-passive site:
    /// the rule decides which demands are served and from which sites; the
    /// max-flow adds link bandwidth. [`Self::demand_served`] then gives each
    /// demand's part.
    pub fn served_gbps(
        &self,
        load: &Load,
        state: (&[bool], &[bool]),
        active: Active,
        ev: &mut Evaluator,
    ) -> f64 {
        let out = self.outcome(state, active);
        self.served_gbps_in(load, state, &out, ev)
    }

    /// The rule's outcome in a state given as to [`Self::served_gbps`].
    pub fn outcome(&self, (site_down, link_down): (&[bool], &[bool]), active: Active) -> Outcome {
        let failed = FailedSet::from_nodes(self.n_sites, site_down, link_down);
        self.rule.evaluate(&failed, active)
    }

    /// [`Self::served_gbps`] given the rule's outcome of the state
    /// ([`Self::outcome`]), for a caller that serves several loads in one
    /// state.
    pub fn served_gbps_in(
        &self,
        load: &Load,
        state: (&[bool], &[bool]),
        out: &Outcome,
        ev: &mut Evaluator,
    ) -> f64 {
        self.open_sinks(out, ev);
        for e in 0..ev.caps.len() {
            ev.caps[e] = self.arc_capacity(e, load, state, out, ev);
        }
        let any = (0..self.entries.len()).any(|d| out.pool_of[d].is_some() && load.rate[d] > 0.0);
        if !any {
            ev.caps.fill(0.0);
            return 0.0;
        }
        let n = self.n_sites as u32;
        ev.mf.solve(&self.net, &ev.caps, n, n + 1)
    }

    /// Marks the serving sites that take some pool's load (their sink arcs
    /// are open).
    fn open_sinks(&self, out: &Outcome, ev: &mut Evaluator) {
        ev.sink_open.fill(false);
        for p in &out.pools {
            for &i in &p.sites {
                ev.sink_open[i as usize] = true;
            }
        }
    }

    /// The capacity of edge `e` of the network in a state (after
    /// [`Self::open_sinks`]): a link while it and its ends are up, a
    /// demand's source arc while the rule serves it, an entry arc while its
    /// site is up in the demand's pool, a serving site's sink arc while it
    /// takes a pool's load; partial failures scale links and sites.
    fn arc_capacity(
        &self,
        e: usize,
        load: &Load,
        state: (&[bool], &[bool]),
        out: &Outcome,
        ev: &Evaluator,
    ) -> f64 {
        if !self.arc_open(e, state, out, ev) {
            return 0.0;
        }
        if e < self.links.len() {
            self.link_cap[e] * left(&ev.link_left, e)
        } else if e >= self.sink_edge {
            let i = e - self.sink_edge;
            load.site_cap[i] * left(&ev.site_left, i)
        } else {
            load.rate[self.demand_of(e)]
        }
    }

    /// The demand whose source or entry arc edge `e` is.
    fn demand_of(&self, e: usize) -> usize {
        self.arc_demand[e - self.links.len()] as usize
    }

    /// Is edge `e` open in a state (after [`Self::open_sinks`]), as
    /// [`Self::arc_capacity`] says?
    fn arc_open(
        &self,
        e: usize,
        (site_down, link_down): (&[bool], &[bool]),
        out: &Outcome,
        ev: &Evaluator,
    ) -> bool {
        let up = |v: u32| !site_down[v as usize];
        if e < self.links.len() {
            let (a, b) = self.links[e];
            return !link_down[e] && up(a) && up(b);
        }
        if e >= self.sink_edge {
            return ev.sink_open[e - self.sink_edge];
        }
        let d = self.demand_of(e);
        let k = self.demand_edge[d];
        let Some(g) = out.pool_of[d].map(|p| out.pools[p as usize].group) else {
            return false;
        };
        e == k || {
            let x = self.entries[d][e - k - 1];
            up(x) && out.group_of_site[x as usize] == g
        }
    }

    /// The [`FullTest`] of `load`, or `None` when even every arc open does
    /// not serve it in full (a state then serves it in full only when it
    /// leaves out demands, and the test would mostly be wasted work). `slot`
    /// names its scratch flow in each evaluator: give each test of one
    /// evaluator its own.
    pub fn full_test(&self, load: &Load, slot: usize) -> Option<FullTest> {
        let n = self.n_sites as u32;
        let warm = WarmStart::new(&self.net, &self.open_caps(load), n, n + 1);
        (warm.intact() >= load.total * FULL).then(|| FullTest {
            warm,
            rate: load.rate.clone(),
            slot,
        })
    }

    /// Notes which arcs a state (given as to [`Self::served_gbps_in`])
    /// closes, for the [`Self::serves_in_full`] calls that follow; false
    /// while partial failures leave some arc part of its capacity (then
    /// only a solve answers).
    pub fn close_arcs(&self, state: (&[bool], &[bool]), out: &Outcome, ev: &mut Evaluator) -> bool {
        if !ev.site_left.is_empty() || !ev.link_left.is_empty() {
            return false;
        }
        self.open_sinks(out, ev);
        ev.closed.fill(0);
        for e in 0..self.net.n_edges() {
            if !self.arc_open(e, state, out, ev) {
                ev.closed[e / 64] |= 1 << (e % 64);
            }
        }
        true
    }

    /// Does the state of the last [`Self::close_arcs`] (which returned
    /// true), whose rule outcome is `out`, serve in full every demand of
    /// the test's load that the rule serves? The test's paths that avoid
    /// the closed arcs, augmented in the state's residual network, form a
    /// feasible flow; when it carries every served demand's rate it is a
    /// maximum flow, so this is what a solve from zero says (to rounding).
    pub fn serves_in_full(&self, test: &FullTest, out: &Outcome, ev: &mut Evaluator) -> bool {
        let target: f64 = (0..self.entries.len())
            .filter(|&d| out.pool_of[d].is_some())
            .map(|d| test.rate[d])
            .sum();
        if target <= 0.0 {
            return true;
        }
        if ev.warm.len() <= test.slot {
            ev.warm
                .resize_with(test.slot + 1, || MaxFlow::new(&self.net));
        }
        test.warm
            .solve(&self.net, &mut ev.warm[test.slot], &ev.closed)
            >= target * FULL
    }

    /// The flow of `load` with nothing down (`active` choosing the
    /// active-passive site) when it serves every demand in full: the edges
    /// that carry some of it and how much.
    pub fn full_flow(&self, load: &Load, active: Active, ev: &mut Evaluator) -> Option<FullFlow> {
        let nodes = vec![false; self.n_sites];
        let links = vec![false; self.links.len()];
        self.served_gbps(load, (&nodes, &links), active, ev);
        let full = (0..self.entries.len())
            .all(|d| load.rate[d] == 0.0 || snap(self.demand_served(d, ev) / load.rate[d]) == 1.0);
        let used = (0..ev.caps.len())
            .map(|e| {
                (
                    e as u32,
                    ev.mf.edge_flow(&self.net, e).abs().min(ev.caps[e]),
                )
            })
            .filter(|&(_, f)| f > 0.0)
            .collect();
        full.then_some(FullFlow { used })
    }

    /// Does `flow` (a [`Self::full_flow`] of `load`) still fit in a state
    /// (given as to [`Self::served_gbps_in`])? Then it is a maximum flow
    /// there too, and every demand is served in full, without a solve.
    pub fn still_fits(
        &self,
        flow: &FullFlow,
        load: &Load,
        state: (&[bool], &[bool]),
        out: &Outcome,
        ev: &mut Evaluator,
    ) -> bool {
        self.open_sinks(out, ev);
        flow.used
            .iter()
            .all(|&(e, f)| self.arc_capacity(e as usize, load, state, out, ev) >= f)
    }

    /// Gbit/s served of demand `d` by the last [`Self::served_gbps`] (one
    /// maximum flow's split: the total is unique, the split need not be).
    pub fn demand_served(&self, d: usize, ev: &Evaluator) -> f64 {
        let k = self.demand_edge[d];
        if ev.caps[k] == 0.0 {
            return 0.0;
        }
        self.net_flow(k, ev)
    }

    /// Serving site `i`'s (plan order) share of the capacity open to the
    /// last [`Self::served_gbps`], the split by capacity the simulator gives
    /// a pool's load (a maximum flow's own split need not be unique).
    pub fn capacity_share(&self, i: usize, ev: &Evaluator) -> f64 {
        let sinks = &ev.caps[self.sink_edge..self.sink_edge + self.serving.len()];
        let total: f64 = sinks.iter().sum();
        if total > 0.0 { sinks[i] / total } else { 0.0 }
    }

    fn net_flow(&self, e: usize, ev: &Evaluator) -> f64 {
        ev.mf.edge_flow(&self.net, e).clamp(0.0, ev.caps[e])
    }

    /// The served fraction of total demand (the plan's first usable site
    /// active), snapped to exactly 1 or 0 within rounding.
    pub fn served_fraction(
        &self,
        load: &Load,
        site_down: &[bool],
        link_down: &[bool],
        ev: &mut Evaluator,
    ) -> f64 {
        self.served_fraction_with(load, None, site_down, link_down, ev)
    }

    /// [`Self::served_fraction`], settled without a solve when `test` (a
    /// [`Self::full_test`] of `load`) shows every demand served in full:
    /// then it is exactly 1, as the solve's snapped fraction is.
    pub fn served_fraction_with(
        &self,
        load: &Load,
        test: Option<&FullTest>,
        site_down: &[bool],
        link_down: &[bool],
        ev: &mut Evaluator,
    ) -> f64 {
        if load.total <= 0.0 {
            return 1.0;
        }
        let state = (site_down, link_down);
        let out = self.outcome(state, Active::FirstUsable);
        let full = |ev: &mut Evaluator| {
            test.is_some_and(|t| {
                out.all_served()
                    && self.close_arcs(state, &out, ev)
                    && self.serves_in_full(t, &out, ev)
            })
        };
        if full(ev) {
            return 1.0;
        }
        snap(self.served_gbps_in(load, state, &out, ev) / load.total)
    }
}

/// Every demand's rate (requests/s) at UTC `hour` of its daily profile, or
/// at its daily peak (no surges).
pub fn demand_rps(t: &Topology, hour: Option<u32>) -> Vec<f64> {
    t.demands
        .iter()
        .map(|d| hour.map_or(d.peak_rps, |h| d.rps_at_hour(h as usize)))
        .collect()
}

fn link_cap_of(t: &Topology) -> Vec<f64> {
    t.links.iter().map(|l| l.capacity_gbps).collect()
}

/// A served fraction clamped to [0, 1] and snapped to exactly 1 or 0 within
/// rounding.
pub fn snap(f: f64) -> f64 {
    let f = f.clamp(0.0, 1.0);
    if f >= FULL {
        1.0
    } else if f <= 1e-12 {
        0.0
    } else {
        f
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;
    use std::path::Path;

    pub(crate) fn tiny() -> Topology {
        let text = include_str!("../../tests/data/served-tiny.toml");
        crate::io::load::load_str(text, Path::new("served-tiny.toml"))
            .unwrap()
            .topology
    }

    pub(crate) fn global() -> Topology {
        crate::io::load_path(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/topologies/global-messaging.toml"
        )))
        .unwrap()
    }

    /// Sites a=0, b=1, x=2, y=3; links ax=0, ay=1, by=2.
    fn served(t: &Topology, plan: &str, hour: Option<u32>, sites: &[u32], links: &[u32]) -> f64 {
        let rps = demand_rps(t, hour);
        let dn = DemandNetwork::new(t, t.plan_id(plan).unwrap(), &rps);
        let mut sd = vec![false; 4];
        let mut ld = vec![false; 3];
        sites.iter().for_each(|&i| sd[i as usize] = true);
        links.iter().for_each(|&j| ld[j as usize] = true);
        dn.served_fraction(&dn.load(&rps), &sd, &ld, &mut dn.evaluator())
    }

    #[test]
    fn hand_solved_states_of_the_tiny_network() {
        // Each value is the optimum of the two-commodity problem, solved by
        // hand (see the picture in served-tiny.toml): A = 10 Gbit/s at a,
        // B = 10 at b, sites x and y take 20 each.
        let t = tiny();
        let cases: [(&str, &[u32], &[u32], f64); 12] = [
            // A -> x over ax, B -> y over by.
            ("aa1", &[], &[], 1.0),
            // x cut off: A squeezes 4 through ay, B sends 10 (the simulator,
            // blind to links, would say 1.0).
            ("aa1", &[], &[0], 0.7),
            // b isolated: only A, 10 of 20.
            ("aa1", &[], &[2], 0.5),
            ("aa1", &[3], &[], 0.5),
            // a down: A has no entry, B -> y; x is alone and unusable.
            ("aa1", &[0], &[], 0.5),
            ("aa1", &[], &[0, 1, 2], 0.0),
            // Quorum 2: x cut off leaves one usable serving site, no service.
            ("aa2", &[], &[0], 0.0),
            ("aa2", &[], &[2], 0.5),
            ("aa2", &[], &[], 1.0),
            // Active-passive: x active, everything must cross ax (10 of 20).
            ("ap", &[], &[], 0.5),
            // x unusable: y takes over, fed by ay (4) and by (10).
            ("ap", &[], &[0], 0.7),
            ("ap", &[2], &[], 0.7),
        ];
        for (plan, sites, links, want) in cases {
            let got = served(&t, plan, None, sites, links);
            assert!(
                (got - want).abs() < 1e-12,
                "{plan} sites {sites:?} links {links:?}: {got} vs {want}"
            );
        }
        // At 01:00 UTC A runs at half rate, 5 + 10 of 15. Active-passive:
        // ax has room for B now, but B reaches a only through ay: 5 + 4.
        assert_eq!(served(&t, "aa1", Some(1), &[], &[]), 1.0);
        assert!((served(&t, "ap", Some(1), &[], &[]) - 9.0 / 15.0).abs() < 1e-12);
    }

    /// The simulator's served amount in one state, from the rule's pools:
    /// each pool serves min(its demand, its capacity) (even shedding, links
    /// ignored), the active-passive plan on its first usable site.
    fn simulator_fraction(t: &Topology, plan: PlanId, sd: &[bool], ld: &[bool]) -> f64 {
        let failed = FailedSet::from_down(sd, ld);
        let out = ServiceRule::new(t, plan).evaluate(&failed, Active::FirstUsable);
        let total: f64 = t.demands.iter().map(|d| d.peak_rps).sum();
        let pools = out.pools.iter().map(|g| (&g.demands[..], g.capacity));
        crate::service::arbitrary::pools_served_rps(t, pools) / total
    }

    /// Does the last solve of `ev` serve every demand the rule serves in
    /// full (and no other)?
    fn solved_in_full(net: &DemandNetwork, load: &Load, out: &Outcome, ev: &Evaluator) -> bool {
        (0..load.rate.len()).all(|d| {
            let want = if out.pool_of[d].is_some() { 1.0 } else { 0.0 };
            load.rate[d] == 0.0 || snap(net.demand_served(d, ev) / load.rate[d]) == want
        })
    }

    /// The full test says "served in full" exactly when a solve from zero
    /// does, on random topologies (with and without services), plans of
    /// both modes (any site active, so failover opens other sink arcs),
    /// states, thin links and loads below and above the peak, several
    /// states through one evaluator (its scratch flows learn cuts); with a
    /// partial failure in progress it declines and a solve answers. Both
    /// answers were exercised.
    #[test]
    fn the_full_test_agrees_with_a_solve_from_zero() {
        use crate::service::arbitrary;
        use proptest::{prop_assert, prop_assert_eq};
        use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
        let [full, short, skipped]: [AtomicUsize; 3] = Default::default();
        let check = |c: &arbitrary::Case, out: &Outcome| {
            let mut t = c.topo.clone();
            arbitrary::pattern_links(&mut t, [1e-4, 2e-4, 1e-3, 100.0]);
            let peak: Vec<f64> = t.demands.iter().map(|d| d.peak_rps).collect();
            let scaled = |k: f64| peak.iter().map(|p| p * k).collect::<Vec<f64>>();
            let net = DemandNetwork::new(&t, PlanId(0), &scaled(2.0));
            let mut ev = net.evaluator();
            let nodes = c.failed.node_flags();
            let (none, up) = (vec![false; nodes.len()], vec![false; t.links.len()]);
            let active = c.active.map_or(Active::NoSite, Active::Site);
            let intact = net.outcome((&none, &up), active);
            let state = (&nodes[..], c.failed.links_down());
            for (slot, k) in [0.3, 1.0, 2.0].into_iter().enumerate() {
                let load = net.load(&scaled(k));
                let Some(test) = net.full_test(&load, slot) else {
                    skipped.fetch_add(1, Relaxed);
                    continue;
                };
                // Nothing down, then the state, through the same scratch.
                for (st, o) in [((&none[..], &up[..]), &intact), (state, out)] {
                    prop_assert!(net.close_arcs(st, o, &mut ev));
                    let fast = net.serves_in_full(&test, o, &mut ev);
                    net.served_gbps_in(&load, st, o, &mut ev);
                    prop_assert_eq!(fast, solved_in_full(&net, &load, o, &ev), "load x{}", k);
                    let n = if fast { &full } else { &short };
                    n.fetch_add(1, Relaxed);
                }
            }
            let sites = vec![0.5; net.serving().len()];
            ev.set_left(Some((&sites, &[])));
            prop_assert!(!net.close_arcs(state, out, &mut ev));
            Ok(())
        };
        let active = |c: &arbitrary::Case| c.active.map_or(Active::NoSite, Active::Site);
        arbitrary::check_against_rule(active, check);
        arbitrary::check_services_against_rule(active, check);
        let (full, short, skipped) = (full.into_inner(), short.into_inner(), skipped.into_inner());
        assert!(full > 20_000 && short > 4_000, "{full} {short} {skipped}");
    }

    #[test]
    fn without_binding_links_the_total_is_the_simulators() {
        let real = global();
        let mut wide = real.clone();
        wide.links.iter_mut().for_each(|l| l.capacity_gbps *= 1e6);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let mut unif = || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let mut partial = 0;
        for pi in 0..real.plans.len() {
            let plan = PlanId(pi as u32);
            let peak = demand_rps(&real, None);
            let dn_wide = DemandNetwork::new(&wide, plan, &peak);
            let dn_real = DemandNetwork::new(&real, plan, &peak);
            let load = dn_real.load(&peak);
            let (mut ev_w, mut ev_r) = (dn_wide.evaluator(), dn_real.evaluator());
            for _ in 0..3000 {
                let sd: Vec<bool> = (0..real.sites.len()).map(|_| unif() < 0.2).collect();
                let ld: Vec<bool> = (0..real.links.len()).map(|_| unif() < 0.2).collect();
                let sim = simulator_fraction(&real, plan, &sd, &ld);
                let w = dn_wide.served_fraction(&load, &sd, &ld, &mut ev_w);
                let r = dn_real.served_fraction(&load, &sd, &ld, &mut ev_r);
                assert!((w - sim).abs() < 1e-9, "plan {pi}: {w} vs simulator {sim}");
                assert!(r <= sim + 1e-9, "plan {pi}: {r} above simulator {sim}");
                partial += usize::from(sim > 0.0 && sim < 1.0);
            }
        }
        // The states must exercise partial service, not only all-or-nothing.
        assert!(partial > 100, "{partial}");
    }
}
