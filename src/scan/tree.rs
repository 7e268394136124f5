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

impl Tree {
    /// The work tree.
    pub fn work(root: &Path) -> Tree {
        Tree::Work {
            root: root.to_path_buf(),
        }
    }

    /// The index file `index_file` of the repository at `git_dir` (stage 0
    /// entries; conflicts are skipped). See [`crate::git::GitRepo::index_file`].
    pub fn index(git_dir: &Path, index_file: &Path) -> Result<Tree> {
        let repo = git2::Repository::open(git_dir)?;
        let index = git2::Index::open(index_file)?;
        let mut files = Vec::with_capacity(index.len());
        let mut unmerged = Vec::new();
        for entry in index.iter() {
            let stage = (entry.flags >> 12) & 0x3;
            if stage != 0 {
                if let Ok(path) = String::from_utf8(entry.path) {
                    unmerged.push(path);
                }
                continue;
            }
            let Ok(path) = String::from_utf8(entry.path) else {
                continue;
            };
            files.push((
                path,
                StagedFile {
                    oid: entry.id,
                    size: u64::from(entry.file_size),
                },
            ));
        }
        unmerged.dedup();
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
