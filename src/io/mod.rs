//! Files in and out: the TOML topology format (load with line-accurate
//! errors, save), and imports of real networks.

pub mod diagnostic;
pub mod load;
pub mod save;
pub mod schema;

pub use diagnostic::{Diagnostic, LoadError, Severity};
pub use load::{Loaded, load_str};

use crate::model::Topology;
use std::path::Path;

/// Loads any supported topology file; see [`load_path_with_warnings`].
pub fn load_path(path: &Path) -> Result<Topology, LoadError> {
    load_path_with_warnings(path).map(|l| l.topology)
}

/// Loads a native TOML topology.
pub fn load_path_with_warnings(path: &Path) -> Result<Loaded, LoadError> {
    load::load_toml_path(path)
}
