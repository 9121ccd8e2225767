//! The generated benchmark family: topologies of any size at fixed per-site
//! densities, so an engine's cost can be read as a function of the number
//! of sites alone (issue 15). Deterministic from `(sites, seed)`; written as
//! TOML so the CLI of any drsim version (a baseline binary included) reads
//! the very same inputs.

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::fmt::Write;

/// The densities, per site (see the file's header comment for the rest).
pub const SITES_PER_REGION: usize = 10;
pub const SITES_PER_DEMAND: usize = 10;
pub const SITES_PER_SERVING: usize = 25;
pub const SITES_PER_TRAIN: usize = 100;
pub const SITES_PER_SERVICE: usize = 50;
pub const SITES_PER_CONDUIT: usize = 20;

/// The family's sizes (sites).
pub const SIZES: [usize; 4] = [50, 200, 1000, 5000];

/// Link bandwidth of the family (Gbit/s): the yearly maximum of all demand
/// fits through any one link, so links never bind.
pub const LINK_GBPS: f64 = 400.0;

/// Link bandwidth of the bandwidth variant ([`family_bandwidth_toml`]):
/// thin enough that some failure states shed load for want of bandwidth,
/// so `run` takes its max-flow path (a demand peaks at 0.48 Gbit/s with
/// the surge at 16 kbit per request).
pub const BINDING_LINK_GBPS: f64 = 0.4;

/// A topology of `sites` sites (a multiple of 50).
pub fn family_toml(sites: usize, seed: u64) -> String {
    family_toml_links(sites, seed, LINK_GBPS)
}

/// The same topology with thin links ([`BINDING_LINK_GBPS`]), so that
/// `run` serves its failure states through the max-flow (the bandwidth path)
/// and some of them shed load for want of bandwidth.
pub fn family_bandwidth_toml(sites: usize, seed: u64) -> String {
    family_toml_links(sites, seed, BINDING_LINK_GBPS)
}

/// [`family_toml`] with links of `link_gbps` each (the same failure
/// histories: the bandwidth is drawn from no stream).
fn family_toml_links(sites: usize, seed: u64, link_gbps: f64) -> String {
    assert!(
        sites >= 50 && sites.is_multiple_of(50),
        "sizes are multiples of 50"
    );
    let n = sites;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ (n as u64) << 20);
    let mut f = String::new();
    let w = &mut f;
    let regions = n / SITES_PER_REGION;
    let serving: Vec<usize> = (0..n / SITES_PER_SERVING)
        .map(|j| j * SITES_PER_SERVING + 12)
        .collect();
    let (thin, suffix) = if link_gbps == LINK_GBPS {
        (String::new(), "")
    } else {
        let note = format!("\n# Links of {link_gbps} Gbit/s: failures make them bind.");
        (note, "-bw")
    };
    writeln!(
        w,
        "# Generated benchmark topology (benches/family): {n} sites, seed {seed}.\n\
         # Per site: 1.5 links, 0.1 regions (one grid-loss hazard each), 0.1\n\
         # demands (two entry sites each), 0.04 serving sites, 0.01 release\n\
         # trains, 0.02 services, 0.05 conduits, 0.02 operator errors a year.\n\
         # Rates: failure-rates.md D1 (sites), B2 and B4 (links); the rest\n\
         # is illustrative.{thin}\n\n\
         [topology]\nname = \"family-{n}{suffix}\"\nformat = 1\n\n\
         [defaults.site]\ncapacity_rps = 100_000\n\
         failure = {{ unavailability = 0.00018, mttr = \"4h\" }}\n\n\
         [defaults.link]\ncapacity_gbps = {link_gbps}\n\
         failure = {{ rate_per_1000km = 2.13, ttr = {{ dist = \"lognormal\", median = \"6h\", sigma = 1.0 }} }}\n"
    )
    .unwrap();
    for r in 0..regions {
        let rate = 0.02 + 0.06 * rng.random::<f64>();
        writeln!(
            w,
            "[[region]]\nid = \"r{r}\"\n[[region.hazard]]\nkind = \"grid-loss\"\n\
             annual_rate = {rate:.4}\n\
             outage = {{ dist = \"lognormal\", median = \"12h\", sigma = 1.0 }}\n"
        )
        .unwrap();
    }
    for i in 0..n {
        writeln!(
            w,
            "[[site]]\nid = \"s{i}\"\nregion = \"r{}\"\n",
            i / SITES_PER_REGION
        )
        .unwrap();
    }
    // A ring through every site in region order (metro hops short, hops
    // between regions long-haul), plus a local chord from half the sites.
    let mut links: Vec<(usize, usize, f64)> = Vec::new();
    for i in 0..n {
        let j = (i + 1) % n;
        let km = if j.is_multiple_of(SITES_PER_REGION) {
            300.0 + 1200.0 * rng.random::<f64>()
        } else {
            20.0 + 130.0 * rng.random::<f64>()
        };
        links.push((i, j, km));
    }
    for i in 0..n {
        if rng.random::<f64>() < 0.5 {
            let hop = rng.random_range(2..=30usize);
            links.push((i, (i + hop) % n, 40.0 * hop as f64));
        }
    }
    for (k, &(a, b, km)) in links.iter().enumerate() {
        writeln!(
            w,
            "[[link]]\nid = \"l{k}\"\na = \"s{a}\"\nb = \"s{b}\"\nlength_km = {km:.1}\n"
        )
        .unwrap();
    }
    // Conduits: a ring fibre and another link out of the same city share a
    // duct for their first kilometres.
    for c in 0..n / SITES_PER_CONDUIT {
        let k = rng.random_range(n..links.len());
        let site = links[k].0;
        writeln!(
            w,
            "[[shared_risk]]\nid = \"duct{c}\"\nkind = \"conduit\"\nlinks = [\"l{site}\", \"l{k}\"]\n\
             failure = {{ mtbf = \"10y\", mttr = \"24h\" }}\n"
        )
        .unwrap();
    }
    let trains = n / SITES_PER_TRAIN;
    for t in 0..trains.max(1) {
        let sites: Vec<String> = serving
            .iter()
            .enumerate()
            .filter(|(j, _)| j % trains.max(1) == t)
            .map(|(_, &s)| format!("\"s{s}\""))
            .collect();
        writeln!(
            w,
            "[[release_train]]\nid = \"train{t}\"\nsites = [{}]\ncanary_sites = [{}]\n\
             releases_per_year = 52\nbad_release_probability = 0.02\ncanary_catch = 0.7\n\
             detection = \"20m\"\nrollback = \"40m\"\n",
            sites.join(", "),
            sites[0]
        )
        .unwrap();
    }
    writeln!(
        w,
        "[operator_errors]\nannual_rate = {}\noutage = \"1h\"\n",
        n / 50
    )
    .unwrap();
    for d in 0..n / SITES_PER_DEMAND {
        let (a, b) = (d * SITES_PER_DEMAND + 1, d * SITES_PER_DEMAND + 5);
        let profile: Vec<String> = (0..24)
            .map(|h| {
                let x = ((h + 24 - d % 24) % 24) as f64;
                format!(
                    "{:.3}",
                    0.35 + 0.65 * (std::f64::consts::PI * x / 24.0).sin()
                )
            })
            .collect();
        writeln!(
            w,
            "[[demand]]\nid = \"d{d}\"\nsites = [\"s{a}\", \"s{b}\"]\nusers = 1e6\n\
             peak_rps = 20_000\nprofile = [{}]\n",
            profile.join(", ")
        )
        .unwrap();
    }
    writeln!(
        w,
        "[[surge]]\nid = \"new-year\"\ndate = \"12-31\"\nstart_hour_utc = 23\n\
         duration = \"2h\"\nmultiplier = 1.5\n"
    )
    .unwrap();
    // Services: a directory on the first serving sites, zone services that
    // need it, and the front end the `svc` plan runs.
    let quote = |v: &[usize]| {
        let q: Vec<String> = v.iter().map(|s| format!("\"s{s}\"")).collect();
        q.join(", ")
    };
    writeln!(
        w,
        "[[service]]\nid = \"dir\"\nsites = [{}]\nfailure = {{ mtbf = \"2y\", mttr = \"30m\" }}\n",
        quote(&serving[..2])
    )
    .unwrap();
    for k in 1..n / SITES_PER_SERVICE {
        let zone = [serving[2 * k - 2], serving[2 * k - 1]];
        writeln!(
            w,
            "[[service]]\nid = \"zone{k}\"\nsites = [{}]\nrequires = [\"dir\"]\n\
             failure = {{ mtbf = \"2y\", mttr = \"30m\" }}\n",
            quote(&zone)
        )
        .unwrap();
    }
    writeln!(
        w,
        "[[service]]\nid = \"front\"\nsites = [{}]\nrequires = [\"dir\"]\n",
        quote(&serving)
    )
    .unwrap();
    let quorum = (serving.len() / 2).max(1);
    writeln!(
        w,
        "[[plan]]\nid = \"aa\"\nserving_sites = [{s}]\nmode = \"active-active\"\nquorum = {quorum}\n\
         replicas = {replicas}\nheadroom = 0.3\nreplication = \"async\"\nreplication_lag = \"5s\"\n\
         cost_per_year = 1e7\n\n\
         [[plan]]\nid = \"svc\"\nserving_sites = [{s}]\nmode = \"active-active\"\nquorum = {quorum}\n\
         serves = \"front\"\nheadroom = 0.3\ncost_per_year = 1.2e7",
        s = quote(&serving),
        replicas = serving.len().min(3),
    )
    .unwrap();
    f
}
