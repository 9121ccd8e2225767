//! The terminal-preserving reduction of a multigraph: for a set of terminal
//! sites, drop non-terminal pendant trees (no path between two other sites
//! passes through them) and contract chains of non-terminal sites of degree
//! two into one edge, up when every site and link of the chain is up. Up
//! terminals are joined in the reduced graph exactly when they are joined in
//! the full one (property-tested below), so an engine can run connectivity
//! on the smaller graph and ignore failures of dropped components.

/// Element of a component whose state cannot change terminal connectivity.
pub const IRRELEVANT: u32 = u32::MAX;

/// The reduced graph of a topology for a set of terminal sites.
pub struct Reduced {
    /// Kept sites (terminals and branch points), by original index.
    pub kept: Vec<u32>,
    /// Chains between kept sites, as pairs of kept-site positions.
    pub edges: Vec<(u32, u32)>,
    /// Element of each original site then link: a kept-site position, or
    /// `kept.len() + chain`, or [`IRRELEVANT`].
    pub element_of: Vec<u32>,
}

/// Drops non-terminal pendant trees and contracts non-terminal chains (see
/// the module comment).
pub fn reduce(n: usize, links: &[(u32, u32)], terminal: &[bool]) -> Reduced {
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (j, &(a, b)) in links.iter().enumerate() {
        adj[a as usize].push(j as u32);
        adj[b as usize].push(j as u32);
    }
    let other = |j: u32, x: u32| {
        let (a, b) = links[j as usize];
        if a == x { b } else { a }
    };
    // Peel non-terminal sites of degree <= 1.
    let mut link_gone = vec![false; links.len()];
    let mut site_gone = vec![false; n];
    let mut degree: Vec<usize> = adj.iter().map(Vec::len).collect();
    let mut stack: Vec<u32> = (0..n as u32)
        .filter(|&x| !terminal[x as usize] && degree[x as usize] <= 1)
        .collect();
    while let Some(x) = stack.pop() {
        if site_gone[x as usize] {
            continue;
        }
        site_gone[x as usize] = true;
        for &j in &adj[x as usize] {
            if !link_gone[j as usize] {
                link_gone[j as usize] = true;
                let y = other(j, x) as usize;
                degree[y] -= 1;
                if !terminal[y] && degree[y] <= 1 && !site_gone[y] {
                    stack.push(y as u32);
                }
            }
        }
    }
    let mut element_of = vec![IRRELEVANT; n + links.len()];
    let mut kept = Vec::new();
    for x in 0..n {
        if !site_gone[x] && (terminal[x] || degree[x] >= 3) {
            element_of[x] = kept.len() as u32;
            kept.push(x as u32);
        }
    }
    // Walk every chain from a kept site to the next kept site.
    let mut edges = Vec::new();
    let mut done = link_gone.clone();
    for k in 0..kept.len() {
        let start = kept[k];
        for &first in &adj[start as usize] {
            if done[first as usize] {
                continue;
            }
            let mut members = vec![n as u32 + first];
            done[first as usize] = true;
            let (mut x, mut via) = (other(first, start), first);
            while element_of[x as usize] == IRRELEVANT {
                // A non-terminal site with exactly two remaining links.
                members.push(x);
                let next = adj[x as usize]
                    .iter()
                    .copied()
                    .find(|&j| j != via && !link_gone[j as usize])
                    .expect("a chain site has two links");
                done[next as usize] = true;
                members.push(n as u32 + next);
                x = other(next, x);
                via = next;
            }
            // A chain back to where it started is a dead end: irrelevant.
            if x != start {
                let e = (kept.len() + edges.len()) as u32;
                for m in members {
                    element_of[m as usize] = e;
                }
                edges.push((k as u32, element_of[x as usize]));
            }
        }
    }
    // Anything left over (cycles with no kept site) stays irrelevant.
    Reduced {
        kept,
        edges,
        element_of,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    fn roots(n: usize, edges: impl Iterator<Item = (usize, usize)>) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        fn find(p: &mut [usize], mut x: usize) -> usize {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        for (a, b) in edges {
            let (ra, rb) = (find(&mut p, a), find(&mut p, b));
            p[ra] = rb;
        }
        (0..n).map(|x| find(&mut p, x)).collect()
    }

    /// On random multigraphs with random terminals and random failure
    /// states, two up terminals are joined in the reduced graph exactly when
    /// they are joined by up sites and links in the full one, and a failure
    /// of a component the reduction calls irrelevant never matters.
    #[test]
    fn reduction_keeps_connectivity_between_terminals() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        let mut reduced_some = 0;
        for case in 0..400 {
            let n = rng.random_range(2..14usize);
            let m = rng.random_range(1..2 * n);
            let links: Vec<(u32, u32)> = (0..m)
                .map(|_| {
                    let a = rng.random_range(0..n as u32);
                    let b = (a + rng.random_range(1..n as u32)) % n as u32;
                    (a, b)
                })
                .collect();
            let terminal: Vec<bool> = (0..n).map(|_| rng.random::<f64>() < 0.3).collect();
            let r = reduce(n, &links, &terminal);
            if r.kept.len() + r.edges.len() < n + m {
                reduced_some += 1;
            }
            for (x, &t) in terminal.iter().enumerate() {
                assert!(!t || r.element_of[x] != IRRELEVANT, "case {case}");
            }
            for _ in 0..30 {
                let up: Vec<bool> = (0..n + m).map(|_| rng.random::<f64>() < 0.7).collect();
                let full = roots(
                    n,
                    links
                        .iter()
                        .enumerate()
                        .filter(|&(j, &(a, b))| up[n + j] && up[a as usize] && up[b as usize])
                        .map(|(_, &(a, b))| (a as usize, b as usize)),
                );
                let k = r.kept.len();
                let mut elem_up = vec![true; k + r.edges.len()];
                for (c, &e) in r.element_of.iter().enumerate() {
                    if e != IRRELEVANT && !up[c] {
                        elem_up[e as usize] = false;
                    }
                }
                let red = roots(
                    k,
                    r.edges
                        .iter()
                        .enumerate()
                        .filter(|&(i, &(a, b))| {
                            elem_up[k + i] && elem_up[a as usize] && elem_up[b as usize]
                        })
                        .map(|(_, &(a, b))| (a as usize, b as usize)),
                );
                let ts: Vec<usize> = (0..n).filter(|&x| terminal[x] && up[x]).collect();
                for &a in &ts {
                    for &b in &ts {
                        let (ea, eb) = (r.element_of[a] as usize, r.element_of[b] as usize);
                        assert_eq!(
                            full[a] == full[b],
                            red[ea] == red[eb],
                            "case {case}: terminals {a}, {b}; links {links:?}"
                        );
                    }
                }
            }
        }
        // The random graphs did exercise the pruning and the contraction.
        assert!(reduced_some > 100, "{reduced_some}");
    }
}
