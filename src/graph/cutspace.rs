//! Does removing a few nodes and edges leave a connected graph connected?
//! Answered in time that grows with the number removed, not with the graph,
//! so a simulator can skip re-deriving connectivity for most failure
//! states. Each edge gets a 64-bit label such that the labels around every
//! node XOR to zero (the cut space; Kapron, King and Mountjoy, SODA 2013):
//! the edges of any cut then XOR to zero, so a removed set that contains a
//! cut is linearly dependent. The answer "connected" is always right; with
//! random labels "maybe not" is wrong with probability about 2^-64 per
//! check, and callers then compute connectivity in full.

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The labels of a graph's edges and each node's incident edges.
#[derive(Clone, Debug)]
pub struct CutSpace {
    label: Vec<u64>,
    /// Incident edges of node `v`: `incident[start[v]..start[v + 1]]`.
    start: Vec<u32>,
    incident: Vec<u32>,
    /// The intact graph is connected (else every check says "maybe not").
    connected: bool,
    /// Scratch: the edges already counted in the current check.
    seen: Vec<u32>,
    stamp: u32,
}

impl CutSpace {
    /// Labels for the multigraph of `n` nodes and `edges`, from a fixed
    /// seed (the answers do not depend on it, only which rare checks fall
    /// back).
    pub fn new(n: usize, edges: &[(u32, u32)]) -> CutSpace {
        let mut start = vec![0u32; n + 1];
        for &(a, b) in edges {
            start[a as usize + 1] += 1;
            start[b as usize + 1] += 1;
        }
        for v in 0..n {
            start[v + 1] += start[v];
        }
        let mut fill = start.clone();
        let mut incident = vec![0u32; 2 * edges.len()];
        for (e, &(a, b)) in edges.iter().enumerate() {
            for x in [a, b] {
                incident[fill[x as usize] as usize] = e as u32;
                fill[x as usize] += 1;
            }
        }
        // A breadth-first spanning tree from node 0; the other edges get
        // random labels, each tree edge the XOR of the labels of the
        // non-tree edges with one end below it.
        let mut label = vec![0u64; edges.len()];
        let mut parent_edge = vec![u32::MAX; n];
        let mut visited = vec![false; n];
        let mut order = Vec::with_capacity(n);
        let mut tree = vec![false; edges.len()];
        if n > 0 {
            visited[0] = true;
            order.push(0u32);
        }
        let mut head = 0;
        while head < order.len() {
            let v = order[head];
            head += 1;
            for &e in &incident[start[v as usize] as usize..start[v as usize + 1] as usize] {
                let (a, b) = edges[e as usize];
                let w = if a == v { b } else { a };
                if !visited[w as usize] {
                    visited[w as usize] = true;
                    parent_edge[w as usize] = e;
                    tree[e as usize] = true;
                    order.push(w);
                }
            }
        }
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x6375_7473_7061_6365);
        let mut below = vec![0u64; n];
        for (e, &(a, b)) in edges.iter().enumerate() {
            if !tree[e] {
                let x: u64 = rng.random();
                label[e] = x;
                below[a as usize] ^= x;
                below[b as usize] ^= x;
            }
        }
        for &v in order.iter().skip(1).rev() {
            let e = parent_edge[v as usize] as usize;
            label[e] = below[v as usize];
            let (a, b) = edges[e];
            let up = if a == v { b } else { a };
            below[up as usize] ^= below[v as usize];
        }
        CutSpace {
            label,
            start,
            incident,
            connected: order.len() == n && n > 0,
            seen: vec![0; edges.len()],
            stamp: 0,
        }
    }

    /// True only if the graph without `down_nodes` (and their edges) and
    /// `down_edges` still has all its remaining nodes connected (and at
    /// least one). False means it may not: compute it in full.
    pub fn stays_connected(&mut self, down_nodes: &[u32], down_edges: &[u32]) -> bool {
        let n = self.start.len() - 1;
        if !self.connected || down_nodes.len() >= n {
            return false;
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.seen.fill(0);
            self.stamp = 1;
        }
        // Removing F edges leaves 1 + |F| - rank(F) components, each down
        // node one of them: connected exactly when the dependent labels
        // number the down nodes.
        let allowed = down_nodes.len();
        let mut basis = [0u64; 64];
        let mut dependent = 0;
        let nodes = down_nodes.iter().flat_map(|&v| {
            let v = v as usize;
            &self.incident[self.start[v] as usize..self.start[v + 1] as usize]
        });
        for &e in nodes.chain(down_edges) {
            let e = e as usize;
            if self.seen[e] == self.stamp {
                continue;
            }
            self.seen[e] = self.stamp;
            let mut x = self.label[e];
            while x != 0 {
                let bit = 63 - x.leading_zeros() as usize;
                if basis[bit] == 0 {
                    basis[bit] = x;
                    break;
                }
                x ^= basis[bit];
            }
            if x == 0 {
                dependent += 1;
                if dependent > allowed {
                    return false;
                }
            }
        }
        dependent == allowed
    }
}

#[cfg(test)]
mod tests {
    use super::CutSpace;
    use crate::graph::UnionFind;
    use rand::{RngExt, SeedableRng};

    /// On random connected multigraphs with random removed nodes and edges:
    /// "connected" is never wrong, and (labels being random) never missed.
    #[test]
    fn agrees_with_union_find() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let (mut connected, mut cut) = (0, 0);
        for case in 0..3000 {
            let n = rng.random_range(1..30usize);
            let mut edges: Vec<(u32, u32)> =
                (1..n as u32).map(|v| (rng.random_range(0..v), v)).collect();
            for _ in 0..rng.random_range(0..2 * n) {
                edges.push((rng.random_range(0..n as u32), rng.random_range(0..n as u32)));
            }
            let mut cs = CutSpace::new(n, &edges);
            for _ in 0..10 {
                let node_down: Vec<bool> = (0..n).map(|_| rng.random::<f64>() < 0.1).collect();
                let edge_down: Vec<bool> =
                    edges.iter().map(|_| rng.random::<f64>() < 0.15).collect();
                let dn: Vec<u32> = (0..n as u32).filter(|&v| node_down[v as usize]).collect();
                let de: Vec<u32> = (0..edges.len() as u32)
                    .filter(|&e| edge_down[e as usize])
                    .collect();
                let mut uf = UnionFind::new(n);
                for (e, &(a, b)) in edges.iter().enumerate() {
                    if !edge_down[e] && !node_down[a as usize] && !node_down[b as usize] {
                        uf.union(a, b);
                    }
                }
                let up: Vec<u32> = (0..n as u32).filter(|&v| !node_down[v as usize]).collect();
                let truth = !up.is_empty() && up.iter().all(|&v| uf.same(v, up[0]));
                assert_eq!(
                    cs.stays_connected(&dn, &de),
                    truth,
                    "case {case}: {edges:?} {dn:?} {de:?}"
                );
                if truth { connected += 1 } else { cut += 1 }
            }
        }
        // Both answers were exercised.
        assert!(connected > 5000 && cut > 5000, "{connected} {cut}");
    }

    /// A disconnected graph always answers "maybe not".
    #[test]
    fn a_disconnected_graph_is_never_called_connected() {
        let mut cs = CutSpace::new(4, &[(0, 1), (2, 3)]);
        assert!(!cs.stays_connected(&[], &[]));
        let mut cs = CutSpace::new(3, &[(0, 1), (1, 2), (2, 0)]);
        assert!(cs.stays_connected(&[], &[1]));
        assert!(!cs.stays_connected(&[], &[0, 1]));
        assert!(cs.stays_connected(&[1], &[]));
        assert!(!cs.stays_connected(&[0, 1, 2], &[]));
    }
}
