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
