//! The `[[service]]` tables and the references to services from release
//! trains and plans. Services may depend on services declared later (and on
//! each other: cycles are legal and warned about), so ids are declared for
//! all of them before any dependency is resolved.

use super::sections::Ids;
use super::*;

/// What a dependency's target offers by default: its `needs`, its `reach`
/// and how many instances it has.
#[derive(Clone, Copy)]
pub(super) struct Target {
    needs: u32,
    reach: Reach,
    instances: u32,
}

impl Validator<'_> {
    pub(super) fn services(&mut self, f: &FileDto, ids: &mut Ids) -> Vec<Service> {
        for (i, s) in f.service.iter().enumerate() {
            self.declare(&mut ids.service, "service", &s.get_ref().id, i as u32);
        }
        // First the defaults each service offers its dependents.
        ids.service_targets = f
            .service
            .iter()
            .map(|s| self.service_defaults(s.get_ref()))
            .collect();
        let mut out = Vec::new();
        for s in &f.service {
            let span = s.span();
            let s = s.get_ref();
            let owner = format!("service '{}'", s.id.get_ref());
            let mut sites = Vec::new();
            for x in &s.sites {
                if let Some(id) = self.resolve(&ids.site, "site", x) {
                    if sites.contains(&SiteId(id)) {
                        self.error(
                            x.span(),
                            format!("{owner} lists site '{}' twice", x.get_ref()),
                        );
                        continue;
                    }
                    sites.push(SiteId(id));
                }
            }
            let me = ids.service_targets[out.len()];
            let requires = self.dependencies(&s.requires, ids, &owner);
            let control = self.dependencies(&s.control, ids, &owner);
            let failure = match &s.failure {
                None => None,
                Some(fd) => self.failure(fd, None, &owner).flatten(),
            };
            let recovery = s
                .recovery
                .as_ref()
                .and_then(|r| self.recovery(r, ids, &owner));
            let bootstrap = s
                .bootstrap
                .as_ref()
                .and_then(|b| self.dist(b, span.clone(), &format!("{owner}: bootstrap")));
            out.push(Service {
                key: s.id.get_ref().clone(),
                name: s.name.clone().unwrap_or_else(|| s.id.get_ref().clone()),
                sites,
                needs: me.needs,
                reach: me.reach,
                requires,
                control,
                failure,
                recovery,
                bootstrap,
            });
        }
        out
    }

    /// A service's own `needs` and `reach`, checked against its sites.
    fn service_defaults(&mut self, s: &ServiceDto) -> Target {
        let instances = s.sites.len() as u32;
        let owner = format!("service '{}'", s.id.get_ref());
        let reach = s.reach.as_ref().map_or(Reach::Anywhere, |r| self.reach(r));
        let needs = match &s.needs {
            None => 1,
            Some(n) if (1..=i64::from(instances.max(1))).contains(n.get_ref()) => {
                *n.get_ref() as u32
            }
            Some(n) => {
                self.error(
                    n.span(),
                    format!(
                        "{owner}: needs {} must be between 1 and its {instances} instances",
                        n.get_ref()
                    ),
                );
                1
            }
        };
        Target {
            needs,
            reach,
            instances,
        }
    }

    fn reach(&mut self, r: &Spanned<String>) -> Reach {
        Reach::parse(r.get_ref()).unwrap_or_else(|| {
            self.error(r.span(), format!("unknown reach '{}'", r.get_ref()))
                .hint = Some("use \"site\", \"region\" or \"anywhere\"".into());
            Reach::Anywhere
        })
    }

    fn dependencies(
        &mut self,
        deps: &[Spanned<DependencyDto>],
        ids: &Ids,
        owner: &str,
    ) -> Vec<Dependency> {
        let mut out: Vec<Dependency> = Vec::new();
        for d in deps {
            let span = d.span();
            let dto = d.get_ref();
            let name = Spanned::new(span.clone(), dto.service.clone());
            let Some(i) = self.resolve(&ids.service, "service", &name) else {
                continue;
            };
            let target = ids.service_targets[i as usize];
            if target.instances == 0 {
                self.error(
                    span,
                    format!(
                        "{owner} needs service '{}', which runs on no site",
                        dto.service
                    ),
                )
                .hint = Some("give the service its sites = [...]".into());
                continue;
            }
            let needs = match dto.needs {
                None => target.needs,
                Some(n) if (1..=i64::from(target.instances)).contains(&n) => n as u32,
                Some(n) => {
                    self.error(
                        span,
                        format!(
                            "{owner}: needs {n} instances of '{}', which has {}",
                            dto.service, target.instances
                        ),
                    );
                    continue;
                }
            };
            let reach = match &dto.reach {
                None => target.reach,
                Some(r) => self.reach(&Spanned::new(span.clone(), r.clone())),
            };
            if out.iter().any(|x| x.service == ServiceId(i)) {
                self.error(
                    span,
                    format!("{owner} lists service '{}' twice", dto.service),
                );
                continue;
            }
            out.push(Dependency {
                service: ServiceId(i),
                needs,
                reach,
            });
        }
        out
    }

    pub(super) fn recovery(
        &mut self,
        r: &Spanned<RecoveryDto>,
        ids: &Ids,
        owner: &str,
    ) -> Option<Recovery> {
        let dto = r.get_ref();
        if dto.requires.is_empty() {
            self.error(
                r.span(),
                format!("{owner}: a recovery with no requires changes nothing"),
            )
            .hint = Some("list the services recovery needs, e.g. requires = [\"oob\"]".into());
            return None;
        }
        let requires = self.dependencies(&dto.requires, ids, &format!("{owner}: recovery"));
        Some(Recovery {
            requires,
            fallback: dto.fallback,
        })
    }

    /// The services a release train pushes to.
    pub(super) fn train_services(
        &mut self,
        names: &[Spanned<String>],
        ids: &Ids,
    ) -> Vec<ServiceId> {
        names
            .iter()
            .filter_map(|n| self.resolve(&ids.service, "service", n).map(ServiceId))
            .collect()
    }

    /// A plan's `serves`: a declared service that runs on every serving site
    /// (a service with no sites of its own runs where plans put it).
    pub(super) fn plan_serves(
        &mut self,
        serves: &Spanned<String>,
        serving: &[SiteId],
        ids: &Ids,
        f: &FileDto,
        owner: &str,
    ) -> Option<ServiceId> {
        let i = self.resolve(&ids.service, "service", serves)?;
        let dto = f.service[i as usize].get_ref();
        if dto.sites.is_empty() {
            return Some(ServiceId(i));
        }
        let runs: Vec<Option<u32>> = dto
            .sites
            .iter()
            .map(|x| ids.site.get(x.get_ref()).map(|e| e.0))
            .collect();
        for s in serving {
            if !runs.contains(&Some(s.0)) {
                let site = f.site[s.index()].get_ref().id.get_ref();
                self.error(
                    serves.span(),
                    format!(
                        "{owner} serves '{}' from site '{site}', which does not run it",
                        serves.get_ref()
                    ),
                )
                .hint = Some(format!(
                    "add '{site}' to the sites of service '{}', or drop it from serving_sites",
                    serves.get_ref()
                ));
                return None;
            }
        }
        Some(ServiceId(i))
    }
}
