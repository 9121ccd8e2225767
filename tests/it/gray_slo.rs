//! Gray sites under a graded SLO threshold (issue 13 item 4). A site that
//! never fails but goes gray (an exponential process, fraction g of its
//! requests failed while gray) makes an instant bad exactly while gray
//! when its pool's lost share g x (its capacity share) exceeds
//! 1 - threshold, and never otherwise: downtime is q x year, q the
//! expected gray share of the year of a two-state chain starting healthy,
//! or zero; booked to the gray site as hardware.

use super::feedback::{YEAR, down_and_repairs, one_site, run};
use crate::common::within;
use serde_json::Value;

fn down(p: &Value) -> (f64, f64) {
    let d = &p["downtime_minutes_per_year"]["mean"];
    (
        d["mean"].as_f64().unwrap() * 60.0,
        d["se"].as_f64().unwrap() * 60.0,
    )
}

#[test]
fn a_gray_site_is_down_under_the_threshold_only_when_its_loss_exceeds_it() {
    let q = down_and_repairs(1.0 / (5.0 * 86_400.0), 1.0 / (12.0 * 3600.0), YEAR).0;
    let gray = |g: f64| format!("gray = {{ fraction = {g}, mtbf = \"5d\", mttr = \"12h\" }}\n");
    let plan = |sites: &str, threshold: &str| {
        format!(
            "serving_sites = [{sites}]\nmode = \"active-active\"\n\
             slo = {{ target = 0.99, window = \"30d\"{threshold} }}"
        )
    };
    let b_site = "[[site]]\nid = \"b\"\nfailure = { never = true }\n\
                  [[link]]\na = \"a\"\nb = \"b\"\nfailure = { never = true }\n";
    // (gray fraction, serving sites, threshold, bad while gray?)
    for (g, sites, th, bad) in [
        (0.2, "\"a\"", ", threshold = 0.9", true),
        (0.05, "\"a\"", ", threshold = 0.9", false),
        (0.2, "\"a\"", "", false),
        // A pool of two equal sites: a gray at 30% fails 15% of the pool.
        (0.3, "\"a\", \"b\"", ", threshold = 0.9", true),
        (0.3, "\"a\", \"b\"", ", threshold = 0.8", false),
    ] {
        let extra = format!(
            "{}{}",
            gray(g),
            if sites.contains('b') { b_site } else { "" }
        );
        let v = run(
            &one_site("{ never = true }", &plan(sites, th), &extra),
            2000,
            13,
        );
        let (d, se) = down(&v);
        let what = format!("g {g}, sites {sites}{th}");
        if bad {
            within(d, q, se, &what);
            let cause = &v["downtime_by_cause"][0];
            assert_eq!(cause["cause"], "hardware", "{what}: {v}");
            assert!(
                (cause["share"].as_f64().unwrap() - 1.0).abs() < 1e-9,
                "{what}"
            );
            assert_eq!(v["top_components"][0]["component"], "site:a", "{what}");
            eprintln!(
                "{what}: downtime {:.1} ± {:.1} min/yr, exact {:.1}",
                d / 60.0,
                se / 60.0,
                q / 60.0
            );
        } else {
            assert_eq!(d, 0.0, "{what}");
        }
    }
}
