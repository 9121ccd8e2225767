//! The `[[crew]]` tables: who repairs what, in which regions, how many at
//! once ([`Crew`]).

use super::sections::Ids;
use super::*;

/// Most members a crew may have: far past any real team, and it bounds
/// nothing but a counter.
pub const MAX_CREW_SIZE: i64 = 1_000_000;

impl Validator<'_> {
    pub(super) fn crews(&mut self, f: &FileDto, ids: &mut Ids) -> Vec<Crew> {
        let mut seen = Seen::new();
        let mut crews = Vec::new();
        for (i, c) in f.crew.iter().enumerate() {
            let c = c.get_ref();
            self.declare(&mut seen, "crew", &c.id, i as u32);
            let owner = format!("crew '{}'", c.id.get_ref());
            if let Some(Err(m)) = c.name.as_deref().map(crate::model::text::check_name) {
                self.error(c.id.span(), format!("{owner}: a name {m}"));
            }
            let mut regions = Vec::new();
            for r in &c.regions {
                if let Some(id) = self.resolve(&ids.region, "region", r) {
                    if regions.contains(&RegionId(id)) {
                        let msg = format!("{owner} lists region '{}' twice", r.get_ref());
                        self.error(r.span(), msg);
                    }
                    regions.push(RegionId(id));
                }
            }
            let mut kinds = Vec::new();
            for k in c.kinds.get_ref() {
                match CrewKind::parse(k.get_ref()) {
                    Some(kind) if !kinds.contains(&kind) => kinds.push(kind),
                    Some(_) => {
                        let msg = format!("{owner} lists kind '{}' twice", k.get_ref());
                        self.error(k.span(), msg);
                    }
                    None => {
                        let all: Vec<&str> = CrewKind::ALL.iter().map(|k| k.as_str()).collect();
                        let msg = format!("{owner}: unknown crew kind '{}'", k.get_ref());
                        self.error(k.span(), msg).hint =
                            Some(format!("use one or more of {}", all.join(", ")));
                    }
                }
            }
            if c.kinds.get_ref().is_empty() {
                self.error(c.kinds.span(), format!("{owner} repairs no kind of work"))
                    .hint = Some("e.g. kinds = [\"site\"] or [\"link\", \"disaster\"]".into());
            }
            let size = *c.size.get_ref();
            if !(1..=MAX_CREW_SIZE).contains(&size) {
                let msg =
                    format!("{owner}: size must be between 1 and {MAX_CREW_SIZE}, got {size}");
                self.error(c.size.span(), msg).hint =
                    Some("size is how many repairs the crew works on at once".into());
                continue;
            }
            crews.push(Crew {
                key: c.id.get_ref().clone(),
                name: c.name.clone().unwrap_or_else(|| c.id.get_ref().clone()),
                regions,
                kinds,
                size: size as u32,
                response: self.crew_response(&c.response, &owner),
            });
        }
        crews
    }

    /// `response = { business, night, weekend }`, each at most 7 days
    /// (zero where not given).
    fn crew_response(&mut self, r: &Option<Spanned<ResponseDto>>, owner: &str) -> Option<Response> {
        let r = r.as_ref()?;
        let d = r.get_ref();
        let mut ok = true;
        for (what, t) in [
            ("business", d.business),
            ("night", d.night),
            ("weekend", d.weekend),
        ] {
            if t.is_some_and(|t| t.secs() > MAX_FEEDBACK_SECS) {
                self.error(
                    r.span(),
                    format!("{owner}: response {what} must be at most 7d"),
                )
                .hint = Some(
                    "e.g. response = { business = \"15m\", night = \"1h\", weekend = \"2h\" }"
                        .into(),
                );
                ok = false;
            }
        }
        ok.then(|| Response {
            business: d.business.unwrap_or(Duration::ZERO),
            night: d.night.unwrap_or(Duration::ZERO),
            weekend: d.weekend.unwrap_or(Duration::ZERO),
        })
    }
}
