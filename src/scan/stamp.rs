//! A file's stamp (size, modification time, inode): what decides whether a
//! cached extraction still describes the file, without reading it.
//!
//! A warm scan stats every content file in the repository, so the stats are
//! taken a directory at a time: the directory is opened once and each file is
//! looked up by its name in it, instead of walking the whole path per file.

use std::path::Path;

use rayon::prelude::*;

use super::cache::CachedFile;

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
            mtime_ns: meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(0)),
            inode,
        }
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

/// The stamps of `paths` (repo-relative, `/`-separated) under `root`, in
/// order; `None` where a file is missing or unreadable. Symbolic links are
/// followed, as reading the file would.
pub fn stamp_all(root: &Path, paths: &[&str]) -> Vec<Option<Stamp>> {
    // Runs of paths in one directory, each stamped from one open directory.
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
    let stamped: Vec<Vec<Option<Stamp>>> = runs
        .par_iter()
        .flat_map_iter(|&(from, to)| {
            // Big directories are split so both cores share them.
            let names = &paths[from..to];
            names
                .chunks(512)
                .map(|chunk| stamp_dir(root, parent(chunk[0]), chunk))
                .collect::<Vec<_>>()
        })
        .collect();
    stamped.into_iter().flatten().collect()
}

fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

#[cfg(unix)]
fn stamp_dir(root: &Path, dir: &str, paths: &[&str]) -> Vec<Option<Stamp>> {
    use rustix::fs::{AtFlags, Mode, OFlags, open, statat};
    let Ok(fd) = open(
        root.join(dir),
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    ) else {
        return paths.iter().map(|_| None).collect();
    };
    let skip = if dir.is_empty() { 0 } else { dir.len() + 1 };
    paths
        .iter()
        .map(|path| {
            let st = statat(&fd, &path[skip..], AtFlags::empty()).ok()?;
            Some(Stamp {
                len: st.st_size as u64,
                mtime_ns: u64::try_from(st.st_mtime)
                    .ok()
                    .and_then(|secs| secs.checked_mul(1_000_000_000))
                    .and_then(|ns| ns.checked_add(st.st_mtime_nsec as u64))
                    .unwrap_or(0),
                inode: st.st_ino as u64,
            })
        })
        .collect()
}

#[cfg(not(unix))]
fn stamp_dir(root: &Path, _dir: &str, paths: &[&str]) -> Vec<Option<Stamp>> {
    paths
        .iter()
        .map(|path| root.join(path).metadata().ok().map(|meta| Stamp::of(&meta)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_stamps_match_the_metadata_of_each_file() {
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
        let stamps = stamp_all(dir.path(), &paths);
        assert_eq!(stamps.len(), paths.len());
        for (path, stamp) in paths.iter().zip(&stamps) {
            let expected = dir.path().join(path).metadata().ok().map(|m| Stamp::of(&m));
            assert_eq!(*stamp, expected, "{path}");
        }
        assert!(stamps[1].is_none());
        assert_eq!(stamps[3].unwrap().len, 5);
    }
}
