//! Graph algorithms shared by every engine: union-find, the terminal-preserving
//! graph reduction, and max-flow. Foundations: nothing here imports an engine.

pub mod maxflow;
pub mod reduce;
pub mod unionfind;

pub use unionfind::UnionFind;
