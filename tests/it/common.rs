//! Helpers shared by the integration tests: the binary under test and the
//! paths of the bundled topologies.

use assert_cmd::Command;

/// The `drsim` binary built for this test run.
pub fn drsim() -> Command {
    Command::cargo_bin("drsim").unwrap()
}

/// Absolute path of a bundled topology (`topologies/NAME`), so a test does
/// not depend on the working directory.
pub fn topo(name: &str) -> String {
    format!("{}/topologies/{name}", env!("CARGO_MANIFEST_DIR"))
}
