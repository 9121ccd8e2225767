//! The one bounded input reader: topology files, imports and shard parts
//! are read through [`read_bytes`], so no input can exhaust memory or hang.
//! Only regular files are read (devices, FIFOs and sockets are refused
//! before anything is read), the open descriptor is checked again, and at
//! most `limit` bytes are read whatever size the file reports (details in
//! docs/internals.md, "io/read.rs").

use std::io::Read;
use std::path::{Path, PathBuf};

/// Why an input could not be read; the message names the path.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("is a directory, not a file")]
    IsDirectory,
    #[error("is not a regular file (a device, FIFO or socket); give a file's path")]
    NotRegular,
    /// `size`: the size the file reports, when it reports more than `limit`
    /// (a file that grew while read reports less).
    #[error("file is {} bytes, more than the limit of {limit} for this kind of file", .size.map_or("more".to_string(), |s| s.to_string()))]
    TooLarge { size: Option<u64>, limit: u64 },
    #[error("cannot read: {0}")]
    Io(#[source] std::io::Error),
}

/// A read error with the file it concerns.
#[derive(Debug, thiserror::Error)]
#[error("{}: {error}", .path.display())]
pub struct ReadFileError {
    pub path: PathBuf,
    pub error: ReadError,
}

/// The bytes of the regular file at `path`, at most `limit` of them.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    check_kind(&meta)?;
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: Some(meta.len()),
            limit,
        });
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Never blocks on a FIFO that appeared after the check above; for a
        // regular file the flag changes nothing.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(ReadError::Io)?;
    check_kind(&file.metadata().map_err(ReadError::Io)?)?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        let size = std::fs::metadata(path).map(|m| m.len()).ok();
        return Err(ReadError::TooLarge {
            size: size.filter(|&s| s > limit),
            limit,
        });
    }
    Ok(bytes)
}

/// [`read_bytes`] with the path in the error.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadFileError> {
    read_bytes(path, limit).map_err(|error| ReadFileError {
        path: path.to_path_buf(),
        error,
    })
}

fn check_kind(meta: &std::fs::Metadata) -> Result<(), ReadError> {
    if meta.is_dir() {
        Err(ReadError::IsDirectory)
    } else if !meta.is_file() {
        Err(ReadError::NotRegular)
    } else {
        Ok(())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn special_files_are_refused_without_reading() {
        for p in ["/dev/zero", "/dev/null", "/dev/stdin", "/proc/self/fd/0"] {
            if std::fs::metadata(p).is_ok_and(|m| !m.is_file()) {
                let e = read_bytes(Path::new(p), 1 << 20).unwrap_err();
                assert!(matches!(e, ReadError::NotRegular), "{p}: {e}");
            }
        }
        // A FIFO with no writer: refused at once, not a hang.
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let e = read_file(&fifo, 100).unwrap_err();
        assert!(matches!(e.error, ReadError::NotRegular), "{e}");
        assert!(e.to_string().contains("fifo"), "{e}");
        let e = read_bytes(d.path(), 100).unwrap_err();
        assert!(matches!(e, ReadError::IsDirectory), "{e}");
    }

    #[test]
    fn the_limit_holds_exactly() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        std::fs::write(&p, vec![b'a'; 100]).unwrap();
        assert_eq!(read_bytes(&p, 100).unwrap().len(), 100);
        let e = read_bytes(&p, 99).unwrap_err();
        assert!(
            matches!(
                e,
                ReadError::TooLarge {
                    limit: 99,
                    size: Some(100)
                }
            ),
            "{e}"
        );
    }
}
