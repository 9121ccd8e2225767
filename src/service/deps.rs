//! Services inside the rule: which instances work in a failure state. An
//! instance works while its site is up, its service is not down as a whole,
//! and every data-plane dependency finds enough working instances within
//! reach over up links. Cycles are resolved by the greatest fixed point:
//! instances that keep each other running stay up (the cold start of a
//! cycle that went down is the simulator's business).

use super::state::FailedSet;
use crate::model::{Dependency, PlanId, Reach, Recovery, ServiceId, Topology};

const NONE: u32 = u32::MAX;

/// A plan's front end and the services it needs, compiled.
#[derive(Clone, Debug)]
pub(crate) struct Deps {
    /// Instance sites per service.
    instances: Vec<Vec<u32>>,
    requires: Vec<Vec<Dependency>>,
    /// Per service: the services that require it (data plane).
    dependents: Vec<Vec<usize>>,
    /// Services the front end needs, directly or not, in id order.
    relevant: Vec<usize>,
    /// Region label per site; a site without a region is a region alone.
    region: Vec<u32>,
    pub front: ServiceId,
    front_requires: Vec<Dependency>,
    front_control: Vec<Dependency>,
}

/// One failure state as the dependency rule reads it: sites down, services
/// down as a whole, the working instances and the connected groups.
#[derive(Clone, Copy)]
pub(crate) struct State<'a> {
    pub site_down: &'a [bool],
    pub down: &'a [bool],
    pub w: &'a [Vec<bool>],
    pub group: &'a [u32],
}

/// Why a serving site's front end is not working: the chain of unmet
/// dependencies from the front end down to the first cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blame {
    /// The front end first, then each service that lacks instances.
    pub chain: Vec<ServiceId>,
    /// What stops the last service of the chain.
    pub end: BlameEnd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlameEnd {
    /// The service is down as a whole.
    ServiceDown,
    /// Its instances within reach are on down or cut-off sites.
    NoInstanceReached,
    /// The front end's own site is down.
    SiteDown,
}

impl Deps {
    /// `None` when the plan serves no declared service: today's model.
    pub fn new(t: &Topology, plan: PlanId) -> Option<Deps> {
        let front = t.plan(plan).serves?;
        Some(Deps {
            relevant: t
                .service_closure(front)
                .into_iter()
                .map(|s| s.index())
                .collect(),
            ..Deps::all(t, front)
        })
    }

    /// Every service relevant, with `front` as the front end.
    fn all(t: &Topology, front: ServiceId) -> Deps {
        let n_regions = t.regions.len() as u32;
        let svc = t.service(front);
        Deps {
            instances: t
                .services
                .iter()
                .map(|s| s.sites.iter().map(|x| x.0).collect())
                .collect(),
            requires: t.services.iter().map(|s| s.requires.clone()).collect(),
            dependents: {
                let mut d = vec![Vec::new(); t.services.len()];
                for (i, s) in t.services.iter().enumerate() {
                    for r in &s.requires {
                        d[r.service.index()].push(i);
                    }
                }
                d
            },
            relevant: (0..t.services.len()).collect(),
            region: (0..t.sites.len())
                .map(|i| t.sites[i].region.map_or(n_regions + i as u32, |r| r.0))
                .collect(),
            front,
            front_requires: svc.requires.clone(),
            front_control: svc.control.clone(),
        }
    }

    /// Working flag of every instance (per service, in site-list order),
    /// for the services the front end needs; others read all false.
    pub fn working(&self, site_down: &[bool], down: &[bool], group: &[u32]) -> Vec<Vec<bool>> {
        let mut w: Vec<Vec<bool>> = self
            .instances
            .iter()
            .map(|xs| vec![false; xs.len()])
            .collect();
        for &s in &self.relevant {
            let service_down = down.get(s).copied().unwrap_or(false);
            for (k, &x) in self.instances[s].iter().enumerate() {
                w[s][k] = !service_down && !site_down[x as usize];
            }
        }
        // A worklist of services to re-check: a service is looked at again
        // only when a service it requires lost an instance, so a chain of n
        // services costs O(n), not n passes of O(n). Instances only ever
        // turn off, and the greatest fixed point is unique, so the order
        // does not matter.
        let mut queued = vec![false; self.instances.len()];
        let mut relevant = vec![false; self.instances.len()];
        for &s in &self.relevant {
            queued[s] = true;
            relevant[s] = true;
        }
        let mut queue: Vec<usize> = self.relevant.clone();
        while let Some(s) = queue.pop() {
            queued[s] = false;
            let mut lost = false;
            for k in 0..self.instances[s].len() {
                let x = self.instances[s][k];
                if w[s][k] && !self.met(&self.requires[s], x, &w, group) {
                    w[s][k] = false;
                    lost = true;
                }
            }
            if lost {
                for &r in &self.dependents[s] {
                    if relevant[r] && !queued[r] {
                        queued[r] = true;
                        queue.push(r);
                    }
                }
            }
        }
        w
    }

    /// Does the front end work at site `x` (data plane)?
    pub fn front_works(&self, x: u32, st: &State<'_>) -> bool {
        let State {
            site_down,
            down,
            w,
            group,
        } = *st;
        !site_down[x as usize]
            && !down.get(self.front.index()).copied().unwrap_or(false)
            && self.met(&self.front_requires, x, w, group)
    }

    /// Can the control plane reach site `x` to make it active?
    pub fn control_ok(&self, x: u32, w: &[Vec<bool>], group: &[u32]) -> bool {
        self.met(&self.front_control, x, w, group)
    }

    fn met(&self, deps: &[Dependency], x: u32, w: &[Vec<bool>], group: &[u32]) -> bool {
        deps.iter()
            .all(|d| self.count(d, x, group, |s, k| w[s][k]) >= d.needs)
    }

    /// Instances of `d`'s service within its reach of site `x` that pass
    /// `ok` (a down site `x` reaches nothing).
    fn count(
        &self,
        d: &Dependency,
        x: u32,
        group: &[u32],
        ok: impl Fn(usize, usize) -> bool,
    ) -> u32 {
        let s = d.service.index();
        let gx = group[x as usize];
        if gx == NONE {
            return 0;
        }
        let within = |y: u32| match d.reach {
            Reach::Site => y == x,
            Reach::Region => {
                self.region[y as usize] == self.region[x as usize] && group[y as usize] == gx
            }
            Reach::Anywhere => group[y as usize] == gx,
        };
        self.instances[s]
            .iter()
            .enumerate()
            .filter(|&(k, &y)| within(y) && ok(s, k))
            .count() as u32
    }

    /// The chain of unmet dependencies that stops the front end at site
    /// `x`, or `None` when it works there.
    pub fn blame(&self, x: u32, st: &State<'_>) -> Option<Blame> {
        if self.front_works(x, st) {
            return None;
        }
        let State {
            site_down,
            down,
            w,
            group,
        } = *st;
        let mut chain = vec![self.front];
        let is_down = |s: usize| down.get(s).copied().unwrap_or(false);
        if site_down[x as usize] {
            return Some(Blame {
                chain,
                end: BlameEnd::SiteDown,
            });
        }
        if is_down(self.front.index()) {
            return Some(Blame {
                chain,
                end: BlameEnd::ServiceDown,
            });
        }
        let (mut at, mut deps) = (x, &self.front_requires);
        loop {
            let Some(d) = deps
                .iter()
                .find(|d| self.count(d, at, group, |s, k| w[s][k]) < d.needs)
            else {
                // Cannot happen for a failing instance; end the chain here.
                return Some(Blame {
                    chain,
                    end: BlameEnd::NoInstanceReached,
                });
            };
            let s = d.service.index();
            chain.push(d.service);
            if is_down(s) {
                return Some(Blame {
                    chain,
                    end: BlameEnd::ServiceDown,
                });
            }
            // An instance within reach that is up but not working: follow
            // its own unmet dependency (never revisiting a service).
            let next = self.instances[s].iter().enumerate().find(|&(k, &y)| {
                !w[s][k]
                    && !site_down[y as usize]
                    && self.count(d, at, group, |s2, k2| s2 == s && k2 == k) == 1
            });
            match next {
                Some((_, &y)) if chain.iter().filter(|c| c.index() == s).count() == 1 => {
                    at = y;
                    deps = &self.requires[s];
                }
                // No such instance, or a service already on the chain.
                _ => {
                    return Some(Blame {
                        chain,
                        end: BlameEnd::NoInstanceReached,
                    });
                }
            }
        }
    }
}

/// Can a recovery that needs `r` go at its normal pace in state `failed`?
/// Recovery staff reach any working instance, wherever it is (an
/// out-of-band path is the point), so instances are counted network-wide.
pub fn recovery_possible(t: &Topology, r: &Recovery, failed: &FailedSet) -> bool {
    recovery_met(r, &instances_working(t, failed))
}

/// [`recovery_possible`] from the working instances of a state
/// ([`instances_working`]), for callers that test several recoveries on one.
pub fn recovery_met(r: &Recovery, working: &[Vec<bool>]) -> bool {
    r.requires.iter().all(|d| {
        working
            .get(d.service.index())
            .is_some_and(|w| w.iter().filter(|&&ok| ok).count() as u32 >= d.needs)
    })
}

/// Working flag of every instance of every service (per service, in
/// site-list order) in state `failed`, whatever plan: the simulator's
/// network-wide view for cold starts of dependency cycles.
pub fn instances_working(t: &Topology, failed: &FailedSet) -> Vec<Vec<bool>> {
    if t.services.is_empty() {
        return Vec::new();
    }
    let deps = Deps::all(t, ServiceId(0));
    let group = super::rule::site_groups(t, failed);
    deps.working(failed.sites_down(), failed.services_down(), &group)
}

impl Blame {
    /// "messaging needs auth needs dns, which is down".
    pub fn text(&self, t: &Topology) -> String {
        let chain = t.chain_text(&self.chain);
        let last = t.service(*self.chain.last().expect("chain starts at the front end"));
        match self.end {
            BlameEnd::ServiceDown => format!("{chain}, which is down"),
            BlameEnd::SiteDown => format!("{chain}: its site is down"),
            BlameEnd::NoInstanceReached => {
                format!("{chain}: too few {} instances are up and reached", last.key)
            }
        }
    }
}
