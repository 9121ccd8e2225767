//! Conventions every command shares (issue 17 item 9): `-o/--out` wherever a
//! command writes, `--plan` repeatable (`--plans a,b` still accepted), CSV
//! for `capacity`, colour only on request or on a terminal, completions and
//! man pages, and `validate --deny-warnings` saying why it fails.

use crate::common::{Fixture, data, refused, topo};
use assert_cmd::Command;

/// The binary with NO_COLOR unset, whatever the caller's environment says.
fn drsim() -> Command {
    let mut c = crate::common::drsim();
    c.env_remove("NO_COLOR");
    c
}

/// `drsim SUBCOMMAND FILE FLAGS` (FLAGS split at whitespace), NO_COLOR unset.
fn cli(subcommand: &str, file: &str, flags: &str) -> Command {
    let mut c = drsim();
    c.arg(subcommand).arg(file).args(flags.split_whitespace());
    c
}

fn stdout(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn short_o_writes_the_file_and_nothing_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let gm = topo("global-messaging.toml");
    let cases = [
        ("run.json", cli("run", &gm, "--trials 40 --format json")),
        ("cmp.csv", cli("compare", &gm, "--trials 40 --format csv")),
        (
            "chk.json",
            cli("check", &gm, "--trials 40 --min-trials 40 --format json"),
        ),
        (
            "cap.json",
            cli(
                "capacity",
                &gm,
                "--demand --plan global-mesh --samples 2000 --format json",
            ),
        ),
        (
            "rel.json",
            cli(
                "reliability",
                &gm,
                "--service --plan active-passive --method crude --samples 2000 --format json",
            ),
        ),
        ("bash.sh", cli("completions", "bash", "")),
        ("drsim.1", {
            let mut man = drsim();
            man.arg("man");
            man
        }),
    ];
    for (name, mut cmd) in cases {
        let path = dir.path().join(name);
        let args = format!("{cmd:?}");
        let out = cmd.arg("-o").arg(&path).output().unwrap();
        assert!(out.status.code().is_some_and(|c| c <= 1), "{args}: {out:?}");
        assert!(out.stdout.is_empty(), "{args} printed to stdout");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.len() > 50, "{args}: {text}");
        if path.extension().is_some_and(|e| e == "json") {
            serde_json::from_str::<serde_json::Value>(&text).unwrap();
        }
    }
}

#[test]
fn old_spellings_still_work() {
    let dir = tempfile::tempdir().unwrap();
    // import --output (now -o/--out).
    let out = dir.path().join("abilene.toml");
    let graphml = data("capacity-parallel.graphml");
    drsim()
        .args(["import", &graphml, "--output"])
        .arg(&out)
        .assert()
        .success();
    assert!(std::fs::read_to_string(&out).unwrap().contains("[[link]]"));
    // --plans a,b gives exactly what --plan a --plan b gives.
    let gm = topo("global-messaging.toml");
    let base = ["compare", &gm, "--trials", "30", "--format", "json"];
    let old = stdout(
        drsim()
            .args(base)
            .args(["--plans", "active-passive,global-mesh"]),
    );
    let new =
        stdout(
            drsim()
                .args(base)
                .args(["--plan", "active-passive", "--plan", "global-mesh"]),
        );
    assert_eq!(old, new);
    let v: serde_json::Value = serde_json::from_str(&new).unwrap();
    assert_eq!(v["plans"].as_array().unwrap().len(), 2);
    let check = |plan_flag: &str| {
        let flags = format!("--trials 30 --min-trials 30 --format json {plan_flag} active-passive");
        stdout(&mut cli("check", &gm, &flags))
    };
    let (old, new) = (check("--plans"), check("--plan"));
    assert_eq!(old, new);
    assert!(new.contains("active-passive") && !new.contains("\"plan\": \"global-mesh\""));
}

#[test]
fn capacity_csv_has_one_row_per_figure_with_its_interval() {
    let gm = topo("global-messaging.toml");
    let capacity = |format: &str| {
        let flags = format!("--demand --plan single-region --samples 20000 --format {format}");
        stdout(&mut cli("capacity", &gm, &flags))
    };
    let text = capacity("csv");
    let json: serde_json::Value = serde_json::from_str(&capacity("json")).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rows.headers().unwrap(),
        &csv::StringRecord::from(vec!["metric", "value", "lo", "hi"])
    );
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    let get = |m: &str| {
        rows.iter()
            .find(|r| &r[0] == m)
            .unwrap_or_else(|| panic!("{m}"))
    };
    let num = |s: &str| s.parse::<f64>().unwrap();
    let shortfall = get("p_shortfall");
    assert_eq!(num(&shortfall[1]), json["p_shortfall"].as_f64().unwrap());
    assert_eq!(
        num(&shortfall[2]),
        json["p_shortfall_ci95_low"].as_f64().unwrap()
    );
    assert_eq!(
        num(&shortfall[3]),
        json["p_shortfall_ci95_high"].as_f64().unwrap()
    );
    assert_eq!(
        num(&get("percentiles.p50")[1]),
        json["percentiles"]["p50"].as_f64().unwrap()
    );
    assert_eq!(&get("plan")[1], "single-region");
    // The companions are folded into their figure, not rows of their own.
    assert!(rows.iter().all(|r| !r[0].ends_with("_ci95_low")));
}

fn has_escape(s: &str) -> bool {
    s.contains('\u{1b}')
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let args = [
        "check",
        &topo("global-messaging.toml"),
        "--trials",
        "1000",
        "--min-trials",
        "1000",
    ];
    // Piped (not a terminal): plain, whatever NO_COLOR says.
    let plain = stdout(drsim().args(args));
    assert!(!has_escape(&plain) && plain.contains("FAIL"), "{plain}");
    let forced = stdout(drsim().args(args).args(["--color", "always"]));
    assert!(
        forced.contains("\u{1b}[1m\u{1b}[31mFAIL")
            || forced.contains("\u{1b}[31m\u{1b}[1mFAIL")
            || forced.contains("\u{1b}[1;31mFAIL"),
        "{forced:?}"
    );
    assert!(forced.contains("\u{1b}[32mok"), "{forced:?}");
    // --color always wins over NO_COLOR; never is never coloured.
    let forced_nc = stdout(
        drsim()
            .args(args)
            .args(["--color", "always"])
            .env("NO_COLOR", "1"),
    );
    assert_eq!(forced, forced_nc);
    let never = stdout(drsim().args(args).args(["--color", "never"]));
    assert_eq!(never, plain);
    // A file written with --out is never coloured.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("check.txt");
    drsim()
        .args(args)
        .args(["--color", "always", "-o"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), plain);
}

#[test]
fn completions_and_man_pages_come_from_the_parser() {
    let bash = stdout(drsim().args(["completions", "bash"]));
    assert!(
        bash.contains("_drsim()") && bash.contains("--deny-warnings") && bash.contains("--plan")
    );
    let zsh = stdout(drsim().args(["completions", "zsh"]));
    assert!(zsh.starts_with("#compdef drsim"), "{}", &zsh[..40]);
    let man = stdout(drsim().arg("man"));
    assert!(
        man.contains(".TH drsim 1") && man.contains("completions"),
        "{}",
        &man[..200]
    );
    let run = stdout(drsim().args(["man", "run"]));
    assert!(
        run.contains(".TH drsim-run 1") && run.contains("\\-\\-trials"),
        "{}",
        &run[..300]
    );
    refused(drsim().args(["man", "nope"]), "no command 'nope'");
    drsim().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn deny_warnings_says_why_it_fails() {
    let dir = tempfile::tempdir().unwrap();
    // A demand entering at a site with no links is a warning.
    let f = Fixture::new("island")
        .site("a")
        .site("b")
        .site("c")
        .link("a", "b")
        .demand("users", &["c"])
        .plan("p", &["a", "b"])
        .write(dir.path());
    let ok = drsim().arg("validate").arg(&f).output().unwrap();
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    assert!(String::from_utf8_lossy(&ok.stdout).contains(": ok: "));
    let out = drsim()
        .args(["validate", "--deny-warnings"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let so = String::from_utf8_lossy(&out.stdout);
    let se = String::from_utf8_lossy(&out.stderr);
    assert!(so.contains(": FAILED: ") && !so.contains(": ok: "), "{so}");
    // The count it gives is the number of warnings printed.
    let n = se.matches(": warning: ").count();
    assert!(n >= 1, "{se}");
    let why = if n == 1 {
        "error: 1 warning above, and --deny-warnings treats warnings as errors".to_string()
    } else {
        format!("error: {n} warnings above, and --deny-warnings treats warnings as errors")
    };
    assert!(se.contains(&why), "{se}");
}

#[test]
fn text_output_is_human_and_fits_100_columns() {
    let gm = topo("global-messaging.toml");
    for args in [
        vec!["run", &gm, "--trials", "300"],
        vec!["compare", &gm, "--trials", "300"],
        vec!["check", &gm, "--trials", "300", "--min-trials", "300"],
    ] {
        let text = stdout(drsim().args(&args));
        for l in text.lines() {
            assert!(
                l.chars().count() <= 100,
                "{args:?}: {} columns: {l}",
                l.chars().count()
            );
        }
        if args[0] != "check" {
            // User-minutes in the hundreds of billions read "... G", and the
            // most expensive plan costs "$680M".
            assert!(text.contains(" G ["), "{args:?}: {text}");
            assert!(text.contains("$680M") && text.contains("$65.0M"), "{text}");
            assert!(!text.contains("680000000"), "{text}");
        }
    }
}
