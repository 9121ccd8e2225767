//! The raw shape of a topology file, as serde reads it.
//!
//! Every struct denies unknown keys (a misspelt `mtbf_hour` is an error with
//! its line, not a silently ignored setting). Fields that later semantic
//! checks must point at are `Spanned`. Nothing here is validated beyond
//! types, units and ranges; [`super::load`] turns it into a `Topology`.

use crate::units::{Duration, Probability};
use serde::Deserialize;
use toml::Spanned;

/// The topology file format version this build reads.
pub const FORMAT_VERSION: i64 = 1;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct FileDto {
    pub topology: Spanned<MetaDto>,
    #[serde(default)]
    pub defaults: DefaultsDto,
    #[serde(default)]
    pub region: Vec<Spanned<RegionDto>>,
    #[serde(default)]
    pub site: Vec<Spanned<SiteDto>>,
    #[serde(default)]
    pub link: Vec<Spanned<LinkDto>>,
    #[serde(default)]
    pub shared_risk: Vec<Spanned<SharedRiskDto>>,
    #[serde(default)]
    pub release_train: Vec<Spanned<ReleaseTrainDto>>,
    pub operator_errors: Option<Spanned<OperatorErrorsDto>>,
    #[serde(default)]
    pub demand: Vec<Spanned<DemandDto>>,
    #[serde(default)]
    pub surge: Vec<Spanned<SurgeDto>>,
    #[serde(default)]
    pub service: Vec<Spanned<ServiceDto>>,
    #[serde(default)]
    pub plan: Vec<Spanned<PlanDto>>,
    #[serde(default)]
    pub crew: Vec<Spanned<CrewDto>>,
    #[serde(default)]
    pub fleet_command: Vec<Spanned<FleetCommandDto>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct CrewDto {
    pub id: Spanned<String>,
    pub name: Option<String>,
    #[serde(default)]
    pub regions: Vec<Spanned<String>>,
    pub kinds: Spanned<Vec<Spanned<String>>>,
    pub size: Spanned<i64>,
    pub response: Option<Spanned<ResponseDto>>,
}

/// `response = { business = "15m", night = "1h", weekend = "2h" }`.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ResponseDto {
    pub business: Option<Duration>,
    pub night: Option<Duration>,
    pub weekend: Option<Duration>,
}

/// `[[fleet_command]]`: a command that hits every site of its scope.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct FleetCommandDto {
    pub id: Spanned<String>,
    pub name: Option<String>,
    #[serde(default)]
    pub regions: Vec<Spanned<String>>,
    #[serde(default)]
    pub sites: Vec<Spanned<String>>,
    pub annual_rate: Spanned<f64>,
    pub outage: DistDto,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct MetaDto {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub format: Option<Spanned<i64>>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct DefaultsDto {
    #[serde(default)]
    pub site: SiteDefaultsDto,
    #[serde(default)]
    pub link: LinkDefaultsDto,
    #[serde(default)]
    pub demand: DemandDefaultsDto,
    /// The SLO of every plan that gives none of its own.
    pub slo: Option<Spanned<SloDto>>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct SiteDefaultsDto {
    pub capacity_rps: Option<Spanned<f64>>,
    pub failure: Option<Spanned<FailureDto>>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct LinkDefaultsDto {
    pub capacity_gbps: Option<Spanned<f64>>,
    pub failure: Option<Spanned<FailureDto>>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct DemandDefaultsDto {
    pub kbit_per_request: Option<Spanned<f64>>,
    pub profile: Option<Spanned<Vec<f64>>>,
}

/// A failure process. Exactly one way to give the time to failure
/// (`mtbf`, `annual_rate`, `rate_per_1000km`, `unavailability`, `ttf`) and
/// one to give the repair time (`mttr`, `ttr`); or `never = true`.
#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct FailureDto {
    pub never: Option<bool>,
    pub mtbf: Option<Duration>,
    pub annual_rate: Option<f64>,
    pub rate_per_1000km: Option<f64>,
    pub unavailability: Option<f64>,
    pub ttf: Option<DistDto>,
    pub mttr: Option<Duration>,
    pub ttr: Option<DistDto>,
}

/// A duration distribution: a bare duration string means "exponential with
/// this mean"; a table names the family with `dist`.
#[derive(Debug, Clone)]
pub enum DistDto {
    Mean(Duration),
    Table(DistTableDto),
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct DistTableDto {
    pub dist: String,
    pub mean: Option<Duration>,
    pub shape: Option<f64>,
    pub scale: Option<Duration>,
    pub median: Option<Duration>,
    pub sigma: Option<f64>,
    pub value: Option<Duration>,
}

impl<'de> Deserialize<'de> for DistDto {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = DistDto;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a duration like \"4h\" or a table like { dist = \"lognormal\", median = \"6h\", sigma = 1.0 }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DistDto, E> {
                Duration::parse(v).map(DistDto::Mean).map_err(E::custom)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<DistDto, A::Error> {
                DistTableDto::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(DistDto::Table)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RegionDto {
    pub id: Spanned<String>,
    pub name: Option<String>,
    #[serde(default)]
    pub hazard: Vec<Spanned<HazardDto>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct HazardDto {
    pub kind: String,
    pub annual_rate: Spanned<f64>,
    pub site_hit_probability: Option<Probability>,
    pub outage: DistDto,
    pub destroys: Option<bool>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct SiteDto {
    pub id: Spanned<String>,
    pub name: Option<String>,
    pub region: Option<Spanned<String>>,
    pub lat: Option<Spanned<f64>>,
    pub lon: Option<Spanned<f64>>,
    pub capacity_rps: Option<Spanned<f64>>,
    pub failure: Option<Spanned<FailureDto>>,
    pub gray: Option<Spanned<GrayDto>>,
    /// Partial failure modes ([`PartialDto`]).
    #[serde(default)]
    pub partial: Vec<Spanned<PartialDto>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct LinkDto {
    pub id: Option<Spanned<String>>,
    pub a: Spanned<String>,
    pub b: Spanned<String>,
    pub capacity_gbps: Option<Spanned<f64>>,
    pub length_km: Option<Spanned<f64>>,
    pub latency_ms: Option<Spanned<f64>>,
    pub failure: Option<Spanned<FailureDto>>,
    /// Partial failure modes ([`PartialDto`]).
    #[serde(default)]
    pub partial: Vec<Spanned<PartialDto>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct SharedRiskDto {
    pub id: Spanned<String>,
    pub name: Option<String>,
    pub kind: Option<Spanned<String>>,
    #[serde(default)]
    pub sites: Vec<Spanned<String>>,
    #[serde(default)]
    pub links: Vec<Spanned<String>>,
    pub failure: Spanned<FailureDto>,
    pub destroys: Option<bool>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ReleaseTrainDto {
    pub id: Spanned<String>,
    pub name: Option<String>,
    #[serde(default)]
    pub sites: Vec<Spanned<String>>,
    #[serde(default)]
    pub services: Vec<Spanned<String>>,
    pub recovery: Option<Spanned<RecoveryDto>>,
    #[serde(default)]
    pub canary_sites: Vec<Spanned<String>>,
    pub releases_per_year: Spanned<f64>,
    pub bad_release_probability: Probability,
    #[serde(default)]
    pub canary_catch: Probability,
    /// A duration (fixed, as before waves) or a distribution table.
    pub detection: Spanned<DistDto>,
    pub rollback: Spanned<DistDto>,
    pub waves: Option<Spanned<Vec<Spanned<WaveDto>>>>,
    pub trigger: Option<Spanned<DistDto>>,
    pub corrupts: Option<Spanned<Probability>>,
    /// Fraction of each hit site's instances a bad release breaks.
    pub instances: Option<Spanned<f64>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct WaveDto {
    pub fraction: Option<Spanned<f64>>,
    pub sites: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub bake: Duration,
    #[serde(default)]
    pub catch: Probability,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct OperatorErrorsDto {
    pub annual_rate: Spanned<f64>,
    pub outage: DistDto,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct DemandDto {
    pub id: Spanned<String>,
    pub name: Option<String>,
    pub region: Option<Spanned<String>>,
    #[serde(default)]
    pub sites: Vec<Spanned<String>>,
    pub users: Spanned<f64>,
    pub peak_rps: Spanned<f64>,
    pub profile: Option<Spanned<Vec<f64>>>,
    pub kbit_per_request: Option<Spanned<f64>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct SurgeDto {
    pub id: Spanned<String>,
    pub name: Option<String>,
    /// `"MM-DD"`, UTC.
    pub date: Spanned<String>,
    pub start_hour_utc: Option<Spanned<f64>>,
    pub duration: Duration,
    pub multiplier: Spanned<f64>,
    #[serde(default)]
    pub demands: Vec<Spanned<String>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct PlanDto {
    pub id: Spanned<String>,
    pub name: Option<String>,
    pub serving_sites: Spanned<Vec<Spanned<String>>>,
    pub mode: Spanned<String>,
    pub replicas: Option<Spanned<i64>>,
    pub quorum: Option<Spanned<i64>>,
    #[serde(default)]
    pub detection: Duration,
    #[serde(default)]
    pub switchover: Duration,
    pub replication: Option<Spanned<String>>,
    pub replication_lag: Option<Duration>,
    pub backup_interval: Option<Duration>,
    pub backup_site: Option<Spanned<IdsDto>>,
    pub backup_region: Option<Spanned<IdsDto>>,
    pub retention: Option<Spanned<Duration>>,
    pub restore: Option<Spanned<DistDto>>,
    pub headroom: Option<Spanned<f64>>,
    pub cost_per_year: Option<Spanned<f64>>,
    pub operator_error_factor: Option<Spanned<f64>>,
    pub targets: Option<TargetsDto>,
    pub serves: Option<Spanned<String>>,
    pub slo: Option<Spanned<SloDto>>,
    pub retry: Option<Spanned<RetryDto>>,
    pub warmup: Option<Spanned<WarmupDto>>,
    /// `"automatic"` or a manual delay such as `"2h"` (active-active only).
    pub failback: Option<Spanned<String>>,
}

/// `slo = { target = 0.999, window = "30d", threshold = 0.99,
/// max_miss_probability = 0.05, rolling = true }`.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct SloDto {
    pub target: Spanned<f64>,
    pub window: Spanned<Duration>,
    pub threshold: Option<Spanned<f64>>,
    pub max_miss_probability: Option<Probability>,
    /// Trailing windows ending at every instant instead of calendar ones.
    pub rolling: Option<bool>,
}

/// `retry = { factor = 2.0, decay = "10m" }`.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RetryDto {
    pub factor: Spanned<f64>,
    pub decay: Duration,
}

/// `warmup = { duration = "15m", capacity = 0.3 }`.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct WarmupDto {
    pub duration: Duration,
    pub capacity: Spanned<f64>,
}

/// A fraction and the process of the periods it applies in (the keys of a
/// failure process but `never`): [`GrayDto`], [`PartialDto`].
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct FractionProcessDto<F> {
    pub fraction: Spanned<F>,
    pub mtbf: Option<Duration>,
    pub annual_rate: Option<f64>,
    pub unavailability: Option<f64>,
    pub ttf: Option<DistDto>,
    pub mttr: Option<Duration>,
    pub ttr: Option<DistDto>,
}

impl<F> FractionProcessDto<F> {
    /// The process keys as a failure process's.
    pub fn failure(&self) -> FailureDto {
        FailureDto {
            never: None,
            mtbf: self.mtbf,
            annual_rate: self.annual_rate,
            rate_per_1000km: None,
            unavailability: self.unavailability,
            ttf: self.ttf.clone(),
            mttr: self.mttr,
            ttr: self.ttr.clone(),
        }
    }
}

/// `gray = { fraction = 0.2, mtbf = "60d", mttr = "2h" }`: the fraction of
/// requests failed and the gray periods' process.
pub type GrayDto = FractionProcessDto<f64>;

/// `partial = [{ fraction = 0.5, mtbf = "90d", mttr = "4h" }]`: the
/// fraction of the capacity lost and the mode's process.
pub type PartialDto = FractionProcessDto<FractionDto>;

/// A fraction: a number, `{ uniform = [lo, hi] }` or `{ beta = [a, b] }`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FractionDto {
    Fixed(f64),
    Uniform(f64, f64),
    Beta(f64, f64),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FractionTableDto {
    uniform: Option<[f64; 2]>,
    beta: Option<[f64; 2]>,
}

impl<'de> Deserialize<'de> for FractionDto {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = FractionDto;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a fraction like 0.5, { uniform = [0.2, 0.8] } or { beta = [2, 5] }")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<FractionDto, E> {
                Ok(FractionDto::Fixed(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<FractionDto, E> {
                Ok(FractionDto::Fixed(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<FractionDto, E> {
                Ok(FractionDto::Fixed(v as f64))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<FractionDto, A::Error> {
                let t = FractionTableDto::deserialize(
                    serde::de::value::MapAccessDeserializer::new(map),
                )?;
                match (t.uniform, t.beta) {
                    (Some([lo, hi]), None) => Ok(FractionDto::Uniform(lo, hi)),
                    (None, Some([a, b])) => Ok(FractionDto::Beta(a, b)),
                    _ => Err(serde::de::Error::custom(
                        "give exactly one of uniform = [lo, hi] or beta = [a, b]",
                    )),
                }
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct TargetsDto {
    pub availability: Option<Probability>,
    pub rto: Option<Duration>,
    pub rpo: Option<Duration>,
    pub rto_quantile: Option<Spanned<f64>>,
    pub rpo_quantile: Option<Spanned<f64>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ServiceDto {
    pub id: Spanned<String>,
    pub name: Option<String>,
    #[serde(default)]
    pub sites: Vec<Spanned<String>>,
    pub needs: Option<Spanned<i64>>,
    pub reach: Option<Spanned<String>>,
    #[serde(default)]
    pub requires: Vec<Spanned<DependencyDto>>,
    #[serde(default)]
    pub control: Vec<Spanned<DependencyDto>>,
    pub failure: Option<Spanned<FailureDto>>,
    pub recovery: Option<Spanned<RecoveryDto>>,
    pub bootstrap: Option<DistDto>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RecoveryDto {
    #[serde(default)]
    pub requires: Vec<Spanned<DependencyDto>>,
    pub fallback: Duration,
}

/// A dependency: a service id (its own `needs` and `reach` apply) or a
/// table that overrides them.
#[derive(Debug, Clone)]
pub struct DependencyDto {
    pub service: String,
    pub needs: Option<i64>,
    pub reach: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DependencyTableDto {
    service: String,
    needs: Option<i64>,
    reach: Option<String>,
}

impl<'de> Deserialize<'de> for DependencyDto {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = DependencyDto;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a service id like \"dns\" or a table like { service = \"dns\", needs = 2, reach = \"region\" }",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DependencyDto, E> {
                Ok(DependencyDto {
                    service: v.to_string(),
                    needs: None,
                    reach: None,
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<DependencyDto, A::Error> {
                let t = DependencyTableDto::deserialize(
                    serde::de::value::MapAccessDeserializer::new(map),
                )?;
                Ok(DependencyDto {
                    service: t.service,
                    needs: t.needs,
                    reach: t.reach,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// One id or an array of ids (`backup_site = "a"`, `backup_site = ["a",
/// "b"]`); a lone id is spanned by the field that holds it.
#[derive(Debug, Clone)]
pub enum IdsDto {
    One(String),
    Many(Vec<Spanned<String>>),
}

impl IdsDto {
    /// Each id with its span (`outer`: the field's, for a lone id).
    pub fn items(&self, outer: std::ops::Range<usize>) -> Vec<Spanned<String>> {
        match self {
            IdsDto::One(id) => vec![Spanned::new(outer, id.clone())],
            IdsDto::Many(ids) => ids.clone(),
        }
    }
}

impl<'de> Deserialize<'de> for IdsDto {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = IdsDto;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an id like \"fra\" or an array of ids like [\"fra\", \"ams\"]")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<IdsDto, E> {
                Ok(IdsDto::One(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<IdsDto, A::Error> {
                let mut ids = Vec::new();
                while let Some(id) = seq.next_element()? {
                    ids.push(id);
                }
                Ok(IdsDto::Many(ids))
            }
        }
        d.deserialize_any(V)
    }
}
