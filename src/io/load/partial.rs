//! Partial failure modes of sites and links (`partial = [{ fraction, mtbf,
//! mttr }]`, see [`crate::model::PartialMode`]): read after the sites and
//! links are built, each mode checked with its line.

use super::*;

impl Validator<'_> {
    /// Every site's, then every link's, partial modes, in file order.
    pub(super) fn partials(
        &mut self,
        f: &FileDto,
        sites: &[Site],
        links: &[Link],
    ) -> Vec<PartialMode> {
        let mut out = Vec::new();
        for (i, s) in f.site.iter().enumerate().take(sites.len()) {
            let owner = format!("site '{}'", s.get_ref().id.get_ref());
            let target = PartialTarget::Site(SiteId(i as u32));
            self.partial_count(&s.get_ref().partial, &owner);
            for p in &s.get_ref().partial {
                out.extend(self.partial_mode(p, target, &owner));
            }
        }
        for (j, l) in f.link.iter().enumerate().take(links.len()) {
            let owner = format!("link '{}'", links[j].key);
            let target = PartialTarget::Link(LinkId(j as u32));
            self.partial_count(&l.get_ref().partial, &owner);
            for p in &l.get_ref().partial {
                out.extend(self.partial_mode(p, target, &owner));
            }
        }
        out
    }

    /// At most [`MAX_PARTIAL_MODES`] modes on one component (reported at
    /// the first one too many).
    fn partial_count(&mut self, modes: &[Spanned<PartialDto>], owner: &str) {
        if let Some(p) = modes.get(MAX_PARTIAL_MODES) {
            self.error(
                p.span(),
                format!("{owner}: more than {MAX_PARTIAL_MODES} partial modes"),
            )
            .hint = Some("merge modes of the same kind into one with a drawn fraction".into());
        }
    }

    fn partial_mode(
        &mut self,
        p: &Spanned<PartialDto>,
        target: PartialTarget,
        owner: &str,
    ) -> Option<PartialMode> {
        let d = p.get_ref();
        let fraction = self.fraction(&d.fraction, &format!("{owner}: partial fraction"));
        let process = self.period_process(p, owner, "partial")?;
        Some(PartialMode {
            target,
            fraction: fraction?,
            process,
        })
    }

    /// The process of a `gray` or `partial` table; its errors say
    /// `{owner}: {what}`.
    pub(super) fn period_process<F>(
        &mut self,
        p: &Spanned<FractionProcessDto<F>>,
        owner: &str,
        what: &str,
    ) -> Option<FailureProcess> {
        let keys = Spanned::new(p.span(), p.get_ref().failure());
        self.failure(&keys, None, &format!("{owner}: {what}"))?
    }

    /// A train's `instances`: a fraction in (0, 1] of each hit site's
    /// instances, for a train that pushes to sites only.
    pub(super) fn train_instances(&mut self, t: &ReleaseTrainDto) -> Option<f64> {
        let v = t.instances.as_ref()?;
        let owner = format!("release train '{}'", t.id.get_ref());
        let x = *v.get_ref();
        let (span, problem, hint) = if !(x > 0.0 && x <= 1.0) {
            let what = format!("instances must be above 0 and at most 1, got {x}");
            let hint = "the fraction of each hit site's instances a bad release breaks";
            (v.span(), what, hint)
        } else if let Some(svc) = t.services.first() {
            let what = "a partial release (instances) cannot push to services".to_string();
            let hint = "a push to a service takes it down whole: give services their own train";
            (svc.span(), what, hint)
        } else {
            return Some(x);
        };
        self.error(span, format!("{owner}: {problem}")).hint = Some(hint.into());
        None
    }

    /// A fraction of a capacity: a number in (0, 1], `{ uniform = [lo, hi] }`
    /// with `0 <= lo < hi <= 1`, or `{ beta = [a, b] }` with positive
    /// parameters; `None` after reporting it at its span.
    pub(super) fn fraction(&mut self, v: &Spanned<FractionDto>, what: &str) -> Option<Fraction> {
        let bad = |x: f64| !x.is_finite();
        let (f, problem) = match *v.get_ref() {
            FractionDto::Fixed(x) => (
                Fraction::Fixed(x),
                format!("{what} must be above 0 and at most 1, got {x}"),
            ),
            FractionDto::Uniform(lo, hi) => (
                Fraction::Uniform { lo, hi },
                format!("{what}: uniform bounds must satisfy 0 <= lo < hi <= 1, got [{lo}, {hi}]"),
            ),
            FractionDto::Beta(a, b) => (
                Fraction::Beta { alpha: a, beta: b },
                format!("{what}: beta parameters must be positive and at most 1e6, got [{a}, {b}]"),
            ),
        };
        let too_big = matches!(f, Fraction::Beta { alpha, beta } if bad(alpha) || bad(beta) || alpha > 1e6 || beta > 1e6);
        if f.is_valid() && !too_big {
            return Some(f);
        }
        self.error(v.span(), problem).hint = Some(
            "a partial mode takes a fraction of the capacity: 0.5 for half, 1 for all of it".into(),
        );
        None
    }
}
