//! A release train's rollout: `detection` and `rollback` as fixed times or
//! distributions, `waves` and latent-bug `trigger` delays ([`Wave`]).

use super::sections::Ids;
use super::*;

/// Most waves a rollout may have: real ones have a handful; the bound
/// keeps a hostile file's per-release work small.
pub const MAX_WAVES: usize = 100;

/// A train's rollout as the loader checked it.
pub(super) struct Rollout {
    pub detection: Distribution,
    pub rollback: Distribution,
    pub waves: Vec<Wave>,
    pub trigger: Option<Distribution>,
}

impl Validator<'_> {
    /// `detection = "30m"` is a fixed time (as before distributions were
    /// allowed); a table is a distribution.
    fn time(&mut self, d: &Spanned<DistDto>, what: &str) -> Option<Distribution> {
        match d.get_ref() {
            DistDto::Mean(m) => Some(Distribution::fixed(*m)),
            table => self.dist(table, d.span(), what),
        }
    }

    pub(super) fn rollout(
        &mut self,
        t: &ReleaseTrainDto,
        sites_on: &[SiteId],
        ids: &Ids,
    ) -> Option<Rollout> {
        let owner = format!("release train '{}'", t.id.get_ref());
        let detection = self.time(&t.detection, &format!("{owner}: detection"));
        let rollback = self.time(&t.rollback, &format!("{owner}: rollback"));
        let trigger = match &t.trigger {
            Some(d) if t.waves.is_none() => {
                self.error(
                    d.span(),
                    format!("{owner}: trigger (latent bugs) needs waves"),
                )
                .hint = Some("add waves = [{ fraction = 1.0 }] for one wave".into());
                None
            }
            Some(d) => self.dist(d.get_ref(), d.span(), &format!("{owner}: trigger")),
            None => None,
        };
        let waves = match &t.waves {
            Some(w) => self.waves(t, w, sites_on, ids, &owner)?,
            None => Vec::new(),
        };
        Some(Rollout {
            detection: detection?,
            rollback: rollback?,
            waves,
            trigger,
        })
    }

    fn waves(
        &mut self,
        t: &ReleaseTrainDto,
        list: &Spanned<Vec<Spanned<WaveDto>>>,
        sites_on: &[SiteId],
        ids: &Ids,
        owner: &str,
    ) -> Option<Vec<Wave>> {
        let span = list.span();
        let conflict = if !t.canary_sites.is_empty() || t.canary_catch.get() > 0.0 {
            Some("canary_sites and canary_catch: make the canary the first wave")
        } else if !t.services.is_empty() || t.recovery.is_some() {
            Some("services and recovery: a train that pushes to services deploys at once")
        } else {
            None
        };
        if let Some(what) = conflict {
            self.error(
                span,
                format!("{owner}: waves cannot be combined with {what}"),
            );
            return None;
        }
        let n = list.get_ref().len();
        if n == 0 || n > MAX_WAVES {
            self.error(
                span,
                format!("{owner}: waves must list 1 to {MAX_WAVES} waves, got {n}"),
            );
            return None;
        }
        let mut waves = Vec::new();
        let mut last_fraction = 0.0;
        for w in list.get_ref() {
            let wspan = w.span();
            let w = w.get_ref();
            let reach = match (&w.fraction, &w.sites) {
                (Some(f), None) => {
                    let x = self.finite(f, "wave fraction", 0.0, 1.0)?;
                    if x <= 0.0 || x < last_fraction {
                        self.error(
                            f.span(),
                            format!(
                                "{owner}: wave fractions must be above 0 and never decrease, got {x} after {last_fraction}"
                            ),
                        );
                        return None;
                    }
                    last_fraction = x;
                    WaveReach::Fraction(x)
                }
                (None, Some(sites)) => {
                    let mut out = Vec::new();
                    for s in sites {
                        let id = SiteId(self.resolve(&ids.site, "site", s)?);
                        if !sites_on.contains(&id) {
                            let msg = format!(
                                "wave site '{}' is not one of the train's sites",
                                s.get_ref()
                            );
                            self.error(s.span(), msg);
                            return None;
                        }
                        out.push(id);
                    }
                    WaveReach::Sites(out)
                }
                _ => {
                    self.error(
                        wspan,
                        format!("{owner}: each wave gives exactly one of fraction or sites"),
                    )
                    .hint = Some("e.g. { fraction = 0.1, bake = \"1h\", catch = 0.5 }".into());
                    return None;
                }
            };
            waves.push(Wave {
                reach,
                bake: w.bake,
                catch: w.catch,
            });
        }
        Some(waves)
    }

    /// After the train is built: its waves must reach every one of its sites.
    pub(super) fn waves_cover(&mut self, train: &ReleaseTrain, t: &ReleaseTrainDto) {
        let missed = train.sites_no_wave_reaches();
        if let (Some(w), true) = (&t.waves, !train.waves.is_empty() && missed > 0) {
            self.error(
                w.span(),
                format!(
                    "release train '{}': its waves never reach {missed} of its {} sites",
                    train.key,
                    train.sites.len()
                ),
            )
            .hint = Some("end with a wave of fraction = 1.0".into());
        }
    }
}
