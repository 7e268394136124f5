//! The work tree's file list, remembered between runs under
//! `.git/assetrail/walk-cache`, as git's untracked cache does: a folder's
//! listing changes only when its modification time does, so when no folder
//! and no ignore file changed since the last walk, its list of files is the
//! answer and the tree is not read again. Any change, or a time too close to
//! the last walk to be trusted, walks the whole tree again.
//!
//! Local to one clone, never committed, safe to delete.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::stamp::{self, Stamp};
use crate::atomic;

const HEADER: &str = "assetrail walk-cache 2";

/// What one walk found, and what it depended on.
#[derive(Debug, Default)]
pub struct Walked {
    /// Every file not ignored, repo-relative, sorted (or a line per file
    /// that the caller makes of it, in the same order).
    pub files: Vec<String>,
    /// Every folder read (repo-relative, `""` the root) and its modification
    /// time when it was read.
    pub dirs: Vec<(String, u64)>,
    /// The ignore files met (`.gitignore`, `.ignore`), repo-relative.
    pub ignore_files: Vec<String>,
}

/// A listing of the tree, and whether the cache describes it.
pub struct Listing {
    /// One line per file, as `walk()` writes them.
    pub files: Vec<String>,
    /// The stamp of the cache file that holds exactly this listing (`None`
    /// when it was not cached): what later caches built on it are keyed by.
    pub cached: Option<String>,
}

/// The files of the tree at `root` — one line each, as `walk()` writes them
/// (a path, or a path with what the caller knows of it) — from the cache in
/// `cache_dir` when nothing they depend on changed and `valid` accepts every
/// line, else from `walk()` (and cached for next time). `identity` names the
/// build and settings a cached list was made with.
pub fn files(
    root: &Path,
    git_dir: &Path,
    cache_dir: &Path,
    identity: &str,
    valid: impl Fn(&str) -> bool,
    walk: impl FnOnce() -> Walked,
) -> Listing {
    let path = cache_dir.join("walk-cache");
    let sources = outside_sources(root, git_dir);
    // Stamped through the handle it is read from: the stamp is this text's.
    let remembered = std::fs::File::open(&path).ok().and_then(|file| {
        let stamp = Stamp::of(&file.metadata().ok()?);
        Some((std::io::read_to_string(file).ok()?, stamp))
    });
    if let Some((text, stamp)) = remembered
        && let Some(files) = still_valid(&text, root, identity, &sources)
        && files.iter().all(|f| valid(f))
    {
        return Listing {
            files,
            cached: Some(stamp_text(Some(stamp))),
        };
    }
    let started = SystemTime::now();
    let walked = walk();
    let cached = encode(&walked, root, identity, &sources, started)
        .filter(|_| std::fs::create_dir_all(cache_dir).is_ok())
        .and_then(|text| atomic::write_cache(&path, text.as_bytes()).ok())
        .and_then(|()| stamp_of(&path))
        .map(|stamp| stamp_text(Some(stamp)));
    Listing {
        files: walked.files,
        cached,
    }
}

const EXTRAS_HEADER: &str = "assetrail walk-tracked 2";

/// What git tracks that a cached listing lacks (files `.gitignore` hides),
/// as last found: kept under `walk-tracked` with the stamps of the git index
/// and of the listing it was found for, so an unchanged index is not read.
pub struct TrackedExtras {
    index: String,
    listing: String,
    paths: Vec<String>,
}

impl TrackedExtras {
    /// The record in `cache_dir`, if any.
    pub fn load(cache_dir: &Path) -> Option<TrackedExtras> {
        let text = std::fs::read_to_string(cache_dir.join("walk-tracked")).ok()?;
        let mut lines = text.lines();
        if lines.next()? != EXTRAS_HEADER {
            return None;
        }
        let index = lines.next()?.to_owned();
        let listing = lines.next()?.to_owned();
        let mut paths: Vec<String> = lines.map(str::to_owned).collect();
        // The last line counts the paths: a file cut short is not trusted.
        let count = paths.pop()?;
        (count == format!("end {}", paths.len())).then_some(TrackedExtras {
            index,
            listing,
            paths,
        })
    }

    /// Whether the git index at `index_file` is the one this was found from.
    pub fn index_unchanged(&self, index_file: &Path) -> bool {
        stamp_text(stamp_of(index_file)) == self.index
    }

    /// The paths, when both the index and the listing (by its cache stamp)
    /// are the ones they were found for.
    pub fn for_listing(self, index_file: &Path, listing: Option<&str>) -> Option<Vec<String>> {
        (self.index_unchanged(index_file) && listing == Some(self.listing.as_str()))
            .then_some(self.paths)
    }

    /// Records `paths` as found from the index at `index_file` for the
    /// listing whose cache stamp is `listing` (not when the index changed
    /// too recently to be trusted, nor for a listing that is not cached).
    pub fn save(cache_dir: &Path, index_file: &Path, listing: Option<&str>, paths: &[String]) {
        let Some(listing) = listing else { return };
        let trusted_before = stamp::trusted_before(SystemTime::now());
        let stamp = stamp_of(index_file);
        if stamp.is_some_and(|s| !s.settled(trusted_before))
            || paths.iter().any(|p| p.contains(['\n', '\r']))
        {
            return;
        }
        let mut text = format!("{EXTRAS_HEADER}\n{}\n{listing}\n", stamp_text(stamp));
        for path in paths {
            text.push_str(path);
            text.push('\n');
        }
        text.push_str(&format!("end {}\n", paths.len()));
        let _ = atomic::write_cache(&cache_dir.join("walk-tracked"), text.as_bytes());
    }
}

/// Ignore sources outside the tree's folders: git's `info/exclude`, the
/// global excludes file, and the ignore files of the folders above `root`.
fn outside_sources(root: &Path, git_dir: &Path) -> Vec<PathBuf> {
    let mut sources = vec![git_dir.join("info").join("exclude")];
    sources.extend(ignore::gitignore::gitconfig_excludes_path());
    for ancestor in root.ancestors().skip(1) {
        sources.push(ancestor.join(".gitignore"));
        sources.push(ancestor.join(".ignore"));
    }
    sources
}

/// A file's stamp, `None` when it does not exist.
fn stamp_of(path: &Path) -> Option<Stamp> {
    path.metadata().ok().map(|meta| Stamp::of(&meta))
}

/// A stamp as a cache line field (`-` for a missing file).
fn stamp_text(stamp: Option<Stamp>) -> String {
    match stamp {
        Some(stamp) => format!("{}:{}:{}", stamp.len, stamp.mtime_ns, stamp.inode),
        None => "-".to_owned(),
    }
}

/// The cache text for `walked` (`None` when a name cannot be written in it,
/// or a time is too close to the walk to be trusted next time).
fn encode(
    walked: &Walked,
    root: &Path,
    identity: &str,
    sources: &[PathBuf],
    started: SystemTime,
) -> Option<String> {
    let trusted_before = stamp::trusted_before(started);
    let fits = |name: &str| !name.contains(['\n', '\r']);
    // A stamp is trusted when the file is missing or older than the walk.
    let trusted = |path: &Path| {
        let stamp = stamp_of(path);
        stamp
            .is_none_or(|s| s.settled(trusted_before))
            .then(|| stamp_text(stamp))
    };
    let mut text = format!("{HEADER}\n{identity}\n");
    for source in sources {
        let stamp = trusted(source)?;
        text.push_str(&format!(
            "source {stamp} {}\n",
            source.to_str().filter(|s| fits(s))?
        ));
    }
    for file in &walked.ignore_files {
        let stamp = trusted(&root.join(file))?;
        text.push_str(&format!(
            "ignore {stamp} {}\n",
            Some(file).filter(|f| fits(f))?
        ));
    }
    for (dir, mtime) in &walked.dirs {
        if *mtime == 0 || *mtime >= trusted_before || !fits(dir) {
            return None;
        }
        text.push_str(&format!("dir {mtime} {dir}\n"));
    }
    for file in &walked.files {
        if !fits(file) {
            return None;
        }
        text.push_str(&format!("file {file}\n"));
    }
    // Caches are not synced: a file a power cut cut short lacks this line.
    text.push_str(&format!("end {}\n", walked.files.len()));
    Some(text)
}

/// The cached file list, when every folder, ignore file and source it
/// depended on is as it was.
fn still_valid(
    text: &str,
    root: &Path,
    identity: &str,
    sources: &[PathBuf],
) -> Option<Vec<String>> {
    let mut lines = text.lines();
    if lines.next()? != HEADER || lines.next()? != identity {
        return None;
    }
    let mut files = Vec::new();
    let mut expected_sources = sources.iter();
    let mut ended = false;
    for line in lines {
        let (tag, rest) = line.split_once(' ')?;
        if ended {
            return None;
        }
        match tag {
            "source" => {
                let (stamp, path) = rest.split_once(' ')?;
                let source = expected_sources.next()?;
                if source.to_str()? != path || stamp_text(stamp_of(source)) != stamp {
                    return None;
                }
            }
            "ignore" => {
                let (stamp, file) = rest.split_once(' ')?;
                if stamp_text(stamp_of(&root.join(file))) != stamp {
                    return None;
                }
            }
            "dir" => {
                let (mtime, dir) = rest.split_once(' ')?;
                let meta = root.join(dir).metadata().ok()?;
                if !meta.is_dir() || Stamp::of(&meta).mtime_ns.to_string() != mtime {
                    return None;
                }
            }
            "file" => files.push(rest.to_owned()),
            "end" if rest == files.len().to_string() => ended = true,
            _ => return None,
        }
    }
    // A source added since (another folder above the root) is a change too.
    (ended && expected_sources.next().is_none()).then_some(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn walk_of(root: &Path) -> Walked {
        let mut walked = Walked::default();
        let mut pending = vec![String::new()];
        while let Some(dir) = pending.pop() {
            let abs = root.join(&dir);
            let mtime = Stamp::of(&abs.metadata().unwrap()).mtime_ns;
            walked.dirs.push((dir.clone(), mtime));
            for entry in std::fs::read_dir(abs).unwrap().flatten() {
                let name = entry.file_name().into_string().unwrap();
                let rel = crate::repo_path::join(&dir, &name);
                if entry.file_type().unwrap().is_dir() {
                    pending.push(rel);
                } else {
                    if name == ".gitignore" {
                        walked.ignore_files.push(rel.clone());
                    }
                    walked.files.push(rel);
                }
            }
        }
        walked.files.sort();
        walked
    }

    /// Sets a path's modification time well before now, as an old tree has.
    fn age(path: &Path) {
        let old = SystemTime::now() - Duration::from_secs(60);
        let file = std::fs::File::open(path).unwrap();
        file.set_modified(old).unwrap();
    }

    #[test]
    fn a_listing_is_reused_until_a_folder_or_ignore_file_changes() {
        let tmp = tempfile::tempdir().unwrap();
        let (root, git_dir, cache) = (
            tmp.path().join("repo"),
            tmp.path().join("git"),
            tmp.path().join("cache"),
        );
        std::fs::create_dir_all(root.join("docs")).unwrap();
        std::fs::create_dir_all(&git_dir).unwrap();
        std::fs::write(root.join("docs/a.md"), "a").unwrap();
        std::fs::write(root.join(".gitignore"), "dist/\n").unwrap();
        for p in [root.join("docs"), root.clone(), root.join(".gitignore")] {
            age(&p);
        }
        let walks = std::cell::Cell::new(0);
        let list = || {
            files(
                &root,
                &git_dir,
                &cache,
                "test",
                |_| true,
                || {
                    walks.set(walks.get() + 1);
                    walk_of(&root)
                },
            )
            .files
        };
        assert_eq!(list(), [".gitignore", "docs/a.md"]);
        assert_eq!(list(), [".gitignore", "docs/a.md"]);
        assert_eq!(walks.get(), 1, "the second listing came from the cache");

        // A new file changes its folder's time: the tree is walked again.
        std::fs::write(root.join("docs/b.md"), "b").unwrap();
        assert_eq!(list(), [".gitignore", "docs/a.md", "docs/b.md"]);
        assert_eq!(walks.get(), 2);
        // Too recent to trust: walked again until the folder is old enough.
        list();
        assert_eq!(walks.get(), 3);
        age(&root.join("docs"));
        list();
        list();
        assert_eq!(walks.get(), 4);

        // An edited ignore file, and an edited exclude file, are changes.
        std::fs::write(root.join(".gitignore"), "dist/\nbuild/\n").unwrap();
        age(&root.join(".gitignore"));
        list();
        assert_eq!(walks.get(), 5);
        std::fs::create_dir_all(git_dir.join("info")).unwrap();
        std::fs::write(git_dir.join("info/exclude"), "*.log\n").unwrap();
        age(&git_dir.join("info/exclude"));
        list();
        assert_eq!(walks.get(), 6);
        list();
        assert_eq!(walks.get(), 6);
        // Another build or setting never reuses the list.
        files(
            &root,
            &git_dir,
            &cache,
            "other",
            |_| true,
            || {
                walks.set(walks.get() + 1);
                walk_of(&root)
            },
        );
        assert_eq!(walks.get(), 7);

        // A cache cut short (caches are not synced) is not trusted.
        list();
        list();
        assert_eq!(walks.get(), 8);
        let text = std::fs::read_to_string(cache.join("walk-cache")).unwrap();
        let short = &text[..text.trim_end().rfind('\n').unwrap() + 1];
        std::fs::write(cache.join("walk-cache"), short).unwrap();
        assert_eq!(list(), [".gitignore", "docs/a.md", "docs/b.md"]);
        assert_eq!(walks.get(), 9);
    }

    #[test]
    fn tracked_extras_cut_short_are_not_trusted() {
        let tmp = tempfile::tempdir().unwrap();
        let index = tmp.path().join("index");
        std::fs::write(&index, "an index").unwrap();
        age(&index);
        let paths = ["dist/a.md".to_owned(), "dist/b.md".to_owned()];
        TrackedExtras::save(tmp.path(), &index, Some("listing"), &paths);
        let loaded = TrackedExtras::load(tmp.path()).unwrap();
        assert_eq!(loaded.for_listing(&index, Some("listing")).unwrap(), paths);
        let file = tmp.path().join("walk-tracked");
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, text.replace("end 2\n", "")).unwrap();
        assert!(TrackedExtras::load(tmp.path()).is_none());
        std::fs::write(&file, text.replace("dist/b.md\n", "")).unwrap();
        assert!(TrackedExtras::load(tmp.path()).is_none());
    }
}
