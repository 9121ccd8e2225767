//! Event handling: each event moves its process on (drawing the next event
//! from the process's own stream) and holds components down or lets them
//! up; after a change, the failover and data-loss rules run again.

use super::services::Pending;
use super::{
    DISASTER, Event, HARDWARE, OPERATOR, RELEASE, SHARED_RISK, Scenario, TrialRecord, TrialState,
    exp_sample,
};
use crate::model::PlanMode;
use crate::simulate::serving::IRRELEVANT;
use crate::units::SECONDS_PER_YEAR;
use rand::RngExt;

impl TrialState {
    pub(super) fn site_hold(&mut self, i: u32, cause: usize, down: bool) -> bool {
        // The blame holds each cause's source, so any hold change counts.
        self.blame_dirty = true;
        let i = i as usize;
        if down {
            self.site_causes[i][cause] += 1;
            self.site_down[i] += 1;
            self.flip_if(i, self.site_down[i] == 1, true)
        } else {
            self.site_causes[i][cause] -= 1;
            self.site_down[i] -= 1;
            self.flip_if(i, self.site_down[i] == 0, false)
        }
    }

    pub(super) fn link_hold(&mut self, j: u32, cause: usize, down: bool) -> bool {
        // The blame holds each cause's source, so any hold change counts.
        self.blame_dirty = true;
        let j = j as usize;
        if down {
            self.link_causes[j][cause] += 1;
            self.link_down[j] += 1;
            self.flip_if(self.site_down.len() + j, self.link_down[j] == 1, true)
        } else {
            self.link_causes[j][cause] -= 1;
            self.link_down[j] -= 1;
            self.flip_if(self.site_down.len() + j, self.link_down[j] == 0, false)
        }
    }

    /// Records that component `c` (sites, then links, then services) went down or came
    /// back when `changed`; returns `changed`. The blame changes with any
    /// component; the service only when an element of the reduced graph
    /// flips.
    pub(super) fn flip_if(&mut self, c: usize, changed: bool, now_down: bool) -> bool {
        if !changed {
            return false;
        }
        self.blame_dirty = true;
        let e = self.model.element_of[c];
        if e == IRRELEVANT {
            return true;
        }
        // Services down are blamed from their own counts (compute_blame);
        // the down list holds sites and links.
        if c < self.site_down.len() + self.link_down.len() {
            self.track_down(c, now_down);
        }
        let e = e as usize;
        let flips = if now_down {
            self.element_down[e] += 1;
            self.element_down[e] == 1
        } else {
            self.element_down[e] -= 1;
            self.element_down[e] == 0
        };
        if flips {
            self.down_bits[e / 64] ^= 1 << (e % 64);
            self.state_hash ^= self.zobrist[e];
            self.relevant = true;
            self.note_flip(e, now_down);
        }
        true
    }
    /// Applies one event; true when some component changed up/down state or
    /// the active-passive failover progressed.
    // One arm per event kind, kept whole so every event's effect reads in one place.
    pub(super) fn handle(&mut self, s: &Scenario<'_>, t: f64, ev: Event) -> bool {
        let topo = s.topo;
        let l = s.layout;
        match ev {
            Event::SiteFail(i) => {
                if let Some(f) = &topo.sites[i as usize].failure {
                    let d = f.ttr.sample_secs(&mut self.rngs[i as usize]);
                    self.repair(s, s.site_crew[i as usize], t, d, Event::SiteRepair(i));
                }
                self.site_hold(i, HARDWARE, true)
            }
            Event::SiteRepair(i) => {
                self.repair_done(s, s.site_crew[i as usize], t);
                if let Some(f) = &topo.sites[i as usize].failure {
                    let d = f.ttf.sample_secs(&mut self.rngs[i as usize]);
                    self.queue.push(t + d, Event::SiteFail(i));
                }
                self.site_hold(i, HARDWARE, false)
            }
            Event::LinkFail(j) => {
                if let Some(f) = &topo.links[j as usize].failure {
                    let d = f.ttr.sample_secs(&mut self.rngs[l.link + j as usize]);
                    self.repair(s, s.link_crew[j as usize], t, d, Event::LinkRepair(j));
                }
                self.link_hold(j, HARDWARE, true)
            }
            Event::LinkRepair(j) => {
                self.repair_done(s, s.link_crew[j as usize], t);
                if let Some(f) = &topo.links[j as usize].failure {
                    let d = f.ttf.sample_secs(&mut self.rngs[l.link + j as usize]);
                    self.queue.push(t + d, Event::LinkFail(j));
                }
                self.link_hold(j, HARDWARE, false)
            }
            Event::RiskFail(g) => {
                let risk = &topo.shared_risks[g as usize];
                let d = risk
                    .failure
                    .ttr
                    .sample_secs(&mut self.rngs[l.risk + g as usize]);
                self.queue.push(t + d, Event::RiskRepair(g));
                let mut changed = self.hold_risk(s, g, true);
                if risk.destroys {
                    for site in &risk.sites {
                        changed |= self.destroy_site(s, site.0, t, SHARED_RISK);
                    }
                }
                changed
            }
            Event::RiskRepair(g) => {
                let risk = &topo.shared_risks[g as usize];
                let d = risk
                    .failure
                    .ttf
                    .sample_secs(&mut self.rngs[l.risk + g as usize]);
                self.queue.push(t + d, Event::RiskFail(g));
                self.hold_risk(s, g, false)
            }
            Event::Hazard(h) => self.hazard(s, t, h),
            Event::HazardEnd(slot) => {
                let hit = std::mem::take(&mut self.hit_sets[slot as usize]);
                let mut changed = false;
                for &site in &hit {
                    changed |= self.site_hold(site, DISASTER, false);
                }
                self.free_hit_sets.push(slot);
                changed
            }
            Event::ReleaseEscaped(k) => {
                let train = &topo.release_trains[k as usize];
                let rate = train.escaped_rate() / SECONDS_PER_YEAR;
                let next = exp_sample(&mut self.rngs[l.escaped + k as usize], rate);
                self.queue.push(t + next, Event::ReleaseEscaped(k));
                // Fixed times (the usual) draw nothing.
                let rng = &mut self.rngs[l.escaped + k as usize];
                let detection = train.detection.sample_secs(rng);
                let outage = detection + train.rollback.sample_secs(rng);
                self.queue.push(t + outage, Event::ReleaseEscapedEnd(k));
                self.origins.train_holds[k as usize] += 1;
                self.release_corrupts(s, t, k, detection);
                let mut changed = false;
                for site in &train.sites {
                    changed |= self.release_hold(s, k, site.0, true);
                }
                for svc in &train.services {
                    changed |= self.service_hold(svc.0, RELEASE, true);
                }
                changed
            }
            Event::ReleaseEscapedEnd(k) => {
                let r = topo.release_trains[k as usize].recovery.as_ref();
                let what = Pending::Train { k, generation: 0 };
                self.recovery_due(s, t, r, what) && self.release_rolled_back(s, k)
            }
            Event::ReleaseCaught(k) => {
                let train = &topo.release_trains[k as usize];
                let rate = train.caught_rate() / SECONDS_PER_YEAR;
                let next = exp_sample(&mut self.rngs[l.caught + k as usize], rate);
                self.queue.push(t + next, Event::ReleaseCaught(k));
                let detection = train
                    .detection
                    .sample_secs(&mut self.rngs[l.caught + k as usize]);
                self.queue.push(t + detection, Event::ReleaseCaughtEnd(k));
                self.origins.train_holds[k as usize] += 1;
                let mut changed = false;
                for site in &train.canary_sites {
                    changed |= self.release_hold(s, k, site.0, true);
                }
                changed
            }
            Event::ReleaseCaughtEnd(k) => {
                self.origins.train_holds[k as usize] -= 1;
                let mut changed = false;
                for site in &topo.release_trains[k as usize].canary_sites {
                    changed |= self.release_hold(s, k, site.0, false);
                }
                changed
            }
            Event::ServiceFail(k) => {
                if let Some(f) = &topo.services[k as usize].failure {
                    let d = f.ttr.sample_secs(&mut self.rngs[l.service + k as usize]);
                    self.queue.push(t + d, Event::ServiceRepair(k));
                }
                self.service_hold(k, HARDWARE, true)
            }
            Event::ServiceRepair(k) => {
                let r = topo.services[k as usize].recovery.as_ref();
                let what = Pending::Service { k, generation: 0 };
                self.recovery_due(s, t, r, what) && self.service_restored(s, t, k)
            }
            Event::RecoveryFallback(slot, g) => self.recovery_fallback(s, t, slot, g),
            Event::BootstrapDone(c, g) => self.bootstrap_done(s, c, g),
            Event::WaveRelease(k) => self.wave_release(s, t, k),
            Event::WaveDown(k, v) => self.wave_hold(s, k, v, true),
            Event::WaveUp(k, v) => self.waves_up(s, k, v),
            Event::DisasterRestored(i) => {
                self.repair_done(s, s.disaster_crew[i as usize], t);
                self.site_hold(i, DISASTER, false)
            }
            Event::OperatorError => self.operator_error(s, t),
            Event::OperatorErrorEnd(site) => self.site_hold(site, OPERATOR, false),
            Event::GrayStart(i) | Event::GrayEnd(i) => {
                self.gray_event(s, t, i, matches!(ev, Event::GrayStart(_)));
                false
            }
            Event::PartialStart(k) | Event::PartialEnd(k) => {
                self.partial_event(s, t, k, matches!(ev, Event::PartialStart(_)))
            }
            Event::DataRestored(generation) => self.data_restored(generation),
            Event::FleetCommand(k) => self.fleet_command(s, t, k),
            Event::FleetRestored(i) => {
                self.repair_done(s, s.site_crew[i as usize], t);
                self.site_hold(i, OPERATOR, false)
            }
            Event::DataCorrupted(slot) => self.corruption_noticed(slot),
            Event::FailoverDone(generation) => {
                if generation == self.failover_gen && self.active.is_none() {
                    self.failover_done = true;
                    true
                } else {
                    false
                }
            }
        }
    }

    /// A regional hazard strikes: each site of the region is hit with its own
    /// draw and held down for one outage drawn from the hazard's duration.
    fn hazard(&mut self, s: &Scenario<'_>, t: f64, h: u32) -> bool {
        let l = s.layout;
        let hz = &s.hazards[h as usize];
        let rng = &mut self.rngs[l.hazard + h as usize];
        let next = exp_sample(rng, hz.rate_per_sec);
        // Drawn whether or not a site is hit, so that the stream does
        // not depend on the hit draws.
        let outage = hz.duration.sample_secs(rng);
        self.queue.push(t + next, Event::Hazard(h));
        let mut hit = Vec::new();
        let mut changed = false;
        for (k, &site) in hz.sites.iter().enumerate() {
            // One draw per site and event, from the site's own stream.
            let u: f64 = self.rngs[hz.hit_stream + k].random();
            if hz.hit_p >= 1.0 || u < hz.hit_p {
                self.origins.site_hazard[site as usize] = h;
                changed |= self.site_hold(site, DISASTER, true);
                if hz.destroys {
                    changed |= self.destroy_site(s, site, t, DISASTER);
                }
                match s.disaster_crew[site as usize] {
                    // Restored by a crew, one site per member, in the
                    // region's site order.
                    Some(c) => {
                        let done = Event::DisasterRestored(site);
                        self.repair(s, Some(c), t, outage, done);
                    }
                    None => hit.push(site),
                }
            }
        }
        if hz.destroys {
            changed |= self.hazard_backups(s, h as usize, t);
        }
        if hit.is_empty() {
            return changed;
        }
        let slot = match self.free_hit_sets.pop() {
            Some(k) => {
                self.hit_sets[k as usize] = hit;
                k
            }
            None => {
                self.hit_sets.push(hit);
                (self.hit_sets.len() - 1) as u32
            }
        };
        self.queue.push(t + outage, Event::HazardEnd(slot));
        changed
    }

    /// A candidate operator error: kept with the plan's probability, it holds
    /// one uniformly chosen site down for one outage draw.
    fn operator_error(&mut self, s: &Scenario<'_>, t: f64) -> bool {
        let topo = s.topo;
        let l = s.layout;
        // Four draws per candidate, kept or not: next arrival, keep,
        // site, outage; plans differ only in which they keep.
        let rng = &mut self.rngs[l.operator];
        let next = exp_sample(rng, s.operator_rate_per_sec);
        let keep = rng.random::<f64>() < s.operator_keep;
        let n = topo.sites.len();
        let site = ((rng.random::<f64>() * n as f64) as usize).min(n - 1) as u32;
        let outage = topo
            .operator_errors
            .as_ref()
            .map_or(0.0, |o| o.events.duration.sample_secs(rng));
        self.queue.push(t + next, Event::OperatorError);
        if !keep {
            return false;
        }
        self.queue.push(t + outage, Event::OperatorErrorEnd(site));
        self.site_hold(site, OPERATOR, true)
    }

    /// A fleet-wide command: every site of its scope goes down for one
    /// outage draw, each restored by its site crew if one covers it (the
    /// restores then queue, in site order).
    fn fleet_command(&mut self, s: &Scenario<'_>, t: f64, k: u32) -> bool {
        let fc = &s.topo.fleet_commands[k as usize];
        let rng = &mut self.rngs[s.layout.fleet + k as usize];
        let next = exp_sample(rng, fc.events.annual_rate / SECONDS_PER_YEAR);
        let outage = fc.events.duration.sample_secs(rng);
        self.queue.push(t + next, Event::FleetCommand(k));
        let mut changed = false;
        for site in &fc.sites {
            let done = Event::FleetRestored(site.0);
            self.repair(s, s.site_crew[site.index()], t, outage, done);
            changed |= self.site_hold(site.0, OPERATOR, true);
        }
        changed
    }

    fn hold_risk(&mut self, s: &Scenario<'_>, g: u32, down: bool) -> bool {
        let risk = &s.topo.shared_risks[g as usize];
        self.origins.risk_down[g as usize] = down;
        let mut changed = false;
        for site in &risk.sites {
            changed |= self.site_hold(site.0, SHARED_RISK, down);
        }
        for link in &risk.links {
            changed |= self.link_hold(link.0, SHARED_RISK, down);
        }
        changed
    }

    /// Recomputes the service after a state change: failover decisions, data
    /// loss, reachability and capacity.
    pub(super) fn reevaluate(
        &mut self,
        s: &Scenario<'_>,
        plan: &crate::model::Plan,
        rec: &mut TrialRecord,
    ) {
        let t = self.now;
        self.blame_dirty = true;

        self.follow_data(s, plan, rec);

        if plan.mode == PlanMode::ActivePassive {
            // Usability needs reachability: evaluate with no active site.
            let probe = self.lookup(s, None);
            let usable = &self.evals[probe].usable;
            // The control plane gates failover: the switch needs it to reach
            // the site it makes active (with no control dependency, it
            // always does and this is today's rule). A failure detected
            // while it reaches no serving site starts its switchover only
            // once it does; the site that failed may always resume.
            let control = &self.evals[probe].control_ok;
            let control_up = control.is_empty() || control.contains(&true);
            match self.active {
                Some(a) if !usable[a] => {
                    self.active = None;
                    self.failed_from = Some(a);
                    self.failover_done = false;
                    self.failover_gen = self.failover_gen.wrapping_add(1);
                    if control_up {
                        let delay = plan.detection.secs() + plan.switchover.secs();
                        self.queue
                            .push(t + delay, Event::FailoverDone(self.failover_gen));
                    } else {
                        self.awaiting_control = Some(t + plan.detection.secs());
                    }
                }
                Some(_) => {}
                None => {
                    if let Some(detected) = self.awaiting_control.filter(|_| control_up) {
                        self.awaiting_control = None;
                        let at = detected.max(t) + plan.switchover.secs();
                        self.queue.push(at, Event::FailoverDone(self.failover_gen));
                    }
                    let failed_from = self.failed_from;
                    let may = |i: usize| control.is_empty() || control[i] || failed_from == Some(i);
                    let first = (0..usable.len()).find(|&i| usable[i] && may(i));
                    match self.failed_from {
                        // Start of the trial: the first usable site serves.
                        None => self.active = usable.iter().position(|&u| u),
                        // The failed site came back before the standby took
                        // over: it simply resumes.
                        Some(f) if !self.failover_done && usable[f] => {
                            self.active = Some(f);
                            self.failover_gen = self.failover_gen.wrapping_add(1);
                        }
                        // Operators are engaged: the first usable site in
                        // priority order takes over as soon as there is one.
                        Some(_) if self.failover_done => self.active = first,
                        Some(_) => {}
                    }
                    if self.active.is_some() {
                        self.failed_from = None;
                        self.failover_done = false;
                        self.awaiting_control = None;
                    }
                }
            }
            // When no active site was known at the start, failed_from stays
            // None and the first usable site is taken without delay.
        }
        self.cur = self.lookup(s, self.active);
        self.hold_for_restore(s);
        self.follow_load(s);
        self.follow_shift(s);
    }
}
