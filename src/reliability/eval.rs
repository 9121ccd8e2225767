//! Evaluating a criterion on one failure state with union-find on reused
//! buffers: the hot path of every sampler and of exhaustive enumeration. For
//! the service criterion this is a fast path of [`crate::service`]'s rule,
//! held to it by the property test in `tests/it/service_rule.rs`.

use super::Criterion;
use crate::graph::UnionFind;
use crate::model::PlanMode;
use crate::service::Active;
use crate::static_model::StaticModel;

/// Union-find over nodes plus the criterion, reused across states.
pub struct Checker<'a> {
    model: &'a StaticModel,
    criterion: &'a Criterion,
    uf: UnionFind,
    roots: Vec<u32>,
}

impl<'a> Checker<'a> {
    pub fn new(model: &'a StaticModel, criterion: &'a Criterion) -> Checker<'a> {
        Checker {
            model,
            criterion,
            uf: UnionFind::new(model.n_nodes()),
            roots: Vec::new(),
        }
    }

    pub(crate) fn reset_all(&mut self) {
        self.uf.reset();
    }

    pub(crate) fn find(&mut self, x: u32) -> u32 {
        self.uf.find(x)
    }

    /// Joins the sets of `a` and `b`; true when they were separate.
    pub(crate) fn union(&mut self, a: u32, b: u32) -> bool {
        self.uf.union(a, b)
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
        let criterion = self.criterion;
        self.holds(criterion, node_down, merges)
    }

    fn holds(&mut self, criterion: &Criterion, node_down: &[bool], merges: usize) -> bool {
        match criterion {
            Criterion::TwoTerminal { s, t } => {
                let (s, t) = (*s, *t);
                !node_down[s as usize] && !node_down[t as usize] && self.find(s) == self.find(t)
            }
            // The merge count first: the scan of every node is O(n) and
            // would make each turnip step linear.
            Criterion::AllTerminal => {
                merges + 1 >= self.model.n_nodes() && !node_down.iter().any(|&d| d)
            }
            Criterion::Service {
                groups,
                targets,
                quorum,
                mode: PlanMode::ActiveActive,
            } => {
                // A quorum must sit in one connected piece, the one its
                // users enter: serving sites reached from different entry
                // sites cannot vote together, so count per entry piece and
                // take the best.
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
            Criterion::Dependent(dep) => {
                if let Some(graph) = &dep.1
                    && !self.holds(graph, node_down, merges)
                {
                    return false;
                }
                let rule = &dep.0;
                let n = rule.n_sites();
                let groups: Vec<u32> = (0..n as u32)
                    .map(|v| {
                        if node_down[v as usize] {
                            u32::MAX
                        } else {
                            self.uf.find(v)
                        }
                    })
                    .collect();
                rule.evaluate_in(
                    &node_down[..n],
                    &node_down[n..],
                    groups,
                    Active::FirstUsable,
                )
                .all_served()
            }
            Criterion::Service {
                groups,
                targets,
                mode: PlanMode::ActivePassive,
                ..
            } => {
                // One site serves: the first target (plan order) that is up
                // and in a piece with some group's up entry; every group
                // must enter that piece.
                self.roots.clear();
                for &v in groups.iter().flatten() {
                    if !node_down[v as usize] {
                        let r = self.find(v);
                        self.roots.push(r);
                    }
                }
                let mut active = None;
                for &tg in targets {
                    if !node_down[tg as usize] {
                        let r = self.find(tg);
                        if self.roots.contains(&r) {
                            active = Some(r);
                            break;
                        }
                    }
                }
                let Some(root) = active else { return false };
                groups.iter().all(|g| {
                    g.iter()
                        .any(|&v| !node_down[v as usize] && self.uf.find(v) == root)
                })
            }
        }
    }
}

#[cfg(test)]
mod agreement {
    use super::Checker;
    use crate::model::PlanId;
    use crate::reliability::Criterion;
    use crate::service::{Active, arbitrary};
    use crate::static_model::{Overrides, StaticModel};
    use proptest::prop_assert_eq;

    /// The static engine's union-find service criterion (used by exact
    /// enumeration, crude, the turnip and importance) says "up" exactly when
    /// the rule serves every demand at a random instant.
    #[test]
    fn service_criterion_agrees_with_the_service_rule() {
        arbitrary::check_against_rule(
            |_| Active::FirstUsable,
            |c, rule| {
                let model =
                    StaticModel::for_plan(&c.topo, PlanId(0), Overrides::default()).unwrap();
                let crit = Criterion::service(&c.topo, PlanId(0)).unwrap();
                let mut checker = Checker::new(&model, &crit);
                let fast = checker.is_up(c.failed.sites_down(), c.failed.links_down());
                prop_assert_eq!(fast, rule.all_served());
                Ok(())
            },
        );
    }
}
