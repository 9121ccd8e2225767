//! Progress on standard error, only when it is a terminal (CI logs stay
//! clean) and not `--quiet`. A multi-plan run counts the trials of the plan
//! in hand (`plan 2/4 active-passive 1200/10000 trials`), not trials x plans,
//! and shows an integer rate.

use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.0}/s", s.per_sec());
        })
}

fn visible(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// Trials of one plan after another.
pub struct Trials {
    bar: ProgressBar,
    plans: usize,
}

impl Trials {
    /// `trials` per plan (the shard's share when sharded), `plans` of them.
    pub fn new(trials: u64, plans: usize, quiet: bool) -> Self {
        let bar = if visible(quiet) {
            let bar = ProgressBar::new(trials).with_style(style(
                "{msg} {wide_bar} {pos}/{len} trials ({rate}, {elapsed}, eta {eta})",
            ));
            // Ticks on its own: one trial of a large graph can take minutes.
            bar.enable_steady_tick(Duration::from_millis(500));
            bar
        } else {
            ProgressBar::hidden()
        };
        Trials { bar, plans }
    }

    /// Starts plan `k` (0-based) at zero trials.
    pub fn plan(&self, k: usize, key: &str) {
        self.bar.reset();
        self.bar
            .set_message(format!("plan {}/{} {key}", k + 1, self.plans));
    }

    /// `n` more trials done; the simulator's progress callback.
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A spinner with a count (or only the elapsed time), for work whose length
/// is not known in advance (`check`'s adaptive rounds, a rare-event estimate).
pub fn spinner(what: &str, unit: Option<&str>, quiet: bool) -> ProgressBar {
    if !visible(quiet) {
        return ProgressBar::hidden();
    }
    let template = match unit {
        Some(u) => format!("{{spinner}} {{msg}} {{pos}} {u} ({{rate}}, {{elapsed}})"),
        None => "{spinner} {msg} ({elapsed})".to_string(),
    };
    let bar = ProgressBar::new_spinner().with_style(style(&template));
    bar.set_message(what.to_string());
    // Ticks on its own so a long estimate with no callback still moves.
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Says up front, on a terminal, that a run will take a while: the
/// library's estimate of its work ([`drsim::simulate::budget::Work`]), when
/// it is more than about ten seconds on one core.
pub fn work_note(work: &drsim::simulate::budget::Work, quiet: bool) {
    let secs = work.seconds_on_one_core();
    if visible(quiet) && secs > 10.0 {
        eprintln!(
            "note: about {:.1e} events' worth of simulation, roughly {} on one core",
            work.expected,
            drsim::human::minutes(secs / 60.0)
        );
    }
}

/// The samples of a rare-event estimate, drawn as they come: `reliability:
/// turnip 120000/400000 samples, RE 2.1e-2 (target 1e-2)`. A spinner with
/// the elapsed time until the estimator starts its first round (the crude
/// sampler of `capacity`, the exact method, an importance ranking).
pub struct Samples {
    bar: ProgressBar,
    heading: String,
    /// The stage's name and the last round's status.
    now: std::sync::Mutex<(String, Option<drsim::sampling::Status>)>,
}

impl Samples {
    pub fn new(heading: &str, quiet: bool) -> Self {
        let bar = spinner(heading, None, quiet);
        Samples {
            bar,
            heading: heading.to_string(),
            now: std::sync::Mutex::new((String::new(), None)),
        }
    }

    /// Back to the spinner, for work that counts no samples.
    pub fn phase(&self, what: &str) {
        drsim::sampling::Progress::stage(self, what);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// Runs `f` (a warning on standard error) with the bar hidden.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    fn show(&self, stage: &str, status: Option<drsim::sampling::Status>) {
        let mut msg = self.heading.clone();
        if !stage.is_empty() {
            msg = format!("{msg}: {stage}");
        }
        if let Some(s) = status {
            msg = format!("{msg}, RE {}", s.relative_error_text());
        }
        self.bar.set_message(msg);
    }
}

impl drsim::sampling::Progress for Samples {
    fn stage(&self, what: &str) {
        if let Ok(mut now) = self.now.lock() {
            *now = (what.to_string(), None);
            self.bar.set_style(style("{spinner} {msg} ({elapsed})"));
            self.show(what, None);
        }
    }

    fn round(&self, status: drsim::sampling::Status) {
        if let Ok(mut now) = self.now.lock() {
            // The count first: a stage's first round must not show the
            // last stage's samples (an importance ranking runs many).
            self.bar.set_length(status.planned);
            self.bar.set_position(status.done);
            if now.1.is_none() {
                self.bar.set_style(style(
                    "{spinner} {msg} {pos}/{len} samples ({rate}, {elapsed})",
                ));
            }
            now.1 = Some(status);
            self.show(&now.0, Some(status));
        }
    }

    fn drawn(&self, n: u64) {
        self.bar.inc(n);
    }
}
