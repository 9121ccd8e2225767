//! `drsim validate FILE...`: load each file, print every error and warning
//! with its line, and a one-line summary of what each valid file holds.

use drsim::io;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Topology files to check.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub deny_warnings: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    for path in &args.files {
        match io::load_path_with_warnings(path) {
            Ok(loaded) => {
                for w in &loaded.warnings {
                    eprintln!("{w}");
                }
                let t = &loaded.topology;
                let n = loaded.warnings.len();
                let denied = args.deny_warnings && n > 0;
                let counts: Vec<String> = (t.part_counts().iter())
                    .map(|(kind, n)| format!("{n} {kind}"))
                    .collect();
                let line = format!(
                    "{}: {}: '{}': {}{}{}",
                    path.display(),
                    if denied { "FAILED" } else { "ok" },
                    t.name,
                    counts.join(", "),
                    match t.services.len() {
                        0 => String::new(),
                        1 => ", 1 service".to_string(),
                        k => format!(", {k} services"),
                    },
                    match n {
                        0 => String::new(),
                        1 => ", 1 warning".to_string(),
                        _ => format!(", {n} warnings"),
                    }
                );
                print!("{}", super::text::wrap_words(&line, 4));
                if denied {
                    // Say why the exit status is 2 although nothing is an error.
                    eprintln!(
                        "{}: error: {n} warning{} above, and --deny-warnings treats warnings as errors",
                        path.display(),
                        if n == 1 { "" } else { "s" }
                    );
                }
                failed |= denied;
            }
            Err(e) => {
                eprintln!("{e}");
                failed = true;
            }
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
