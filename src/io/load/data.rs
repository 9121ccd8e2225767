//! A plan's data placement (`backup_site`, `backup_region`, `retention`,
//! `restore`) and the quantiles its
//! `rto` and `rpo` targets mean (see [`crate::model::DataPlan`]).

use super::sections::Ids;
use super::*;
use crate::model::DataPlan;

impl Validator<'_> {
    /// `backup_site` and `backup_region` (one known id or an array of them,
    /// no repeats, only with `backup_interval`), `retention` (at least the
    /// interval) and `restore` (a distribution).
    pub(super) fn plan_data(&mut self, p: &PlanDto, ids: &Ids, owner: &str) -> DataPlan {
        let backup_sites = self.backup_copies(p, &p.backup_site, &ids.site, "site", owner);
        let backup_regions = self.backup_copies(p, &p.backup_region, &ids.region, "region", owner);
        let restore = p
            .restore
            .as_ref()
            .and_then(|r| self.dist(r.get_ref(), r.span(), &format!("{owner}: restore")));
        let mut data = DataPlan {
            backup_sites: backup_sites.into_iter().map(SiteId).collect(),
            backup_regions: backup_regions.into_iter().map(RegionId).collect(),
            retention: p.retention.as_ref().map(|r| *r.get_ref()),
            restore,
        };
        if let (Some(r), Some(m)) = (&p.retention, data.retention_problem(p.backup_interval)) {
            let hint = if m.contains("without") {
                "give backup_interval = \"1d\" (how often backups are taken)"
            } else {
                "keep each backup at least one backup_interval, e.g. retention = \"30d\""
            };
            self.error(r.span(), format!("{owner}: {m}")).hint = Some(hint.into());
            data.retention = None;
        }
        data
    }

    /// The ids of one backup key (`backup_site` or `backup_region`), each
    /// resolved once.
    fn backup_copies(
        &mut self,
        p: &PlanDto,
        field: &Option<Spanned<IdsDto>>,
        seen: &Seen,
        kind: &str,
        owner: &str,
    ) -> Vec<u32> {
        let Some(field) = field else {
            return Vec::new();
        };
        let key = format!("backup_{kind}");
        if p.backup_interval.is_none() {
            self.error(
                field.span(),
                format!("{owner}: {key} without backup_interval"),
            )
            .hint = Some("give backup_interval = \"1d\" (how often backups are taken)".into());
        }
        let items = field.get_ref().items(field.span());
        if items.is_empty() {
            self.error(field.span(), format!("{owner}: {key} lists no {kind}"))
                .hint = Some(format!("drop {key} (backups off-site), or name a {kind}"));
        }
        let mut out = Vec::new();
        let mut listed = std::collections::HashSet::new();
        for id in &items {
            if let Some(i) = self.resolve(seen, kind, id) {
                if !listed.insert(i) {
                    let msg = format!("{owner}: {key} lists {kind} '{}' twice", id.get_ref());
                    self.error(id.span(), msg);
                    continue;
                }
                out.push(i);
            }
        }
        out
    }

    /// A train's `corrupts` (a probability; with `waves` too, see
    /// `simulate/trial/waves.rs`).
    pub(super) fn train_corrupts(&mut self, t: &ReleaseTrainDto) -> Probability {
        t.corrupts
            .as_ref()
            .map_or(Probability::ZERO, |c| *c.get_ref())
    }

    /// `targets = { availability, rto, rpo, rto_quantile, rpo_quantile }`;
    /// a quantile is in (0, 1] and only with its target.
    pub(super) fn plan_targets(&mut self, t: &TargetsDto, owner: &str) -> Targets {
        let mut quantile = |q: &Option<Spanned<f64>>, what: &str, given: bool| {
            let q = q.as_ref()?;
            let v = self.finite(q, &format!("{owner}: {what}"), 0.0, 1.0)?;
            if v == 0.0 {
                self.error(q.span(), format!("{owner}: {what} must be above 0"))
                    .hint = Some("0.99 means p99 of the simulated incidents".into());
                return None;
            }
            if !given {
                let target = &what[..3];
                self.error(
                    q.span(),
                    format!("{owner}: {what} without an {target} target"),
                )
                .hint = Some(format!("give {target} = \"...\" too, or drop {what}"));
            }
            Probability::new(v)
        };
        Targets {
            availability: t.availability,
            rto: t.rto,
            rpo: t.rpo,
            rto_quantile: quantile(&t.rto_quantile, "rto_quantile", t.rto.is_some()),
            rpo_quantile: quantile(&t.rpo_quantile, "rpo_quantile", t.rpo.is_some()),
            slo: None,
        }
    }
}
