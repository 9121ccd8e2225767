//! A plan's service-level objective over windows: what "bad" means at an
//! instant (less than `threshold` of the offered requests served) and what
//! a window must achieve. Kept beside the plan's other targets so `check`
//! gates on it and the simulator grades downtime by it.

use crate::units::{Duration, Probability};

/// `slo = { target, window, threshold, max_miss_probability, rolling }` of a plan
/// (or of the file's `[defaults]`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slo {
    /// The fraction of a window's time that must be good, in (0, 1).
    pub target: Probability,
    /// Window length: calendar windows of this length tile each trial from
    /// its start; a trailing part shorter than a window is not a window.
    pub window: Duration,
    /// An instant is bad while less than this fraction of the offered
    /// requests is served; 1 (the default) is all-or-nothing downtime.
    pub threshold: f64,
    /// `check` fails the plan when P(a window misses `target`) may exceed
    /// this; without it the forecast is reported, not gated on.
    pub max_miss_probability: Option<Probability>,
    /// Rolling (trailing) windows: the window ending at every instant,
    /// instead of calendar windows tiling the trial.
    pub rolling: bool,
}

impl Slo {
    /// The threshold when it grades downtime (below 1), else `None`: the
    /// all-or-nothing rule.
    pub fn graded_threshold(&self) -> Option<f64> {
        (self.threshold < 1.0).then_some(self.threshold)
    }

    /// The error budget of a window in seconds: `(1 - target) x window`.
    pub fn budget_secs(&self) -> f64 {
        (1.0 - self.target.get()) * self.window.secs()
    }
}
