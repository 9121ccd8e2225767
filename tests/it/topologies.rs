//! The bundled topologies: each loads cleanly and round-trips through the
//! saver; the default one has the structure the project promises; and the
//! textbook bridge pins its closed-form answer by exhaustive enumeration.

use drsim::io::{load_path_with_warnings, load_str, save};
use drsim::model::Topology;
use drsim::static_model::{Overrides, StaticModel};
use std::path::{Path, PathBuf};

fn topology_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("topologies");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn load_clean(name: &str) -> Topology {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("topologies")
        .join(name);
    let loaded = load_path_with_warnings(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    loaded.topology
}

#[test]
fn every_bundled_topology_loads_without_warnings_and_round_trips() {
    let files = topology_files();
    assert!(
        files.len() >= 3,
        "expected the bundled topologies, found {files:?}"
    );
    for path in files {
        let loaded = load_path_with_warnings(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            loaded.warnings.is_empty(),
            "{}: {:?}",
            path.display(),
            loaded.warnings
        );
        let t = loaded.topology;
        let text = save::to_toml_string(&t);
        let back = load_str(&text, Path::new("saved.toml"))
            .unwrap_or_else(|e| panic!("{}: saved text does not load: {e}\n{text}", path.display()))
            .topology;
        assert_eq!(
            back,
            t,
            "{}: save -> load changed the model",
            path.display()
        );
        // Every bundled topology has a static model (no region too wide for
        // the exact hazard decomposition).
        StaticModel::from_topology(&t, Overrides::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

/// A coarse continent from coordinates, enough to count continents.
fn continent(lat: f64, lon: f64) -> &'static str {
    match (lat, lon) {
        (_, lon) if lon < -30.0 && lat >= 12.0 => "north-america",
        (_, lon) if lon < -30.0 => "south-america",
        (lat, lon) if lat < -10.0 && lon > 110.0 => "oceania",
        (lat, lon) if lon < 60.0 && lat >= 36.0 => "europe",
        (_, lon) if lon < 52.0 => "africa",
        _ => "asia",
    }
}

#[test]
fn continent_boxes_place_known_cities() {
    assert_eq!(continent(37.35, -121.95), "north-america");
    assert_eq!(continent(-23.55, -46.63), "south-america");
    assert_eq!(continent(50.11, 8.68), "europe");
    assert_eq!(continent(-26.20, 28.05), "africa");
    assert_eq!(continent(19.08, 72.88), "asia");
    assert_eq!(continent(-33.87, 151.21), "oceania");
}

#[test]
fn global_messaging_has_the_promised_structure() {
    let t = load_clean("global-messaging.toml");
    assert!(t.sites.len() >= 12, "{} sites", t.sites.len());
    let mut continents: Vec<&str> = t
        .sites
        .iter()
        .map(|s| {
            let p = s.location.expect("every site has coordinates");
            continent(p.lat, p.lon)
        })
        .collect();
    continents.sort_unstable();
    continents.dedup();
    assert!(continents.len() >= 3, "{continents:?}");
    assert!(t.release_trains.len() >= 2);
    assert!(
        t.release_trains.iter().all(|r| !r.canary_sites.is_empty()
            || r.canary_catch.get() > 0.0
            || r.waves.len() >= 2 && r.waves[0].catch.get() > 0.0),
        "every train has a canary stage (canary sites, a check such as the \
         backbone push's audit tool that catches some bad releases, or waves \
         whose first bake can catch one)"
    );
    // Issue 14: the server binary rolls out in waves, with latent bugs,
    // and sub-sea repairs wait for a ship.
    let binary = t.release_trains.iter().find(|r| r.key == "binary").unwrap();
    assert!(binary.waves.len() >= 3 && binary.trigger.is_some());
    assert_eq!(binary.wave_sites()[0].len(), 1, "a one-site canary first");
    assert!(!t.crews.is_empty() && !t.fleet_commands.is_empty());
    // Issue 12: the internal services every plan depends on.
    for s in ["dns", "auth", "backbone", "config"] {
        assert!(t.service_id(s).is_some(), "service {s}");
    }
    assert!(
        t.plans
            .iter()
            .all(|p| p.serves == t.service_id("messaging"))
    );
    assert!(t.plans.len() >= 3);
    assert!(t.plans.iter().all(|p| p.cost_per_year > 0.0));
    assert!(t.plans.iter().any(|p| p.serving_sites.len() >= 3));
    assert!(t.plans.iter().any(|p| p.targets.availability.is_some()));
    // 12-31 is day 364 of a non-leap year (0-based).
    assert!(
        t.surges
            .iter()
            .any(|s| s.day_of_year == 364 && s.multiplier > 1.0)
    );
    assert!(t.shared_risks.iter().any(|g| g.links.len() >= 2));
    assert!(
        t.regions.iter().map(|r| r.hazards.len()).sum::<usize>() >= 3,
        "regional hazards"
    );
    assert!(t.operator_errors.is_some());
    // Profiles follow local daytime: each demand's quietest UTC hour is 4am
    // local (the file's curve), so the quietest hours differ across regions.
    let mut quiet: Vec<usize> = t
        .demands
        .iter()
        .map(|d| {
            (0..24)
                .min_by(|&a, &b| d.profile[a].total_cmp(&d.profile[b]))
                .expect("24 hours")
        })
        .collect();
    quiet.sort_unstable();
    quiet.dedup();
    assert!(quiet.len() >= 5, "quiet hours by region: {quiet:?}");
}

/// Two-terminal unreliability of the bridge: the closed form in the file's
/// comment.
fn bridge_closed_form(q: f64) -> f64 {
    2.0 * q.powi(2) + 2.0 * q.powi(3) - 5.0 * q.powi(4) + 2.0 * q.powi(5)
}

/// P(s and t disconnected), summing over every up/down state of the edges,
/// with a union-find per state. Nodes never fail.
fn disconnection_by_enumeration(
    n: usize,
    edges: &[(u32, u32)],
    q: &[f64],
    s: usize,
    t: usize,
) -> f64 {
    fn find(p: &mut [usize], x: usize) -> usize {
        let mut r = x;
        while p[r] != r {
            r = p[r];
        }
        p[x] = r;
        r
    }
    let m = edges.len();
    let mut total = 0.0;
    for state in 0u32..(1 << m) {
        let mut prob = 1.0;
        let mut parent: Vec<usize> = (0..n).collect();
        for (j, &(a, b)) in edges.iter().enumerate() {
            if state >> j & 1 == 1 {
                prob *= 1.0 - q[j];
                let (ra, rb) = (find(&mut parent, a as usize), find(&mut parent, b as usize));
                parent[ra] = rb;
            } else {
                prob *= q[j];
            }
        }
        if find(&mut parent, s) != find(&mut parent, t) {
            total += prob;
        }
    }
    total
}

#[test]
fn textbook_bridge_matches_closed_form_and_enumeration() {
    let t = load_clean("textbook-bridge.toml");
    let m = StaticModel::from_topology(&t, Overrides::default()).unwrap();
    assert_eq!(m.n_nodes(), 4);
    assert_eq!(m.n_edges(), 5);
    assert!(m.node_q.iter().all(|&q| q == 0.0), "nodes never fail");
    assert!(m.shocks.is_empty());
    let q = m.edge_q[0];
    assert!((q - 0.01).abs() < 1e-15, "q = {q}");
    assert!(m.edge_q.iter().all(|&x| x == q), "identical links");

    let s = t.site_id("s").unwrap().index();
    let dst = t.site_id("t").unwrap().index();
    let exact = disconnection_by_enumeration(m.n_nodes(), &m.edges, &m.edge_q, s, dst);
    // Both are sums of ~10 terms of size <= 2e-4: agreement to 1e-15 absolute
    // is rounding error only.
    assert!(
        (exact - bridge_closed_form(q)).abs() < 1e-15,
        "{exact} vs {}",
        bridge_closed_form(q)
    );
    // The value quoted in the file's comment.
    assert!((exact - 2.019502e-4).abs() < 1e-12, "{exact}");

    // The closed form is a polynomial identity, not a coincidence at 0.01.
    for q in [0.0, 0.1, 0.3, 0.5, 0.9, 1.0] {
        let e = disconnection_by_enumeration(m.n_nodes(), &m.edges, &[q; 5], s, dst);
        assert!((e - bridge_closed_form(q)).abs() < 1e-12, "q = {q}: {e}");
    }
}

#[test]
fn enumeration_is_not_trivially_the_polynomial() {
    // Removing the bridge edge gives two parallel 2-link paths:
    // u = (1 - (1-q)^2)^2, which differs from the bridge's u.
    let edges = [(0, 1), (0, 2), (1, 3), (2, 3)];
    let q = 0.1;
    let e = disconnection_by_enumeration(4, &edges, &[q; 4], 0, 3);
    let series_fail = 1.0 - (1.0 - q) * (1.0 - q);
    assert!((e - series_fail * series_fail).abs() < 1e-15);
    assert!((e - bridge_closed_form(q)).abs() > 1e-4);
}

/// The example in the README's file-format reference is a complete, valid file.
#[test]
fn the_documented_example_loads_cleanly() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .find("## Topology file format")
        .expect("format section");
    let doc = &readme[section..];
    let start = doc.find("```toml\n").expect("a toml example") + "```toml\n".len();
    let len = doc[start..].find("```").expect("closing fence");
    let loaded = load_str(&doc[start..start + len], Path::new("README.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let t = loaded.topology;
    assert_eq!((t.sites.len(), t.links.len(), t.plans.len()), (2, 1, 1));
}
