//! Warnings about the service dependency graph: cycles (legal, but a cycle
//! that goes down needs a cold start) and dependencies a plan cannot lose
//! (one instance, or needing every instance), each named by its chain so
//! the author sees why the plan depends on it.

use super::*;
use std::collections::VecDeque;

impl Validator<'_> {
    pub(super) fn dependency_warnings(&mut self, t: &Topology, f: &FileDto) {
        for cycle in t.service_cycles() {
            let span = f.service.get(cycle[0].index()).map(|s| s.span());
            let path = cycle_path(t, &cycle);
            let mut msg = format!("dependency cycle: {}", t.chain_text(&path));
            let mut on_path = vec![false; t.services.len()];
            path.iter().for_each(|s| on_path[s.index()] = true);
            let others: Vec<String> = cycle
                .iter()
                .filter(|s| !on_path[s.index()])
                .map(|s| format!("'{}'", t.service(*s).key))
                .collect();
            if others.len() > 8 {
                msg += &format!(
                    " (also in the cycle: {} and {} more)",
                    others[..8].join(", "),
                    others.len() - 8
                );
            } else if !others.is_empty() {
                msg += &format!(" (also in the cycle: {})", others.join(", "));
            }
            // The simulator cold-starts a cycle with its longest member
            // bootstrap (by mean); say the same one.
            let boot = cycle
                .iter()
                .filter_map(|s| t.service(*s).bootstrap.as_ref())
                .max_by(|a, b| a.mean_secs().total_cmp(&b.mean_secs()));
            match boot {
                Some(d) => msg += &format!("; it cold-starts in {}", dist_text(d)),
                None => msg += "; it has no bootstrap time",
            }
            let w = self.warn(span, msg);
            if boot.is_none() {
                w.hint = Some(
                    "once every instance of the cycle is down it cannot come back on its own: \
                     give one of its services bootstrap = \"...\" (the cold-start time)"
                        .into(),
                );
            }
        }
        self.single_points(t, f);
    }

    /// A plan's front end needing a dependency it cannot lose one instance
    /// of: a single instance, or `needs` equal to every instance.
    fn single_points(&mut self, t: &Topology, f: &FileDto) {
        let mut fronts: Vec<ServiceId> = t.plans.iter().filter_map(|p| p.serves).collect();
        fronts.sort_unstable();
        fronts.dedup();
        for front in fronts {
            let plans: Vec<String> = t
                .plans
                .iter()
                .filter(|p| p.serves == Some(front))
                .map(|p| format!("'{}'", p.key))
                .collect();
            let span = t
                .plans
                .iter()
                .position(|p| p.serves == Some(front))
                .and_then(|i| f.plan.get(i))
                .map(|p| p.span());
            for (chain, d) in data_plane_paths(t, front) {
                let svc = t.service(d.service);
                let n = svc.sites.len() as u32;
                let what = if n == 1 {
                    format!(
                        "which runs on one site only ('{}')",
                        t.site(svc.sites[0]).key
                    )
                } else if d.needs >= n {
                    format!("needing all {n} of its instances")
                } else {
                    continue;
                };
                let (s, verb) = if plans.len() == 1 {
                    ("plan", "serves")
                } else {
                    ("plans", "serve")
                };
                self.warn(
                    span.clone(),
                    format!(
                        "{s} {} {verb} '{}': {}, {what}, a single point of failure",
                        plans.join(", "),
                        t.service(front).key,
                        t.chain_text(&chain),
                    ),
                )
                .hint = Some(format!(
                    "run '{}' on more sites, or let its dependents need fewer instances",
                    svc.key
                ));
            }
        }
    }
}

/// The shortest data-plane path from each service `front` needs (directly
/// or not) back to `front`, as a chain from `front`, with the dependency
/// that ends it; in the order a breadth-first search meets them.
fn data_plane_paths(t: &Topology, front: ServiceId) -> Vec<(Vec<ServiceId>, Dependency)> {
    let n = t.services.len();
    let mut parent: Vec<Option<ServiceId>> = vec![None; n];
    let mut seen = vec![false; n];
    seen[front.index()] = true;
    let mut queue = VecDeque::from([front]);
    let mut out = Vec::new();
    while let Some(s) = queue.pop_front() {
        for d in &t.service(s).requires {
            let j = d.service.index();
            if seen[j] {
                continue;
            }
            seen[j] = true;
            parent[j] = Some(s);
            queue.push_back(d.service);
            let mut chain = vec![d.service];
            let mut at = s;
            chain.push(at);
            while let Some(p) = parent[at.index()] {
                chain.push(p);
                at = p;
            }
            chain.reverse();
            out.push((chain, *d));
        }
    }
    out
}

/// A shortest cycle through the first member of `members` (a strongly
/// connected group, sorted), closed by repeating that member: `a, b, a`.
fn cycle_path(t: &Topology, members: &[ServiceId]) -> Vec<ServiceId> {
    let start = members[0];
    let n = t.services.len();
    let mut parent: Vec<Option<ServiceId>> = vec![None; n];
    let mut seen = vec![false; n];
    let mut queue = VecDeque::from([start]);
    while let Some(s) = queue.pop_front() {
        for d in &t.service(s).requires {
            if d.service == start {
                let mut path = vec![start, s];
                let mut at = s;
                while let Some(p) = parent[at.index()] {
                    path.push(p);
                    at = p;
                }
                path.reverse();
                return path;
            }
            let j = d.service.index();
            if !seen[j] && members.binary_search(&d.service).is_ok() {
                seen[j] = true;
                parent[j] = Some(s);
                queue.push_back(d.service);
            }
        }
    }
    members.to_vec()
}

/// "3h", "1h (median)", "2h on average".
fn dist_text(d: &Distribution) -> String {
    match d {
        Distribution::Fixed { value } => value.to_string(),
        Distribution::LogNormal { median, .. } => format!("{median} (median)"),
        other => Duration::from_secs(other.mean_secs())
            .map_or_else(|| "an unknown time".into(), |m| format!("{m} on average")),
    }
}
