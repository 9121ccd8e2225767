//! Numbers for people: three significant digits with an SI prefix
//! (`343 G` user-minutes instead of `343,415,201,109`) and money in one
//! format (`$680M`). Shared by the HTML report and the CLI's text output;
//! JSON and CSV keep full precision.

/// Prefixes for 10^3, 10^6, ... in [`si`].
const SI: [&str; 6] = ["k", "M", "G", "T", "P", "E"];
/// Money uses the financial B for billions.
const MONEY: [&str; 6] = ["k", "M", "B", "T", "P", "E"];

/// `v` at three significant digits (fixed point, no exponent).
fn sig3(v: f64) -> String {
    // Thresholds just below 100, 10 and 1 so that 9.996 prints as 10.0,
    // not 10.00.
    let a = v.abs();
    if a >= 99.95 {
        format!("{v:.0}")
    } else if a >= 9.995 {
        format!("{v:.1}")
    } else if a >= 0.9995 {
        format!("{v:.2}")
    } else {
        // 0.0123 -> "0.0123": digits after the point = 2 - floor(log10 a).
        let d = (2 - a.log10().floor() as i32).clamp(3, 12) as usize;
        format!("{v:.d$}")
    }
}

/// `v` scaled to a prefix of `table` and the prefix, 3 significant digits;
/// `None` when |v| < 1000.
fn scaled(v: f64, table: &[&'static str; 6]) -> Option<(String, &'static str)> {
    let a = v.abs();
    if !a.is_finite() || a < 999.5 {
        return None;
    }
    let mut k = ((a.log10() / 3.0).floor() as usize).clamp(1, table.len());
    let mut m = v / 10f64.powi(3 * k as i32);
    // 999.7k rounds to "1000k": show it as 1.00M instead.
    if m.abs() >= 999.5 && k < table.len() {
        k += 1;
        m = v / 10f64.powi(3 * k as i32);
    }
    Some((sig3(m), table[k - 1]))
}

/// A count or amount for people: `0`, `0.0123`, `12.3`, `980`, `1.44 k`,
/// `343 G`. Not finite values print as Rust does (`inf`, `NaN`).
pub fn si(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if !v.is_finite() {
        return v.to_string();
    }
    if v.abs() < 1e-4 {
        return format!("{v:.2e}");
    }
    match scaled(v, &SI) {
        Some((m, p)) => format!("{m} {p}"),
        None => sig3(v),
    }
}

/// Money per year as the report and the CLI print it: `$680M`, `$65.0M`,
/// `$1.20B`, `$950`, `-$15.0M`. Topology files give costs in one
/// (unnamed) currency; it is shown as dollars.
/// A number as written, up to six decimals and no trailing zeros: 99.9
/// for `100 x 0.999` (99.89999999999999 in floating point).
pub fn trimmed(x: f64) -> String {
    let t = format!("{x:.6}");
    t.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `4.10% [3.20, 5.00]`: a probability with its 95% interval, in percent
/// (below 0.1%, in two significant digits: `0.0042%`).
pub fn percent_interval(e: &crate::stats::Estimate) -> String {
    let pc = |x: f64| {
        let v = 100.0 * x;
        if v == 0.0 || v >= 0.1 {
            format!("{v:.2}")
        } else {
            format!("{v:.2e}")
        }
    };
    format!("{}% [{}, {}]", pc(e.mean), pc(e.lo), pc(e.hi))
}

pub fn money(v: f64) -> String {
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    if a == 0.0 {
        return "$0".into();
    }
    match scaled(a, &MONEY) {
        Some((m, p)) => format!("{sign}${m}{p}"),
        None => format!("{sign}${a:.0}"),
    }
}

/// Minutes as a duration for people: `42 s`, `12.5 min`, `3.2 h`, `2.1 d`.
pub fn minutes(m: f64) -> String {
    if !m.is_finite() {
        return m.to_string();
    }
    let a = m.abs();
    if a == 0.0 {
        "0 min".into()
    } else if a < 1.0 {
        format!("{} s", sig3(m * 60.0))
    } else if a < 120.0 {
        format!("{} min", sig3(m))
    } else if a < 2880.0 {
        format!("{} h", sig3(m / 60.0))
    } else {
        format!("{} d", sig3(m / 1440.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `(input, text)` case of one formatter, each failure naming it.
    fn cases(format: fn(f64) -> String, cases: &[(f64, &str)]) {
        for &(x, want) in cases {
            assert_eq!(format(x), want, "{x}");
        }
    }

    #[test]
    fn si_prefixes_at_three_significant_digits() {
        cases(
            si,
            &[
                (343_415_201_109.0, "343 G"),
                (168e9, "168 G"),
                (1.438e11, "144 G"),
                (1_440.0, "1.44 k"),
                (999.4, "999"),
                (999.6, "1.00 k"),
                (999_700.0, "1.00 M"),
                (12.34, "12.3"),
                (0.0123, "0.0123"),
                (0.5, "0.500"),
                (9.996, "10.0"),
                (99.97, "100"),
                (0.0, "0"),
                (-2.5e6, "-2.50 M"),
                (3e-6, "3.00e-6"),
            ],
        );
    }

    #[test]
    fn money_in_one_format() {
        cases(
            money,
            &[
                (680e6, "$680M"),
                (65e6, "$65.0M"),
                (80e6, "$80.0M"),
                (1.2e9, "$1.20B"),
                (950.0, "$950"),
                (-15e6, "-$15.0M"),
                (0.0, "$0"),
            ],
        );
    }

    #[test]
    fn durations() {
        cases(
            minutes,
            &[
                (0.5, "30.0 s"),
                (12.5, "12.5 min"),
                (447.3, "7.46 h"),
                (6888.7, "4.78 d"),
            ],
        );
    }
}
