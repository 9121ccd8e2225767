//! The interactive terminal UI: browse a topology on a world map, mark sites,
//! links, regions, shared-risk groups or release trains as failed, and watch
//! which plans still serve. It holds no simulation logic: plan status comes
//! from [`drsim::service`].
//!
//! Structure: [`app::App`] is the state with one `update(Action)`;
//! [`view::render`] is a pure function of `&App`; [`run_loop`] is generic over
//! the backend so tests drive it with ratatui's `TestBackend`.

mod app;
mod edit;
mod importance;
mod input;
mod layout;
mod run;
mod services;
mod stream;
mod timerun;
mod view;

#[cfg(test)]
mod edit_tests;
#[cfg(test)]
mod nocolor;
#[cfg(test)]
mod run_tests;
#[cfg(test)]
mod services_tests;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod timerun_tests;

pub use app::App;

use anyhow::Context;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use ratatui::crossterm::execute;
use std::io::IsTerminal;

/// The topology `drsim` opens with no arguments, embedded so the binary works
/// from anywhere.
const DEFAULT_TOPOLOGY: &str = include_str!("../../topologies/global-messaging.toml");
const DEFAULT_TOPOLOGY_NAME: &str = "built-in global-messaging.toml";

/// Loads the embedded default topology.
pub fn default_app() -> anyhow::Result<App> {
    let loaded = drsim::io::load_str(
        DEFAULT_TOPOLOGY,
        std::path::Path::new(DEFAULT_TOPOLOGY_NAME),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
    .context("the built-in topology does not load")?;
    Ok(App::new(loaded.topology, DEFAULT_TOPOLOGY_NAME))
}

/// Runs the UI in the real terminal until the user quits. The terminal is
/// restored on return, on error and on panic.
pub fn run(mut app: App) -> anyhow::Result<()> {
    if !std::io::stdout().is_terminal() {
        anyhow::bail!(
            "the interactive UI needs a terminal, but stdout is not one; \
             for scripted use run a subcommand instead (see `drsim --help`)"
        );
    }
    // `--color always|never`, else https://no-color.org: NO_COLOR set and
    // not empty means no colour (stdout is a terminal here).
    app.color = crate::cli::color_on_terminal();
    // ratatui::init installs a panic hook that leaves raw mode and the
    // alternate screen; chain one that also stops mouse reporting first.
    let mut terminal = ratatui::init();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
        previous(info);
    }));
    let result = execute!(std::io::stdout(), EnableMouseCapture)
        .context("enabling mouse reporting")
        .and_then(|()| {
            run_loop(&mut terminal, &mut app, || {
                // Wake up regularly so a running simulation's progress shows.
                if event::poll(std::time::Duration::from_millis(100))? {
                    event::read().map(Some)
                } else {
                    Ok(None)
                }
            })
        });
    let _ = execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    result
}

/// Takes worker progress, draws, waits for the next event (`None`: nothing
/// happened before a timeout), updates; until the app asks to quit.
pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    mut next_event: impl FnMut() -> std::io::Result<Option<Event>>,
) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    loop {
        app.tick();
        let size = terminal.size()?;
        if (size.width, size.height) != app.size {
            app.set_size(size.width, size.height);
        }
        terminal.draw(|f| view::render(app, f))?;
        if app.quit {
            return Ok(());
        }
        if let Some(ev) = next_event().context("reading terminal input")? {
            app.handle_event(&ev);
        }
    }
}
