//! The `[[fleet_command]]` tables: operator commands that hit every site of
//! their scope at once ([`FleetCommand`]).

use super::sections::Ids;
use super::*;

impl Validator<'_> {
    pub(super) fn fleet_commands(&mut self, f: &FileDto, ids: &Ids) -> Vec<FleetCommand> {
        let mut seen = Seen::new();
        let mut out = Vec::new();
        for (i, c) in f.fleet_command.iter().enumerate() {
            let span = c.span();
            let c = c.get_ref();
            self.declare(&mut seen, "fleet command", &c.id, i as u32);
            let owner = format!("fleet command '{}'", c.id.get_ref());
            if let Some(Err(m)) = c.name.as_deref().map(crate::model::text::check_name) {
                self.error(c.id.span(), format!("{owner}: a name {m}"));
            }
            let mut hit = vec![c.regions.is_empty() && c.sites.is_empty(); f.site.len()];
            for r in &c.regions {
                if let Some(id) = self.resolve(&ids.region, "region", r) {
                    for (k, s) in f.site.iter().enumerate() {
                        let region = s.get_ref().region.as_ref();
                        if region
                            .is_some_and(|x| ids.region.get(x.get_ref()).map(|e| e.0) == Some(id))
                        {
                            hit[k] = true;
                        }
                    }
                }
            }
            for s in &c.sites {
                if let Some(id) = self.resolve(&ids.site, "site", s) {
                    hit[id as usize] = true;
                }
            }
            let sites: Vec<SiteId> = (0..hit.len() as u32)
                .filter(|&k| hit[k as usize])
                .map(SiteId)
                .collect();
            if sites.is_empty() && !f.site.is_empty() {
                self.error(c.id.span(), format!("{owner} hits no site"))
                    .hint = Some("its regions have no sites: name sites or other regions".into());
            }
            let rate = self.finite(
                &c.annual_rate,
                &format!("{owner}: annual_rate"),
                0.0,
                limits::MAX_EVENT_RATE,
            );
            let outage = self.dist(&c.outage, span, &format!("{owner}: outage"));
            if let (Some(annual_rate), Some(duration)) = (rate, outage) {
                out.push(FleetCommand {
                    key: c.id.get_ref().clone(),
                    name: c.name.clone().unwrap_or_else(|| c.id.get_ref().clone()),
                    sites,
                    events: EventProcess {
                        annual_rate,
                        duration,
                    },
                });
            }
        }
        out
    }
}
