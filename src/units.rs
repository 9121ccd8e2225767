//! Physical quantities with their units made explicit.
//!
//! Topology files are written by people, so durations carry human units
//! (`"90s"`, `"4h"`, `"3d"`, `"2y"`). Inside the engine every duration is a
//! [`Duration`] in seconds and every probability a [`Probability`] that is
//! known to lie in `[0, 1]`: the loader checks once, later code never has to.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Seconds per unit accepted in duration strings. A year is 365 days (8,760 h),
/// the convention of `failure-rates.md` and of availability tables.
const UNITS: &[(&str, f64)] = &[
    ("ms", 0.001),
    ("s", 1.0),
    ("m", 60.0),
    ("min", 60.0),
    ("h", 3600.0),
    ("d", 86_400.0),
    ("w", 604_800.0),
    ("y", 31_536_000.0),
];

/// Seconds in a (365-day) year.
pub const SECONDS_PER_YEAR: f64 = 31_536_000.0;
/// Seconds in an hour.
pub const SECONDS_PER_HOUR: f64 = 3600.0;

/// Longest duration a file or a flag may write, in years: far past any
/// repair, outage or time between failures (the bundled files stay under
/// ten years), and short enough that sums and products of durations and
/// event counts stay finite and exact to the millisecond.
pub const MAX_DURATION_YEARS: f64 = 1000.0;
/// [`MAX_DURATION_YEARS`] in seconds.
pub const MAX_DURATION_SECS: f64 = MAX_DURATION_YEARS * SECONDS_PER_YEAR;

/// A non-negative, finite span of time, stored in seconds.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Default)]
pub struct Duration(f64);

impl Duration {
    pub const ZERO: Duration = Duration(0.0);

    /// Builds a duration from seconds; `None` when negative or not finite.
    pub fn from_secs(secs: f64) -> Option<Duration> {
        (secs.is_finite() && secs >= 0.0).then_some(Duration(secs))
    }
    pub fn from_hours(h: f64) -> Option<Duration> {
        Self::from_secs(h * SECONDS_PER_HOUR)
    }
    pub fn from_years(y: f64) -> Option<Duration> {
        Self::from_secs(y * SECONDS_PER_YEAR)
    }
    pub fn secs(self) -> f64 {
        self.0
    }
    pub fn minutes(self) -> f64 {
        self.0 / 60.0
    }
    pub fn hours(self) -> f64 {
        self.0 / SECONDS_PER_HOUR
    }
    pub fn years(self) -> f64 {
        self.0 / SECONDS_PER_YEAR
    }

    /// Parses `"90s"`, `"4h"`, `"1.5d"`, `"2y"`, `"30min"`, `"250ms"`.
    /// Whitespace between number and unit is allowed.
    pub fn parse(text: &str) -> Result<Duration, DurationError> {
        let (num, unit) = split_unit(text).ok_or(DurationError::MissingUnit)?;
        let factor = UNITS
            .iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, f)| *f)
            .ok_or_else(|| DurationError::UnknownUnit(unit.to_string()))?;
        let value: f64 = num
            .trim()
            .replace('_', "")
            .parse()
            .map_err(|_| DurationError::BadNumber(num.trim().to_string()))?;
        if value.is_nan() || value < 0.0 {
            return Err(DurationError::Negative);
        }
        let secs = value * factor;
        if secs > MAX_DURATION_SECS {
            return Err(DurationError::TooLong(
                num.trim().to_string(),
                unit.to_string(),
            ));
        }
        Duration::from_secs(secs).ok_or(DurationError::Negative)
    }
}

/// The number and the unit of a duration text: the unit is the trailing
/// run of letters, so an exponent stays with its number (`"1e300s"`).
fn split_unit(text: &str) -> Option<(&str, &str)> {
    let t = text.trim();
    let split = t.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len();
    (split < t.len()).then(|| (&t[..split], &t[split..]))
}

/// Why a duration string was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DurationError {
    #[error("a duration needs a unit, e.g. \"90s\", \"15m\", \"4h\", \"3d\", \"2y\"")]
    MissingUnit,
    #[error("unknown duration unit '{0}' (use ms, s, m, min, h, d, w or y)")]
    UnknownUnit(String),
    #[error("'{0}' is not a number")]
    BadNumber(String),
    #[error("a duration must be a finite, non-negative number")]
    Negative,
    #[error("{0}{1} is longer than the {MAX_DURATION_YEARS} years a duration may be (\"1000y\")")]
    TooLong(String, String),
}

/// Formats in the largest unit that keeps the number short and exact, so saved
/// files read the way people write them (`"4h"`, not `"14400s"`) and parse back
/// to the same value bit for bit.
impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.short_text() {
            Some(text) => f.write_str(&text),
            None => write!(f, "{}s", self.0),
        }
    }
}

/// The units [`Duration`]'s texts use, largest first.
const SHOWN_UNITS: [(&str, f64); 6] = [
    ("y", SECONDS_PER_YEAR),
    ("d", 86_400.0),
    ("h", 3600.0),
    ("m", 60.0),
    ("s", 1.0),
    ("ms", 0.001),
];

impl Duration {
    /// The number in `factor`-second units, as text, when it parses back
    /// to exactly this duration.
    fn exact_in(self, factor: f64) -> Option<(f64, String)> {
        let v = self.0 / factor;
        let text = format!("{v}");
        (text.parse::<f64>().map(|p| p * factor) == Ok(self.0)).then_some((v, text))
    }

    /// In the largest unit whose number is exact, at least 1 and at most 7
    /// characters (`"4h"`, `"90m"`, `"1.5d"`), if there is one.
    fn short_text(self) -> Option<String> {
        if self.0 == 0.0 {
            return Some("0s".into());
        }
        SHOWN_UNITS.iter().find_map(|&(unit, factor)| {
            let (v, text) = self.exact_in(factor)?;
            (v >= 1.0 && text.len() <= 7).then(|| format!("{text}{unit}"))
        })
    }

    /// The text a saved file gets: in `unit` (the one its author wrote for
    /// this value, e.g. `"m"` for `"90m"`) when that is short and exact, else
    /// as [`fmt::Display`] writes it, else in `unit` however long, else in
    /// the unit whose exact text is shortest: a derived MTBF next to an
    /// MTTR in hours reads `"22218.222222222223h"`, not `"79985600s"`.
    /// Always parses back to exactly this duration.
    pub fn to_text_in(self, unit: Option<&str>) -> String {
        let written = unit.and_then(|u| {
            let &(name, factor) = UNITS.iter().find(|(name, _)| *name == u)?;
            let (v, text) = self.exact_in(factor)?;
            let short = self.0 == 0.0 || (v >= 1.0 && text.len() <= 7);
            Some((short, format!("{text}{name}")))
        });
        let short = written.as_ref().filter(|w| w.0).map(|w| w.1.clone());
        // Short in the author's unit, short in another, long in the author's.
        if let Some(text) = short.or_else(|| self.short_text()).or(written.map(|w| w.1)) {
            return text;
        }
        SHOWN_UNITS
            .iter()
            .filter_map(|&(unit, factor)| {
                let (v, text) = self.exact_in(factor)?;
                (v >= 1.0).then(|| format!("{text}{unit}"))
            })
            // The first of the shortest: the largest unit on a tie.
            .fold(None::<String>, |best, t| match best {
                Some(b) if b.len() <= t.len() => Some(b),
                _ => Some(t),
            })
            .unwrap_or_else(|| format!("{}s", self.0))
    }

    /// The unit of a duration text as written (`"90 m"` gives `"m"`), when
    /// it is one drsim reads.
    pub fn unit_of(text: &str) -> Option<&str> {
        let unit = split_unit(text)?.1;
        UNITS.iter().find(|(u, _)| *u == unit).map(|(u, _)| *u)
    }
}

impl Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Duration::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A probability in `[0, 1]`.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Default, Serialize)]
pub struct Probability(f64);

impl Probability {
    pub const ZERO: Probability = Probability(0.0);
    pub const ONE: Probability = Probability(1.0);

    /// `None` unless `p` is finite and in `[0, 1]`.
    pub fn new(p: f64) -> Option<Probability> {
        (p.is_finite() && (0.0..=1.0).contains(&p)).then_some(Probability(p))
    }
    pub fn get(self) -> f64 {
        self.0
    }
    /// The complement `1 - p`.
    pub fn complement(self) -> Probability {
        Probability(1.0 - self.0)
    }
}

impl<'de> Deserialize<'de> for Probability {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let p = f64::deserialize(d)?;
        Probability::new(p).ok_or_else(|| {
            serde::de::Error::custom(format!("probability must be between 0 and 1, got {p}"))
        })
    }
}

impl fmt::Display for Probability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(Duration::parse("90s").unwrap().secs(), 90.0);
        assert_eq!(Duration::parse("15m").unwrap().secs(), 900.0);
        assert_eq!(Duration::parse("15min").unwrap().secs(), 900.0);
        assert_eq!(Duration::parse("4h").unwrap().hours(), 4.0);
        assert_eq!(Duration::parse("1.5d").unwrap().hours(), 36.0);
        assert_eq!(Duration::parse("2w").unwrap().hours(), 336.0);
        assert_eq!(Duration::parse("2y").unwrap().hours(), 17_520.0);
        assert_eq!(Duration::parse("250ms").unwrap().secs(), 0.25);
        assert_eq!(Duration::parse(" 3 h ").unwrap().hours(), 3.0);
    }

    #[test]
    fn rejects_bad_durations() {
        assert_eq!(Duration::parse("90"), Err(DurationError::MissingUnit));
        assert_eq!(
            Duration::parse("4 hours"),
            Err(DurationError::UnknownUnit("hours".into()))
        );
        assert_eq!(Duration::parse("-4h"), Err(DurationError::Negative));
        assert!(matches!(
            Duration::parse("4.4.4h"),
            Err(DurationError::BadNumber(_))
        ));
        assert!(Duration::parse("x4h").is_err());
        assert!(Duration::parse("").is_err());
        assert!(Duration::parse("1e400h").is_err());
    }

    #[test]
    fn durations_past_a_thousand_years_are_refused() {
        // Overflowing numbers (inf), huge ones and just past the limit, in
        // every unit; the limit itself is accepted.
        for text in [
            "99999999999999999999y",
            "1e300s",
            "1e400ms",
            "inf h",
            "1.5e9h",
            "1000.001y",
            "52143w",
            "365001d",
            "8760001h",
        ] {
            let e = Duration::parse(text).unwrap_err();
            assert!(matches!(e, DurationError::TooLong(..)), "{text}: {e:?}");
            assert!(e.to_string().contains("1000 years"), "{e}");
        }
        assert_eq!(Duration::parse("1000y").unwrap().years(), 1000.0);
        assert_eq!(Duration::parse("8760000h").unwrap().years(), 1000.0);
        assert_eq!(Duration::parse("NaN s"), Err(DurationError::Negative));
    }

    #[test]
    fn display_round_trips() {
        for text in ["4h", "90s", "3d", "2y", "1.5h", "250ms", "0s", "7m"] {
            let d = Duration::parse(text).unwrap();
            assert_eq!(Duration::parse(&d.to_string()).unwrap(), d, "{text}");
        }
        assert_eq!(Duration::parse("240m").unwrap().to_string(), "4h");
    }

    #[test]
    fn file_texts_keep_the_written_unit_or_the_shortest_exact_one() {
        let d = |t: &str| Duration::parse(t).unwrap();
        assert_eq!(d("180m").to_text_in(Some("m")), "180m");
        assert_eq!(d("180m").to_text_in(Some("min")), "180min");
        assert_eq!(d("180m").to_text_in(None), "3h");
        assert_eq!(d("30d").to_text_in(Some("y")), "30d");
        assert_eq!(d("0s").to_text_in(Some("h")), "0h");
        // A derived MTBF (4h x 0.99982 / 0.00018) has no short exact form:
        // hours beat seconds.
        let mtbf = Duration::from_secs(14_400.0 * 0.99982 / 0.00018).unwrap();
        let text = mtbf.to_text_in(Some("h"));
        assert!(text.ends_with('h') && !text.ends_with("ms"), "{text}");
        assert_eq!(Duration::parse(&text).unwrap(), mtbf);
        assert_eq!(Duration::unit_of(" 90 min"), Some("min"));
        assert_eq!(Duration::unit_of("4x"), None);
    }

    #[test]
    fn probability_range() {
        assert!(Probability::new(0.0).is_some());
        assert!(Probability::new(1.0).is_some());
        assert!(Probability::new(-0.1).is_none());
        assert!(Probability::new(1.0001).is_none());
        assert!(Probability::new(f64::NAN).is_none());
    }

    proptest::proptest! {
        #[test]
        fn any_duration_display_parses_back(secs in 0.0f64..1e10) {
            let d = Duration::from_secs(secs).unwrap();
            let back = Duration::parse(&d.to_string()).unwrap();
            proptest::prop_assert_eq!(Duration::parse(&d.to_text_in(Some("h"))).unwrap(), d);
            proptest::prop_assert_eq!(Duration::parse(&d.to_text_in(None)).unwrap(), d);
            proptest::prop_assert_eq!(back, d);
        }
    }
}
