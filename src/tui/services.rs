//! What the Services section shows for a what-if: which instances of each
//! service work, and why the others do not. Derived once per change of the
//! what-if (like the plan statuses), so rendering computes nothing.
//!
//! The answer comes from the one rule ([`ServiceRule`]), not a copy of it:
//! each instance is asked as the front end of a probe plan that serves its
//! service from its site alone, with no demand declared (the rule then lets
//! the serving site be its own entry). The probe is usable exactly when the
//! instance works, and [`ServiceRule::blame`] gives the chain that stops it.

use drsim::model::{Plan, PlanId, PlanMode, Replication, ServiceId, SiteId, Topology};
use drsim::service::{Active, FailedSet, ServiceRule};
use drsim::units::Duration;

/// One instance of a service under the current what-if.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    pub site: SiteId,
    pub working: bool,
    /// Why it does not work: "its site is down", or the rule's chain
    /// ("auth needs dns, which is down").
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
    if t.services.is_empty() {
        return Vec::new();
    }
    // One probe plan per instance, in a copy of the topology without demands.
    let mut probe = t.clone();
    probe.demands.clear();
    probe.plans.clear();
    let mut layout = Vec::with_capacity(t.services.len());
    for k in 0..t.services.len() {
        let s = ServiceId(k as u32);
        let (sites, from_plans) = instance_sites(t, s);
        for &x in &sites {
            probe.plans.push(probe_plan(s, x));
        }
        layout.push((sites, from_plans));
    }
    let mut next = 0u32;
    layout
        .into_iter()
        .map(|(sites, from_plans)| {
            let instances = sites
                .into_iter()
                .map(|site| {
                    let rule = ServiceRule::new(&probe, PlanId(next));
                    next += 1;
                    let working = rule.evaluate(failed, Active::FirstUsable).usable[0];
                    let reason = (!working).then(|| match rule.blame(failed) {
                        Some(b) => b.text(t),
                        None => "its site is down".to_string(),
                    });
                    Instance {
                        site,
                        working,
                        reason,
                    }
                })
                .collect();
            ServiceState {
                instances,
                from_plans,
            }
        })
        .collect()
}

/// Serves `s` from `site` alone; the other fields do not enter the rule.
fn probe_plan(s: ServiceId, site: SiteId) -> Plan {
    Plan {
        key: String::new(),
        name: String::new(),
        serving_sites: vec![site],
        mode: PlanMode::ActiveActive,
        replicas: 1,
        quorum: 1,
        detection: Duration::ZERO,
        switchover: Duration::ZERO,
        replication: Replication::Sync,
        backup_interval: None,
        headroom: 0.0,
        cost_per_year: 0.0,
        operator_error_factor: 1.0,
        targets: Default::default(),
        serves: Some(s),
    }
}

/// Why each plan that serves a service is down, in plan order: the rule's
/// chain at its first up serving site ("messaging needs auth needs dns,
/// which is down"), or the control plane that keeps an active-passive plan
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
            if let Some(b) = rule.blame(failed) {
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
