//! Real-network import: every Topology Zoo and SNDlib file under
//! `shared/data/topologies` keeps every node, edge and coordinate (counts from
//! that README's inventory table), and hostile input never panics.

use drsim::io::import::{ImportError, ImportOptions, import_path, import_path_with_warnings};
use drsim::io::{graphml, sndlib};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

/// `shared/data/topologies` next to the repository (`<repo>/../shared`, as in
/// CI and the main checkout) or one level further up (a git worktree under
/// `<root>/wt/`), or `None` (test skipped) when absent.
pub(crate) fn data_dir() -> Option<PathBuf> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = repo
        .ancestors()
        .skip(1)
        .take(2)
        .map(|a| a.join("shared/data/topologies"))
        .find(|d| d.is_dir());
    if found.is_none() {
        eprintln!(
            "skipped: no shared/data/topologies next to {}",
            repo.display()
        );
    }
    found
}

/// A default capacity no file uses, so links given one can be counted.
fn counting_opts() -> ImportOptions {
    ImportOptions {
        default_capacity_gbps: 0.0,
        ..ImportOptions::default()
    }
}

#[test]
fn every_topology_zoo_file_keeps_nodes_edges_coordinates() {
    let Some(dir) = data_dir() else { return };
    // file, nodes, edges, parallel edges, nodes with coordinates, edges with a capacity
    let inventory = [
        ("Abilene", 11, 14, 0, 11, 0),
        ("AttMpls", 25, 57, 1, 25, 0),
        ("Cogentco", 197, 245, 2, 186, 0),
        ("Deltacom", 113, 183, 22, 101, 0),
        ("Esnet", 68, 92, 13, 17, 10),
        ("Geant2012", 40, 61, 0, 37, 39),
        ("GtsCe", 149, 193, 0, 141, 0),
        ("Internet2", 20, 26, 0, 0, 0),
        ("Internode", 66, 78, 1, 20, 28),
        ("Kdl", 754, 899, 4, 726, 0),
        ("Sprint", 11, 18, 0, 11, 0),
        ("Uunet", 49, 84, 0, 42, 0),
    ];
    for (name, nodes, edges, parallel, located, with_cap) in inventory {
        let path = dir.join(format!("topology-zoo/{name}.graphml"));
        let i = import_path_with_warnings(&path, &counting_opts()).unwrap();
        let t = &i.topology;
        // Only the count of links given the default capacity.
        assert!(
            i.warnings
                .iter()
                .all(|w| w.contains("have no LinkSpeedRaw")),
            "{name}: {:?}",
            i.warnings
        );
        assert_eq!(t.sites.len(), nodes, "{name} nodes");
        assert_eq!(t.links.len(), edges, "{name} edges");
        let mut pairs = std::collections::HashSet::new();
        let repeats = t
            .links
            .iter()
            .filter(|l| !pairs.insert((l.a.min(l.b), l.a.max(l.b))))
            .count();
        assert_eq!(repeats, parallel, "{name} parallel edges");
        let with_loc = t.sites.iter().filter(|s| s.location.is_some()).count();
        assert_eq!(with_loc, located, "{name} coordinates");
        let caps = t.links.iter().filter(|l| l.capacity_gbps > 0.0).count();
        assert_eq!(caps, with_cap, "{name} capacities");
        // Every link fails (B2 cut rate) and has a length exactly when both
        // ends are located.
        for l in &t.links {
            assert!(l.failure.is_some());
            let both = t.site(l.a).location.is_some() && t.site(l.b).location.is_some();
            assert_eq!(l.length_km.is_some(), both, "{name} {}", l.key);
        }
    }
}

#[test]
fn abilene_graphml_details() {
    let Some(dir) = data_dir() else { return };
    let t = import_path(
        &dir.join("topology-zoo/Abilene.graphml"),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(t.name, "Abilene");
    // Site keys are the GraphML node ids, so `--from 0` resolves.
    assert!(t.resolve_site("0").is_ok());
    assert!(t.links.iter().all(|l| l.capacity_gbps == 100.0));
    let ny = t.sites.iter().find(|s| s.name == "New York").unwrap();
    let loc = ny.location.unwrap();
    assert!(
        (loc.lat - 40.71427).abs() < 1e-3 && (loc.lon + 74.00597).abs() < 1e-3,
        "{loc:?}"
    );
}

#[test]
fn geant2012_capacities_are_link_speed_raw() {
    let Some(dir) = data_dir() else { return };
    let t = import_path(
        &dir.join("topology-zoo/Geant2012.graphml"),
        &counting_opts(),
    )
    .unwrap();
    let text = std::fs::read_to_string(dir.join("topology-zoo/Geant2012.graphml")).unwrap();
    // Recompute independently: the sum of every LinkSpeedRaw value in the file.
    let key_id = text
        .lines()
        .find(|l| l.contains("attr.name=\"LinkSpeedRaw\""))
        .and_then(|l| l.split("id=\"").nth(1))
        .and_then(|r| r.split('"').next())
        .unwrap();
    let open = format!("<data key=\"{key_id}\">");
    let total_bps: f64 = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix(&open))
        .map(|r| r.trim_end_matches("</data>").parse::<f64>().unwrap())
        .sum();
    let total_gbps: f64 = t.links.iter().map(|l| l.capacity_gbps).sum();
    assert!(
        (total_gbps - total_bps / 1e9).abs() < 1e-6,
        "{total_gbps} vs {total_bps}"
    );
}

#[test]
fn every_sndlib_file_keeps_nodes_links_demands() {
    let Some(dir) = data_dir() else { return };
    // file, nodes, links, demands, capacity of the first link in Gbit/s
    let inventory = [
        ("abilene", 12, 15, 132, 9.92),
        ("geant", 22, 36, 462, 40.0),
        ("germany50", 50, 88, 662, 0.04),
        ("janos-us", 26, 84, 650, 0.064),
        ("nobel-us", 14, 21, 91, 0.02),
    ];
    for (name, nodes, links, demands, cap0) in inventory {
        let path = dir.join(format!("sndlib/{name}.txt"));
        let i = import_path_with_warnings(&path, &ImportOptions::default()).unwrap();
        let t = &i.topology;
        assert_eq!(t.name, name);
        assert_eq!(t.sites.len(), nodes, "{name}");
        assert!(t.sites.iter().all(|s| s.location.is_some()), "{name}");
        assert_eq!(t.links.len(), links, "{name}");
        assert!(t.links.iter().all(|l| l.length_km.is_some()), "{name}");
        assert_eq!(t.demands.len(), demands, "{name}");
        assert!((t.links[0].capacity_gbps - cap0).abs() < 1e-12, "{name}");
        // Only abilene and geant state a unit.
        let unit_warned = i.warnings.iter().any(|w| w.contains("no META unit"));
        assert_eq!(unit_warned, !matches!(name, "abilene" | "geant"), "{name}");
    }
}

#[test]
fn sndlib_abilene_capacities_and_coordinates() {
    let Some(dir) = data_dir() else { return };
    let t = import_path(&dir.join("sndlib/abilene.txt"), &ImportOptions::default()).unwrap();
    let mut caps: Vec<f64> = t.links.iter().map(|l| l.capacity_gbps).collect();
    caps.sort_by(f64::total_cmp);
    assert_eq!(caps[0], 2.48);
    assert!(caps[1..].iter().all(|&c| c == 9.92));
    // ATLAM5 ( -84.3833 33.75 ): longitude first in the file.
    let atl = &t.sites[t.resolve_site("ATLAM5").unwrap().index()];
    let loc = atl.location.unwrap();
    assert_eq!((loc.lat, loc.lon), (33.75, -84.3833));
}

#[test]
fn import_path_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.graphml");
    std::fs::write(&bad, "<graphml>\n<graph>\n<node id='a'>\n</graph>").unwrap();
    let e = import_path(&bad, &ImportOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.starts_with(&format!("{}:4: malformed XML", bad.display())),
        "{msg}"
    );

    let other = dir.path().join("x.txt");
    std::fs::write(&other, "hello").unwrap();
    let e = import_path(&other, &ImportOptions::default()).unwrap_err();
    assert!(matches!(e, ImportError::UnknownFormat { .. }), "{e}");
    assert!(e.to_string().contains("x.txt"));

    let missing = dir.path().join("missing.graphml");
    let e = import_path(&missing, &ImportOptions::default()).unwrap_err();
    assert!(matches!(e, ImportError::Read { .. }), "{e}");

    let big = dir.path().join("big.graphml");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(64 * 1024 * 1024 + 1).unwrap();
    let e = import_path(&big, &ImportOptions::default()).unwrap_err();
    assert!(matches!(e, ImportError::TooLarge { .. }), "{e}");
}

/// The Abilene GraphML text, or a small inline stand-in when the data is absent.
fn sample_graphml() -> String {
    data_dir()
        .and_then(|d| std::fs::read_to_string(d.join("topology-zoo/Abilene.graphml")).ok())
        .unwrap_or_else(|| {
            "<graphml><key id='k' attr.name='Latitude'/><graph><node id='a'><data key='k'>1</data></node><node id='b'/><edge source='a' target='b'/></graph></graphml>".into()
        })
}

fn sample_sndlib() -> String {
    data_dir()
        .and_then(|d| std::fs::read_to_string(d.join("sndlib/nobel-us.txt")).ok())
        .unwrap_or_else(|| {
            "NODES (\n A ( 1 2 )\n B ( 3 4 )\n)\nLINKS (\n L ( A B ) 1 0 0 0 ( )\n)\n".into()
        })
}

/// Applies `edits` (position fraction, kind, char) to `text` on char boundaries.
fn mutate(text: &str, edits: &[(f64, u8, char)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(at, kind, c) in edits {
        if chars.is_empty() {
            chars.push(c);
            continue;
        }
        let i = ((at * chars.len() as f64) as usize).min(chars.len() - 1);
        match kind % 4 {
            0 => chars[i] = c,
            1 => {
                chars.remove(i);
            }
            2 => chars.insert(i, c),
            _ => chars.truncate(i),
        }
    }
    chars.into_iter().collect()
}

fn edit() -> impl Strategy<Value = (f64, u8, char)> {
    (
        0.0..1.0f64,
        any::<u8>(),
        prop::sample::select(vec![
            '<', '>', '/', '"', '(', ')', '#', ' ', '\n', '0', '-', 'e', '&', 'x',
        ]),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in ".{0,400}") {
        let o = ImportOptions::default();
        let _ = graphml::parse(&s, &o);
        let _ = sndlib::parse(&s, &o);
        let _ = drsim::io::import::detect(&s);
    }

    #[test]
    fn mutated_real_files_never_panic(edits in prop::collection::vec(edit(), 1..6)) {
        let o = ImportOptions::default();
        let g = mutate(&sample_graphml(), &edits);
        if let Err(e) = graphml::parse(&g, &o) {
            prop_assert!(!e.to_string().is_empty());
        }
        let s = mutate(&sample_sndlib(), &edits);
        if let Err(e) = sndlib::parse(&s, &o) {
            prop_assert!(!e.to_string().is_empty());
        }
    }
}

#[test]
fn imported_files_save_and_load_back_equal() {
    let Some(dir) = data_dir() else { return };
    let files = [
        "topology-zoo/Abilene.graphml",
        "topology-zoo/Esnet.graphml",
        "topology-zoo/Geant2012.graphml",
        "topology-zoo/Kdl.graphml",
        "sndlib/abilene.txt",
        "sndlib/nobel-us.txt",
    ];
    for f in files {
        let t = import_path(&dir.join(f), &ImportOptions::default()).unwrap();
        let text = drsim::io::save::to_toml_string(&t);
        let back = drsim::io::load_str(&text, Path::new(f))
            .unwrap_or_else(|e| panic!("{f}: {e}"))
            .topology;
        assert_eq!(back, t, "{f}");
    }
}

mod cli {
    use super::data_dir;
    use crate::common::{drsim, refused};
    use predicates::prelude::*;

    #[test]
    fn import_writes_a_loadable_file_with_overrides() {
        let Some(dir) = data_dir() else { return };
        let out_dir = tempfile::tempdir().unwrap();
        let out = out_dir.path().join("geant.toml");
        drsim()
            .arg("import")
            .arg(dir.join("topology-zoo/Geant2012.graphml"))
            .arg("-o")
            .arg(&out)
            .args(["--default-capacity-gbps", "7", "--no-link-failures"])
            .args([
                "--node-unavailability",
                "0.001",
                "--attribution",
                "CC BY 4.0",
            ])
            .assert()
            .success()
            .stdout(predicate::str::contains("40 sites, 61 links"));
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.contains("# CC BY 4.0"));
        let t = drsim::io::load_path(&out).unwrap();
        // 61 - 39 links with LinkSpeedRaw get the override.
        assert_eq!(
            t.links.iter().filter(|l| l.capacity_gbps == 7.0).count(),
            22
        );
        assert!(t.links.iter().all(|l| l.failure.is_none()));
        for s in &t.sites {
            let q = s.failure.as_ref().unwrap().unavailability().get();
            assert!((q - 0.001).abs() < 1e-12);
        }
        // An existing output is not replaced without --force.
        refused(
            drsim()
                .arg("import")
                .arg(dir.join("topology-zoo/Abilene.graphml"))
                .arg("-o")
                .arg(&out),
            "--force",
        );
    }

    #[test]
    fn bad_input_exits_2_naming_file_and_line() {
        let d = tempfile::tempdir().unwrap();
        let bad = d.path().join("bad.txt");
        std::fs::write(&bad, "?SNDlib native format\nNODES (\n  A ( 1 x )\n)\n").unwrap();
        let out = d.path().join("out.toml");
        let err = refused(
            drsim().arg("import").arg(&bad).arg("-o").arg(&out),
            &format!("{}:3:", bad.display()),
        );
        assert!(err.contains("latitude 'x'"), "{err}");
        assert!(!d.path().join("out.toml").exists());
    }
}

#[test]
fn example_topologies_match_a_fresh_import() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (example, source) in [
        ("abilene.toml", "topology-zoo/Abilene.graphml"),
        ("geant2012.toml", "topology-zoo/Geant2012.graphml"),
    ] {
        let path = root.join("topologies").join(example);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("Knight") && text.contains("CC BY 4.0"),
            "{example}: attribution"
        );
        let loaded = drsim::io::load_path(&path).unwrap();
        let Some(dir) = data_dir() else { continue };
        let fresh = import_path(&dir.join(source), &ImportOptions::default()).unwrap();
        assert_eq!(
            loaded, fresh,
            "{example} is stale: regenerate it with `drsim import`"
        );
    }
}
