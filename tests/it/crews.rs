//! Repair crews (`[[crew]]`): repairs of covered components queue for a
//! free member. Oracles: the birth-death Markov chain of a k-of-n fleet
//! with c repairers; exact episode lengths under a fleet-wide event; and
//! a crew that never runs out giving today's results to the last bit.

use crate::common::{Fixture, cli, json_ok, refused, stationary, temp_file};
use serde_json::Value;

/// Regions `eu` (the serving sites') and `us` (no site) ahead of a fixture.
const REGIONS: &str = "[[region]]\nid = \"eu\"\n[[region]]\nid = \"us\"\n";

/// Hub `h` (never fails, where users enter) linked to `n` serving sites in
/// region `eu` that fail and repair exponentially (MTBF 20 h, MTTR 10 h);
/// one active-active plan over them needing `quorum`, provisioned so that
/// any one site carries all the load (headroom n - 1): only the quorum
/// decides.
fn fleet(n: usize, quorum: u32) -> Fixture {
    let mut f = Fixture::new("fleet").site("h");
    let ids: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
    for id in &ids {
        f = f
            .site(id)
            .set("region", "\"eu\"")
            .set("failure", "{ mtbf = \"20h\", mttr = \"10h\" }")
            .link("h", id);
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    f.demand("users", &["h"])
        .plan("p", &refs)
        .set("quorum", &quorum.to_string())
        .set("headroom", &(n - 1).to_string())
}

/// The file of `f` with its regions and one `[[crew]]` (none when empty).
fn with_crew(f: &Fixture, crew: &str) -> String {
    let crew = if crew.is_empty() {
        String::new()
    } else {
        format!("[[crew]]\n{crew}\n")
    };
    format!("{REGIONS}{}{crew}", f.toml())
}

/// `drsim run`'s JSON for the only plan of `text`.
fn run(text: &str, flags: &str) -> Value {
    let (_dir, path) = temp_file("crews.toml", text);
    let out = json_ok(&mut cli("run", &path, &format!("{flags} --format json -q")));
    out["plans"][0].clone()
}

fn unavailability(plan: &Value) -> (f64, f64, f64) {
    let a = &plan["availability_time"];
    let f = |k: &str| a[k].as_f64().unwrap();
    (1.0 - f("mean"), 1.0 - f("hi"), 1.0 - f("lo"))
}

/// P(fewer than `k` of `n` up) for exponential failures (rate `lambda`)
/// and repairs (rate `mu`) with `c` repairers (`c >= n`: unlimited):
/// birth-death chain on the number down, repair rate min(down, c) mu.
fn ctmc_unavailability(n: usize, k: usize, c: usize, lambda: f64, mu: f64) -> f64 {
    let pi = stationary(n + 1, |down| {
        let mut moves = Vec::new();
        if down < n {
            moves.push((down + 1, (n - down) as f64 * lambda));
        }
        if down > 0 {
            moves.push((down - 1, down.min(c) as f64 * mu));
        }
        moves
    });
    (0..=n).filter(|&down| n - down < k).map(|d| pi[d]).sum()
}

/// 3 sites, quorum 2, with one and with two repairers: the simulated
/// unavailability's 95% interval holds the Markov chain's, and one crew
/// member is significantly worse than unlimited repairs (the chain without
/// crews is outside that interval), so the queue is what the test sees.
#[test]
fn k_of_n_with_c_crews_matches_the_markov_chain() {
    let (lambda, mu) = (1.0 / 20.0, 1.0 / 10.0);
    let f = fleet(3, 2);
    let unlimited = ctmc_unavailability(3, 2, 3, lambda, mu);
    for c in [1, 2] {
        let text = with_crew(&f, &format!("id = \"ops\"\nkinds = [\"site\"]\nsize = {c}"));
        let (u, lo, hi) = unavailability(&run(&text, "--trials 2000 --years 1 --seed 11"));
        let exact = ctmc_unavailability(3, 2, c, lambda, mu);
        assert!(
            lo <= exact && exact <= hi,
            "c = {c}: simulated {u} [{lo}, {hi}], Markov chain {exact}"
        );
        if c == 1 {
            assert!(unlimited < lo, "unlimited {unlimited} vs [{lo}, {hi}]");
        }
    }
    // Without a crew the same file is the unlimited chain.
    let (u, lo, hi) = unavailability(&run(
        &with_crew(&f, ""),
        "--trials 2000 --years 1 --seed 11",
    ));
    assert!(
        lo <= unlimited && unlimited <= hi,
        "{u} [{lo}, {hi}] vs {unlimited}"
    );
}

/// A crew that never runs out of members, or one that covers nothing the
/// file has, changes no number: repair times come from each component's own
/// stream whether or not it waited.
#[test]
fn a_crew_that_never_queues_changes_nothing() {
    let f = fleet(3, 2);
    let flags = "--trials 200 --years 1 --seed 3";
    let plain = run(&with_crew(&f, ""), flags);
    for crew in [
        "id = \"big\"\nkinds = [\"site\", \"link\"]\nsize = 3",
        "id = \"us-only\"\nregions = [\"us\"]\nkinds = [\"site\"]\nsize = 1",
        "id = \"links\"\nkinds = [\"link\", \"disaster\"]\nsize = 1",
    ] {
        assert_eq!(run(&with_crew(&f, crew), flags), plain, "{crew}");
    }
    // A one-member crew of the sites' region does move the numbers.
    let text = with_crew(
        &f,
        "id = \"eu\"\nregions = [\"eu\"]\nkinds = [\"site\"]\nsize = 1",
    );
    assert_ne!(
        run(&text, flags)["availability_time"],
        plain["availability_time"]
    );
}

/// A fleet-wide event (a hazard that hits all six sites for a fixed 4 h of
/// hands-on work each) with one crew member: sites come back one every
/// 4 h, so a 1-of-6 plan's outages last 4 h and a 3-of-6 plan's 12 h.
/// With unlimited repairs both last 4 h: the queue is the difference.
#[test]
fn one_crew_separates_1_of_6_from_3_of_6_under_a_fleet_wide_event() {
    let mut f = Fixture::new("fleet-wide").site("h");
    let ids: Vec<String> = (0..6).map(|i| format!("s{i}")).collect();
    for id in &ids {
        f = f.site(id).set("region", "\"eu\"").link("h", id);
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    f = f
        .demand("users", &["h"])
        .plan("one", &refs)
        .set("quorum", "1")
        .set("headroom", "5");
    f = f
        .plan("three", &refs)
        .set("quorum", "3")
        .set("headroom", "5");
    let region = "[[region]]\nid = \"eu\"\n[[region.hazard]]\nkind = \"bad-push\"\n\
                  annual_rate = 2.0\noutage = { dist = \"fixed\", value = \"4h\" }\n";
    let crew = "[[crew]]\nid = \"hands\"\nregions = [\"eu\"]\nkinds = [\"disaster\"]\nsize = 1\n";
    let plain = format!("{region}{}", f.toml());
    let crewed = format!("{plain}{crew}");
    let p50 = |text: &str, plan: &str| {
        let (_dir, path) = temp_file("fleet.toml", text);
        let flags = format!("--plan {plan} --trials 300 --years 1 --seed 5 --format json -q");
        let out = json_ok(&mut cli("run", &path, &flags));
        let rec = &out["plans"][0]["recovery"];
        assert!(rec["episodes"].as_u64().unwrap() > 100, "{rec}");
        (
            rec["p50_minutes"].as_f64().unwrap(),
            rec["p90_minutes"].as_f64().unwrap(),
        )
    };
    assert_eq!(p50(&plain, "one"), (240.0, 240.0));
    assert_eq!(p50(&plain, "three"), (240.0, 240.0));
    assert_eq!(p50(&crewed, "one"), (240.0, 240.0));
    assert_eq!(p50(&crewed, "three"), (720.0, 720.0));
}

/// Bad crews are refused with the file, line and what is wrong.
#[test]
fn bad_crews_are_refused_with_their_line() {
    let f = fleet(2, 1);
    for (crew, needle) in [
        (
            "id = \"x\"\nkinds = [\"site\"]\nsize = 0",
            "size must be between 1 and",
        ),
        (
            "id = \"x\"\nkinds = [\"sites\"]\nsize = 1",
            "unknown crew kind 'sites'",
        ),
        (
            "id = \"x\"\nkinds = []\nsize = 1",
            "repairs no kind of work",
        ),
        (
            "id = \"x\"\nregions = [\"eux\"]\nkinds = [\"site\"]\nsize = 1",
            "unknown region 'eux'",
        ),
        (
            "id = \"x\"\nkinds = [\"site\", \"site\"]\nsize = 1",
            "lists kind 'site' twice",
        ),
        (
            "id = \"x\"\nkinds = [\"site\"]\nsize = 1\nspeed = 2",
            "unknown field `speed`",
        ),
        ("id = \"x\"\nkinds = [\"site\"]", "missing field `size`"),
    ] {
        let (_dir, path) = temp_file("bad-crew.toml", &with_crew(&f, crew));
        let err = refused(cli("validate", &path, ""), needle);
        assert!(err.contains("bad-crew.toml:"), "{err}");
    }
}

/// `[[crew]]` survives the canonical writer: saved and loaded back, the
/// model is the same.
#[test]
fn crews_round_trip_through_save() {
    let crew = "id = \"eu-field\"\nname = \"EU field team\"\nregions = [\"eu\"]\n\
                kinds = [\"site\", \"disaster\"]\nsize = 2";
    let text = with_crew(&fleet(2, 1), crew);
    let t = drsim::io::load_str(&text, std::path::Path::new("c.toml"))
        .unwrap()
        .topology;
    assert_eq!(t.crews.len(), 1);
    assert_eq!(t.crews[0].size, 2);
    let saved = drsim::io::save::to_toml_string(&t);
    assert!(saved.contains("[[crew]]"), "{saved}");
    let back = drsim::io::load_str(&saved, std::path::Path::new("c.toml"))
        .unwrap()
        .topology;
    assert_eq!(back, t);
}
