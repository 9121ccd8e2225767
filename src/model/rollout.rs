//! Release trains that roll out in waves: each wave reaches more of the
//! train's sites, then bakes; a bad release caught during a bake stops the
//! rollout there, so only the sites reached so far are hit. A bug may be
//! latent: it triggers a random delay after it is deployed on a site, and a
//! bake only catches what triggered during it.

use super::{ReleaseTrain, SiteId};
use crate::units::{Duration, Probability};

/// Which sites a wave has reached once it is deployed.
#[derive(Clone, Debug, PartialEq)]
pub enum WaveReach {
    /// At least this fraction of the train's sites (rounded up), taking
    /// the train's sites in order; cumulative.
    Fraction(f64),
    /// These sites, in addition to the earlier waves'.
    Sites(Vec<SiteId>),
}

/// One stage of a rollout.
#[derive(Clone, Debug, PartialEq)]
pub struct Wave {
    pub reach: WaveReach,
    /// Time before the next wave starts.
    pub bake: Duration,
    /// Probability that the bake catches a bad release that triggered in
    /// it (the last wave's is unused: a release that gets everywhere is
    /// found by its users).
    pub catch: Probability,
}

impl ReleaseTrain {
    /// The sites each wave adds, in wave order (the last wave adds every
    /// site not reached yet, so the waves cover the train).
    pub fn wave_sites(&self) -> Vec<Vec<SiteId>> {
        self.reach(true)
    }

    /// Sites of the train that no wave reaches as written (the loader
    /// refuses a rollout that leaves some out).
    pub fn sites_no_wave_reaches(&self) -> usize {
        self.sites.len() - self.reach(false).iter().map(Vec::len).sum::<usize>()
    }

    fn reach(&self, last_takes_the_rest: bool) -> Vec<Vec<SiteId>> {
        let n = self.sites.len();
        let mut reached = vec![false; n];
        let mut out = Vec::with_capacity(self.waves.len());
        for (w, wave) in self.waves.iter().enumerate() {
            let last = last_takes_the_rest && w + 1 == self.waves.len();
            let wanted: Vec<usize> = match &wave.reach {
                _ if last => (0..n).collect(),
                WaveReach::Fraction(f) => {
                    let want = ((f * n as f64).ceil() as usize).clamp(1, n.max(1));
                    let have = reached.iter().filter(|&&r| r).count();
                    let fresh = (0..n).filter(|&i| !reached[i]);
                    fresh.take(want.saturating_sub(have)).collect()
                }
                WaveReach::Sites(sites) => sites
                    .iter()
                    .filter_map(|s| self.sites.iter().position(|x| x == s))
                    .collect(),
            };
            let mut new = Vec::new();
            for i in wanted {
                if !std::mem::replace(&mut reached[i], true) {
                    new.push(self.sites[i]);
                }
            }
            out.push(new);
        }
        out
    }

    /// When each wave starts after the release, in seconds.
    pub fn wave_starts(&self) -> Vec<f64> {
        let mut t = 0.0;
        self.waves
            .iter()
            .map(|w| {
                let start = t;
                t += w.bake.secs();
                start
            })
            .collect()
    }

    /// Probability that a bad release whose bug triggers `trigger` seconds
    /// after deploy is caught in each wave (the rollout stops there); they
    /// sum to 1, the last wave taking what every bake let through.
    pub fn stop_probabilities(&self, trigger: f64) -> Vec<f64> {
        let mut through = 1.0;
        let n = self.waves.len();
        let mut out = Vec::with_capacity(n);
        for (w, wave) in self.waves.iter().enumerate() {
            let p = if w + 1 == n {
                1.0
            } else if trigger < wave.bake.secs() {
                wave.catch.get()
            } else {
                0.0
            };
            out.push(through * p);
            through *= 1.0 - p;
        }
        out
    }

    /// [`Self::stop_probabilities`] averaged over the trigger delay: the
    /// pattern of bakes that can catch the bug is constant between two
    /// bake lengths, so the average is exact.
    pub fn mean_stop_probabilities(&self) -> Vec<f64> {
        let Some(trigger) = &self.trigger else {
            return self.stop_probabilities(0.0);
        };
        let mut cuts: Vec<f64> = self.waves.iter().map(|w| w.bake.secs()).collect();
        cuts.push(0.0);
        cuts.sort_by(f64::total_cmp);
        cuts.dedup();
        let mut out = vec![0.0; self.waves.len()];
        for (i, &lo) in cuts.iter().enumerate() {
            let hi = cuts.get(i + 1).map_or(1.0, |&h| trigger.prob_below(h));
            let weight = hi - trigger.prob_below(lo);
            for (o, p) in out.iter_mut().zip(self.stop_probabilities(lo)) {
                *o += weight * p;
            }
        }
        out
    }
}
