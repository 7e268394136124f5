//! A file's stamp (size, modification time, inode): what decides whether a
//! cached extraction still describes the file, without reading it.
//!
//! A warm scan stats every content file in the repository, and a cold one
//! reads them all, so both go a directory at a time: the directory is opened
//! once and each file is looked up by its name in it, instead of walking the
//! whole path per file.

use std::path::Path;
use std::time::{Duration, SystemTime};

use rayon::prelude::*;

use super::cache::CachedFile;

/// A modification time this close to the moment a file was read might hide
/// a change made later in the same clock tick (same size, same time): no
/// cache trusts such a stamp, as git re-reads its "racily clean" entries.
pub const RACY: Duration = Duration::from_secs(2);

/// Nanoseconds since 1970 (0 when earlier, or too far ahead to count).
pub fn nanos_of(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .ok()
        .and_then(|d| u64::try_from(d.as_nanos()).ok())
        .unwrap_or(0)
}

/// The modification times (in nanoseconds) that a cache made from reads
/// starting at `now` may trust: those before it, [`RACY`] earlier.
pub fn trusted_before(now: SystemTime) -> u64 {
    nanos_of(now).saturating_sub(RACY.as_nanos() as u64)
}

/// Whether a modification time (nanoseconds, 0 when unknown) is old enough
/// to key a cache made from reads that began when [`trusted_before`] gave
/// `trusted_before`: a later change of the file is sure to change it.
pub fn is_settled(mtime_ns: u64, trusted_before: u64) -> bool {
    mtime_ns != 0 && mtime_ns < trusted_before
}

/// Size, modification time and inode of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub len: u64,
    /// Nanoseconds since 1970 (0 when unknown or earlier).
    pub mtime_ns: u64,
    pub inode: u64,
}

impl Stamp {
    /// The stamp of already-read metadata.
    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let inode = 0;
        Stamp {
            len: meta.len(),
            mtime_ns: meta.modified().map_or(0, nanos_of),
            inode,
        }
    }

    /// Whether this stamp may key a cache entry, for reads that began when
    /// [`trusted_before`] gave `trusted_before`: a later change of the file
    /// is sure to change its time.
    pub fn settled(&self, trusted_before: u64) -> bool {
        is_settled(self.mtime_ns, trusted_before)
    }

    /// Whether a cached extraction made from a file with this stamp can be
    /// reused (a zero time is never trusted).
    pub fn matches(&self, cached: &CachedFile) -> bool {
        self.len == cached.len
            && self.mtime_ns == cached.mtime_ns
            && self.inode == cached.inode
            && self.mtime_ns != 0
    }
}

/// Calls `visit` for each of `paths` (repo-relative, `/`-separated) under
/// `root` with its index and its folder, opened once for all the files in
/// it; the results in order. Files of one folder should come together, as a
/// sorted list has them.
pub fn visit_all<T: Send>(
    root: &Path,
    paths: &[&str],
    visit: impl Fn(usize, &Folder<'_>) -> T + Sync,
) -> Vec<T> {
    // Runs of paths in one directory, each visited from one open directory.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for i in 1..=paths.len() {
        if i == paths.len() || parent(paths[i]) != parent(paths[start]) {
            if start < i {
                runs.push((start, i));
            }
            start = i;
        }
    }
    // Big directories are split so both cores share them.
    let mut chunks: Vec<(usize, usize)> = Vec::with_capacity(runs.len());
    for (from, to) in runs {
        chunks.extend((from..to).step_by(512).map(|at| (at, (at + 512).min(to))));
    }
    let visited: Vec<Vec<T>> = chunks
        .par_iter()
        .map(|&(from, to)| {
            let folder = Folder::open(root, parent(paths[from]));
            (from..to).map(|i| visit(i, &folder)).collect()
        })
        .collect();
    visited.into_iter().flatten().collect()
}

fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// A folder of the work tree, opened once to stat and read the files in it
/// by name, instead of walking each file's whole path from the root.
pub struct Folder<'r> {
    #[cfg(not(unix))]
    root: &'r Path,
    /// Repo-relative, `""` for the root.
    dir: &'r str,
    #[cfg(unix)]
    fd: Option<rustix::fd::OwnedFd>,
}

impl<'r> Folder<'r> {
    fn open(root: &'r Path, dir: &'r str) -> Folder<'r> {
        #[cfg(unix)]
        let fd = {
            use rustix::fs::{Mode, OFlags, open};
            // O_PATH: only a handle to look names up in, never read itself.
            open(
                root.join(dir),
                OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .ok()
        };
        #[cfg(unix)]
        let _ = root;
        Folder {
            #[cfg(not(unix))]
            root,
            dir,
            #[cfg(unix)]
            fd,
        }
    }

    /// The file's name in this folder (`path` is repo-relative).
    fn name<'p>(&self, path: &'p str) -> &'p str {
        if self.dir.is_empty() {
            path
        } else {
            &path[self.dir.len() + 1..]
        }
    }

    /// The stamp of the file at repo-relative `path`, in this folder
    /// (`None`: missing or unreadable). Symbolic links are followed, as
    /// reading the file would.
    pub fn stamp(&self, path: &str) -> Option<Stamp> {
        #[cfg(unix)]
        {
            use rustix::fs::{AtFlags, statat};
            let st = statat(self.fd.as_ref()?, self.name(path), AtFlags::empty()).ok()?;
            Some(Stamp {
                len: st.st_size as u64,
                mtime_ns: u64::try_from(st.st_mtime)
                    .ok()
                    .and_then(|secs| secs.checked_mul(1_000_000_000))
                    .and_then(|ns| ns.checked_add(st.st_mtime_nsec as u64))
                    .unwrap_or(0),
                inode: st.st_ino as u64,
            })
        }
        #[cfg(not(unix))]
        {
            let meta = self.root.join(path).metadata().ok()?;
            Some(Stamp::of(&meta))
        }
    }

    /// The first `len` bytes (the length its stamp gave) of the file at
    /// repo-relative `path`, in this folder.
    pub fn read(&self, path: &str, len: u64) -> Option<Vec<u8>> {
        read_len(self.open_file(path)?, len)
    }

    /// The file at repo-relative `path`, in this folder, read with the
    /// metadata of what was read (one lookup of its name, where stamping and
    /// then reading take two).
    pub fn read_stamped(&self, path: &str) -> Option<(Vec<u8>, std::fs::Metadata)> {
        let file = self.open_file(path)?;
        let meta = file.metadata().ok()?;
        Some((read_len(file, meta.len())?, meta))
    }

    fn open_file(&self, path: &str) -> Option<std::fs::File> {
        #[cfg(unix)]
        {
            use rustix::fs::{Mode, OFlags, openat};
            let fd = openat(
                self.fd.as_ref()?,
                self.name(path),
                OFlags::RDONLY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .ok()?;
            Some(std::fs::File::from(fd))
        }
        #[cfg(not(unix))]
        std::fs::File::open(self.root.join(path)).ok()
    }
}

/// The first `len` bytes of `file` (fewer if it is shorter now), in one
/// read for a file of the length its stamp gave: reading on to the end would
/// cost a second call per file.
fn read_len(mut file: std::fs::File, len: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    // Never trusting a huge length blindly: past this, read as it comes.
    const SIZED: u64 = 64 << 20;
    if len > SIZED {
        let mut bytes = Vec::with_capacity(SIZED as usize);
        file.take(len).read_to_end(&mut bytes).ok()?;
        return Some(bytes);
    }
    let mut bytes = vec![0; len as usize];
    let read = crate::image_file::read_up_to(&mut file, &mut bytes).ok()?;
    bytes.truncate(read);
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_stamped_and_read_through_their_folders() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("top.md"), "x").unwrap();
        std::fs::write(dir.path().join("a/one.md"), "one").unwrap();
        std::fs::write(dir.path().join("a/b/two.md"), "two!").unwrap();
        std::fs::write(dir.path().join("a/three.md"), "three").unwrap();
        let paths = [
            "a/b/two.md",
            "a/gone.md",
            "a/one.md",
            "a/three.md",
            "top.md",
        ];
        let stamps = visit_all(dir.path(), &paths, |i, folder| folder.stamp(paths[i]));
        assert_eq!(stamps.len(), paths.len());
        for (path, stamp) in paths.iter().zip(&stamps) {
            let expected = dir.path().join(path).metadata().ok().map(|m| Stamp::of(&m));
            assert_eq!(*stamp, expected, "{path}");
        }
        assert!(stamps[1].is_none());
        assert_eq!(stamps[3].unwrap().len, 5);
        // Read through their folders: the bytes, with the stamp of what was read.
        let read = visit_all(dir.path(), &paths, |i, folder| {
            folder.read_stamped(paths[i])
        });
        for ((path, read), stamp) in paths.iter().zip(&read).zip(&stamps) {
            let expected = std::fs::read(dir.path().join(path)).ok();
            assert_eq!(
                read.as_ref().map(|(bytes, _)| bytes),
                expected.as_ref(),
                "{path}"
            );
            assert_eq!(
                read.as_ref().map(|(_, meta)| Stamp::of(meta)),
                *stamp,
                "{path}"
            );
        }
        // A read of the stamped length stops there.
        let first = visit_all(dir.path(), &paths[2..3], |_, folder| {
            folder.read(paths[2], 2)
        });
        assert_eq!(first, [Some(b"on".to_vec())]);
    }
}
