//! Gray sites under a graded SLO threshold: the requests a gray site fails
//! count toward the lost share that makes an instant bad (below
//! `threshold` served), and time made bad only by them is booked to the
//! gray sites (cause hardware). Without a threshold gray losses are never
//! downtime, so files without `slo.threshold` keep every number.

use super::{Scenario, TrialRecord, TrialState};
use crate::simulate::serving::{Eval, Group};

impl TrialState {
    /// Each group of `eval` with a gray serving site, and the fraction of
    /// the group's served requests its gray sites fail (groups split their
    /// load by capacity).
    pub(super) fn gray_groups<'e>(
        &self,
        s: &Scenario<'_>,
        eval: &'e Eval,
    ) -> Vec<(&'e Group, f64)> {
        let serving = &self.model.serving;
        let capacity = &self.model.capacity;
        let mut out = Vec::new();
        for g in &eval.groups {
            let failed: f64 = self
                .gray_serving(g)
                .map(|i| {
                    let site = &s.topo.sites[serving[i as usize] as usize];
                    let fraction = site.gray.as_ref().map_or(0.0, |x| x.fraction);
                    if g.capacity > 0.0 {
                        fraction * capacity[i as usize] / g.capacity
                    } else {
                        0.0
                    }
                })
                .sum();
            if failed > 0.0 {
                out.push((g, failed));
            }
        }
        out
    }

    /// The serving sites (plan indices) of group `g` that are gray now.
    fn gray_serving<'g>(&'g self, g: &'g Group) -> impl Iterator<Item = u32> + 'g {
        let serving = &self.model.serving;
        g.sites
            .iter()
            .copied()
            .filter(|&i| self.load.gray[serving[i as usize] as usize])
    }

    /// Under a graded threshold, the share of demand piece `p`'s offered
    /// requests failed at gray sites (0 without a threshold or gray site).
    pub(super) fn gray_share(&self, s: &Scenario<'_>, eval: &Eval, p: usize) -> f64 {
        if self.load.gray_count() == 0 || s.graded_threshold().is_none() {
            return 0.0;
        }
        let curve = &s.curve;
        let total: f64 = (0..curve.n_demands).map(|d| curve.rate(p, d)).sum();
        if total <= 0.0 {
            return 0.0;
        }
        let lost: f64 = self
            .gray_groups(s, eval)
            .iter()
            .map(|&(g, failed)| {
                let rate: f64 = g.demands.iter().map(|&d| curve.rate(p, d as usize)).sum();
                failed * rate.min(g.capacity)
            })
            .sum();
        (lost / total).min(1.0)
    }

    /// Books `dt` seconds that only the gray sites' losses made bad to
    /// those serving sites, evenly, as hardware.
    pub(super) fn attribute_gray(&self, eval: &Eval, dt: f64, rec: &mut TrialRecord) {
        let sites: Vec<u32> = eval
            .groups
            .iter()
            .flat_map(|g| self.gray_serving(g))
            .map(|i| self.model.serving[i as usize])
            .collect();
        if sites.is_empty() {
            rec.unattributed_secs += dt;
            return;
        }
        let w = dt / sites.len() as f64;
        for i in sites {
            rec.component_secs[i as usize] += w;
        }
        rec.cause_secs[crate::static_model::Cause::Hardware as usize] += dt;
    }

    /// `[a, b)` of piece `p` that is good without gray losses: bad, and
    /// booked to the gray sites, when they push the lost share above
    /// `1 - threshold`.
    pub(super) fn good_unless_gray(
        &mut self,
        s: &Scenario<'_>,
        eval: &Eval,
        (a, b, p): (f64, f64, usize),
        base_share: f64,
        rec: &mut TrialRecord,
    ) {
        let bad = s
            .graded_threshold()
            .is_some_and(|th| 1.0 - (base_share + self.gray_share(s, eval, p)) < th);
        self.piece(s, a, b, bad, rec);
        if bad {
            self.attribute_gray(eval, b - a, rec);
        }
    }
}
