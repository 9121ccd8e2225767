//! Blame by origin: each hold on a blamed component is traced to its source
//! (the component's own failure, or the shared-risk group, hazard, release
//! train or operator error that holds it), counted once however many
//! components it holds. An outage episode is blamed on the sources that
//! started it while they still hold something blamed; after that, evenly
//! on the sources holding it. See [`crate::simulate::attribution`].

use super::{DISASTER, HARDWARE, N_CAUSES, OPERATOR, RELEASE, SHARED_RISK, Scenario, TrialState};
use crate::simulate::attribution::Sources;

/// Which shared events hold what now, and the sources that started the
/// episode in progress.
#[derive(Debug)]
pub(super) struct Origins {
    sources: Sources,
    /// Per component (sites, then links): the shared-risk groups it is in.
    risks_of: Vec<Vec<u32>>,
    /// Per component (sites, links, services): the trains that push to it.
    trains_of: Vec<Vec<u32>>,
    pub(super) risk_down: Vec<bool>,
    /// Per train: holds in effect (escaped, caught, waves).
    pub(super) train_holds: Vec<u32>,
    /// Per site: the hazard that hit it last.
    pub(super) site_hazard: Vec<u32>,
    /// The episode whose starters are known (its start), and its starters
    /// as (source, cause).
    episode: Option<f64>,
    starters: Vec<(u32, u8)>,
    capture: bool,
    /// The cause of each entry of [`TrialState::blame`].
    pub(super) cause: Vec<u8>,
    scratch: Vec<(u32, u8)>,
}

impl Origins {
    pub(super) fn new(s: &Scenario<'_>) -> Origins {
        let t = s.topo;
        let (n, m) = (t.sites.len(), t.links.len());
        let mut risks_of = vec![Vec::new(); n + m];
        for (g, r) in t.shared_risks.iter().enumerate() {
            let members = r.sites.iter().map(|x| x.0 as usize);
            for c in members.chain(r.links.iter().map(|l| n + l.0 as usize)) {
                risks_of[c].push(g as u32);
            }
        }
        let mut trains_of = vec![Vec::new(); n + m + t.services.len()];
        for (k, tr) in t.release_trains.iter().enumerate() {
            let sites = tr
                .sites
                .iter()
                .chain(&tr.canary_sites)
                .map(|x| x.0 as usize);
            for c in sites.chain(tr.services.iter().map(|v| n + m + v.0 as usize)) {
                if !trains_of[c].contains(&(k as u32)) {
                    trains_of[c].push(k as u32);
                }
            }
        }
        Origins {
            sources: Sources::new(t),
            risks_of,
            trains_of,
            risk_down: vec![false; t.shared_risks.len()],
            train_holds: vec![0; t.release_trains.len()],
            site_hazard: vec![0; n],
            episode: None,
            starters: Vec::new(),
            capture: false,
            cause: Vec::new(),
            scratch: Vec::new(),
        }
    }

    pub(super) fn reset(&mut self) {
        self.risk_down.fill(false);
        self.train_holds.fill(0);
        self.episode = None;
        self.starters.clear();
        self.capture = false;
    }
}

impl TrialState {
    /// Turns the blamed components in [`TrialState::blame`] into weighted
    /// sources (with their causes in `origins.cause`).
    pub(super) fn blame_sources(&mut self) {
        let n = self.site_down.len();
        let mut out = std::mem::take(&mut self.origins.scratch);
        out.clear();
        let o = &self.origins;
        let src = &o.sources;
        for &(comp, _) in &self.blame {
            let c = comp as usize;
            let (causes, _) = self.causes_of(n, c);
            for (k, &count) in causes.iter().enumerate() {
                if count == 0 {
                    continue;
                }
                let before = out.len();
                let kc = k as u8;
                match k {
                    SHARED_RISK if c < o.risks_of.len() => {
                        let down = o.risks_of[c].iter().filter(|&&g| o.risk_down[g as usize]);
                        out.extend(down.map(|&g| ((src.risk + g as usize) as u32, kc)));
                    }
                    RELEASE if c < o.trains_of.len() => {
                        let on = o.trains_of[c]
                            .iter()
                            .filter(|&&r| o.train_holds[r as usize] > 0);
                        out.extend(on.map(|&r| ((src.train + r as usize) as u32, kc)));
                    }
                    DISASTER if c < n => {
                        out.push(((src.hazard + o.site_hazard[c] as usize) as u32, kc));
                    }
                    OPERATOR if c < n => out.push((src.operator as u32, kc)),
                    _ => {}
                }
                if out.len() == before {
                    // Its own failure, a what-if, a cold start: the
                    // component itself.
                    debug_assert!(k == HARDWARE || k >= OPERATOR || c >= n);
                    out.push((comp, kc));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        let o = &mut self.origins;
        if o.capture {
            o.starters.clone_from(&out);
            o.capture = false;
        }
        let started = out.iter().filter(|e| o.starters.contains(e)).count();
        if started > 0 {
            out.retain(|e| o.starters.contains(e));
        }
        let w = 1.0 / out.len().max(1) as f64;
        self.blame.clear();
        o.cause.clear();
        for &(source, cause) in &out {
            self.blame.push((source, w));
            o.cause.push(cause);
        }
        o.scratch = out;
    }

    /// Before downtime is booked: a new episode takes the sources blamed at
    /// its start as its starters.
    pub(super) fn note_episode(&mut self) {
        if self.outage_start != self.origins.episode {
            self.origins.episode = self.outage_start;
            self.origins.capture = true;
            self.blame_dirty = true;
        }
    }

    /// The share of each cause in the current blame.
    pub(super) fn blame_cause_mix(&self) -> [f64; N_CAUSES] {
        let mut mix = [0.0; N_CAUSES];
        for (&(_, w), &k) in self.blame.iter().zip(&self.origins.cause) {
            mix[k as usize] += w;
        }
        mix
    }
}
