//! A crew's response delay by time of week: before a repair starts, the
//! member dispatched to it takes the delay of the instant it is dispatched
//! (a night call-out or a weekend takes longer than business hours).
//! Calendar, in UTC as demand profiles are: trial time 0 is a Monday
//! 00:00; business hours are 09:00-17:00 Monday to Friday, night the other
//! weekday hours, weekend all of Saturday and Sunday.

use crate::units::Duration;

/// Seconds of a day and of a week.
const DAY: f64 = 86_400.0;
const WEEK: f64 = 7.0 * DAY;
/// Business hours, [start, end) in hours UTC, on the first five days.
const BUSINESS: (f64, f64) = (9.0, 17.0);
const WORKDAYS: u32 = 5;

/// Delays by time of week (zero where the file gives none).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Response {
    pub business: Duration,
    pub night: Duration,
    pub weekend: Duration,
}

impl Response {
    /// The delay, in seconds, of a member dispatched at trial time `t`.
    pub fn delay_secs(&self, t: f64) -> f64 {
        let w = t.rem_euclid(WEEK);
        let day = (w / DAY) as u32;
        let hour = (w - f64::from(day) * DAY) / 3600.0;
        if day >= WORKDAYS {
            self.weekend.secs()
        } else if (BUSINESS.0..BUSINESS.1).contains(&hour) {
            self.business.secs()
        } else {
            self.night.secs()
        }
    }

    /// The time average of [`Response::delay_secs`] over a week, in
    /// seconds: the mean delay of a repair dispatched at a uniformly random
    /// instant (Poisson failures, a crew never out of members). The
    /// random-instant engines add it to the repair they delay.
    pub fn mean_delay_secs(&self) -> f64 {
        let days = f64::from(WORKDAYS);
        let business = days * (BUSINESS.1 - BUSINESS.0) * 3600.0;
        let weekend = (7.0 - days) * DAY;
        let night = WEEK - business - weekend;
        (business * self.business.secs()
            + night * self.night.secs()
            + weekend * self.weekend.secs())
            / WEEK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_starts_on_a_monday_at_midnight_utc() {
        let d = |s: &str| Duration::parse(s).unwrap();
        let r = Response {
            business: d("15m"),
            night: d("1h"),
            weekend: d("2h"),
        };
        let h = 3600.0;
        // Monday 08:59, 09:00, 16:59, 17:00; Friday 16:00; Saturday 00:00;
        // Sunday 23:59; the next Monday 10:00.
        let cases = [
            (8.99 * h, 3600.0),
            (9.0 * h, 900.0),
            (16.99 * h, 900.0),
            (17.0 * h, 3600.0),
            (4.0 * DAY + 16.0 * h, 900.0),
            (5.0 * DAY, 7200.0),
            (7.0 * DAY - 60.0, 7200.0),
            (WEEK + 10.0 * h, 900.0),
        ];
        for (t, want) in cases {
            assert_eq!(r.delay_secs(t), want, "t = {t}");
        }
    }

    /// The week's mean is the delay rule averaged minute by minute (every
    /// boundary is on a whole hour, so the sum is exact): (40 h x 15 min +
    /// 80 h x 1 h + 48 h x 2 h) / 168 h = 1.1071 h.
    #[test]
    fn the_mean_delay_is_the_weeks_time_average_of_the_rule() {
        let d = |s: &str| Duration::parse(s).unwrap();
        let r = Response {
            business: d("15m"),
            night: d("1h"),
            weekend: d("2h"),
        };
        let minutes = (WEEK / 60.0) as u32;
        let sum: f64 = (0..minutes)
            .map(|m| r.delay_secs(f64::from(m) * 60.0 + 30.0))
            .sum();
        let want = sum / f64::from(minutes);
        assert!((r.mean_delay_secs() - want).abs() < 1e-9 * want, "{want}");
        assert!((r.mean_delay_secs() / 3600.0 - 186.0 / 168.0).abs() < 1e-12);
        assert_eq!(Response::default().mean_delay_secs(), 0.0);
    }
}
