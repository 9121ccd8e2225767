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
                println!(
                    "{}: ok: '{}': {} sites, {} links, {} regions, {} shared-risk groups, {} release trains, {} demands, {} plans{}",
                    path.display(),
                    t.name,
                    t.sites.len(),
                    t.links.len(),
                    t.regions.len(),
                    t.shared_risks.len(),
                    t.release_trains.len(),
                    t.demands.len(),
                    t.plans.len(),
                    if loaded.warnings.is_empty() {
                        String::new()
                    } else {
                        format!(", {} warnings", loaded.warnings.len())
                    }
                );
                failed |= args.deny_warnings && !loaded.warnings.is_empty();
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
