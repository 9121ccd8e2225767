//! Splitting a run across machines: `--shard I/N`.
//!
//! Every engine already cuts its work into fixed batches with their own
//! random streams and reduces them in batch order. A shard is simply a
//! contiguous range of those batches, so shard `I` of `N` computes exactly the
//! batches the unsharded run would, and merging the parts in batch order
//! reproduces the unsharded aggregates bit for bit. Indices are 0-based, like
//! a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX`.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// Shard `index` of `count` (0 <= index < count).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    index: u32,
    count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    #[error("shard must look like I/N (0-based I, e.g. 0/4 .. 3/4), got '{0}'")]
    Syntax(String),
    #[error("shard index {index} is out of range for {count} shards (use 0..{count})")]
    OutOfRange { index: u32, count: u32 },
    #[error("shard count must be at least 1")]
    ZeroCount,
}

impl Shard {
    /// The whole run as one shard.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    pub fn new(index: u32, count: u32) -> Result<Shard, ShardError> {
        if count == 0 {
            return Err(ShardError::ZeroCount);
        }
        if index >= count {
            return Err(ShardError::OutOfRange { index, count });
        }
        Ok(Shard { index, count })
    }

    pub fn index(self) -> u32 {
        self.index
    }

    pub fn count(self) -> u32 {
        self.count
    }

    /// This shard's batches out of `total` batches: as even a split as
    /// possible; shards beyond the number of batches get an empty range.
    pub fn batches(self, total: usize) -> Range<usize> {
        let (i, n) = (self.index as u128, self.count as u128);
        let t = total as u128;
        ((i * t / n) as usize)..(((i + 1) * t / n) as usize)
    }
}

impl FromStr for Shard {
    type Err = ShardError;
    fn from_str(s: &str) -> Result<Shard, ShardError> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| ShardError::Syntax(s.to_string()))?;
        let parse = |x: &str| {
            x.trim()
                .parse::<u32>()
                .map_err(|_| ShardError::Syntax(s.to_string()))
        };
        Shard::new(parse(i)?, parse(n)?)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The sampler version of a part that records none: every part written
/// before parts carried one. A sampler version names what a seed gives an
/// engine (its random draws and the samples made of them); it is bumped by
/// a change that moves a fixed seed's numbers, and parts of two versions are
/// never joined, since their merge would match neither version's unsharded
/// run.
pub const UNVERSIONED_SAMPLER: u32 = 1;

/// Serde's default for a part's missing `sampler`.
pub fn unversioned_sampler() -> u32 {
    UNVERSIONED_SAMPLER
}

/// A stable 64-bit FNV-1a fingerprint, used to refuse merging parts computed
/// from different inputs. Not cryptographic; it guards against mistakes.
pub fn fingerprint(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_batches() {
        for total in [0usize, 1, 5, 64, 157] {
            for n in 1..=9u32 {
                let mut next = 0;
                for i in 0..n {
                    let r = Shard::new(i, n).unwrap().batches(total);
                    assert_eq!(r.start, next, "total {total} n {n} i {i}");
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn parse_and_errors() {
        assert_eq!("2/7".parse::<Shard>().unwrap(), Shard::new(2, 7).unwrap());
        assert_eq!("2/7".parse::<Shard>().unwrap().to_string(), "2/7");
        assert_eq!(
            "7/7".parse::<Shard>(),
            Err(ShardError::OutOfRange { index: 7, count: 7 })
        );
        assert_eq!("0/0".parse::<Shard>(), Err(ShardError::ZeroCount));
        assert!(matches!("1-3".parse::<Shard>(), Err(ShardError::Syntax(_))));
        assert!(matches!("a/3".parse::<Shard>(), Err(ShardError::Syntax(_))));
    }

    #[test]
    fn fingerprint_known_value() {
        // FNV-1a 64 test vector.
        assert_eq!(fingerprint(b"a"), "af63dc4c8601ec8c");
        assert_ne!(fingerprint(b"ab"), fingerprint(b"ba"));
    }
}

/// Why parts of one batched result cannot be joined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinError {
    Empty,
    Mismatch {
        what: &'static str,
        a: String,
        b: String,
    },
    Gap {
        start: u64,
        end: u64,
    },
    Overlap {
        start: u64,
    },
}

/// A part of a batched result: a run of consecutive batches.
pub trait Joinable: Sized {
    /// Index of the part's first batch.
    fn first_batch(&self) -> u64;
    /// Number of batches the part holds.
    fn n_batches(&self) -> u64;
    /// The settings every part of one result shares, `(name, value)`.
    fn settings(&self) -> Vec<(&'static str, String)>;
    /// Appends the batches of `next`, which follows this part directly.
    fn append(&mut self, next: Self);
}

/// The one merge rule of every engine's parts: given in any order, they are
/// joined in batch order, must agree on their settings, and must cover
/// their batches once each, without gaps (a missing or doubled shard).
pub fn join<T: Joinable>(mut parts: Vec<T>) -> Result<T, JoinError> {
    parts.sort_by_key(Joinable::first_batch);
    let mut it = parts.into_iter();
    let mut acc = it.next().ok_or(JoinError::Empty)?;
    for p in it {
        for ((what, a), (_, b)) in acc.settings().into_iter().zip(p.settings()) {
            if a != b {
                return Err(JoinError::Mismatch { what, a, b });
            }
        }
        let end = acc.first_batch() + acc.n_batches();
        if p.first_batch() > end {
            return Err(JoinError::Gap {
                start: end,
                end: p.first_batch(),
            });
        }
        if p.first_batch() < end && p.n_batches() > 0 {
            return Err(JoinError::Overlap {
                start: p.first_batch(),
            });
        }
        acc.append(p);
    }
    Ok(acc)
}
