//! What a sampling estimator says while it runs and why it stopped short.
//! The rare-event estimators (crude and the turnip chasing a relative
//! error, the cross-entropy importance sampler of `capacity`) report the
//! same things through [`Progress`], so every front end shows samples done
//! against planned and the relative error against its target, and every
//! output names the budget that cut an estimate short ([`StoppedShort`]).

/// Why an estimate stopped above the relative error asked of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoppedShort {
    /// The work budget of a run on the model was spent.
    WorkBudget,
    /// The sample cap the caller gave was spent.
    SampleCap,
    /// Every sample was exactly 0: the probability is below what a float
    /// holds, and more samples cannot help.
    Underflow,
}

impl StoppedShort {
    /// The name JSON outputs give it ("work-budget").
    pub fn as_str(self) -> &'static str {
        match self {
            StoppedShort::WorkBudget => "work-budget",
            StoppedShort::SampleCap => "sample-cap",
            StoppedShort::Underflow => "underflow",
        }
    }
}

/// Where an estimate stands at the start of one of its rounds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Status {
    /// Samples drawn so far.
    pub done: u64,
    /// Samples drawn once this round ends (never past the budget).
    pub planned: u64,
    /// Relative error so far: NaN before the first round, infinite while
    /// no event has been seen.
    pub relative_error: f64,
    /// The relative error asked, if any.
    pub target: Option<f64>,
}

impl Status {
    /// [`relative_error_text`] of this round.
    pub fn relative_error_text(&self) -> String {
        relative_error_text(self.relative_error, self.target)
    }
}

/// A relative error as every front end shows it: "-" before the first
/// round, "inf (no event yet)", else three digits ("2.10e-2"), then
/// " (target 1.0e-2)" when one was asked.
pub fn relative_error_text(re: f64, target: Option<f64>) -> String {
    let re = match re {
        r if r.is_nan() => "-".to_string(),
        r if r.is_infinite() => "inf (no event yet)".to_string(),
        r => format!("{r:.2e}"),
    };
    match target {
        Some(t) => format!("{re} (target {t:.1e})"),
        None => re,
    }
}

/// A progress sink, called from the estimators' worker threads.
pub trait Progress: Sync {
    /// A stage starts (`what` names it: "turnip", "cross-entropy pilot 2").
    fn stage(&self, _what: &str) {}
    /// A round of samples starts.
    fn round(&self, _status: Status) {}
    /// `n` more samples were drawn.
    fn drawn(&self, _n: u64) {}
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {}

/// Passes everything on, with stage names under a heading ("P(flow = 0):
/// turnip"), for an estimate made of several.
pub struct Under<'a> {
    pub heading: &'a str,
    pub inner: &'a dyn Progress,
}

impl Progress for Under<'_> {
    fn stage(&self, what: &str) {
        self.inner.stage(&format!("{}: {what}", self.heading));
    }
    fn round(&self, status: Status) {
        self.inner.round(status)
    }
    fn drawn(&self, n: u64) {
        self.inner.drawn(n)
    }
}

/// Why a run that chased `target` stopped at relative error `re` after
/// `samples` samples, if it stopped above it: all samples 0 (`all_zero`),
/// the caller's cap `cap`, else the model's work budget.
pub fn stopped_short(
    re: f64,
    target: Option<f64>,
    samples: u64,
    cap: u64,
    all_zero: bool,
) -> Option<StoppedShort> {
    let target = target?;
    if re <= target {
        None
    } else if all_zero {
        Some(StoppedShort::Underflow)
    } else if samples >= cap {
        Some(StoppedShort::SampleCap)
    } else {
        Some(StoppedShort::WorkBudget)
    }
}

#[cfg(test)]
mod tests {
    use super::{StoppedShort, stopped_short};

    /// No reason without a target or once it is met; all-zero samples
    /// first, then the caller's cap, else the work budget.
    #[test]
    fn a_short_estimate_says_which_budget_stopped_it() {
        assert_eq!(stopped_short(0.5, None, 10, 10, false), None);
        assert_eq!(stopped_short(0.01, Some(0.05), 500, 1000, false), None);
        let cases = [
            (0.1, 500, false, StoppedShort::WorkBudget),
            (0.1, 1000, false, StoppedShort::SampleCap),
            (f64::INFINITY, 20, true, StoppedShort::Underflow),
            (f64::INFINITY, 20, false, StoppedShort::WorkBudget),
            (f64::NAN, 1000, false, StoppedShort::SampleCap),
        ];
        for (re, n, zero, want) in cases {
            assert_eq!(
                stopped_short(re, Some(0.05), n, 1000, zero),
                Some(want),
                "{re} {n} {zero}"
            );
        }
    }
}
