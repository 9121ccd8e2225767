//! Library use, without the CLI: load a topology and print, for every plan,
//! the probability that its service is down at a random instant (static
//! engine, all causes of failure as Marshall-Olkin shocks).
//!
//! ```sh
//! cargo run --release --example plan_unavailability -- topologies/small-company.toml
//! ```

use drsim::reliability::{Criterion, EstimateOptions, estimate};
use drsim::static_model::{Overrides, StaticModel};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let path = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from("topologies/small-company.toml"),
        PathBuf::from,
    );
    let topology = match drsim::io::load_path(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    for (i, plan) in topology.plans.iter().enumerate() {
        let id = drsim::model::PlanId(i as u32);
        let model = match StaticModel::for_plan(&topology, id, Overrides::default()) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("{}: {e}", plan.key);
                return ExitCode::from(2);
            }
        };
        let criterion = match Criterion::service(&topology, id) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{}: {e}", plan.key);
                return ExitCode::from(2);
            }
        };
        match estimate(&model, &criterion, &EstimateOptions::default()) {
            Ok(e) => println!(
                "{:<20} unavailability {:.3e}  95% CI [{:.3e}, {:.3e}]  ({}, {} samples)",
                plan.key, e.unreliability, e.ci95_low, e.ci95_high, e.method, e.samples
            ),
            Err(e) => {
                eprintln!("{}: {e}", plan.key);
                return ExitCode::from(2);
            }
        }
    }
    ExitCode::SUCCESS
}
