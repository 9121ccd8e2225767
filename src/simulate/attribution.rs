//! What downtime is blamed on: the components (sites, links, services) and,
//! for holds that come from a shared event, the event itself (a shared-risk
//! group, a regional hazard, a release train, operator errors), so a conduit
//! cut shows as its shared risk, not as its cables in equal halves. The
//! rule is in README.md (`drsim run`, "Attribution"); trial/blame.rs
//! applies it.

use crate::model::Topology;

/// Where each blamed source sits in a trial's `component_secs`: sites,
/// links and services first (as before), then shared-risk groups, hazards
/// (region by region), release trains and operator errors.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sources {
    pub risk: usize,
    pub hazard: usize,
    pub train: usize,
    pub operator: usize,
    pub len: usize,
}

impl Sources {
    pub fn new(t: &Topology) -> Sources {
        let components = t.sites.len() + t.links.len() + t.services.len();
        let risk = components;
        let hazard = risk + t.shared_risks.len();
        let train = hazard + t.regions.iter().map(|r| r.hazards.len()).sum::<usize>();
        let operator = train + t.release_trains.len();
        Sources {
            risk,
            hazard,
            train,
            operator,
            len: operator + 1,
        }
    }

    /// The name `top_components` gives source `i`.
    pub fn name(&self, t: &Topology, i: usize) -> String {
        let (n, m) = (t.sites.len(), t.links.len());
        if i < n {
            format!("site:{}", t.sites[i].key)
        } else if i < n + m {
            format!("link:{}", t.links[i - n].key)
        } else if i < self.risk {
            format!("service:{}", t.services[i - n - m].key)
        } else if i < self.hazard {
            format!("shared-risk:{}", t.shared_risks[i - self.risk].key)
        } else if i < self.train {
            let mut k = i - self.hazard;
            for r in &t.regions {
                if k < r.hazards.len() {
                    return format!("hazard:{}:{}", r.key, r.hazards[k].kind);
                }
                k -= r.hazards.len();
            }
            unreachable!("hazard source {i} past the layout")
        } else if i < self.operator {
            format!("release:{}", t.release_trains[i - self.train].key)
        } else {
            "operator".into()
        }
    }
}
