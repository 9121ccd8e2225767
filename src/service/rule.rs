//! The rule itself, written plainly over the whole graph: a union-find of up
//! sites over up links per state. Engines that need speed keep a specialised
//! path beside it (see the module doc of [`super`]) and a property test holds
//! them to this one.

use super::deps::{Blame, Deps, State};
use super::state::FailedSet;
use crate::graph::UnionFind;
use crate::model::{PlanId, PlanMode, Topology};

const NONE: u32 = u32::MAX;

/// Which site is active under an active-passive plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Active {
    /// The steady state after failover: the first usable serving site in
    /// plan order (the random-instant engines, where switchover takes no
    /// time).
    FirstUsable,
    /// The serving site (plan index) the failover logic has made active; it
    /// serves only while usable.
    Site(usize),
    /// No site is active (a switchover is under way).
    NoSite,
}

/// A plan compiled against its topology.
#[derive(Clone, Debug)]
pub struct ServiceRule {
    n_sites: usize,
    links: Vec<(u32, u32)>,
    /// Site index of each serving site, in plan priority order.
    serving: Vec<u32>,
    /// Requests/s each serving site can carry.
    capacity: Vec<f64>,
    mode: PlanMode,
    quorum: u32,
    /// Entry sites of each demand; with no demand declared, one implied
    /// demand entering at the serving sites themselves.
    entries: Vec<Vec<u32>>,
    /// The front end's service and what it needs; `None` when the plan
    /// serves no declared service.
    deps: Option<Deps>,
}

/// One pool of capacity: demands served by the same connected group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pool {
    /// Requests/s of the usable serving sites that serve the pool.
    pub capacity: f64,
    /// Demands in the pool, in demand order.
    pub demands: Vec<u32>,
    /// Serving sites (plan indices) that take the pool's load.
    pub sites: Vec<u32>,
    /// The connected group's label (as in [`Outcome::group_of_site`]).
    pub group: u32,
}

/// Who is served in one failure state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    /// Per serving site (plan order): up and connected to an up entry site.
    pub usable: Vec<bool>,
    /// Per demand: usable serving sites in the best group its users reach
    /// (active-passive: 0 when the active site is not among them).
    pub reached: Vec<u32>,
    /// Per demand: the pool serving it, or `None` when it is not served.
    pub pool_of: Vec<Option<u32>>,
    /// Pools in order of their first demand.
    pub pools: Vec<Pool>,
    /// Connected-group label of each site (`u32::MAX` when the site is down).
    pub group_of_site: Vec<u32>,
    /// Per serving site: the front end's control plane reaches it, so the
    /// plan may fail over to it (all true with no control dependency).
    pub control_ok: Vec<bool>,
    /// Per service, per instance (site-list order): working. Empty when the
    /// plan serves no declared service.
    pub working: Vec<Vec<bool>>,
}

impl Outcome {
    /// Every demand is served.
    pub fn all_served(&self) -> bool {
        self.pool_of.iter().all(Option::is_some)
    }
    /// Demands with no pool, in demand order.
    pub fn unserved(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.pool_of.len() as u32).filter(|&d| self.pool_of[d as usize].is_none())
    }
}

/// Connected-group label of each site of `t` in state `failed`.
pub(crate) fn site_groups(t: &Topology, failed: &FailedSet) -> Vec<u32> {
    let links: Vec<(u32, u32)> = t.links.iter().map(|l| (l.a.0, l.b.0)).collect();
    groups_of(t.sites.len(), &links, failed)
}

fn groups_of(n_sites: usize, links: &[(u32, u32)], failed: &FailedSet) -> Vec<u32> {
    let (site_down, link_down) = (failed.sites_down(), failed.links_down());
    let up = |v: u32| !site_down[v as usize];
    let mut uf = UnionFind::new(n_sites);
    for (j, &(a, b)) in links.iter().enumerate() {
        if !link_down[j] && up(a) && up(b) {
            uf.union(a, b);
        }
    }
    (0..n_sites as u32)
        .map(|v| if up(v) { uf.find(v) } else { NONE })
        .collect()
}

/// What each active serving site is provisioned for: its share of the summed
/// daily peaks plus headroom, never beyond what the building holds.
pub fn site_capacities(t: &Topology, plan: PlanId) -> Vec<f64> {
    let p = t.plan(plan);
    let total_peak: f64 = t.demands.iter().map(|d| d.peak_rps).sum();
    let n_active = match p.mode {
        PlanMode::ActiveActive => p.serving_sites.len(),
        PlanMode::ActivePassive => 1,
    } as f64;
    let share = total_peak / n_active * (1.0 + p.headroom);
    p.serving_sites
        .iter()
        .map(|&s| t.site(s).capacity_rps.min(share))
        .collect()
}

impl ServiceRule {
    pub fn new(t: &Topology, plan: PlanId) -> ServiceRule {
        let p = t.plan(plan);
        let serving: Vec<u32> = p.serving_sites.iter().map(|s| s.0).collect();
        let entries = if t.demands.is_empty() {
            vec![serving.clone()]
        } else {
            t.demands
                .iter()
                .map(|d| d.entry_sites.iter().map(|s| s.0).collect())
                .collect()
        };
        ServiceRule {
            n_sites: t.sites.len(),
            links: t.links.iter().map(|l| (l.a.0, l.b.0)).collect(),
            capacity: site_capacities(t, plan),
            serving,
            mode: p.mode,
            quorum: p.quorum,
            entries,
            deps: Deps::new(t, plan),
        }
    }

    /// Does the plan serve a service with dependencies (no fast path)?
    pub fn has_dependencies(&self) -> bool {
        self.deps.is_some()
    }
    pub fn n_sites(&self) -> usize {
        self.n_sites
    }

    /// Connected-group label of each site over up links (`u32::MAX` when
    /// the site is down).
    pub fn groups(&self, failed: &FailedSet) -> Vec<u32> {
        groups_of(self.n_sites, &self.links, failed)
    }

    /// Why the front end does not work at the first serving site whose site
    /// is up: the chain of unmet dependencies. `None` when it works there,
    /// when every serving site is down, or when the plan has no services.
    pub fn blame(&self, failed: &FailedSet) -> Option<Blame> {
        self.blame_at(failed, true)
    }

    /// As [`Self::blame`], at the first serving site (plan order) that is up
    /// and whose front end does not work, so a state that stops a quorum at
    /// a later site is explained too.
    pub fn blame_first_failing(&self, failed: &FailedSet) -> Option<Blame> {
        self.blame_at(failed, false)
    }

    /// The chain at the first up serving site (`first_up_only`) or at the
    /// first up serving site whose front end fails.
    fn blame_at(&self, failed: &FailedSet, first_up_only: bool) -> Option<Blame> {
        let deps = self.deps.as_ref()?;
        let group = self.groups(failed);
        let (site_down, down) = (failed.sites_down(), failed.services_down());
        let w = deps.working(site_down, down, &group);
        let st = State {
            site_down,
            down,
            w: &w,
            group: &group,
        };
        let mut up = self.serving.iter().filter(|&&x| !site_down[x as usize]);
        if first_up_only {
            deps.blame(*up.next()?, &st)
        } else {
            up.find_map(|&x| deps.blame(x, &st))
        }
    }

    pub fn mode(&self) -> PlanMode {
        self.mode
    }
    pub fn quorum(&self) -> u32 {
        self.quorum
    }
    pub fn serving(&self) -> &[u32] {
        &self.serving
    }
    pub fn capacity(&self) -> &[f64] {
        &self.capacity
    }
    pub fn entries(&self) -> &[Vec<u32>] {
        &self.entries
    }

    /// Who is served when exactly the sites and links of `failed` are down.
    ///
    /// Up sites joined by up links form groups; a serving site is *usable*
    /// when it is up and its group holds an up entry site of some demand.
    /// Active-active: a demand takes, among the groups of its up entry sites,
    /// the one with the most usable serving sites (ties: more capacity, then
    /// entry order), and is served when that count reaches the quorum; the
    /// demands served by one group share its capacity. Active-passive: only
    /// the active site serves, and a demand is served when one of its up
    /// entry sites shares the active site's group (the quorum is 1).
    pub fn evaluate(&self, failed: &FailedSet, active: Active) -> Outcome {
        let group_of_site = self.groups(failed);
        self.evaluate_in(
            failed.sites_down(),
            failed.services_down(),
            group_of_site,
            active,
        )
    }

    /// [`Self::evaluate`] from the connected groups of the state (for fast
    /// paths that keep their own union-find); `services_down` may be empty.
    pub fn evaluate_in(
        &self,
        site_down: &[bool],
        services_down: &[bool],
        group_of_site: Vec<u32>,
        active: Active,
    ) -> Outcome {
        let up = |v: u32| !site_down[v as usize];
        let group = |v: u32| group_of_site[v as usize];
        let mut has_entry = vec![false; self.n_sites];
        for &e in self.entries.iter().flatten() {
            if up(e) {
                has_entry[group(e) as usize] = true;
            }
        }
        // With services, a serving site also needs its front end working.
        let working = match &self.deps {
            Some(d) => d.working(site_down, services_down, &group_of_site),
            None => Vec::new(),
        };
        let front_ok = |x: u32| {
            self.deps.as_ref().is_none_or(|d| {
                let st = State {
                    site_down,
                    down: services_down,
                    w: &working,
                    group: &group_of_site,
                };
                d.front_works(x, &st)
            })
        };
        let usable: Vec<bool> = self
            .serving
            .iter()
            .map(|&s| up(s) && has_entry[group(s) as usize] && front_ok(s))
            .collect();
        let control_ok: Vec<bool> = self
            .serving
            .iter()
            .map(|&x| {
                self.deps
                    .as_ref()
                    .is_none_or(|d| d.control_ok(x, &working, &group_of_site))
            })
            .collect();
        // Usable serving sites and their capacity per group.
        let mut count = vec![0u32; self.n_sites];
        let mut cap = vec![0.0f64; self.n_sites];
        for (i, &s) in self.serving.iter().enumerate() {
            if usable[i] {
                count[group(s) as usize] += 1;
                cap[group(s) as usize] += self.capacity[i];
            }
        }
        let (reached, best_group) = self.best_groups(site_down, &group_of_site, &count, &cap);
        let mut out = Outcome {
            usable,
            reached,
            pool_of: vec![None; self.entries.len()],
            pools: Vec::new(),
            group_of_site: group_of_site.clone(),
            control_ok,
            working,
        };
        match self.mode {
            PlanMode::ActiveActive => {
                for (d, &g) in best_group.iter().enumerate() {
                    if g != NONE && count[g as usize] >= self.quorum {
                        // The group's sites, listed once, when its pool opens.
                        let sites = |usable: &[bool]| {
                            (0..self.serving.len() as u32)
                                .filter(|&i| {
                                    usable[i as usize] && group(self.serving[i as usize]) == g
                                })
                                .collect()
                        };
                        out.join(d, g, cap[g as usize], sites);
                    }
                }
            }
            PlanMode::ActivePassive => self.pool_at_active(&mut out, active, site_down),
        }
        out
    }

    /// Per demand, the group it takes among those of its up entry sites
    /// (most usable serving sites, then most capacity, then entry order) and
    /// that group's usable count; `NONE` and 0 when no entry site is up.
    fn best_groups(
        &self,
        site_down: &[bool],
        group_of_site: &[u32],
        count: &[u32],
        cap: &[f64],
    ) -> (Vec<u32>, Vec<u32>) {
        let mut reached = Vec::with_capacity(self.entries.len());
        let mut best_group = Vec::with_capacity(self.entries.len());
        for es in &self.entries {
            let mut best = NONE;
            for &e in es.iter().filter(|&&e| !site_down[e as usize]) {
                let r = group_of_site[e as usize];
                let better = best == NONE || {
                    let (cr, cb) = (count[r as usize], count[best as usize]);
                    cr > cb || (cr == cb && cap[r as usize] > cap[best as usize])
                };
                if better {
                    best = r;
                }
            }
            reached.push(if best == NONE {
                0
            } else {
                count[best as usize]
            });
            best_group.push(best);
        }
        (reached, best_group)
    }

    /// Active-passive pooling: the demands that reach the active site share
    /// its capacity; every other demand reaches no serving site.
    fn pool_at_active(&self, out: &mut Outcome, active: Active, site_down: &[bool]) {
        let active = match active {
            // The primary when usable; a failover needs the control
            // plane to reach the site it makes active.
            Active::FirstUsable if out.usable.first() == Some(&true) => Some(0),
            Active::FirstUsable => {
                (0..out.usable.len()).find(|&i| out.usable[i] && out.control_ok[i])
            }
            Active::Site(a) => Some(a).filter(|&a| out.usable[a]),
            Active::NoSite => None,
        };
        if let Some(a) = active {
            let g = out.group_of_site[self.serving[a] as usize];
            for (d, es) in self.entries.iter().enumerate() {
                if es
                    .iter()
                    .any(|&e| !site_down[e as usize] && out.group_of_site[e as usize] == g)
                {
                    out.join(d, g, self.capacity[a], |_| vec![a as u32]);
                }
            }
        }
        // A demand cut off from the active site reaches no site that
        // serves it, whatever standbys its piece holds.
        for d in 0..self.entries.len() {
            if out.pool_of[d].is_none() {
                out.reached[d] = 0;
            }
        }
    }
}

impl Outcome {
    /// Puts demand `d` in the pool of group `g`, opening it if new with the
    /// serving sites `sites` lists (given the usable flags).
    fn join(&mut self, d: usize, g: u32, capacity: f64, sites: impl FnOnce(&[bool]) -> Vec<u32>) {
        let k = match self.pools.iter().position(|p| p.group == g) {
            Some(k) => k,
            None => {
                let sites = sites(&self.usable);
                self.pools.push(Pool {
                    capacity,
                    demands: Vec::new(),
                    sites,
                    group: g,
                });
                self.pools.len() - 1
            }
        };
        self.pools[k].demands.push(d as u32);
        self.pool_of[d] = Some(k as u32);
    }
}
