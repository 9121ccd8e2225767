//! Standard benchmark graphs of the static-reliability literature, for the
//! benchmarks and for checking estimators against published values.

use crate::static_model::StaticModel;

/// The dodecahedron (20 nodes, 30 edges); nodes 0 and 19 are antipodal.
/// Two-terminal unreliability between them is 2.006e-9 at q = 1e-3.
pub fn dodecahedron(q: f64) -> StaticModel {
    const E: [(u32, u32); 30] = [
        (1, 2),
        (1, 3),
        (1, 4),
        (2, 6),
        (2, 7),
        (3, 8),
        (3, 9),
        (4, 5),
        (4, 10),
        (5, 6),
        (7, 8),
        (9, 10),
        (5, 11),
        (6, 12),
        (7, 13),
        (8, 14),
        (9, 15),
        (10, 16),
        (11, 16),
        (12, 13),
        (14, 15),
        (11, 17),
        (12, 17),
        (13, 18),
        (14, 18),
        (15, 19),
        (16, 19),
        (17, 20),
        (18, 20),
        (19, 20),
    ];
    let edges: Vec<(u32, u32)> = E.iter().map(|&(a, b)| (a - 1, b - 1)).collect();
    StaticModel::graph(20, &edges, q)
}

/// A `rows` x `cols` square lattice, node `r * cols + c`.
pub fn grid(rows: u32, cols: u32, q: f64) -> StaticModel {
    let mut edges = Vec::new();
    for r in 0..rows {
        for c in 0..cols {
            let v = r * cols + c;
            if c + 1 < cols {
                edges.push((v, v + 1));
            }
            if r + 1 < rows {
                edges.push((v, v + cols));
            }
        }
    }
    StaticModel::graph((rows * cols) as usize, &edges, q)
}
