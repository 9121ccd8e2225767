//! One max-flow step of `capacity --from/--to` on a failure state given from
//! outside (the failed links), with the sampler's own preparation (pruned
//! and contracted network, intact certificates): what the benchmark against
//! NetGraph times per state and what the fast path's property test compares
//! against the plain max-flow of the whole graph.

use super::st_flow::{CapacityError, Sampler, check_model};
use crate::graph::maxflow::MaxFlow;
use crate::static_model::StaticModel;

/// The s-t max-flow of a model under explicit link failures, one thread.
pub struct FlowStep<'a> {
    sm: Sampler<'a>,
    mf: MaxFlow,
    caps: Vec<f64>,
    failed: Vec<u64>,
}

impl<'a> FlowStep<'a> {
    pub fn new(model: &'a StaticModel, s: u32, t: u32) -> Result<FlowStep<'a>, CapacityError> {
        check_model(model, s, t)?;
        let sm = Sampler::new(model, s, t);
        Ok(FlowStep {
            mf: MaxFlow::new(&sm.net),
            caps: sm.base_caps.clone(),
            failed: vec![0; sm.words],
            sm,
        })
    }

    /// The intact max flow.
    pub fn intact(&self) -> f64 {
        self.sm.intact
    }

    fn mark(&mut self, down: &[u32]) {
        self.failed.fill(0);
        for &e in down {
            self.sm.fail_edge(&mut self.failed, e);
        }
    }

    /// The max flow with the model edges `down` failed, always solved.
    ///
    /// # Panics
    /// If an index in `down` is not an edge of the model.
    pub fn solve(&mut self, down: &[u32]) -> f64 {
        self.mark(down);
        self.sm.solve(&self.failed, &mut self.mf)
    }

    /// As [`FlowStep::solve`] with Dinic from zero flow on the same pruned
    /// network (the solver before the warm start), for comparison.
    ///
    /// # Panics
    /// As [`FlowStep::solve`].
    pub fn solve_from_zero(&mut self, down: &[u32]) -> f64 {
        self.mark(down);
        self.caps.copy_from_slice(&self.sm.base_caps);
        for (w, &bits) in self.failed.iter().enumerate() {
            let mut b = bits;
            while b != 0 {
                self.caps[w * 64 + b.trailing_zeros() as usize] = 0.0;
                b &= b - 1;
            }
        }
        self.mf
            .solve(&self.sm.net, &self.caps, self.sm.s, self.sm.t)
    }

    /// As [`FlowStep::solve`], the way a capacity run takes a state: a
    /// failure set that misses an intact optimum's links keeps the intact
    /// flow without a solve.
    ///
    /// # Panics
    /// As [`FlowStep::solve`].
    pub fn step(&mut self, down: &[u32]) -> f64 {
        self.mark(down);
        if self.sm.keeps_intact(&self.failed) {
            return self.sm.intact;
        }
        self.sm.solve(&self.failed, &mut self.mf)
    }
}
