//! Which version of the files is judged: the work tree, or the index (what
//! `git commit` would record). Content, existence and folder listings come
//! from here, so the scanner and `check` work the same on both.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::Result;

/// One staged file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StagedFile {
    /// Blob id.
    pub oid: git2::Oid,
    /// File size as staged.
    pub size: u64,
}

/// A source of files.
pub enum Tree {
    /// The work tree under `root`.
    Work {
        /// Repository root.
        root: PathBuf,
    },
    /// The index of the repository.
    Index(IndexTree),
}

/// The index, read once.
pub struct IndexTree {
    /// Sorted by path (the index's own order), searched by bisection; and
    /// the paths git has not merged yet.
    files: IndexListing,
    repo: Mutex<git2::Repository>,
}

impl IndexTree {
    fn get(&self, path: &str) -> Option<StagedFile> {
        let files = &self.files;
        files
            .entries
            .binary_search_by(|e| files.path(e).as_bytes().cmp(path.as_bytes()))
            .ok()
            .map(|i| files.entries[i].staged)
    }
}

/// What the index holds: staged files (stage 0), sorted by path, and the
/// paths git has not merged yet. The paths share one buffer: an index of
/// 400,000 files is one allocation of text, not 400,000.
#[derive(Debug, Default)]
pub struct IndexListing {
    /// Every stage-0 path, one after another.
    paths: String,
    /// Stage-0 entries, in the index's order (sorted by path bytes).
    entries: Vec<IndexEntry>,
    /// Paths with conflict stages, sorted, once each.
    pub unmerged: Vec<String>,
    /// What git last saw of each entry's file, beside `entries` (empty
    /// unless the index was read to vouch for the work tree: `--staged`
    /// never needs it).
    stats: Vec<IndexStat>,
}

/// What git recorded of a file when it last hashed it, as `git status`
/// compares it: whether the file is still the one hashed, without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IndexStat {
    mtime: (u32, u32),
    ctime: (u32, u32),
    dev: u32,
    ino: u32,
    uid: u32,
    gid: u32,
    size: u32,
    /// Whether git's stat is worth anything for this entry: a regular file,
    /// not racily clean, not marked assume-unchanged, skip-worktree or
    /// intent-to-add.
    vouches: bool,
}

/// One stage-0 entry: where its path lies in the listing's buffer, and its blob.
#[derive(Debug, Clone, Copy)]
struct IndexEntry {
    path: (u32, u32),
    staged: StagedFile,
}

impl IndexListing {
    fn path(&self, entry: &IndexEntry) -> &str {
        let (start, len) = entry.path;
        &self.paths[start as usize..(start + len) as usize]
    }

    /// Stage-0 paths and blobs, sorted by path bytes.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, StagedFile)> {
        self.entries.iter().map(|e| (self.path(e), e.staged))
    }

    /// The entries from `range` (positions in [`IndexListing::iter`] order).
    pub fn slice(
        &self,
        range: std::ops::Range<usize>,
    ) -> impl Iterator<Item = (&str, &StagedFile)> {
        self.entries[range]
            .iter()
            .map(|e| (self.path(e), &e.staged))
    }

    /// The names in folder `dir` (`""` the root): files, and folders that
    /// hold files. The entries under it are found by bisection.
    fn list_dir(&self, dir: &str) -> Vec<String> {
        let prefix = match dir.trim_end_matches('/') {
            "" => String::new(),
            dir => format!("{dir}/"),
        };
        let at = self
            .entries
            .partition_point(|e| self.path(e).as_bytes() < prefix.as_bytes());
        let mut names: Vec<String> = Vec::new();
        for entry in &self.entries[at..] {
            let Some(rest) = self.path(entry).strip_prefix(prefix.as_str()) else {
                break;
            };
            let name = rest.split('/').next().unwrap_or(rest);
            if names.last().map(String::as_str) != Some(name) {
                names.push(name.to_owned());
            }
        }
        // `a/b.c/x` sorts between `a/b` and `a/b/x`: one name can come twice.
        names.sort();
        names.dedup();
        names
    }

    /// The blob id git recorded for `path`, when the file whose metadata is
    /// `meta` is still the one git hashed: every stat field git compares is
    /// unchanged and the entry is not racily clean — when `git status` would
    /// not read the file again either. Needs an index read with its stats.
    pub fn vouch(&self, path: &str, meta: &std::fs::Metadata) -> Option<git2::Oid> {
        self.vouch_at(self.position(path)?, meta)
    }

    /// [`IndexListing::vouch`] for the entry at `at`, a position from
    /// [`IndexListing::positions`].
    pub fn vouch_at(&self, at: usize, meta: &std::fs::Metadata) -> Option<git2::Oid> {
        let recorded = self.stats.get(at).filter(|stat| stat.vouches)?;
        (IndexStat::of(meta)? == *recorded).then_some(self.entries[at].staged.oid)
    }

    /// Where `path` stands among the stage-0 entries.
    fn position(&self, path: &str) -> Option<usize> {
        self.entries
            .binary_search_by(|e| self.path(e).as_bytes().cmp(path.as_bytes()))
            .ok()
    }

    /// Where each of `paths` stands among the stage-0 entries (`None`: not
    /// there): found by one merge when `paths` are sorted, as the index is,
    /// else each by bisection.
    pub fn positions(&self, paths: &[&str]) -> Vec<Option<usize>> {
        if !paths.is_sorted() {
            return paths.iter().map(|path| self.position(path)).collect();
        }
        let mut at = 0;
        paths
            .iter()
            .map(|path| {
                while at < self.entries.len() && self.path(&self.entries[at]) < *path {
                    at += 1;
                }
                (at < self.entries.len() && self.path(&self.entries[at]) == *path).then_some(at)
            })
            .collect()
    }

    /// How many stage-0 entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl IndexStat {
    /// The fields git compares, of a file's metadata (`None` where there
    /// are none to compare, or a size git cannot record whole).
    fn of(meta: &std::fs::Metadata) -> Option<IndexStat> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Git keeps the low 32 bits of each; a larger file is not vouched for.
            Some(IndexStat {
                mtime: (meta.mtime() as u32, meta.mtime_nsec() as u32),
                ctime: (meta.ctime() as u32, meta.ctime_nsec() as u32),
                dev: meta.dev() as u32,
                ino: meta.ino() as u32,
                uid: meta.uid(),
                gid: meta.gid(),
                size: u32::try_from(meta.len()).ok()?,
                vouches: true,
            })
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            None
        }
    }

    fn of_entry(entry: &gix_index::Entry, index_secs: i64) -> IndexStat {
        use gix_index::entry::{Flags, Mode};
        let stat = &entry.stat;
        // Racily clean: changed in the second the index was written, so
        // git itself would compare the content (git's racy-git rule,
        // at whole seconds).
        let racy = i64::from(stat.mtime.secs) >= index_secs;
        let special = Flags::ASSUME_VALID | Flags::SKIP_WORKTREE | Flags::INTENT_TO_ADD;
        IndexStat {
            mtime: (stat.mtime.secs, stat.mtime.nsecs),
            ctime: (stat.ctime.secs, stat.ctime.nsecs),
            dev: stat.dev,
            ino: stat.ino,
            uid: stat.uid,
            gid: stat.gid,
            size: stat.size,
            vouches: !racy
                && !entry.flags.intersects(special)
                && matches!(entry.mode, Mode::FILE | Mode::FILE_EXECUTABLE),
        }
    }
}

/// Reads the index file at `path` as git writes it (versions 2 to 4, with
/// gix-index, which decodes large indexes on several threads). The trailing
/// checksum is not recomputed: git replaces the index atomically, and
/// hashing 10 MB of index on every commit would cost more than the check.
/// A missing index (a repository with nothing staged yet) is empty.
pub fn read_index(path: &Path) -> Result<IndexListing> {
    read_index_as(path, false)
}

/// [`read_index`] with what git last saw of each file, to vouch for the
/// work tree ([`IndexListing::vouch`]).
pub fn read_index_with_stats(path: &Path) -> Result<IndexListing> {
    read_index_as(path, true)
}

fn read_index_as(path: &Path, with_stats: bool) -> Result<IndexListing> {
    if !path.exists() {
        return Ok(IndexListing::default());
    }
    let index = gix_index::File::at(
        path,
        gix_hash::Kind::Sha1,
        true,
        gix_index::decode::Options::default(),
    )
    .map_err(|e| crate::error::Error::io(path, std::io::Error::other(e.to_string())))?;
    let path_bytes = index.path_backing().len();
    let (Ok(_), Ok(_)) = (
        u32::try_from(path_bytes),
        u32::try_from(index.entries().len()),
    ) else {
        return Err(crate::error::Error::io(
            path,
            std::io::Error::other("the index holds more than 4 GB of paths"),
        ));
    };
    let mut listing = IndexListing {
        paths: String::with_capacity(path_bytes),
        entries: Vec::with_capacity(index.entries().len()),
        unmerged: Vec::new(),
        stats: Vec::with_capacity(if with_stats { index.entries().len() } else { 0 }),
    };
    let index_secs = index.timestamp().unix_seconds();
    for entry in index.entries() {
        let Ok(name) = std::str::from_utf8(entry.path(&index)) else {
            continue;
        };
        if entry.stage_raw() != 0 {
            if listing.unmerged.last().map(String::as_str) != Some(name) {
                listing.unmerged.push(name.to_owned());
            }
            continue;
        }
        let Ok(oid) = git2::Oid::from_bytes(entry.id.as_bytes()) else {
            continue;
        };
        let start = listing.paths.len() as u32;
        listing.paths.push_str(name);
        listing.entries.push(IndexEntry {
            path: (start, name.len() as u32),
            staged: StagedFile {
                oid,
                size: u64::from(entry.stat.size),
            },
        });
        if with_stats {
            listing.stats.push(IndexStat::of_entry(entry, index_secs));
        }
    }
    Ok(listing)
}

impl Tree {
    /// The work tree.
    pub fn work(root: &Path) -> Tree {
        Tree::Work {
            root: root.to_path_buf(),
        }
    }

    /// The index file `index_file` of the repository at `git_dir` (stage 0
    /// entries; conflicts are listed apart). See [`crate::git::GitRepo::index_file`].
    pub fn index(git_dir: &Path, index_file: &Path) -> Result<Tree> {
        let (repo, listing) = rayon::join(
            || git2::Repository::open(git_dir),
            || read_index(index_file),
        );
        let (repo, files) = (repo?, listing?);
        Ok(Tree::Index(IndexTree {
            files,
            repo: Mutex::new(repo),
        }))
    }

    /// Whether git lists `path` as not merged yet (index only).
    pub fn is_unmerged(&self, path: &str) -> bool {
        match self {
            Tree::Work { .. } => false,
            Tree::Index(index) => index.files.unmerged.iter().any(|p| p == path),
        }
    }

    /// Whether this is the index.
    pub fn is_index(&self) -> bool {
        matches!(self, Tree::Index(_))
    }

    /// Whether a regular file exists at `path`.
    pub fn is_file(&self, path: &str) -> bool {
        match self {
            Tree::Work { root } => root.join(path).is_file(),
            Tree::Index(index) => index.get(path).is_some(),
        }
    }

    /// Whether a folder exists at `dir` (in the index: whether any staged
    /// path lies below it, found by bisection).
    pub fn is_dir(&self, dir: &str) -> bool {
        match self {
            Tree::Work { root } => root.join(dir).is_dir(),
            Tree::Index(index) => {
                let prefix = format!("{}/", dir.trim_end_matches('/'));
                let files = &index.files;
                let at = files
                    .entries
                    .partition_point(|e| files.path(e).as_bytes() < prefix.as_bytes());
                files
                    .entries
                    .get(at)
                    .is_some_and(|e| files.path(e).starts_with(&prefix))
            }
        }
    }

    /// The names inside a folder (`""` is the root).
    pub fn list_dir(&self, dir: &str) -> Vec<String> {
        match self {
            Tree::Work { root } => std::fs::read_dir(root.join(dir))
                .map(|entries| {
                    entries
                        .flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default(),
            Tree::Index(index) => index.files.list_dir(dir),
        }
    }

    /// A file's bytes.
    pub fn read(&self, path: &str) -> Option<Vec<u8>> {
        match self {
            Tree::Work { root } => std::fs::read(root.join(path)).ok(),
            Tree::Index(index) => {
                let oid = index.get(path)?.oid;
                let repo = index.repo.lock().unwrap_or_else(|p| p.into_inner());
                let blob = repo.find_blob(oid).ok()?;
                Some(blob.content().to_vec())
            }
        }
    }

    /// The staged entry for `path` (index only).
    pub fn staged(&self, path: &str) -> Option<StagedFile> {
        match self {
            Tree::Work { .. } => None,
            Tree::Index(index) => index.get(path),
        }
    }

    /// The staged files (`None` for the work tree).
    pub fn staged_files(&self) -> Option<&IndexListing> {
        match self {
            Tree::Work { .. } => None,
            Tree::Index(index) => Some(&index.files),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(paths: &[&str]) -> IndexListing {
        let mut listing = IndexListing::default();
        for path in paths {
            let start = listing.paths.len() as u32;
            listing.paths.push_str(path);
            listing.entries.push(IndexEntry {
                path: (start, path.len() as u32),
                staged: StagedFile {
                    oid: git2::Oid::zero(),
                    size: 0,
                },
            });
        }
        listing
    }

    #[test]
    fn the_index_vouches_only_for_files_git_would_not_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .current_dir(root)
                .env_remove("GIT_DIR")
                .env_remove("GIT_INDEX_FILE")
                .env_remove("GIT_WORK_TREE")
                .args(args)
                .output()
                .unwrap();
            assert!(out.status.success(), "git {args:?}: {out:?}");
        };
        git(&["init", "-q"]);
        let minute_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        let names = [
            "old.png",
            "touched.png",
            "rewritten.png",
            "assumed.png",
            "skipped.png",
        ];
        for name in names {
            std::fs::write(root.join(name), name).unwrap();
            let file = std::fs::File::options()
                .write(true)
                .open(root.join(name))
                .unwrap();
            file.set_modified(minute_ago).unwrap();
        }
        // Not older than the index that records it: racily clean.
        std::fs::write(root.join("racy.png"), "racy").unwrap();
        let file = std::fs::File::options()
            .write(true)
            .open(root.join("racy.png"))
            .unwrap();
        file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(60))
            .unwrap();
        git(&["add", "."]);
        git(&["update-index", "--assume-unchanged", "assumed.png"]);
        git(&["update-index", "--skip-worktree", "skipped.png"]);
        // Changed since git hashed them: a new time, or new bytes of the same
        // length under the old time (the change time still moves).
        let file = std::fs::File::options()
            .write(true)
            .open(root.join("touched.png"))
            .unwrap();
        file.set_modified(std::time::SystemTime::now()).unwrap();
        std::fs::write(root.join("rewritten.png"), "REWRITTEN.png").unwrap();
        let file = std::fs::File::options()
            .write(true)
            .open(root.join("rewritten.png"))
            .unwrap();
        file.set_modified(minute_ago).unwrap();

        let index = read_index_with_stats(&root.join(".git/index")).unwrap();
        let vouched = |name: &str| index.vouch(name, &root.join(name).metadata().unwrap());
        let old = vouched("old.png").expect("an unchanged file is vouched for");
        assert_eq!(old.as_bytes(), crate::git::blob_id(b"old.png"));
        for name in [
            "touched.png",
            "rewritten.png",
            "assumed.png",
            "skipped.png",
            "racy.png",
        ] {
            assert_eq!(vouched(name), None, "{name}");
        }
        assert_eq!(
            index.vouch("absent.png", &root.join("old.png").metadata().unwrap()),
            None
        );
        // Positions found by merge (sorted paths) and by bisection agree.
        let sorted = ["absent.png", "old.png", "racy.png", "zzz.png"];
        let merged = index.positions(&sorted);
        let mut unsorted = sorted;
        unsorted.reverse();
        let mut bisected = index.positions(&unsorted);
        bisected.reverse();
        assert_eq!(merged, bisected);
        assert_eq!(merged.iter().filter(|p| p.is_some()).count(), 2);
        let old_at = merged[1].unwrap();
        assert_eq!(
            index.vouch_at(old_at, &root.join("old.png").metadata().unwrap()),
            Some(old)
        );
        // Read without stats (as --staged reads it), nothing is vouched for.
        let bare = read_index(&root.join(".git/index")).unwrap();
        assert_eq!(
            bare.vouch("old.png", &root.join("old.png").metadata().unwrap()),
            None
        );
    }

    #[test]
    fn folders_list_their_files_and_subfolders_once() {
        // Sorted by bytes, as the index is: `b.c/x` falls between `b` and `b/x`.
        let files = listing(&["README.md", "a/b", "a/b.c/x", "a/b/x", "a/b/y", "a/c", "ab"]);
        assert_eq!(files.list_dir(""), ["README.md", "a", "ab"]);
        assert_eq!(files.list_dir("a"), ["b", "b.c", "c"]);
        assert_eq!(files.list_dir("a/"), ["b", "b.c", "c"]);
        assert_eq!(files.list_dir("a/b"), ["x", "y"]);
        assert!(files.list_dir("a/d").is_empty());
        assert!(files.list_dir("README.md").is_empty());
        let paths: Vec<&str> = files.iter().map(|(p, _)| p).collect();
        assert_eq!(paths.len(), files.len());
        assert_eq!(paths[2], "a/b.c/x");
    }
}
