//! Files in and out: the TOML topology format (load with line-accurate
//! errors, save), and imports of real networks.

pub mod diagnostic;
pub mod graphml;
pub mod import;
pub mod load;
pub mod read;
pub mod save;
pub mod schema;
pub mod sndlib;
pub mod write;

pub use diagnostic::{Diagnostic, LoadError, Severity};
pub use load::{Loaded, load_str};

use crate::model::Topology;
use std::path::Path;

/// Loads any supported topology file; see [`load_path_with`].
pub fn load_path(path: &Path) -> Result<Topology, LoadError> {
    load_path_with_warnings(path).map(|l| l.topology)
}

/// Loads any supported topology file with the default import options.
pub fn load_path_with_warnings(path: &Path) -> Result<Loaded, LoadError> {
    load_path_with(path, &import::ImportOptions::default())
}

/// Loads a native TOML topology, or imports a GraphML (Topology Zoo) or
/// SNDlib file in memory with `opts`, recognised by content rather than by
/// extension, so every command accepts every format.
pub fn load_path_with(path: &Path, opts: &import::ImportOptions) -> Result<Loaded, LoadError> {
    let text = load::read_limited(path)?;
    load_text_with(&text, path, opts)
}

/// Like [`load_path_with`] on text already read (e.g. an old version from
/// git); `path` only names the source in messages.
pub fn load_text_with(
    text: &str,
    path: &Path,
    opts: &import::ImportOptions,
) -> Result<Loaded, LoadError> {
    let Some(format) = import::detect(text) else {
        return load::load_str(text, path);
    };
    let stem = path
        .file_stem()
        .map_or(String::new(), |s| s.to_string_lossy().into_owned());
    let parsed = match format {
        import::Format::GraphMl => graphml::parse_with_warnings(text, opts, &stem),
        import::Format::Sndlib => sndlib::parse_with_warnings(text, opts, &stem),
    };
    let imported = parsed.map_err(|e| {
        let line = e.line().map_or(0, |l| l as usize);
        let message = match e {
            import::ImportError::At(l) => l.message,
            other => other.to_string(),
        };
        LoadError::single(Diagnostic {
            severity: Severity::Error,
            path: path.to_path_buf(),
            line,
            column: 0,
            message,
            hint: None,
            snippet: (line > 0).then(|| text.lines().nth(line - 1).unwrap_or("").to_string()),
        })
    })?;
    let mut warnings = imported.warnings;
    warnings.extend(load::isolated_sites(&imported.topology));
    Ok(Loaded {
        topology: imported.topology,
        warnings: warnings
            .into_iter()
            .map(|w| Diagnostic::at(Severity::Warning, path, "", None, w))
            .collect(),
    })
}
