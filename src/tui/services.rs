//! What the Services section shows for a what-if: which instances of each
//! service work, and why the others do not. Derived once per change of the
//! what-if (like the plan statuses), so rendering computes nothing. The
//! answer comes from the one rule ([`ServiceRule`]), not a copy of it, asked
//! of probe plans; how the probes are built and why only the first few
//! stopped instances are traced is in docs/internals.md, "tui/services.rs".

use drsim::model::{
    Dependency, Plan, PlanId, PlanMode, Reach, Replication, Service, ServiceId, SiteId, Topology,
};
use drsim::service::{Active, FailedSet, ServiceRule};
use drsim::units::Duration;

/// Stopped instances traced to a reason, per service and in all.
const TRACED_PER_SERVICE: usize = 4;
const TRACED: usize = 64;

/// One instance of a service under the current what-if.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    pub site: SiteId,
    pub working: bool,
    /// Why it does not work: "its site is down", "the service is down as a
    /// whole", or the rule's chain ("auth needs dns, which is down");
    /// `None` when working or not traced (see the module doc).
    pub reason: Option<String>,
}

/// A service under the current what-if.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceState {
    /// Its declared sites, or, for a front end declared without sites, the
    /// serving sites of the plans that serve it.
    pub instances: Vec<Instance>,
    /// The instances come from the plans that serve it.
    pub from_plans: bool,
}

impl ServiceState {
    pub fn working(&self) -> usize {
        self.instances.iter().filter(|i| i.working).count()
    }
    /// Fewer instances work than its dependents need by default.
    pub fn down(&self, needs: u32) -> bool {
        self.working() < (needs as usize).max(1)
    }
}

/// Where a service runs: its own sites, else those of the plans serving it
/// (in plan order, each once).
pub fn instance_sites(t: &Topology, s: ServiceId) -> (Vec<SiteId>, bool) {
    let own = &t.service(s).sites;
    if !own.is_empty() {
        return (own.clone(), false);
    }
    let mut sites: Vec<SiteId> = Vec::new();
    for p in t.plans.iter().filter(|p| p.serves == Some(s)) {
        for &x in &p.serving_sites {
            if !sites.contains(&x) {
                sites.push(x);
            }
        }
    }
    (sites, true)
}

/// Every service's instances under `failed`, in service order.
pub fn states(t: &Topology, failed: &FailedSet) -> Vec<ServiceState> {
    let n = t.services.len();
    if n == 0 {
        return Vec::new();
    }
    if t.sites.is_empty() {
        // Nothing runs anywhere (a file always has a site; this is a guard).
        let none = ServiceState {
            instances: Vec::new(),
            from_plans: false,
        };
        return vec![none; n];
    }
    let mut probe = t.clone();
    probe.demands.clear();
    probe.plans.clear();
    probe.services.push(needs_everything(n));
    probe
        .plans
        .push(probe_plan(ServiceId(n as u32), vec![SiteId(0)]));
    let all = ServiceRule::new(&probe, PlanId(0)).evaluate(failed, Active::FirstUsable);
    let mut out: Vec<ServiceState> = (0..n)
        .map(|k| {
            let s = ServiceId(k as u32);
            let (sites, from_plans) = instance_sites(t, s);
            let working: Vec<bool> = if from_plans && !sites.is_empty() {
                let id = PlanId(probe.plans.len() as u32);
                probe.plans.push(probe_plan(s, sites.clone()));
                ServiceRule::new(&probe, id)
                    .evaluate(failed, Active::FirstUsable)
                    .usable
            } else {
                all.working[k].clone()
            };
            let instances = sites
                .into_iter()
                .zip(working)
                .map(|(site, working)| Instance {
                    site,
                    working,
                    reason: None,
                })
                .collect();
            ServiceState {
                instances,
                from_plans,
            }
        })
        .collect();
    let mut traced = 0;
    for (k, st) in out.iter_mut().enumerate() {
        let s = ServiceId(k as u32);
        let mut here = 0;
        for i in st.instances.iter_mut().filter(|i| !i.working) {
            i.reason = if failed.site_failed(i.site) {
                Some("its site is down".into())
            } else if failed.service_failed(s) {
                Some("the service is down as a whole".into())
            } else if here < TRACED_PER_SERVICE && traced < TRACED {
                here += 1;
                traced += 1;
                let id = PlanId(probe.plans.len() as u32);
                probe.plans.push(probe_plan(s, vec![i.site]));
                ServiceRule::new(&probe, id)
                    .blame(failed)
                    .map(|b| b.text(t))
            } else {
                None
            };
        }
    }
    out
}

/// A front end that needs each of the `n` services zero times: it puts
/// every service in the rule's fixed point without changing any instance.
fn needs_everything(n: usize) -> Service {
    Service {
        key: "(every service)".into(),
        name: String::new(),
        sites: Vec::new(),
        needs: 0,
        reach: Reach::Anywhere,
        requires: (0..n as u32)
            .map(|k| Dependency {
                service: ServiceId(k),
                needs: 0,
                reach: Reach::Anywhere,
            })
            .collect(),
        control: Vec::new(),
        failure: None,
        recovery: None,
        bootstrap: None,
    }
}

/// Serves `s` from `sites`, active-active; the other fields do not enter
/// the rule.
fn probe_plan(s: ServiceId, sites: Vec<SiteId>) -> Plan {
    Plan {
        key: String::new(),
        name: String::new(),
        serving_sites: sites,
        mode: PlanMode::ActiveActive,
        replicas: 1,
        quorum: 1,
        detection: Duration::ZERO,
        switchover: Duration::ZERO,
        replication: Replication::Sync,
        backup_interval: None,
        data: Default::default(),
        headroom: 0.0,
        cost_per_year: 0.0,
        operator_error_factor: 1.0,
        targets: Default::default(),
        serves: Some(s),
        retry: None,
        warmup: None,
        failback: Default::default(),
    }
}

/// Why each plan that serves a service is down, in plan order: the rule's
/// chain at its first up serving site whose front end fails ("messaging
/// needs auth needs dns, which is down"), or the control plane that keeps an active-passive plan
/// from failing over to a site that would serve. `None` for plans that are
/// up or serve no service, or whose serving sites are all down (the status
/// says that already).
pub fn plan_blames(t: &Topology, failed: &FailedSet, up: &[bool]) -> Vec<Option<String>> {
    (0..t.plans.len())
        .map(|p| {
            let plan = &t.plans[p];
            let front = plan.serves?;
            if up.get(p).copied().unwrap_or(true) {
                return None;
            }
            let rule = ServiceRule::new(t, PlanId(p as u32));
            if let Some(b) = rule.blame_first_failing(failed) {
                return Some(b.text(t));
            }
            let out = rule.evaluate(failed, Active::FirstUsable);
            let stuck = (0..out.usable.len()).find(|&i| out.usable[i] && !out.control_ok[i])?;
            let control = t.service(front).control.iter();
            Some(format!(
                "cannot fail over to {}: {}'s control plane ({}) does not reach it",
                t.site(plan.serving_sites[stuck]).key,
                t.service(front).key,
                control
                    .map(|d| t.service(d.service).key.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
        .collect()
}

/// A service's dependencies as an indented tree, for the details pane: one
/// `(depth, service, plane)` row per edge, depth-first in declaration
/// order. A service already shown is listed again without its own
/// dependencies (`repeat`), so a diamond stays short and a cycle ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeRow {
    pub depth: usize,
    pub service: ServiceId,
    /// Reached through a control-plane dependency somewhere above.
    pub control: bool,
    pub needs: u32,
    pub reach: drsim::model::Reach,
    pub repeat: bool,
}

/// The dependency tree below `root` (rows for its dependencies, not for
/// `root` itself), at most `limit` rows.
pub fn tree(t: &Topology, root: ServiceId, limit: usize) -> Vec<TreeRow> {
    let mut out = Vec::new();
    let mut shown = vec![false; t.services.len()];
    shown[root.index()] = true;
    walk(t, root, 1, false, &mut shown, &mut out, limit);
    out
}

fn walk(
    t: &Topology,
    s: ServiceId,
    depth: usize,
    control: bool,
    shown: &mut [bool],
    out: &mut Vec<TreeRow>,
    limit: usize,
) {
    let svc = t.service(s);
    let deps =
        (svc.requires.iter().map(|d| (d, control))).chain(svc.control.iter().map(|d| (d, true)));
    for (d, control) in deps {
        if out.len() >= limit {
            return;
        }
        let repeat = shown[d.service.index()];
        shown[d.service.index()] = true;
        out.push(TreeRow {
            depth,
            service: d.service,
            control,
            needs: d.needs,
            reach: d.reach,
            repeat,
        });
        if !repeat {
            walk(t, d.service, depth + 1, control, shown, out, limit);
        }
    }
}
