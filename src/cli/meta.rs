//! `drsim completions SHELL` and `drsim man [COMMAND]`: shell completions
//! (clap_complete) and roff man pages (clap_mangen), generated from the same
//! clap definitions as the parser, so they cannot drift from it.

use super::args::OutArgs;
use super::output;
use clap::CommandFactory;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
    #[command(flatten)]
    pub out: OutArgs,
}

#[derive(clap::Args, Debug)]
pub struct ManArgs {
    /// A subcommand's own page (e.g. `run`); default: the drsim(1) page.
    pub command: Option<String>,
    #[command(flatten)]
    pub out: OutArgs,
}

pub fn completions(args: CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut cmd = super::Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "drsim", &mut buf);
    output::emit(&String::from_utf8(buf)?, args.out.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

pub fn man(args: ManArgs) -> anyhow::Result<ExitCode> {
    let mut cmd = super::Cli::command().disable_help_subcommand(true);
    cmd.build();
    let page = match &args.command {
        None => clap_mangen::Man::new(cmd),
        Some(name) => {
            let Some(sub) = cmd.find_subcommand(name).cloned() else {
                let names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
                anyhow::bail!("no command '{name}' (commands: {})", names.join(", "));
            };
            clap_mangen::Man::new(sub).title(format!("drsim-{name}"))
        }
    };
    let mut buf = Vec::new();
    page.render(&mut buf)?;
    output::emit(&String::from_utf8(buf)?, args.out.out.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
