//! Which version of the files is judged: the work tree, or the index (what
//! `git commit` would record). Content, existence and folder listings come
//! from here, so the scanner and `check` work the same on both.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::error::Result;
use crate::repo_path;

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
    /// Sorted by path (the index's own order), searched by bisection.
    files: Vec<(String, StagedFile)>,
    /// Paths git has not merged yet (conflict stages only), sorted.
    unmerged: Vec<String>,
    /// Folder → names, built on first use (only case checks need it).
    dirs: OnceLock<HashMap<String, Vec<String>>>,
    repo: Mutex<git2::Repository>,
}

impl IndexTree {
    fn get(&self, path: &str) -> Option<StagedFile> {
        self.files
            .binary_search_by(|(p, _)| p.as_bytes().cmp(path.as_bytes()))
            .ok()
            .map(|i| self.files[i].1)
    }

    fn dirs(&self) -> &HashMap<String, Vec<String>> {
        self.dirs.get_or_init(|| {
            let mut dirs: HashMap<String, Vec<String>> = HashMap::new();
            for (path, _) in &self.files {
                let mut child = path.as_str();
                loop {
                    let parent = repo_path::parent(child);
                    let list = dirs.entry(parent.to_owned()).or_default();
                    let name = repo_path::file_name(child);
                    let seen = list.last().is_some_and(|last| last == name);
                    if !seen {
                        list.push(name.to_owned());
                    }
                    if parent.is_empty() || seen {
                        break;
                    }
                    child = parent;
                }
            }
            for list in dirs.values_mut() {
                list.sort();
                list.dedup();
            }
            dirs
        })
    }
}

/// What the index holds: staged files (stage 0), sorted by path, and the
/// paths git has not merged yet.
#[derive(Debug, Default)]
pub struct IndexListing {
    /// Stage-0 entries, in the index's order (sorted by path bytes).
    pub files: Vec<(String, StagedFile)>,
    /// Paths with conflict stages, sorted, once each.
    pub unmerged: Vec<String>,
}

/// Reads the index file at `path` as git writes it (versions 2 to 4, with
/// gix-index, which decodes large indexes on several threads). The trailing
/// checksum is not recomputed: git replaces the index atomically, and
/// hashing 10 MB of index on every commit would cost more than the check.
/// A missing index (a repository with nothing staged yet) is empty.
pub fn read_index(path: &Path) -> Result<IndexListing> {
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
    let mut listing = IndexListing {
        files: Vec::with_capacity(index.entries().len()),
        unmerged: Vec::new(),
    };
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
        listing.files.push((
            name.to_owned(),
            StagedFile {
                oid,
                size: u64::from(entry.stat.size),
            },
        ));
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
        let (repo, IndexListing { files, unmerged }) = (repo?, listing?);
        Ok(Tree::Index(IndexTree {
            files,
            unmerged,
            dirs: OnceLock::new(),
            repo: Mutex::new(repo),
        }))
    }

    /// Whether git lists `path` as not merged yet (index only).
    pub fn is_unmerged(&self, path: &str) -> bool {
        match self {
            Tree::Work { .. } => false,
            Tree::Index(index) => index.unmerged.iter().any(|p| p == path),
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
                let at = index
                    .files
                    .partition_point(|(p, _)| p.as_bytes() < prefix.as_bytes());
                index
                    .files
                    .get(at)
                    .is_some_and(|(p, _)| p.starts_with(&prefix))
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
            Tree::Index(index) => index.dirs().get(dir).cloned().unwrap_or_default(),
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

    /// Every staged path with its entry, sorted (index only; empty for the work tree).
    pub fn staged_entries(&self) -> impl Iterator<Item = (&str, StagedFile)> {
        let files = match self {
            Tree::Work { .. } => None,
            Tree::Index(index) => Some(&index.files),
        };
        files
            .into_iter()
            .flat_map(|f| f.iter().map(|(p, s)| (p.as_str(), *s)))
    }
}
