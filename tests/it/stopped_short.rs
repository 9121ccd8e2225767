//! Issue 15 goal 4b: every rare-event fallback shows its progress (samples
//! drawn against planned, relative error against the target) on a terminal
//! only, and says in every output when a budget cut it short.

use crate::common::{drsim, succeeded, topo};
use drsim::reliability::instances::dodecahedron;
use drsim::reliability::{Criterion, EstimateOptions, Method, estimate, estimate_with};
use drsim::sampling::{Progress, Status};
use serde_json::Value;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Everything an estimator reports.
#[derive(Default)]
struct Recorder {
    drawn: AtomicU64,
    rounds: Mutex<Vec<Status>>,
    stages: Mutex<Vec<String>>,
}

impl Progress for Recorder {
    fn stage(&self, what: &str) {
        self.stages.lock().unwrap().push(what.to_string());
    }
    fn round(&self, s: Status) {
        self.rounds.lock().unwrap().push(s);
    }
    fn drawn(&self, n: u64) {
        self.drawn.fetch_add(n, Ordering::Relaxed);
    }
}

/// Rounds start where the last one ended and plan more than they hold; the
/// samples reported drawn are the estimate's; the first round has no
/// relative error yet and the others have the target asked.
fn check_rounds(r: &Recorder, samples: u64, target: Option<f64>) {
    let rounds = r.rounds.lock().unwrap();
    assert!(!rounds.is_empty());
    assert!(rounds[0].done == 0 && rounds[0].relative_error.is_nan());
    for w in rounds.windows(2) {
        assert_eq!(w[1].done, w[0].planned, "{rounds:?}");
    }
    for s in rounds.iter() {
        assert!(s.planned > s.done && s.target == target, "{rounds:?}");
    }
    assert_eq!(rounds.last().unwrap().planned, samples, "{rounds:?}");
}

/// Crude and the turnip report every sample they draw, round by round,
/// without changing a number; a cap below what the target needs stops them
/// short and the estimate says which budget did.
#[test]
fn reliability_reports_its_rounds_and_why_it_stopped() {
    use drsim::sampling::StoppedShort;
    let m = dodecahedron(0.05);
    let c = Criterion::TwoTerminal { s: 0, t: 19 };
    for method in [Method::Crude, Method::Pmc] {
        for (target, cap, short) in [
            (Some(1e-4), 30_000, Some(StoppedShort::SampleCap)),
            (Some(0.2), 100_000_000, None),
            (None, 100_000_000, None),
        ] {
            let opts = EstimateOptions {
                method,
                samples: 5_000,
                target_re: target,
                max_samples: cap,
                seed: 4,
            };
            let r = Recorder::default();
            let e = estimate_with(&m, &c, &opts, &r).unwrap();
            let plain = estimate(&m, &c, &opts).unwrap();
            assert_eq!(
                (e.unreliability, e.std_error, e.samples),
                (plain.unreliability, plain.std_error, plain.samples)
            );
            assert_eq!(e.stopped_short, short, "{method:?} {target:?}: {e:?}");
            assert_eq!(r.drawn.load(Ordering::Relaxed), e.samples, "{method:?}");
            check_rounds(&r, e.samples, target);
            let stage = if method == Method::Crude {
                "crude"
            } else {
                "turnip"
            };
            assert_eq!(*r.stages.lock().unwrap(), [stage]);
            if short.is_some() {
                assert_eq!(e.samples, cap);
                assert!(e.relative_error > 1e-4, "{e:?}");
            } else if target.is_some() {
                assert!(e.relative_error <= 0.2, "{e:?}");
            }
        }
    }
}

/// The importance sampler reports its pilots, then the final stage's rounds
/// against its cap and target.
#[test]
fn importance_sampling_reports_its_pilots_and_rounds() {
    use drsim::capacity::rare::{RareOptions, estimate_below, estimate_below_with};
    use drsim::static_model::StaticModel;
    let mut m = StaticModel::graph(2, &[(0, 1), (0, 1)], 0.0);
    m.edge_q = vec![0.01, 0.02];
    let opts = RareOptions {
        seed: 3,
        target_re: 0.01,
        max_samples: 20_000,
    };
    let r = Recorder::default();
    let e = estimate_below_with(&m, 0, 1, 1e-9, &opts, &r).unwrap();
    assert_eq!(e, {
        let mut plain = estimate_below(&m, 0, 1, 1e-9, &opts).unwrap();
        plain.seconds = e.seconds;
        plain
    });
    let stages = r.stages.lock().unwrap().clone();
    let pilots: Vec<&String> = stages.iter().filter(|s| s.contains("pilot")).collect();
    assert_eq!(pilots.len() as u64, e.pilot_stages, "{stages:?}");
    assert_eq!(stages.last().unwrap(), "importance sampling");
    // Pilots of 8 batches of 1,024 samples each, then the final stage.
    let drawn = r.drawn.load(Ordering::Relaxed);
    assert_eq!(drawn, e.pilot_stages * 8192 + e.samples);
    let rounds = r.rounds.lock().unwrap();
    let last = rounds.last().unwrap();
    assert_eq!((last.planned, last.target), (e.samples, Some(0.01)));
    assert!(e.stopped_short.is_some() && e.samples == 20_000, "{e:?}");
}

/// An importance ranking names each conditional estimate it runs (event,
/// side, then the estimator's own stage), reports its rounds and every
/// sample drawn, without changing a number; a cap below what the target
/// needs marks the events whose estimates it cut short.
#[test]
fn importance_ranking_reports_each_conditional_estimate() {
    use drsim::reliability::importance::{importance, importance_with};
    use drsim::sampling::StoppedShort;
    use drsim::static_model::StaticModel;
    // A 4-cycle, 0 to 2: two paths of two links each.
    let m = StaticModel::graph(4, &[(0, 1), (1, 2), (2, 3), (3, 0)], 0.1);
    let c = Criterion::TwoTerminal { s: 0, t: 2 };
    for (target, short) in [(Some(1e-3), Some(StoppedShort::SampleCap)), (None, None)] {
        let opts = EstimateOptions {
            method: Method::Crude,
            samples: 20_000,
            target_re: target,
            max_samples: 20_000,
            seed: 6,
        };
        let u = estimate(&m, &c, &opts).unwrap().unreliability;
        let r = Recorder::default();
        let ranked = importance_with(&m, &c, &opts, u, &r).unwrap();
        assert_eq!(ranked, importance(&m, &c, &opts, u).unwrap());
        assert_eq!(ranked.len(), 4);
        for i in &ranked {
            assert_eq!(i.stopped_short, short, "{target:?}: {i:?}");
        }
        let stages = r.stages.lock().unwrap().clone();
        assert_eq!(stages.len(), 16, "{stages:?}");
        for (k, pair) in stages.chunks(2).enumerate() {
            let side = if k % 2 == 0 { "down" } else { "up" };
            let head = format!("importance {}/8 edge:", k + 1);
            assert!(
                pair[0].starts_with(&head) && pair[0].ends_with(side),
                "{pair:?}"
            );
            assert_eq!(pair[1], format!("{}: crude", pair[0]));
        }
        // Eight estimates of 20,000 samples, each round planned anew.
        assert_eq!(r.drawn.load(Ordering::Relaxed), 8 * 20_000);
        let rounds = r.rounds.lock().unwrap();
        let starts = rounds.iter().filter(|s| s.done == 0).count();
        assert_eq!(starts, 8, "{rounds:?}");
        assert!(
            rounds
                .iter()
                .all(|s| s.planned <= 20_000 && s.target == target)
        );
    }
}

fn json(cmd: &mut assert_cmd::Command) -> Value {
    serde_json::from_slice(&succeeded(cmd.output().unwrap()).stdout).unwrap()
}

fn text(cmd: &mut assert_cmd::Command) -> String {
    String::from_utf8(succeeded(cmd.output().unwrap()).stdout).unwrap()
}

/// `reliability` with a target its --max-samples cannot reach says so in
/// JSON (`stopped_short`) and in text (a `note:` line), for the turnip and
/// crude; one that meets its target, or has none, says nothing.
#[test]
fn reliability_output_says_when_a_budget_cut_it_short() {
    let t = topo("global-messaging.toml");
    let base = ["reliability", &t, "--service", "--plan", "single-region"];
    for (method, cap) in [("pmc", "2000"), ("crude", "20000")] {
        let flags = [
            "--method",
            method,
            "--target-re",
            "1e-4",
            "--max-samples",
            cap,
        ];
        let v = json(drsim().args(base).args(flags).args(["--format", "json"]));
        assert_eq!(v["stopped_short"], "sample-cap", "{method}: {v}");
        assert_eq!(v["samples"].to_string(), cap, "{method}: {v}");
        let out = text(drsim().args(base).args(flags));
        assert!(
            out.contains(
                "note: the estimate stopped short of the relative error asked: --max-samples \
                 was spent"
            ),
            "{method}: {out}"
        );
        for room in [&["--target-re", "0.5"][..], &["--samples", "2000"]] {
            let flags = ["--method", method];
            let v = json(
                drsim()
                    .args(base)
                    .args(flags)
                    .args(room)
                    .args(["--format", "json"]),
            );
            assert!(v.get("stopped_short").is_none(), "{method} {room:?}: {v}");
            let out = text(drsim().args(base).args(flags).args(room));
            assert!(!out.contains("note:"), "{method} {room:?}: {out}");
        }
    }
}

/// `reliability --importance` with a target its --max-samples cannot reach
/// marks each event whose conditional estimates stopped short
/// (`stopped_short` in JSON) and says so in a `note:` line; without a target
/// it says nothing.
#[test]
fn importance_output_says_when_its_estimates_were_cut_short() {
    let t = topo("textbook-bridge.toml");
    let line = format!("reliability {t} --from s --to t --importance");
    let base: Vec<&str> = line.split_whitespace().collect();
    let short = "--method pmc --target-re 1e-4 --max-samples 2000".split(' ');
    let v = json(
        drsim()
            .args(&base)
            .args(short.clone())
            .args(["--format", "json"]),
    );
    let imp = v["importance"].as_array().unwrap();
    assert_eq!(imp.len(), 5, "{v}");
    for i in imp {
        assert_eq!(i["stopped_short"], "sample-cap", "{i}");
    }
    let out = text(drsim().args(&base).args(short));
    assert!(
        out.contains(
            "note: the importance estimates of 5 of the 5 events stopped short of the relative \
             error asked: --max-samples was spent"
        ),
        "{out}"
    );
    let fixed = ["--method", "pmc", "--samples", "2000"];
    let v = json(drsim().args(&base).args(fixed).args(["--format", "json"]));
    let imp = v["importance"].as_array().unwrap();
    assert!(imp.iter().all(|i| i.get("stopped_short").is_none()), "{v}");
    let out = text(drsim().args(&base).args(fixed));
    assert!(!out.contains("note:"), "{out}");
}

/// `capacity`'s P(flow = 0) by the turnip (Cogentco is too wide for the
/// exact method) stops at --max-rare-samples and says so in JSON and text.
#[test]
fn capacity_p_zero_by_the_turnip_says_when_it_was_cut_short() {
    let f = topo("zoo/Cogentco.graphml");
    let base = ["capacity", &f, "--from", "0", "--to", "100"];
    let flags = ["--link-failure", "0.01", "--samples", "10000"];
    let rare = ["--target-re", "1e-3", "--max-rare-samples", "2000"];
    let v = json(
        drsim()
            .args(base)
            .args(flags)
            .args(rare)
            .args(["--format", "json"]),
    );
    assert_eq!(v["p_zero_method"], "turnip", "{v}");
    assert_eq!(v["p_zero_stopped_short"], "sample-cap", "{v}");
    assert_eq!(v["rare_event_samples"], 2000, "{v}");
    let out = text(drsim().args(base).args(flags).args(rare));
    assert!(
        out.contains(
            "note: P(flow = 0) stopped short of the relative error asked: --max-rare-samples \
             was spent"
        ),
        "{out}"
    );
}

/// Runs `args` on a pseudo-terminal (util-linux `script`), returning what
/// the terminal saw, or None when `script` is missing.
fn on_a_terminal(args: &[String]) -> Option<String> {
    let bin = assert_cmd::cargo::cargo_bin("drsim");
    let mut line = bin.display().to_string();
    for a in args {
        line.push_str(&format!(" '{a}'"));
    }
    let o = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .output();
    match o {
        Ok(o) => {
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
            Some(String::from_utf8_lossy(&o.stdout).into_owned())
        }
        Err(e) => {
            eprintln!("skipped: `script` (util-linux) is needed for a terminal: {e}");
            None
        }
    }
}

/// On a terminal the fallbacks draw samples against planned and the
/// relative error against the target; on a pipe nothing of it reaches
/// standard error, and JSON output is untouched either way.
#[test]
fn rare_event_progress_is_drawn_on_a_terminal_only() {
    let d = tempfile::tempdir().unwrap();
    let t = topo("global-messaging.toml");
    let out = d.path().join("r.json");
    let words =
        |line: String| -> Vec<String> { line.split_whitespace().map(str::to_string).collect() };
    let rel = words(format!(
        "reliability {t} --service --plan single-region --method pmc --target-re 1e-2 \
         --max-samples 20000 --format json -o {}",
        out.display()
    ));
    let f = topo("zoo/Cogentco.graphml");
    let cap_out = d.path().join("c.json");
    let cap = words(format!(
        "capacity {f} --from 0 --to 100 --link-failure 0.01 --samples 10000 --target-re 1e-3 \
         --max-rare-samples 20000 --format json -o {}",
        cap_out.display()
    ));
    let bridge = topo("textbook-bridge.toml");
    let imp_out = d.path().join("i.json");
    let imp = words(format!(
        "reliability {bridge} --from s --to t --importance --method crude --target-re 1e-3 \
         --max-samples 20000 --samples 20000 --format json -o {}",
        imp_out.display()
    ));
    for (args, file, needle) in [
        (&rel[..], &out, "reliability (pmc): turnip"),
        (&cap[..], &cap_out, "capacity: P(flow = 0): turnip"),
        (&imp[..], &imp_out, "reliability (crude): importance "),
    ] {
        let Some(seen) = on_a_terminal(args) else {
            return;
        };
        assert!(seen.contains(needle), "{seen}");
        assert!(
            seen.contains("/20000 samples") && seen.contains("RE "),
            "{seen}"
        );
        let v: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        assert!(v.is_object());
        let o = drsim().args(args).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success());
        assert!(
            !err.contains("/20000 samples") && !err.contains(needle) && !err.contains('\u{1b}'),
            "{err}"
        );
    }
}

/// An importance ranking whose estimates may each run the turnip is
/// charged the turnip's own cost: global-messaging's `global-mesh` at the
/// default 100,000 samples (about 11 CPU-minutes) is refused before any
/// work with exit 2, naming the samples that fit, and that many run.
#[test]
fn an_importance_ranking_past_the_turnip_budget_is_refused() {
    let f = crate::common::topo("global-messaging.toml");
    let out = crate::common::cli(
        "reliability",
        &f,
        "--service --plan global-mesh --importance",
    )
    .output()
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let fit: u64 = err
        .split("at most ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no sample count in: {err}"));
    assert!((1_000..100_000).contains(&fit), "{err}");
    // Crude estimates are charged per component draw, and pass.
    let flags =
        "--service --plan global-mesh --importance --method crude --samples 2000 --format json";
    crate::common::json_ok(&mut crate::common::cli("reliability", &f, flags));
}
