//! A plan's `failback`: `"automatic"` (the default) or the delay of a
//! manual one (see [`crate::model::Failback`]).

use super::*;

impl Validator<'_> {
    /// `failback = "automatic"` or `failback = "2h"`, for active-active
    /// plans; a bad value is reported and read as automatic.
    pub(super) fn plan_failback(
        &mut self,
        f: &Option<Spanned<String>>,
        mode: PlanMode,
        owner: &str,
    ) -> Failback {
        let Some(f) = f else {
            return Failback::Automatic;
        };
        if mode != PlanMode::ActiveActive {
            self.error(
                f.span(),
                format!("{owner}: failback applies to an active-active plan's rotation"),
            )
            .hint = Some(
                "an active-passive standby that took over stays active until it fails itself: \
                 leave failback out"
                    .into(),
            );
            return Failback::Automatic;
        }
        let text = f.get_ref().trim();
        if text == "automatic" {
            return Failback::Automatic;
        }
        let hint = "use failback = \"automatic\" or the delay of a manual one, e.g. \"2h\"";
        match Duration::parse(text) {
            Ok(d) if self.feedback_time(f.span(), d, &format!("{owner}: failback delay"), hint) => {
                Failback::Manual(d)
            }
            Ok(_) => Failback::Automatic,
            Err(e) => {
                self.error(f.span(), format!("{owner}: failback: {e}")).hint = Some(hint.into());
                Failback::Automatic
            }
        }
    }
}
