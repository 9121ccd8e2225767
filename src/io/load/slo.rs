//! The `slo` table of a plan or of `[defaults]`: a target strictly between
//! 0 and 1, a window of at least a minute, a threshold in (0, 1].

use super::*;

impl Validator<'_> {
    pub(super) fn slo(&mut self, s: &Spanned<SloDto>) -> Option<Slo> {
        let d = s.get_ref();
        let target = *d.target.get_ref();
        if !(target.is_finite() && target > 0.0 && target < 1.0) {
            self.error(
                d.target.span(),
                format!("slo target {target} must be between 0 and 1 (exclusive)"),
            )
            .hint = Some("e.g. target = 0.999 for 99.9% of each window".into());
            return None;
        }
        let window = *d.window.get_ref();
        if window.secs() < 60.0 {
            self.error(
                d.window.span(),
                format!("slo window {window} is shorter than a minute"),
            )
            .hint = Some("e.g. window = \"30d\"".into());
            return None;
        }
        let threshold = match &d.threshold {
            None => 1.0,
            Some(t) => {
                let x = *t.get_ref();
                if !(x.is_finite() && x > 0.0 && x <= 1.0) {
                    self.error(
                        t.span(),
                        format!("slo threshold {x} must be above 0 and at most 1"),
                    )
                    .hint = Some(
                        "the fraction of requests that must be served for an instant to count as good, \
                         e.g. 0.99; 1 is all-or-nothing"
                            .into(),
                    );
                    return None;
                }
                x
            }
        };
        Some(Slo {
            target: Probability::new(target)?,
            window,
            threshold,
            max_miss_probability: d.max_miss_probability,
            rolling: d.rolling.unwrap_or(false),
        })
    }
}
