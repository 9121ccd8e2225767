//! `drsim tui [FILE]` (and `drsim` alone): the interactive terminal UI.

use anyhow::anyhow;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// Topology file to open; without it, the built-in default topology.
    pub file: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let app = match &args.file {
        Some(path) => {
            // The load error already names the file, line and problem.
            let t = drsim::io::load_path(path).map_err(|e| anyhow!("{e}"))?;
            // Only a native TOML file can take edits back; an imported
            // network opens read-only.
            let text = drsim::io::load::read_limited(path).map_err(|e| anyhow!("{e}"));
            match text {
                Ok(text) if drsim::io::import::detect(&text).is_none() => {
                    crate::tui::App::with_file(t, path.clone(), text)
                }
                _ => crate::tui::App::new(t, path.display().to_string()),
            }
        }
        None => crate::tui::default_app()?,
    };
    crate::tui::run(app)?;
    Ok(ExitCode::SUCCESS)
}
