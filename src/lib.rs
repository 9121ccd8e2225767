//! drsim: a disaster-recovery planning simulator.
//!
//! The library holds everything that computes; the `drsim` binary (CLI and
//! TUI) only parses, calls these modules and prints. A map, bottom up:
//!
//! **Foundations** (import no engine):
//! - [`units`]: `Duration` and `Probability` newtypes;
//! - [`model`]: the validated, typed [`model::Topology`] (dense-index ids);
//! - [`io`]: the TOML format, its loader and saver, GraphML/SNDlib import,
//!   bounded reads and the one output writer;
//! - [`stats`]: the one 95% z, mean and binomial intervals, moments;
//! - [`rng`]: every random stream (batch streams, per-process streams);
//! - [`sampling`]: progress and stopped-short reasons of the samplers;
//! - [`graph`]: union-find, the terminal-preserving reduction, max-flow;
//! - [`human`]: numbers for people (`168 G`, `$680M`, `3.2 h`);
//! - [`escape`]: text escaped for HTML/SVG, XML and OpenMetrics labels;
//! - [`static_model`]: the random-instant view of a topology (components
//!   down with their steady-state probability, plus Marshall-Olkin shocks).
//!
//! **The one rule** — [`service`]: who is served in a failure state, from
//! which sites, with what capacity, and which service instances work given
//! their dependencies. Every engine asks it.
//!
//! **Engines** (import the foundations and the rule; the one edge between
//! engines is capacity asking the reliability engine's public API for
//! P(flow = 0), which is two-terminal unreliability):
//! - [`reliability`]: the random-instant engine: P(plan down) by exact
//!   enumeration, crude Monte Carlo or the turnip, importance, cut sets;
//! - [`simulate`]: the time-based simulator: trial-years of failures,
//!   repairs, failover, releases, disasters and load;
//! - [`capacity`]: capacity under failure: s-t max-flow distributions and the
//!   served fraction of a plan's demand.
//!
//! **On top**: [`score`] (compare, diff, check) and [`report`] (the HTML
//! design review); [`shard`] splits any batched run across machines.
//!
//! One topology through every engine:
//!
//! ```
//! use std::path::Path;
//! use drsim::model::PlanId;
//! use drsim::reliability::{Criterion, EstimateOptions, Method, estimate};
//! use drsim::service::{FailedSet, plan_status};
//! use drsim::static_model::{Overrides, StaticModel};
//!
//! let text = include_str!("../topologies/small-company.toml");
//! let topo = drsim::io::load_str(text, Path::new("small-company.toml"))?.topology;
//! let plan = PlanId(0);
//!
//! // The rule: is the plan serving with nothing failed?
//! assert!(plan_status(&topo, plan, &FailedSet::none(&topo)).is_up());
//!
//! // The random-instant engine: P(plan down), exactly or by Monte Carlo.
//! let model = StaticModel::for_plan(&topo, plan, Overrides::default())?;
//! let crit = Criterion::service(&topo, plan)?;
//! let opts = EstimateOptions { method: Method::Crude, samples: 20_000, ..Default::default() };
//! let u = estimate(&model, &crit, &opts)?;
//! assert!(u.ci95_low <= u.unreliability && u.unreliability <= u.ci95_high);
//!
//! // The time-based simulator: downtime per year with its interval.
//! let cfg = drsim::simulate::SimConfig { trials: 64, years: 1, seed: 1 };
//! let r = drsim::simulate::run_plan(&topo, 0, &cfg, &|_| {})?;
//! assert!(r.availability_time.mean <= 1.0);
//!
//! // Capacity under failure: the served fraction of the plan's demand.
//! let served = drsim::capacity::served::simulate_served(
//!     &topo,
//!     plan,
//!     &model,
//!     &drsim::capacity::served::ServedOptions {
//!         samples: 8192,
//!         seed: 1,
//!         threshold: None,
//!         demand_at: drsim::capacity::served::DemandAt::Year,
//!     },
//! )?;
//! assert!(served.mean_served <= 1.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod capacity;
pub mod escape;
pub mod graph;
pub mod human;
pub mod io;
pub mod model;
pub mod reliability;
pub mod report;
pub mod rng;
pub mod sampling;
pub mod score;
pub mod service;
pub mod shard;
pub mod simulate;
pub mod static_model;
pub mod stats;
pub mod units;
