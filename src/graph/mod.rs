//! Graph algorithms shared by every engine: union-find, the terminal-preserving
//! graph reduction, the cut-space connectivity check, and max-flow.
//! Foundations: nothing here imports an engine.

pub mod cutspace;
pub mod maxflow;
pub mod reduce;
pub mod unionfind;

pub use unionfind::UnionFind;
