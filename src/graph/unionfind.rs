//! The one union-find (disjoint sets) of the crate: union by size with path
//! halving, on reusable buffers so a hot loop can reset it per failure state.

/// Disjoint sets over `0..n`.
#[derive(Clone, Debug)]
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    pub fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    pub fn len(&self) -> usize {
        self.parent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// Every element back in a set of its own.
    pub fn reset(&mut self) {
        for (i, p) in self.parent.iter_mut().enumerate() {
            *p = i as u32;
        }
        self.size.fill(1);
    }

    /// The representative of `x`'s set.
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let g = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = g;
            x = g;
        }
        x
    }

    /// Joins the sets of `a` and `b`; true when they were separate.
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (mut ra, mut rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        if self.size[ra as usize] < self.size[rb as usize] {
            std::mem::swap(&mut ra, &mut rb);
        }
        self.parent[rb as usize] = ra;
        self.size[ra as usize] += self.size[rb as usize];
        true
    }

    pub fn same(&mut self, a: u32, b: u32) -> bool {
        self.find(a) == self.find(b)
    }
}

#[cfg(test)]
mod tests {
    use super::UnionFind;

    /// Against a labelling by repeated relaxation on random unions.
    #[test]
    fn agrees_with_naive_labels() {
        let n = 40u32;
        let mut label: Vec<u32> = (0..n).collect();
        let mut uf = UnionFind::new(n as usize);
        let mut x = 12345u64;
        for _ in 0..60 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let (a, b) = ((x >> 33) as u32 % n, (x >> 13) as u32 % n);
            let joined = uf.union(a, b);
            assert_eq!(joined, label[a as usize] != label[b as usize]);
            let (la, lb) = (label[a as usize], label[b as usize]);
            for l in &mut label {
                if *l == lb {
                    *l = la;
                }
            }
            for i in 0..n {
                for j in 0..n {
                    assert_eq!(uf.same(i, j), label[i as usize] == label[j as usize]);
                }
            }
        }
        uf.reset();
        assert!(!uf.same(0, 1));
    }
}
