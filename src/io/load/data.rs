//! A plan's data placement (`backup_site`, `restore`) and the quantiles its
//! `rto` and `rpo` targets mean (see [`crate::model::DataPlan`]).

use super::*;
use crate::model::DataPlan;

impl Validator<'_> {
    /// `backup_site` (a known site, only with `backup_interval`) and
    /// `restore` (a distribution).
    pub(super) fn plan_data(&mut self, p: &PlanDto, site_ids: &Seen, owner: &str) -> DataPlan {
        let backup_site = p.backup_site.as_ref().and_then(|s| {
            let id = self.resolve(site_ids, "site", s)?;
            if p.backup_interval.is_none() {
                self.error(
                    s.span(),
                    format!("{owner}: backup_site without backup_interval"),
                )
                .hint = Some("give backup_interval = \"1d\" (how often backups are taken)".into());
            }
            Some(SiteId(id))
        });
        let restore = p
            .restore
            .as_ref()
            .and_then(|r| self.dist(r.get_ref(), r.span(), &format!("{owner}: restore")));
        DataPlan {
            backup_site,
            restore,
        }
    }

    /// A train's `corrupts` (a probability), not with `waves`.
    pub(super) fn train_corrupts(&mut self, t: &ReleaseTrainDto) -> Probability {
        let Some(c) = &t.corrupts else {
            return Probability::ZERO;
        };
        if t.waves.is_some() && c.get_ref().get() > 0.0 {
            self.error(
                c.span(),
                format!(
                    "release train '{}': corrupts is not modelled for a train rolled out in waves",
                    t.id.get_ref()
                ),
            )
            .hint = Some("drop waves, or corrupts".into());
        }
        *c.get_ref()
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
