//! Evaluating a criterion on one failure state with union-find on reused
//! buffers: the hot path of every sampler and of exhaustive enumeration.

use super::Criterion;
use crate::static_model::StaticModel;

/// Union-find over nodes plus the criterion, reused across states.
pub struct Checker<'a> {
    model: &'a StaticModel,
    criterion: &'a Criterion,
    parent: Vec<u32>,
    size: Vec<u32>,
    roots: Vec<u32>,
}

impl<'a> Checker<'a> {
    pub fn new(model: &'a StaticModel, criterion: &'a Criterion) -> Checker<'a> {
        let n = model.n_nodes();
        Checker {
            model,
            criterion,
            parent: (0..n as u32).collect(),
            size: vec![1; n],
            roots: Vec::new(),
        }
    }

    pub(crate) fn reset_all(&mut self) {
        for (i, p) in self.parent.iter_mut().enumerate() {
            *p = i as u32;
        }
        self.size.fill(1);
    }

    pub(crate) fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let g = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = g;
            x = g;
        }
        x
    }

    /// Joins the sets of `a` and `b`; true when they were separate.
    pub(crate) fn union(&mut self, a: u32, b: u32) -> bool {
        let (mut ra, mut rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        if self.size[ra as usize] < self.size[rb as usize] {
            std::mem::swap(&mut ra, &mut rb);
        }
        self.parent[rb as usize] = ra;
        self.size[ra as usize] += self.size[rb as usize];
        true
    }

    /// Is the system up when exactly the flagged nodes and edges are down?
    pub fn is_up(&mut self, node_down: &[bool], edge_down: &[bool]) -> bool {
        if let Criterion::TwoTerminal { s, t } = *self.criterion
            && (node_down[s as usize] || node_down[t as usize])
        {
            return false;
        }
        if matches!(self.criterion, Criterion::AllTerminal) && node_down.iter().any(|&d| d) {
            return false;
        }
        self.reset_all();
        let model = self.model;
        let mut merges = 0usize;
        for (e, &(a, b)) in model.edges.iter().enumerate() {
            if !edge_down[e] && !node_down[a as usize] && !node_down[b as usize] && self.union(a, b)
            {
                merges += 1;
            }
        }
        self.criterion_holds(node_down, merges)
    }

    /// The criterion on the current union-find; `merges` counts successful
    /// unions (all-terminal: connected iff n-1 merges with all nodes up).
    pub(crate) fn criterion_holds(&mut self, node_down: &[bool], merges: usize) -> bool {
        match self.criterion {
            Criterion::TwoTerminal { s, t } => {
                let (s, t) = (*s, *t);
                !node_down[s as usize] && !node_down[t as usize] && self.find(s) == self.find(t)
            }
            Criterion::AllTerminal => {
                !node_down.iter().any(|&d| d) && merges + 1 >= self.model.n_nodes()
            }
            Criterion::Service {
                groups,
                targets,
                quorum,
            } => {
                // A quorum must sit in one connected piece, the one its
                // users enter: serving sites reached from different entry
                // sites cannot vote together (as in `eval::plan_serves` and
                // the simulator), so count per entry component, take the best.
                for g in groups {
                    self.roots.clear();
                    for &v in g {
                        if !node_down[v as usize] {
                            let r = self.find(v);
                            if !self.roots.contains(&r) {
                                self.roots.push(r);
                            }
                        }
                    }
                    let mut best = 0u32;
                    for i in 0..self.roots.len() {
                        let root = self.roots[i];
                        let mut reached = 0u32;
                        for &tg in targets {
                            if !node_down[tg as usize] && self.find(tg) == root {
                                reached += 1;
                            }
                        }
                        best = best.max(reached);
                    }
                    if best < *quorum {
                        return false;
                    }
                }
                true
            }
        }
    }
}
