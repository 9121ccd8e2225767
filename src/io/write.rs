//! The one output writer: every file drsim writes (`--out`, `--junit`,
//! `report -o`, `import -o`, the TUI's save) goes through [`write_file`], so
//! all outputs follow the same rules: a regular file is replaced atomically
//! and keeps its mode, a symlink stays a link, hard links all see the new
//! content, a device or FIFO is written directly and never replaced. The
//! full rules are in docs/internals.md, "io/write.rs".

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why an output could not be written; the message names the path.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write {}: it is a directory", .0.display())]
    IsDirectory(PathBuf),
    #[error("cannot write {}: {} is not an existing directory", .path.display(), .dir.display())]
    NoDirectory { path: PathBuf, dir: PathBuf },
    #[error("{} already exists; not replacing it", .0.display())]
    Exists(PathBuf),
    #[error("cannot write {}: it is a FIFO with no reader", .0.display())]
    NoReader(PathBuf),
    #[error("cannot write {}: too many levels of symbolic links", .0.display())]
    SymlinkLoop(PathBuf),
    // Not `source`: the reason is in the message, and a source would make
    // every chain-printing front end say it twice.
    #[error("cannot write {}: {error}", .path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// Whether an existing target may be replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    Replace,
    Refuse,
}

/// Writes `bytes` to `path` by the rules of this module.
pub fn write_file(path: &Path, bytes: &[u8], existing: Existing) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        error: source,
    };
    match fs::metadata(path) {
        Ok(meta) => {
            if existing == Existing::Refuse {
                return Err(WriteError::Exists(path.to_path_buf()));
            }
            if meta.is_dir() {
                return Err(WriteError::IsDirectory(path.to_path_buf()));
            }
            if !meta.is_file() {
                return write_special(path, bytes);
            }
            // The real file behind any symlinks: its directory holds the
            // temporary file, so the rename replaces it and not the link.
            let real = fs::canonicalize(path).map_err(io)?;
            if hard_links(&meta) > 1 {
                return write_in_place(&real, bytes).map_err(io);
            }
            replace(&real, bytes, Some(&meta)).map_err(|e| match e {
                WriteError::Io { error, .. } => io(error),
                other => other,
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let target = resolve_dangling(path)?;
            let r = replace(&target, bytes, None);
            match (r, existing) {
                (Err(WriteError::Exists(_)), _) => Err(WriteError::Exists(path.to_path_buf())),
                (r, _) => r,
            }
        }
        Err(e) => Err(io(e)),
    }
}

/// [`write_file`] replacing whatever regular file stands at `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_file(path, bytes, Existing::Replace)
}

/// Through a temporary file in `target`'s directory, renamed over it.
/// `meta`: the file being replaced (its mode and owner are kept); `None`
/// creates a new file, refusing to replace one that appeared meanwhile.
fn replace(target: &Path, bytes: &[u8], meta: Option<&fs::Metadata>) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: target.to_path_buf(),
        error: source,
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(WriteError::NoDirectory {
            path: target.to_path_buf(),
            dir: dir.to_path_buf(),
        });
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".drsim-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // open(2) applies the umask to this mode: what a new file gets.
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    if let Some(meta) = meta {
        keep_owner_and_mode(tmp.as_file(), meta).map_err(io)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    match meta {
        Some(_) => tmp.persist(target).map(drop).map_err(|e| io(e.error)),
        None => tmp.persist_noclobber(target).map(drop).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                WriteError::Exists(target.to_path_buf())
            } else {
                io(e.error)
            }
        }),
    }
}

#[cfg(unix)]
fn keep_owner_and_mode(f: &File, meta: &fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    // Only root may give a file away; for others the owner is already theirs
    // or cannot be kept, and the mode still is.
    let _ = std::os::unix::fs::fchown(f, Some(meta.uid()), Some(meta.gid()));
    f.set_permissions(fs::Permissions::from_mode(meta.mode() & 0o7777))
}

#[cfg(not(unix))]
fn keep_owner_and_mode(f: &File, meta: &fs::Metadata) -> std::io::Result<()> {
    f.set_permissions(meta.permissions())
}

#[cfg(unix)]
fn hard_links(meta: &fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn hard_links(_: &fs::Metadata) -> u64 {
    1
}

/// Overwrites the file itself (every hard link sees it), then cuts it to
/// the new length.
fn write_in_place(real: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = OpenOptions::new().write(true).open(real)?;
    f.write_all(bytes)?;
    f.set_len(bytes.len() as u64)?;
    f.sync_all()
}

/// A device, FIFO or socket: opened and written, never created or renamed
/// over. A FIFO is opened without blocking, so one with no reader is an
/// error rather than a hang; the same descriptor then writes (closing a
/// probe would hand the reader an early end of file), waiting while the
/// pipe is full.
fn write_special(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        error: source,
    };
    let mut options = OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
        if fs::metadata(path).map_err(io)?.file_type().is_fifo() {
            options.custom_flags(libc::O_NONBLOCK);
        }
    }
    let mut f = match options.open(path) {
        Ok(f) => f,
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
            return Err(WriteError::NoReader(path.to_path_buf()));
        }
        Err(e) => return Err(io(e)),
    };
    let mut rest = bytes;
    while !rest.is_empty() {
        match f.write(rest) {
            Ok(0) => return Err(io(std::io::ErrorKind::WriteZero.into())),
            Ok(n) => rest = &rest[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io(e)),
        }
    }
    f.flush().map_err(io)
}

/// Where a new file at `path` goes: `path` itself, or, when it is a
/// symlink to a missing file, that file (followed through chains).
fn resolve_dangling(path: &Path) -> Result<PathBuf, WriteError> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&p).map_err(|error| WriteError::Io {
                    path: path.to_path_buf(),
                    error,
                })?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(WriteError::SymlinkLoop(path.to_path_buf()))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let n = e.unwrap().file_name().to_string_lossy().into_owned();
                n.ends_with(".tmp").then_some(n)
            })
            .collect()
    }

    #[test]
    fn existing_file_keeps_its_mode_and_new_files_get_the_umask() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.json");
        fs::write(&p, "old").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(fs::metadata(&p).unwrap().mode() & 0o777, 0o600);

        // A new file: the mode of a plain create with the same umask.
        let q = d.path().join("fresh.json");
        let reference = d.path().join("reference");
        File::create(&reference).unwrap();
        write_atomic(&q, b"x").unwrap();
        assert_eq!(
            fs::metadata(&q).unwrap().mode() & 0o777,
            fs::metadata(&reference).unwrap().mode() & 0o777
        );
        assert!(leftovers(d.path()).is_empty());
    }

    #[test]
    fn symlink_is_followed_and_stays_a_link() {
        let d = tempfile::tempdir().unwrap();
        // An existing target is rewritten; a dangling link creates its
        // target. Either way the link stays a link.
        fs::write(d.path().join("real.toml"), "old").unwrap();
        for (link, target) in [("link.toml", "real.toml"), ("dangling", "target.txt")] {
            let link = d.path().join(link);
            symlink(target, &link).unwrap();
            write_atomic(&link, b"new").unwrap();
            let kind = fs::symlink_metadata(&link).unwrap().file_type();
            assert!(kind.is_symlink(), "{target}");
            assert_eq!(fs::read_to_string(d.path().join(target)).unwrap(), "new");
        }

        // A loop is refused, not followed forever.
        symlink("loop-b", d.path().join("loop-a")).unwrap();
        symlink("loop-a", d.path().join("loop-b")).unwrap();
        let e = write_atomic(&d.path().join("loop-a"), b"x").unwrap_err();
        assert!(e.to_string().contains("loop-a"), "{e}");
    }

    #[test]
    fn hard_links_all_see_the_new_content() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("a");
        let b = d.path().join("b");
        fs::write(&a, "a much longer old content").unwrap();
        fs::hard_link(&a, &b).unwrap();
        write_atomic(&b, b"short").unwrap();
        assert_eq!(fs::read_to_string(&a).unwrap(), "short");
        assert_eq!(fs::metadata(&a).unwrap().nlink(), 2);
    }

    #[test]
    fn devices_and_fifos_are_written_directly() {
        write_atomic(Path::new("/dev/null"), b"x").unwrap();
        let meta = fs::metadata("/dev/null").unwrap();
        assert!(!meta.is_file(), "/dev/null must stay a device");

        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        // No reader: refused at once instead of blocking.
        let e = write_atomic(&fifo, b"x").unwrap_err();
        assert!(matches!(e, WriteError::NoReader(_)), "{e}");
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
        };
        // Wait for the reader to open its end, then write more than a pipe
        // holds at once.
        let big = "through the pipe\n".repeat(20_000);
        let mut tries = 0;
        loop {
            match write_atomic(&fifo, big.as_bytes()) {
                Ok(()) => break,
                Err(WriteError::NoReader(_)) if tries < 500 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(reader.join().unwrap(), big);
        assert!(!fs::metadata(&fifo).unwrap().is_file());
    }

    #[test]
    fn refusals_leave_nothing_behind() {
        let d = tempfile::tempdir().unwrap();
        let e = write_atomic(d.path(), b"x").unwrap_err();
        assert!(matches!(e, WriteError::IsDirectory(_)), "{e}");
        let e = write_atomic(&d.path().join("missing/out.json"), b"x").unwrap_err();
        assert!(matches!(e, WriteError::NoDirectory { .. }), "{e}");
        let p = d.path().join("exists");
        fs::write(&p, "keep").unwrap();
        let e = write_file(&p, b"x", Existing::Refuse).unwrap_err();
        assert!(matches!(e, WriteError::Exists(_)), "{e}");
        assert_eq!(fs::read_to_string(&p).unwrap(), "keep");
        assert!(leftovers(d.path()).is_empty());
    }
}
