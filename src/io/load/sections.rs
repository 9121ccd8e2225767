//! One function per section of a topology file, called in file order by
//! [`Validator::build`]: each checks its tables' values and references
//! (reporting every error with its span) and returns the typed parts.

use super::*;

/// The ids declared so far, per kind, for references to resolve against.
#[derive(Default)]
pub(super) struct Ids {
    pub(super) region: Seen,
    pub(super) site: Seen,
    link: Seen,
    srg: Seen,
    train: Seen,
    demand: Seen,
    surge: Seen,
    plan: Seen,
    pub(super) service: Seen,
    pub(super) service_targets: Vec<super::services::Target>,
}

impl Validator<'_> {
    /// Checks every section in file order (each may refer to the ones
    /// before it) and assembles the parts; errors are collected, not
    /// returned, so a file's every problem is reported at once.
    pub(super) fn build(&mut self, f: &FileDto) -> TopologyParts {
        let meta = f.topology.get_ref();
        self.meta(f);
        let mut ids = Ids::default();
        let regions = self.regions(f, &mut ids);
        let sites = self.sites(f, &mut ids);
        let links = self.links(f, &mut ids, &sites);
        let partials = self.partials(f, &sites, &links);
        let shared_risks = self.shared_risks(f, &mut ids);
        let services = self.services(f, &mut ids);
        let release_trains = self.release_trains(f, &mut ids);
        let operator_errors = self.operator_errors(f);
        let demands = self.demands(f, &mut ids, &sites);
        let surges = self.surges(f, &mut ids);
        let plans = self.plans(f, &mut ids);
        let crews = self.crews(f, &mut ids);
        let fleet_commands = self.fleet_commands(f, &ids);
        if f.site.is_empty() {
            self.error(f.topology.span(), "the topology has no sites")
                .hint = Some("add at least one [[site]]".into());
        }

        TopologyParts {
            name: meta.name.clone(),
            description: meta.description.clone(),
            regions,
            sites,
            links,
            shared_risks,
            release_trains,
            operator_errors,
            demands,
            surges,
            services,
            plans,
            crews,
            partials,
            fleet_commands,
        }
    }

    /// The `[topology]` table and the text rules of every name.
    fn meta(&mut self, f: &FileDto) {
        let meta = f.topology.get_ref();
        if let Some(v) = &meta.format
            && *v.get_ref() != FORMAT_VERSION
        {
            self.error(
                v.span(),
                format!("format version {} is not supported", v.get_ref()),
            )
            .hint = Some(format!("this drsim reads format = {FORMAT_VERSION}"));
        }
        if meta.name.trim().is_empty() {
            self.error(f.topology.span(), "topology name must not be empty");
        }
        self.texts(f);
    }

    fn regions(&mut self, f: &FileDto, ids: &mut Ids) -> Vec<Region> {
        let mut regions = Vec::new();
        for (i, r) in f.region.iter().enumerate() {
            let r = r.get_ref();
            self.declare(&mut ids.region, "region", &r.id, i as u32);
            let mut hazards = Vec::new();
            for h in &r.hazard {
                let span = h.span();
                let h = h.get_ref();
                let rate = self.finite(
                    &h.annual_rate,
                    "hazard annual_rate",
                    0.0,
                    limits::MAX_EVENT_RATE,
                );
                let outage = self.dist(
                    &h.outage,
                    span,
                    &format!("region '{}' hazard '{}': outage", r.id.get_ref(), h.kind),
                );
                if let (Some(rate), Some(outage)) = (rate, outage) {
                    hazards.push(Hazard {
                        kind: h.kind.clone(),
                        events: EventProcess {
                            annual_rate: rate,
                            duration: outage,
                        },
                        site_hit_probability: h.site_hit_probability.unwrap_or(Probability::ONE),
                        destroys: h.destroys,
                    });
                }
            }
            regions.push(Region {
                key: r.id.get_ref().clone(),
                name: r.name.clone().unwrap_or_else(|| r.id.get_ref().clone()),
                hazards,
            });
        }

        regions
    }

    fn sites(&mut self, f: &FileDto, ids: &mut Ids) -> Vec<Site> {
        let defaults = &f.defaults;
        let default_site_capacity = self.finite_opt(
            &defaults.site.capacity_rps,
            "default site capacity_rps",
            0.0,
            limits::MAX_SITE_RPS,
        );
        let mut sites = Vec::new();
        for (i, s) in f.site.iter().enumerate() {
            let s = s.get_ref();
            self.declare(&mut ids.site, "site", &s.id, i as u32);
            let owner = format!("site '{}'", s.id.get_ref());
            let region = s
                .region
                .as_ref()
                .and_then(|r| self.resolve(&ids.region, "region", r))
                .map(RegionId);
            let location = match (&s.lat, &s.lon) {
                (Some(lat), Some(lon)) => {
                    let la = self.finite(lat, "latitude", -90.0, 90.0);
                    let lo = self.finite(lon, "longitude", -180.0, 180.0);
                    la.zip(lo).map(|(lat, lon)| GeoPoint { lat, lon })
                }
                (Some(x), None) | (None, Some(x)) => {
                    self.error(
                        x.span(),
                        format!("{owner}: give both lat and lon, or neither"),
                    );
                    None
                }
                (None, None) => None,
            };
            let capacity_rps = match &s.capacity_rps {
                Some(c) => self
                    .finite(c, "capacity_rps", 0.0, limits::MAX_SITE_RPS)
                    .unwrap_or(0.0),
                None => default_site_capacity.unwrap_or(f64::INFINITY),
            };
            let failure = match s.failure.as_ref().or(defaults.site.failure.as_ref()) {
                Some(fd) => self.failure(fd, None, &owner).unwrap_or(None),
                None => None,
            };
            sites.push(Site {
                key: s.id.get_ref().clone(),
                name: s.name.clone().unwrap_or_else(|| s.id.get_ref().clone()),
                region,
                location,
                capacity_rps,
                failure,
                gray: self.site_gray(&s.gray, &owner),
            });
        }

        sites
    }

    fn links(&mut self, f: &FileDto, ids: &mut Ids, sites: &[Site]) -> Vec<Link> {
        let defaults = &f.defaults;
        let default_link_capacity = self.finite_opt(
            &defaults.link.capacity_gbps,
            "default link capacity_gbps",
            0.0,
            limits::MAX_LINK_GBPS,
        );
        let mut links = Vec::new();
        for (i, l) in f.link.iter().enumerate() {
            let span = l.span();
            let l = l.get_ref();
            let a = self.resolve(&ids.site, "site", &l.a);
            let b = self.resolve(&ids.site, "site", &l.b);
            let id = l.id.clone().unwrap_or_else(|| {
                Spanned::new(span.clone(), format!("{}-{}", l.a.get_ref(), l.b.get_ref()))
            });
            if l.id.is_none() && ids.link.contains_key(id.get_ref()) {
                self.error(
                    span.clone(),
                    format!(
                        "a second link between '{}' and '{}' needs its own id",
                        l.a.get_ref(),
                        l.b.get_ref()
                    ),
                )
                .hint = Some("parallel links are fine: give each an id = \"...\"".into());
            } else {
                self.declare(&mut ids.link, "link", &id, i as u32);
            }
            if l.a.get_ref() == l.b.get_ref() {
                self.error(
                    l.b.span(),
                    format!(
                        "link '{}' connects site '{}' to itself",
                        id.get_ref(),
                        l.a.get_ref()
                    ),
                );
            }
            let owner = format!("link '{}'", id.get_ref());
            let capacity_gbps = match &l.capacity_gbps {
                Some(c) => self
                    .finite(c, "capacity_gbps", 0.0, limits::MAX_LINK_GBPS)
                    .unwrap_or(0.0),
                None => default_link_capacity.unwrap_or(DEFAULT_LINK_CAPACITY_GBPS),
            };
            let geo_len = a.zip(b).and_then(|(a, b)| {
                let (pa, pb) = (
                    sites.get(a as usize)?.location?,
                    sites.get(b as usize)?.location?,
                );
                Some(pa.distance_km(pb))
            });
            let length_km = match &l.length_km {
                Some(v) => self.finite(v, "length_km", 0.0, 50_000.0),
                None => geo_len,
            };
            let latency_ms =
                self.finite_opt(&l.latency_ms, "latency_ms", 0.0, limits::MAX_LATENCY_MS);
            let failure = match l.failure.as_ref().or(defaults.link.failure.as_ref()) {
                Some(fd) => self.failure(fd, length_km, &owner).unwrap_or(None),
                None => None,
            };
            links.push(Link {
                key: id.get_ref().clone(),
                a: SiteId(a.unwrap_or(0)),
                b: SiteId(b.unwrap_or(0)),
                capacity_gbps,
                length_km,
                latency_ms,
                failure,
            });
        }

        links
    }

    fn shared_risks(&mut self, f: &FileDto, ids: &mut Ids) -> Vec<SharedRisk> {
        let mut shared_risks = Vec::new();
        for (i, g) in f.shared_risk.iter().enumerate() {
            let span = g.span();
            let g = g.get_ref();
            self.declare(&mut ids.srg, "shared-risk group", &g.id, i as u32);
            let owner = format!("shared-risk group '{}'", g.id.get_ref());
            let kind = match &g.kind {
                None => RiskKind::Other,
                Some(k) => RiskKind::parse(k.get_ref()).unwrap_or_else(|| {
                    let all: Vec<&str> = RiskKind::ALL.iter().map(|k| k.as_str()).collect();
                    self.error(
                        k.span(),
                        format!("unknown shared-risk kind '{}'", k.get_ref()),
                    )
                    .hint = Some(format!("use one of {}", all.join(", ")));
                    RiskKind::Other
                }),
            };
            let members_sites: Vec<SiteId> = g
                .sites
                .iter()
                .filter_map(|s| self.resolve(&ids.site, "site", s).map(SiteId))
                .collect();
            let members_links: Vec<LinkId> = g
                .links
                .iter()
                .filter_map(|s| self.resolve(&ids.link, "link", s).map(LinkId))
                .collect();
            if g.sites.is_empty() && g.links.is_empty() {
                self.error(span, format!("{owner} has no members")).hint =
                    Some("list the sites = [...] and/or links = [...] that fail together".into());
            }
            let failure = match self.failure(&g.failure, None, &owner) {
                Some(Some(p)) => Some(p),
                Some(None) => {
                    self.error(
                        g.failure.span(),
                        format!("{owner} never fails; remove it or give it a failure rate"),
                    );
                    None
                }
                None => None,
            };
            if let Some(failure) = failure {
                shared_risks.push(SharedRisk {
                    key: g.id.get_ref().clone(),
                    name: g.name.clone().unwrap_or_else(|| g.id.get_ref().clone()),
                    kind,
                    sites: members_sites,
                    links: members_links,
                    failure,
                    destroys: g.destroys.unwrap_or(false),
                });
            }
        }

        shared_risks
    }

    fn operator_errors(&mut self, f: &FileDto) -> Option<OperatorErrors> {
        f.operator_errors.as_ref().and_then(|o| {
            let span = o.span();
            let o = o.get_ref();
            let rate = self.finite(
                &o.annual_rate,
                "operator_errors annual_rate",
                0.0,
                limits::MAX_EVENT_RATE,
            )?;
            let outage = self.dist(&o.outage, span, "operator_errors: outage")?;
            Some(OperatorErrors {
                events: EventProcess {
                    annual_rate: rate,
                    duration: outage,
                },
            })
        })
    }

    fn release_trains(&mut self, f: &FileDto, ids: &mut Ids) -> Vec<ReleaseTrain> {
        let mut release_trains = Vec::new();
        for (i, t) in f.release_train.iter().enumerate() {
            let span = t.span();
            let t = t.get_ref();
            self.declare(&mut ids.train, "release train", &t.id, i as u32);
            let sites_on: Vec<SiteId> = t
                .sites
                .iter()
                .filter_map(|s| self.resolve(&ids.site, "site", s).map(SiteId))
                .collect();
            let services = self.train_services(&t.services, ids);
            if t.sites.is_empty() && t.services.is_empty() {
                self.error(
                    span,
                    format!(
                        "release train '{}' deploys to no site and no service",
                        t.id.get_ref()
                    ),
                )
                .hint = Some("list its sites = [...] or services = [...]".into());
            }
            let owner = format!("release train '{}'", t.id.get_ref());
            let recovery = t
                .recovery
                .as_ref()
                .and_then(|r| self.recovery(r, ids, &owner));
            let mut canary = Vec::new();
            for c in &t.canary_sites {
                if let Some(s) = self.resolve(&ids.site, "site", c) {
                    if !sites_on.contains(&SiteId(s)) {
                        self.error(
                            c.span(),
                            format!(
                                "canary site '{}' is not one of the train's sites",
                                c.get_ref()
                            ),
                        );
                    }
                    canary.push(SiteId(s));
                }
            }
            let rate = self
                .finite(&t.releases_per_year, "releases_per_year", 0.0, 1e6)
                .unwrap_or(0.0);
            let Some(rollout) = self.rollout(t, &sites_on, ids) else {
                continue;
            };
            let train = ReleaseTrain {
                key: t.id.get_ref().clone(),
                name: t.name.clone().unwrap_or_else(|| t.id.get_ref().clone()),
                sites: sites_on,
                canary_sites: canary,
                releases_per_year: rate,
                bad_release_probability: t.bad_release_probability,
                canary_catch: t.canary_catch,
                detection: rollout.detection,
                rollback: rollout.rollback,
                waves: rollout.waves,
                trigger: rollout.trigger,
                instances: self.train_instances(t),
                services,
                recovery,
                corrupts: self.train_corrupts(t),
            };
            self.waves_cover(&train, t);
            release_trains.push(train);
        }

        release_trains
    }

    fn demands(&mut self, f: &FileDto, ids: &mut Ids, sites: &[Site]) -> Vec<Demand> {
        let defaults = &f.defaults;
        let default_kbit = defaults.demand.kbit_per_request.as_ref().and_then(|v| {
            self.finite(
                v,
                "default kbit_per_request",
                limits::KBIT_PER_REQUEST.0,
                limits::KBIT_PER_REQUEST.1,
            )
        });
        let default_profile = defaults
            .demand
            .profile
            .as_ref()
            .and_then(|p| self.profile(p));
        let mut demands = Vec::new();
        for (i, d) in f.demand.iter().enumerate() {
            let span = d.span();
            let d = d.get_ref();
            self.declare(&mut ids.demand, "demand", &d.id, i as u32);
            let mut entry: Vec<SiteId> = d
                .sites
                .iter()
                .filter_map(|s| self.resolve(&ids.site, "site", s).map(SiteId))
                .collect();
            match (&d.region, d.sites.is_empty()) {
                (Some(r), true) => {
                    if let Some(ri) = self.resolve(&ids.region, "region", r) {
                        entry = sites
                            .iter()
                            .enumerate()
                            .filter(|(_, s)| s.region == Some(RegionId(ri)))
                            .map(|(i, _)| SiteId(i as u32))
                            .collect();
                        if entry.is_empty() {
                            self.error(
                                r.span(),
                                format!(
                                    "region '{}' has no sites for demand '{}' to enter at",
                                    r.get_ref(),
                                    d.id.get_ref()
                                ),
                            );
                        }
                    }
                }
                (Some(r), false) => {
                    self.error(
                        r.span(),
                        format!("demand '{}' gives both region and sites", d.id.get_ref()),
                    )
                    .hint = Some(
                        "users enter either at every site of a region or at the listed sites"
                            .into(),
                    );
                }
                (None, true) => {
                    self.error(
                        span,
                        format!("demand '{}' has no entry point", d.id.get_ref()),
                    )
                    .hint = Some("give region = \"...\" or sites = [...]".into());
                }
                (None, false) => {}
            }
            // Bounded (far above any real service) so that user-minutes and
            // Gbit/s sums stay finite: 1e308 users read as inf/NaN results.
            let users = self
                .finite(&d.users, "users", 0.0, MAX_DEMAND_AMOUNT)
                .unwrap_or(0.0);
            let peak = self
                .finite(&d.peak_rps, "peak_rps", 0.0, MAX_DEMAND_AMOUNT)
                .unwrap_or(0.0);
            let profile = match &d.profile {
                Some(p) => self.profile(p),
                None => default_profile,
            }
            .unwrap_or([1.0; 24]);
            let kbit = match &d.kbit_per_request {
                Some(v) => self.finite(
                    v,
                    "kbit_per_request",
                    limits::KBIT_PER_REQUEST.0,
                    limits::KBIT_PER_REQUEST.1,
                ),
                None => default_kbit,
            }
            .unwrap_or(DEFAULT_KBIT_PER_REQUEST);
            demands.push(Demand {
                key: d.id.get_ref().clone(),
                name: d.name.clone().unwrap_or_else(|| d.id.get_ref().clone()),
                entry_sites: entry,
                users,
                peak_rps: peak,
                profile,
                kbit_per_request: kbit,
            });
        }

        demands
    }

    fn surges(&mut self, f: &FileDto, ids: &mut Ids) -> Vec<Surge> {
        let mut surges = Vec::new();
        for (i, s) in f.surge.iter().enumerate() {
            let s = s.get_ref();
            self.declare(&mut ids.surge, "surge", &s.id, i as u32);
            let day = day_of_year(s.date.get_ref());
            if day.is_none() {
                self.error(
                    s.date.span(),
                    format!(
                        "surge date '{}' is not a valid \"MM-DD\" date",
                        s.date.get_ref()
                    ),
                );
            }
            let start = match &s.start_hour_utc {
                Some(h) => self.finite(h, "start_hour_utc", 0.0, 23.999_999),
                None => Some(0.0),
            };
            let mult = self.finite(
                &s.multiplier,
                "multiplier",
                1e-6,
                limits::MAX_SURGE_MULTIPLIER,
            );
            let ds: Vec<DemandId> = s
                .demands
                .iter()
                .filter_map(|d| self.resolve(&ids.demand, "demand", d).map(DemandId))
                .collect();
            surges.push(Surge {
                key: s.id.get_ref().clone(),
                name: s.name.clone().unwrap_or_else(|| s.id.get_ref().clone()),
                day_of_year: day.unwrap_or(0),
                start_hour_utc: start.unwrap_or(0.0),
                duration: s.duration,
                multiplier: mult.unwrap_or(1.0),
                demands: ds,
            });
        }

        surges
    }

    fn plans(&mut self, f: &FileDto, ids: &mut Ids) -> Vec<Plan> {
        let mut plans = Vec::new();
        // Checked once, however many plans take it.
        let default_slo = f.defaults.slo.as_ref().and_then(|x| self.slo(x));
        for (i, p) in f.plan.iter().enumerate() {
            if let Some(mut plan) = self.plan(p, i as u32, ids, f) {
                plan.targets.slo = match &p.get_ref().slo {
                    Some(own) => self.slo(own),
                    None => default_slo,
                };
                plans.push(plan);
            }
        }

        plans
    }

    fn profile(&mut self, p: &Spanned<Vec<f64>>) -> Option<[f64; 24]> {
        let v = p.get_ref();
        if v.len() != 24 {
            self.error(
                p.span(),
                format!(
                    "a daily profile needs 24 hourly values (UTC hours 0..23), got {}",
                    v.len()
                ),
            );
            return None;
        }
        if let Some(bad) = v
            .iter()
            .find(|x| !(x.is_finite() && (0.0..=1.0).contains(*x)))
        {
            self.error(
                p.span(),
                format!("profile values are fractions of peak in [0, 1], got {bad}"),
            );
            return None;
        }
        let mut out = [0.0; 24];
        out.copy_from_slice(v);
        Some(out)
    }

    fn plan(
        &mut self,
        p: &Spanned<PlanDto>,
        index: u32,
        ids: &mut Ids,
        f: &FileDto,
    ) -> Option<Plan> {
        let p = p.get_ref();
        self.declare(&mut ids.plan, "plan", &p.id, index);
        let owner = format!("plan '{}'", p.id.get_ref());
        let serving = self.plan_serving_sites(p, &ids.site, &owner)?;
        let mode = match p.mode.get_ref().as_str() {
            "active-active" => PlanMode::ActiveActive,
            "active-passive" => PlanMode::ActivePassive,
            other => {
                self.error(p.mode.span(), format!("unknown plan mode '{other}'"))
                    .hint = Some("use \"active-active\" or \"active-passive\"".into());
                return None;
            }
        };
        let (replicas, quorum) = self.plan_counts(p, mode, &owner)?;
        let replication = self.plan_replication(p, &owner);
        let headroom = self
            .finite_opt(&p.headroom, "headroom", 0.0, 100.0)
            .unwrap_or(0.0);
        let cost = self
            .finite_opt(
                &p.cost_per_year,
                "cost_per_year",
                0.0,
                limits::MAX_COST_PER_YEAR,
            )
            .unwrap_or(0.0);
        let op = self
            .finite_opt(
                &p.operator_error_factor,
                "operator_error_factor",
                0.0,
                100.0,
            )
            .unwrap_or(1.0);
        let targets = p
            .targets
            .as_ref()
            .map_or_else(Targets::default, |t| self.plan_targets(t, &owner));
        let serves = match &p.serves {
            None => None,
            Some(sv) => Some(self.plan_serves(sv, &serving, ids, f, &owner)?),
        };
        Some(Plan {
            serves,
            key: p.id.get_ref().clone(),
            name: p.name.clone().unwrap_or_else(|| p.id.get_ref().clone()),
            serving_sites: serving,
            mode,
            replicas,
            quorum,
            detection: p.detection,
            switchover: p.switchover,
            replication,
            backup_interval: p.backup_interval,
            data: self.plan_data(p, ids, &owner),
            headroom,
            cost_per_year: cost,
            operator_error_factor: op,
            targets,
            retry: self.plan_retry(&p.retry, &owner),
            warmup: self.plan_warmup(&p.warmup, mode, &owner),
            failback: self.plan_failback(&p.failback, mode, &owner),
        })
    }

    /// A plan's serving sites, each resolved once; `None` when it has none.
    fn plan_serving_sites(
        &mut self,
        p: &PlanDto,
        site_ids: &Seen,
        owner: &str,
    ) -> Option<Vec<SiteId>> {
        let mut serving = Vec::new();
        for s in p.serving_sites.get_ref() {
            if let Some(id) = self.resolve(site_ids, "site", s) {
                if serving.contains(&SiteId(id)) {
                    self.error(
                        s.span(),
                        format!("{owner} lists site '{}' twice", s.get_ref()),
                    );
                }
                serving.push(SiteId(id));
            }
        }
        if p.serving_sites.get_ref().is_empty() {
            self.error(
                p.serving_sites.span(),
                format!("{owner} serves from no site"),
            );
            return None;
        }
        Some(serving)
    }

    /// Replicas and quorum, each between 1 and the number of serving sites.
    fn plan_counts(&mut self, p: &PlanDto, mode: PlanMode, owner: &str) -> Option<(u32, u32)> {
        let n = p.serving_sites.get_ref().len() as i64;
        let count =
            |v: &Option<Spanned<i64>>, default: i64, what: &str, me: &mut Self| -> Option<u32> {
                match v {
                    None => Some(default as u32),
                    Some(x) if (1..=n).contains(x.get_ref()) => Some(*x.get_ref() as u32),
                    Some(x) => {
                        me.error(
                            x.span(),
                            format!(
                                "{owner}: {what} {} must be between 1 and the {n} serving sites",
                                x.get_ref()
                            ),
                        );
                        None
                    }
                }
            };
        let replicas = count(&p.replicas, n, "replicas", self)?;
        let quorum = count(&p.quorum, 1, "quorum", self)?;
        if mode == PlanMode::ActivePassive
            && let Some(q) = &p.quorum
            && *q.get_ref() != 1
        {
            self.error(q.span(), format!("{owner}: an active-passive plan serves from one site at a time; its quorum is 1"));
        }
        Some((replicas, quorum))
    }

    /// The replication mode; an error falls back to `Sync` so that the
    /// rest of the plan is still checked.
    fn plan_replication(&mut self, p: &PlanDto, owner: &str) -> Replication {
        let named_span = || p.replication.as_ref().map_or(p.id.span(), |r| r.span());
        match (
            p.replication.as_ref().map(|r| r.get_ref().as_str()),
            p.replication_lag,
        ) {
            (None | Some("sync"), None) => Replication::Sync,
            (None | Some("sync"), Some(_)) => {
                self.error(
                    p.id.span(),
                    format!("{owner}: replication_lag only applies to replication = \"async\""),
                );
                Replication::Sync
            }
            (Some("async"), Some(lag)) => Replication::Async { lag },
            (Some("async"), None) => {
                self.error(
                    named_span(),
                    format!("{owner}: async replication needs replication_lag"),
                )
                .hint = Some("e.g. replication_lag = \"5s\"".into());
                Replication::Sync
            }
            (Some(other), _) => {
                self.error(named_span(), format!("unknown replication '{other}'"))
                    .hint = Some("use \"sync\" or \"async\"".into());
                Replication::Sync
            }
        }
    }
}
