//! The load-feedback settings of sites and plans: `gray` on a site,
//! `retry` and `warmup` on a plan (see [`crate::model::Retry`]).

use super::*;

impl Validator<'_> {
    /// A site's `gray = { fraction, mtbf, mttr }`.
    pub(super) fn site_gray(&mut self, g: &Option<Spanned<GrayDto>>, owner: &str) -> Option<Gray> {
        let g = g.as_ref()?;
        let d = g.get_ref();
        let fraction = self.finite(&d.fraction, "gray fraction", 0.0, 1.0);
        if fraction == Some(0.0) {
            self.error(
                d.fraction.span(),
                format!("{owner}: gray fraction must be above 0"),
            )
            .hint = Some("leave gray out for a site that never goes gray".into());
        }
        let process = self.period_process(g, owner, "gray")?;
        Some(Gray {
            fraction: fraction.filter(|&f| f > 0.0)?,
            process,
        })
    }

    /// A retry decay or warm-up duration: positive and at most 7 days (the
    /// simulator integrates these windows piece by piece); false after
    /// reporting it at `span`.
    pub(super) fn feedback_time(
        &mut self,
        span: std::ops::Range<usize>,
        t: crate::units::Duration,
        what: &str,
        hint: &str,
    ) -> bool {
        let ok = t.secs() > 0.0 && t.secs() <= MAX_FEEDBACK_SECS;
        if !ok {
            self.error(span, format!("{what} must be positive and at most 7d"))
                .hint = Some(hint.into());
        }
        ok
    }

    /// A plan's `retry = { factor, decay }`.
    pub(super) fn plan_retry(
        &mut self,
        r: &Option<Spanned<RetryDto>>,
        owner: &str,
    ) -> Option<Retry> {
        let r = r.as_ref()?;
        let d = r.get_ref();
        let factor = self.finite(&d.factor, "retry factor", 1.0, MAX_RETRY_FACTOR);
        let hint = "e.g. retry = { factor = 2.0, decay = \"10m\" }";
        if !self.feedback_time(r.span(), d.decay, &format!("{owner}: retry decay"), hint) {
            return None;
        }
        Some(Retry {
            factor: factor?,
            decay: d.decay,
        })
    }

    /// A plan's `warmup = { duration, capacity }`, for active-passive plans.
    pub(super) fn plan_warmup(
        &mut self,
        w: &Option<Spanned<WarmupDto>>,
        mode: PlanMode,
        owner: &str,
    ) -> Option<Warmup> {
        let w = w.as_ref()?;
        let d = w.get_ref();
        let capacity = self.finite(&d.capacity, "warm-up capacity", 0.0, 1.0);
        if mode != PlanMode::ActivePassive {
            self.error(
                w.span(),
                format!("{owner}: warmup applies to the standbys of an active-passive plan"),
            )
            .hint = Some("an active-active plan's sites are all warm: leave warmup out".into());
            return None;
        }
        let hint = "e.g. warmup = { duration = \"15m\", capacity = 0.3 }";
        let what = format!("{owner}: warm-up duration");
        if !self.feedback_time(w.span(), d.duration, &what, hint) {
            return None;
        }
        Some(Warmup {
            duration: d.duration,
            capacity: capacity?,
        })
    }
}
