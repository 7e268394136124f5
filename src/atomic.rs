//! Atomic file replacement: write a temp file in the target's folder, fsync it,
//! rename it into place, fsync the folder. Readers see the old file or the new
//! one, never a mix, and a crash leaves at most a stray `.assetrail-*.tmp`.

use std::fs::{File, Permissions};
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// The name every temporary file matches (for `.git/info/exclude`).
pub const TEMP_PATTERN: &str = ".assetrail-*.tmp";

/// Whether a file name is one of our temporary files.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with(".assetrail-") && name.ends_with(".tmp")
}

/// What to do when the target exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Replace it.
    Replace,
    /// Fail with `AlreadyExists` (checked atomically by the rename itself).
    Keep,
}

/// Writes `bytes` to `path` atomically. The file gets mode 0644 on Unix (temp
/// files are created 0600, which would hide assets from a web server).
pub fn write(path: &Path, bytes: &[u8], existing: Existing) -> Result<()> {
    write_with(path, existing, |file| {
        file.write_all(bytes).map_err(|e| Error::io(path, e))
    })
}

/// Writes a cache under `.git/assetrail/` atomically but without syncing it
/// to disk: readers still see the old file or the new one, never a mix, and
/// a cache that a power cut leaves short or empty is refused when read (each
/// format can tell) and rebuilt. The two syncs of [`write`] would cost more
/// than the cache saves on a small run.
pub fn write_cache(path: &Path, bytes: &[u8]) -> Result<()> {
    replace(path, Existing::Replace, false, |file| {
        file.write_all(bytes).map_err(|e| Error::io(path, e))
    })
}

/// [`write`] of what `fill` writes into the temporary file (which it may do
/// in pieces, or copy from another file).
pub fn write_with<T>(
    path: &Path,
    existing: Existing,
    fill: impl FnOnce(&mut File) -> Result<T>,
) -> Result<T> {
    replace(path, existing, true, fill)
}

/// A temporary file beside `path`, filled by `fill`, synced when `durable`,
/// then renamed over `path`.
fn replace<T>(
    path: &Path,
    existing: Existing,
    durable: bool,
    fill: impl FnOnce(&mut File) -> Result<T>,
) -> Result<T> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".assetrail-")
        .suffix(".tmp")
        .permissions(default_permissions())
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    let filled = fill(temp.as_file_mut())?;
    if durable {
        temp.as_file()
            .sync_all()
            .map_err(|e| Error::io(temp.path(), e))?;
    }
    let persisted = match existing {
        Existing::Replace => temp.persist(path).map(drop),
        Existing::Keep => temp.persist_noclobber(path).map(drop),
    };
    persisted.map_err(|e| Error::io(path, e.error))?;
    if durable {
        sync_dir(dir);
    }
    Ok(filled)
}

#[cfg(unix)]
fn default_permissions() -> Permissions {
    use std::os::unix::fs::PermissionsExt;
    Permissions::from_mode(0o644)
}

#[cfg(not(unix))]
fn default_permissions() -> Permissions {
    // Only the read-only flag exists elsewhere; a fresh file is writable.
    std::fs::metadata(".")
        .map(|m| m.permissions())
        .unwrap_or_else(|_| unreachable!())
}

/// How old a temporary file must be before a run may take it for the debris
/// of a killed one (a live write lasts milliseconds, a slow disk seconds).
pub const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// A temporary file a killed run left behind.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Debris {
    /// Repo-relative path.
    pub path: String,
    /// Seconds since it was last written.
    pub age_secs: u64,
    /// Whether this run removed it (it was stale).
    pub removed: bool,
}

/// Our temporary files among `candidates` (repo-relative paths under `root`):
/// stale ones are removed, fresh ones (a run in progress) reported only.
pub fn sweep<'p>(root: &Path, candidates: impl IntoIterator<Item = &'p str>) -> Vec<Debris> {
    let now = std::time::SystemTime::now();
    candidates
        .into_iter()
        .filter(|path| is_temp_name(crate::repo_path::file_name(path)))
        .filter_map(|path| {
            let abs = root.join(path);
            let modified = abs.symlink_metadata().ok()?.modified().ok()?;
            let age = now.duration_since(modified).unwrap_or_default();
            let removed = age >= STALE_AFTER && std::fs::remove_file(&abs).is_ok();
            Some(Debris {
                path: path.to_owned(),
                age_secs: age.as_secs(),
                removed,
            })
        })
        .collect()
}

/// [`sweep`] of one folder's own entries (`dir` repo-relative, `""` the root).
pub fn sweep_dir(root: &Path, dir: &str) -> Vec<Debris> {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return Vec::new();
    };
    let names: Vec<String> = entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| is_temp_name(name))
        .map(|name| crate::repo_path::join(dir, &name))
        .collect();
    sweep(root, names.iter().map(String::as_str))
}

/// Flushes a folder's entries to disk (best effort: not every platform can).
pub fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_or_keeps_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write(&path, b"one", Existing::Keep).unwrap();
        let err = write(&path, b"two", Existing::Keep).unwrap_err();
        assert!(
            matches!(err, Error::Io { ref source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists)
        );
        write(&path, b"two", Existing::Replace).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn files_are_world_readable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.png");
        write(&path, b"x", Existing::Keep).unwrap();
        assert_eq!(path.metadata().unwrap().permissions().mode() & 0o777, 0o644);
    }
}
