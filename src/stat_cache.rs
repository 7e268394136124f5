//! The stat cache under `.git/assetrail/`: path → (dev, inode, mtime, size,
//! sha256), so an asset whose file has not changed is never hashed again.
//! Local to one clone, never committed, safe to delete.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::atomic;
use crate::error::Result;
use crate::image_file;
use crate::scan::stamp;
use crate::scan::tree::{IndexListing, read_index_with_stats};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
struct StatEntry {
    dev: u64,
    inode: u64,
    mtime_ns: u128,
    size: u64,
    sha256: String,
}

#[derive(Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
struct StatFile {
    version: u32,
    entries: HashMap<String, StatEntry>,
}

/// Cached hashes of files in the work tree. Many threads can look files up
/// at once; what they hash is kept aside until [`StatCache::save`].
pub struct StatCache {
    path: PathBuf,
    file: StatFile,
    /// Entries made this run.
    fresh: Mutex<Vec<(String, StatEntry)>>,
    hashed: AtomicUsize,
    /// Files modified since are hashed but not remembered ([`stamp::RACY`]).
    trusted_before: u64,
    /// Git's index, whose stats vouch for the files git hashed.
    index_file: Option<PathBuf>,
}

const VERSION: u32 = 1;

impl StatCache {
    /// A cache that starts empty without reading the file (for runs that
    /// will not hash anything).
    pub fn empty(cache_dir: &Path) -> StatCache {
        StatCache {
            path: cache_dir.join("stat-cache.json"),
            file: StatFile {
                version: VERSION,
                entries: HashMap::new(),
            },
            fresh: Mutex::default(),
            hashed: AtomicUsize::new(0),
            trusted_before: stamp::trusted_before(SystemTime::now()),
            index_file: None,
        }
    }

    /// Loads the cache kept in `cache_dir` ([`crate::git::GitRepo::cache_dir`];
    /// an unreadable or stale cache is an empty one).
    pub fn load(cache_dir: &Path) -> StatCache {
        let path = cache_dir.join("stat-cache.json");
        let file = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<StatFile>(&b).ok())
            .filter(|f| f.version == VERSION)
            .unwrap_or(StatFile {
                version: VERSION,
                entries: HashMap::new(),
            });
        StatCache {
            path,
            file,
            fresh: Mutex::default(),
            hashed: AtomicUsize::new(0),
            trusted_before: stamp::trusted_before(SystemTime::now()),
            index_file: None,
        }
    }

    /// The sha256 and size of `root/rel`, from the cache when its stat is
    /// unchanged; `None` when the file does not exist.
    pub fn sha256(&self, root: &Path, rel: &str) -> Result<Option<(String, u64)>> {
        let Ok(meta) = root.join(rel).metadata() else {
            return Ok(None);
        };
        self.sha256_of(root, rel, &meta).map(Some)
    }

    /// Like [`StatCache::sha256`], for a file whose metadata the caller has.
    pub fn sha256_of(
        &self,
        root: &Path,
        rel: &str,
        meta: &std::fs::Metadata,
    ) -> Result<(String, u64)> {
        match self.known(rel, meta) {
            Some(known) => Ok(known),
            None => self.hash(root, rel, meta),
        }
    }

    /// The sha256 and size remembered for `rel`, when its stat is the one
    /// they were remembered with.
    pub fn known(&self, rel: &str, meta: &std::fs::Metadata) -> Option<(String, u64)> {
        let (dev, inode) = dev_inode(meta);
        let mtime_ns = mtime_ns(meta);
        self.file
            .entries
            .get(rel)
            .filter(|entry| {
                entry.dev == dev
                    && entry.inode == inode
                    && entry.mtime_ns == mtime_ns
                    && entry.size == meta.len()
                    && mtime_ns != 0
            })
            .map(|entry| (entry.sha256.clone(), entry.size))
    }

    /// Hashes `root/rel` and remembers it with its stat `meta`.
    pub fn hash(&self, root: &Path, rel: &str, meta: &std::fs::Metadata) -> Result<(String, u64)> {
        let sha256 = image_file::sha256_file(&root.join(rel))?;
        self.hashed.fetch_add(1, Ordering::Relaxed);
        self.remember(rel, meta, &sha256);
        Ok((sha256, meta.len()))
    }

    /// Remembers `sha256` as the content of `rel` while its stat is `meta`
    /// (not when that stat is too recent to vouch for the bytes next time).
    pub fn remember(&self, rel: &str, meta: &std::fs::Metadata, sha256: &str) {
        let mtime_ns = mtime_ns(meta);
        if !stamp::is_settled(mtime_ns as u64, self.trusted_before) {
            return;
        }
        let (dev, inode) = dev_inode(meta);
        let entry = StatEntry {
            dev,
            inode,
            mtime_ns,
            size: meta.len(),
            sha256: sha256.to_owned(),
        };
        self.fresh
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((rel.to_owned(), entry));
    }

    /// The cache, also taking git's word (the index at `index_file`) for the
    /// files git hashed and has not seen change since ([`StatCache::git_index`]).
    pub fn beside_index(mut self, index_file: &Path) -> StatCache {
        self.index_file = Some(index_file.to_path_buf());
        self
    }

    /// Git's index with its stats, read now (`None` without one): where
    /// many files are not known here, one read of it costs less than
    /// hashing them ([`crate::scan::tree::IndexListing::vouch`]).
    pub fn git_index(&self) -> Option<IndexListing> {
        read_index_with_stats(self.index_file.as_deref()?).ok()
    }

    /// Files hashed this run (for benchmarks and tests).
    pub fn hashed(&self) -> usize {
        self.hashed.load(Ordering::Relaxed)
    }

    /// Writes the cache back if it changed (best effort).
    pub fn save(&mut self) {
        let fresh = std::mem::take(self.fresh.get_mut().unwrap_or_else(|p| p.into_inner()));
        if fresh.is_empty() {
            return;
        }
        self.file.entries.extend(fresh);
        if let Some(dir) = self.path.parent()
            && std::fs::create_dir_all(dir).is_ok()
            && let Ok(bytes) = serde_json::to_vec(&self.file)
        {
            let _ = atomic::write_cache(&self.path, &bytes);
        }
    }
}

fn mtime_ns(meta: &std::fs::Metadata) -> u128 {
    u128::from(meta.modified().map_or(0, stamp::nanos_of))
}

#[cfg(unix)]
fn dev_inode(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn dev_inode(_meta: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_once_until_the_file_changes() {
        let root = tempfile::tempdir().unwrap();
        let git = tempfile::tempdir().unwrap();
        let file = root.path().join("a.png");
        std::fs::write(&file, b"one").unwrap();
        let minute_ago = SystemTime::now() - std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(minute_ago)
            .unwrap();
        let mut cache = StatCache::load(&git.path().join("assetrail"));
        let first = cache.sha256(root.path(), "a.png").unwrap().unwrap();
        cache.save();
        let cache = StatCache::load(&git.path().join("assetrail"));
        assert_eq!(cache.sha256(root.path(), "a.png").unwrap().unwrap(), first);
        assert_eq!(cache.hashed(), 0);
        std::fs::write(root.path().join("a.png"), b"two!").unwrap();
        let changed = cache.sha256(root.path(), "a.png").unwrap().unwrap();
        assert_ne!(changed.0, first.0);
        assert_eq!(cache.hashed(), 1);
        assert_eq!(cache.sha256(root.path(), "missing.png").unwrap(), None);
    }

    #[test]
    fn a_file_modified_just_now_is_hashed_again() {
        let root = tempfile::tempdir().unwrap();
        let git = tempfile::tempdir().unwrap();
        let file = root.path().join("a.png");
        std::fs::write(&file, b"one").unwrap();
        let written = file.metadata().unwrap().modified().unwrap();
        let mut cache = StatCache::load(&git.path().join("assetrail"));
        let first = cache.sha256(root.path(), "a.png").unwrap().unwrap();
        cache.save();
        // Rewritten in place within the same clock tick: same size, inode and time.
        std::fs::write(&file, b"two").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(written)
            .unwrap();
        let cache = StatCache::load(&git.path().join("assetrail"));
        let second = cache.sha256(root.path(), "a.png").unwrap().unwrap();
        assert_ne!(second.0, first.0);
        assert_eq!(cache.hashed(), 1);
    }
}
