//! The checks [`Topology::from_parts`] runs on a model's parts: unique ids,
//! printable names, references that point at something, values in range.
//! The file loader reports the same faults earlier with their lines; these
//! are the safety net for models built in code.

use super::*;

impl ModelError {
    pub(super) fn invalid(kind: &'static str, id: &str, message: impl Into<String>) -> ModelError {
        ModelError::Invalid {
            kind,
            id: id.to_string(),
            message: message.into(),
        }
    }
}

/// `Ok` when `index` names one of the `n` items of kind `target`.
pub(super) fn in_range(
    kind: &'static str,
    id: &str,
    target: &'static str,
    index: usize,
    n: usize,
) -> Result<(), ModelError> {
    if index < n {
        Ok(())
    } else {
        Err(ModelError::Dangling {
            kind,
            id: id.to_string(),
            target,
            index,
        })
    }
}

/// Sites lie in regions that exist, links join two distinct sites, and
/// capacities are non-negative.
pub(super) fn check_sites_and_links(p: &TopologyParts) -> Result<(), ModelError> {
    for s in &p.sites {
        if let Some(r) = s.region {
            in_range("site", &s.key, "region", r.index(), p.regions.len())?;
        }
        if s.capacity_rps.is_nan() || s.capacity_rps < 0.0 {
            return Err(ModelError::invalid("site", &s.key, "capacity must be >= 0"));
        }
    }
    for l in &p.links {
        in_range("link", &l.key, "site", l.a.index(), p.sites.len())?;
        in_range("link", &l.key, "site", l.b.index(), p.sites.len())?;
        if l.a == l.b {
            return Err(ModelError::SelfLoop(l.key.clone()));
        }
        if !(l.capacity_gbps.is_finite() && l.capacity_gbps >= 0.0) {
            return Err(ModelError::invalid(
                "link",
                &l.key,
                "capacity must be finite and >= 0",
            ));
        }
    }
    Ok(())
}

/// Shared-risk groups, release trains, demands and surges refer only to
/// sites, links and demands that exist; every demand enters somewhere.
pub(super) fn check_groups(p: &TopologyParts) -> Result<(), ModelError> {
    let ns = p.sites.len();
    for g in &p.shared_risks {
        for s in &g.sites {
            in_range("shared-risk group", &g.key, "site", s.index(), ns)?;
        }
        for l in &g.links {
            in_range(
                "shared-risk group",
                &g.key,
                "link",
                l.index(),
                p.links.len(),
            )?;
        }
    }
    for t in &p.release_trains {
        for s in t.sites.iter().chain(&t.canary_sites) {
            in_range("release train", &t.key, "site", s.index(), ns)?;
        }
    }
    for d in &p.demands {
        for s in &d.entry_sites {
            in_range("demand", &d.key, "site", s.index(), ns)?;
        }
        if d.entry_sites.is_empty() {
            return Err(ModelError::invalid("demand", &d.key, "has no entry site"));
        }
    }
    for s in &p.surges {
        for d in &s.demands {
            in_range("surge", &s.key, "demand", d.index(), p.demands.len())?;
        }
    }
    Ok(())
}

/// Plans serve from sites that exist, with a quorum and replicas each
/// between 1 and the number of serving sites.
pub(super) fn check_plans(p: &TopologyParts) -> Result<(), ModelError> {
    for plan in &p.plans {
        for s in &plan.serving_sites {
            in_range("plan", &plan.key, "site", s.index(), p.sites.len())?;
        }
        for s in &plan.data.backup_sites {
            in_range("plan", &plan.key, "site", s.index(), p.sites.len())?;
        }
        for r in &plan.data.backup_regions {
            in_range("plan", &plan.key, "region", r.index(), p.regions.len())?;
        }
        if let Some(m) = plan.data.retention_problem(plan.backup_interval) {
            return Err(ModelError::invalid("plan", &plan.key, m));
        }
        let n = plan.serving_sites.len() as u32;
        if n == 0 {
            return Err(ModelError::invalid(
                "plan",
                &plan.key,
                "serves from no site",
            ));
        }
        for (what, v) in [("quorum", plan.quorum), ("replicas", plan.replicas)] {
            if v == 0 || v > n {
                return Err(ModelError::invalid(
                    "plan",
                    &plan.key,
                    format!("{what} {v} must be between 1 and the {n} serving sites"),
                ));
            }
        }
    }
    Ok(())
}

/// Crew ids are unique, regions exist and every crew has a member and a kind.
pub(super) fn check_crews(p: &TopologyParts) -> Result<(), ModelError> {
    unique::<u32>("crew", p.crews.iter().map(|c| &c.key))?;
    for c in &p.crews {
        let invalid = |message: &str| ModelError::Invalid {
            kind: "crew",
            id: c.key.clone(),
            message: message.into(),
        };
        if c.regions.iter().any(|r| r.index() >= p.regions.len()) {
            return Err(invalid("names a region that does not exist"));
        }
        if c.size == 0 {
            return Err(invalid("size must be at least 1"));
        }
        if c.kinds.is_empty() {
            return Err(invalid("repairs no kind of work"));
        }
        text::check_name(&c.name).map_err(|m| invalid(&format!("name {m}")))?;
    }
    Ok(())
}

/// Every name and free-text field is printable (ids are checked by
/// [`unique`]): names reach terminals, CSV, XML and HTML.
pub(super) fn check_names(p: &TopologyParts) -> Result<(), ModelError> {
    let named = p
        .regions
        .iter()
        .map(|x| ("region", &x.key, &x.name))
        .chain(p.sites.iter().map(|x| ("site", &x.key, &x.name)))
        .chain(
            p.shared_risks
                .iter()
                .map(|x| ("shared-risk group", &x.key, &x.name)),
        )
        .chain(
            p.release_trains
                .iter()
                .map(|x| ("release train", &x.key, &x.name)),
        )
        .chain(p.demands.iter().map(|x| ("demand", &x.key, &x.name)))
        .chain(p.surges.iter().map(|x| ("surge", &x.key, &x.name)))
        .chain(p.plans.iter().map(|x| ("plan", &x.key, &x.name)))
        .chain(p.services.iter().map(|x| ("service", &x.key, &x.name)));
    let hazards = p
        .regions
        .iter()
        .flat_map(|r| r.hazards.iter().map(move |h| ("region", &r.key, &h.kind)));
    for (kind, key, name) in named.chain(hazards) {
        text::check_name(name).map_err(|m| ModelError::Invalid {
            kind,
            id: key.clone(),
            message: format!("name or kind {m}"),
        })?;
    }
    let topology = text::check_name(&p.name)
        .map(|()| text::check_multiline(&p.description))
        .and_then(|r| r);
    topology.map_err(|m| ModelError::Invalid {
        kind: "topology",
        id: text::escape(&p.name).into_owned(),
        message: format!("name or description {m}"),
    })
}

pub(super) fn unique<'a, T: From<u32>>(
    kind: &'static str,
    keys: impl Iterator<Item = &'a String>,
) -> Result<HashMap<String, T>, ModelError> {
    let mut map = HashMap::new();
    for (i, k) in keys.enumerate() {
        text::check_id(k).map_err(|m| ModelError::Invalid {
            kind,
            id: text::escape(k).into_owned(),
            message: format!("id {m}"),
        })?;
        if map.insert(k.clone(), T::from(i as u32)).is_some() {
            return Err(ModelError::Duplicate {
                kind,
                id: k.clone(),
            });
        }
    }
    Ok(map)
}

/// Every service reference points at a service, site or count that exists.
pub(super) fn check_services(p: &TopologyParts) -> Result<(), ModelError> {
    let (ns, nsv) = (p.sites.len(), p.services.len());
    let deps_ok = |kind: &'static str, id: &str, deps: &[Dependency]| {
        for d in deps {
            if d.service.index() >= nsv {
                return Err(ModelError::invalid(
                    kind,
                    id,
                    format!("needs service index {}", d.service.0),
                ));
            }
            let n = p.services[d.service.index()].sites.len() as u32;
            if d.needs == 0 || d.needs > n {
                return Err(ModelError::invalid(
                    kind,
                    id,
                    format!(
                        "needs {} instances of service '{}', which has {n}",
                        d.needs,
                        p.services[d.service.index()].key
                    ),
                ));
            }
        }
        Ok(())
    };
    for s in &p.services {
        if s.sites.iter().any(|x| x.index() >= ns) {
            return Err(ModelError::invalid(
                "service",
                &s.key,
                "runs on a site that does not exist",
            ));
        }
        let mut sorted = s.sites.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != s.sites.len() {
            return Err(ModelError::invalid("service", &s.key, "lists a site twice"));
        }
        deps_ok("service", &s.key, &s.requires)?;
        deps_ok("service", &s.key, &s.control)?;
        if let Some(r) = &s.recovery {
            deps_ok("service", &s.key, &r.requires)?;
        }
    }
    for t in &p.release_trains {
        if t.services.iter().any(|x| x.index() >= nsv) {
            return Err(ModelError::invalid(
                "release train",
                &t.key,
                "pushes to a service that does not exist",
            ));
        }
        if let Some(r) = &t.recovery {
            deps_ok("release train", &t.key, &r.requires)?;
        }
    }
    for plan in &p.plans {
        let Some(sv) = plan.serves else { continue };
        let Some(svc) = p.services.get(sv.index()) else {
            return Err(ModelError::invalid(
                "plan",
                &plan.key,
                "serves a service that does not exist",
            ));
        };
        if let Some(x) = plan
            .serving_sites
            .iter()
            .find(|x| !svc.sites.is_empty() && !svc.sites.contains(x))
        {
            return Err(ModelError::invalid(
                "plan",
                &plan.key,
                format!(
                    "serves '{}' from site index {}, which does not run it",
                    svc.key, x.0
                ),
            ));
        }
    }
    Ok(())
}
