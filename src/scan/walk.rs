//! The scan: walk the repository (honouring `.gitignore` and `assets.toml`
//! include/exclude), extract references from each content file in parallel —
//! reusing a per-file cache under `.git/assetrail/` when the file is unchanged —
//! then resolve them all.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use serde::Serialize;

use super::cache::{Cache, CachedFile};
use super::image_path::IMAGE_EXTENSIONS;
use super::resolve::{Reference, Resolver};
use super::site::{Site, Sites, is_marker};
use super::stamp::{Stamp, visit_all};
use super::tree::{IndexListing, StagedFile, Tree};
use super::walk_cache::{TrackedExtras, Walked};
use super::{ExtractOptions, RawReference, Syntax};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::repo_path;
use crate::workspace::Workspace;

/// A file that could not be fully read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FileProblem {
    /// Repo-relative file.
    #[serde(rename = "path")]
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What the parser said.
    pub message: String,
}

/// Everything a scan found.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ScanResult {
    /// Resolved references, by file and position.
    pub references: Vec<Reference>,
    /// Files that could not be parsed (skipped or read in part).
    pub problems: Vec<FileProblem>,
    /// The sites found.
    pub sites: Vec<Site>,
    /// Every image file seen, repo-relative, sorted.
    #[serde(skip)]
    pub images: Vec<String>,
    /// Counters.
    pub stats: ScanStats,
}

/// How much work the scan did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ScanStats {
    /// Content files considered.
    pub files: usize,
    /// Bytes of the files that were read.
    pub bytes_read: u64,
    /// Files whose cached extraction was reused.
    pub cached: usize,
    /// Files parsed this time.
    pub parsed: usize,
}

#[derive(Default)]
struct FileList<'t> {
    /// Content files with their syntax and, for the index, their staged entry
    /// (paths borrowed from the index listing where there is one).
    content: Vec<(Cow<'t, str>, Syntax, Option<&'t StagedFile>)>,
    images: Vec<String>,
    markers: Vec<String>,
    /// The git index with its stats, when the work-tree listing read it:
    /// what it vouches for is not hashed again.
    index: Option<IndexListing>,
}

/// Scans the work tree. With `only`, extraction is limited to content files
/// at or below those repo-relative paths (resolution still sees every image).
pub fn scan(ws: &Workspace, only: &[String]) -> Result<ScanResult> {
    scan_tree(ws, only, &Tree::work(ws.root()))
}

/// Scans `tree` (the work tree or the index).
pub fn scan_tree(ws: &Workspace, only: &[String], tree: &Tree) -> Result<ScanResult> {
    scan_tree_with(ws, only, tree, None)
}

/// The reference cache kept in `cache_dir` ([`crate::git::GitRepo::cache_dir`])
/// for `config` and this build (empty when missing or stale). Loading it ahead
/// lets a caller overlap it with other start-up work.
pub fn load_cache(config: &Config, cache_dir: &Path) -> Cache {
    Cache::load(&cache_path(cache_dir), &cache_salt(config))
}

fn cache_path(cache_dir: &Path) -> PathBuf {
    cache_dir.join("refs-cache")
}

fn extract_options(config: &Config) -> ExtractOptions {
    let mut options = ExtractOptions::default();
    options.image_keys.extend(config.image_keys.iter().cloned());
    options
}

fn cache_salt(config: &Config) -> String {
    format!(
        "{}|{}|{}",
        env!("CARGO_PKG_VERSION"),
        build_identity(),
        extract_options(config).image_keys.join(",")
    )
}

/// Like [`scan_tree`], with the reference cache already loaded.
pub fn scan_tree_with<'t>(
    ws: &Workspace,
    only: &[String],
    tree: &'t Tree,
    preloaded: Option<Cache>,
) -> Result<ScanResult> {
    super::configure_threads();
    let root = ws.root();
    let config = &ws.config;
    let include = globs(&config.scan_include)?;
    let exclude = globs(&config.scan_exclude)?;
    let options = extract_options(config);
    let cache_dir = ws.git.cache_dir();
    let cache_path = cache_path(&cache_dir);
    let git_dir = ws.git.git_dir().to_path_buf();
    let list_files = || -> Result<FileList<'t>> {
        Ok(match tree.staged_files() {
            None => {
                // Managed folders are read even where .gitignore hides them
                // (generated output), alongside the listing of the tree.
                let (list, managed) = rayon::join(
                    || list_work_tree(root, &git_dir, config, &include, &exclude),
                    || crate::asset_state::managed_files(root, config),
                );
                let mut list = list?;
                let managed: Vec<String> =
                    managed.into_iter().filter(|rel| is_image(rel)).collect();
                list.images = merge_sorted(std::mem::take(&mut list.images), managed);
                list
            }
            Some(staged) => {
                const CHUNK: usize = 4096;
                let parts: Vec<FileList> = (0..staged.len().div_ceil(CHUNK))
                    .into_par_iter()
                    .map(|chunk| {
                        let mut part = FileList::default();
                        let end = ((chunk + 1) * CHUNK).min(staged.len());
                        for (path, file) in staged.slice(chunk * CHUNK..end) {
                            classify(
                                Cow::Borrowed(path),
                                Some(file),
                                &include,
                                &exclude,
                                &mut part,
                            );
                        }
                        part
                    })
                    .collect();
                let mut list = FileList::default();
                list.content
                    .reserve_exact(parts.iter().map(|p| p.content.len()).sum());
                list.images
                    .reserve_exact(parts.iter().map(|p| p.images.len()).sum());
                for mut part in parts {
                    list.content.append(&mut part.content);
                    list.images.append(&mut part.images);
                    list.markers.append(&mut part.markers);
                }
                list
            }
        })
    };
    // Listing the files and loading the cache are independent: do both at once.
    let (list, cache) = match preloaded {
        Some(cache) => (list_files(), cache),
        None => rayon::join(list_files, || load_cache(config, &cache_dir)),
    };
    let list = list?;
    let index = list.index;
    let mut images = list.images;
    if !images.is_sorted() {
        images.sort();
    }
    images.dedup();

    let sites = Sites::discover(tree, config, &list.markers);
    let content: Vec<(Cow<'t, str>, Syntax, Option<&'t StagedFile>)> = list
        .content
        .into_iter()
        .filter(|(path, _, _)| {
            only.is_empty()
                || only
                    .iter()
                    .any(|o| o.is_empty() || repo_path::is_within(path, o))
        })
        .map(|(path, syntax, staged)| {
            let syntax = sites.site_of(&path).syntax_for(syntax);
            (path, syntax, staged)
        })
        .collect();

    let cached_count = AtomicUsize::new(0);
    let parsed_count = AtomicUsize::new(0);
    let bytes_read = AtomicU64::new(0);
    let paths: Vec<&str> = content.iter().map(|(p, _, _)| p.as_ref()).collect();
    let cached = cache.lookup(&paths);
    let index_at = index.as_ref().map(|index| index.positions(&paths));
    // A file read now: its extraction is reused when only its stamp changed.
    // A stamp too recent to vouch for the bytes is cached as unknown, so the
    // file is read again next time.
    let trusted_before = super::stamp::trusted_before(std::time::SystemTime::now());
    let fresh_outcome = |i: usize, mut stamp: Stamp, bytes: Vec<u8>, vouched: Option<[u8; 20]>| {
        if !stamp.settled(trusted_before) {
            stamp.mtime_ns = 0;
        }
        let (path, syntax, _) = &content[i];
        bytes_read.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        let oid = vouched.unwrap_or_else(|| crate::git::blob_id(&bytes));
        let extraction = match cached[i] {
            Some(cached) if cached.oid == oid && cached.syntax == *syntax => {
                cached_count.fetch_add(1, Ordering::Relaxed);
                cached.extraction().clone()
            }
            _ => {
                parsed_count.fetch_add(1, Ordering::Relaxed);
                super::extract_bytes(path, &bytes, *syntax, &options)
            }
        };
        let file = CachedFile::new(stamp, oid, *syntax, extraction);
        Outcome::Fresh(Box::new(file))
    };
    fn reuse<'c>(cached: &'c CachedFile, count: &AtomicUsize) -> Outcome<'c> {
        count.fetch_add(1, Ordering::Relaxed);
        Outcome::Cached(cached)
    }
    // One outcome per content file, in order (`None`: gone or unreadable).
    let results: Vec<Option<Outcome<'_>>> = match tree {
        // Work-tree files are stamped, and read when their stamp changed,
        // a folder at a time.
        Tree::Work { .. } => visit_all(root, &paths, |i, folder| {
            let Some(cached) = cached[i] else {
                let (bytes, meta) = folder.read_stamped(paths[i])?;
                // Git's blob id where git vouches for the file: no SHA-1 of it.
                let vouched = index
                    .as_ref()
                    .zip(index_at.as_ref().and_then(|at| at[i]))
                    .and_then(|(index, at)| index.vouch_at(at, &meta))
                    .and_then(|oid| oid.as_bytes().try_into().ok());
                return Some(fresh_outcome(i, Stamp::of(&meta), bytes, vouched));
            };
            let stamp = folder.stamp(paths[i])?;
            if stamp.matches(cached) && cached.syntax == content[i].1 {
                return Some(reuse(cached, &cached_count));
            }
            let bytes = folder.read(paths[i], stamp.len)?;
            Some(fresh_outcome(i, stamp, bytes, None))
        }),
        Tree::Index(_) => content
            .par_iter()
            .enumerate()
            .map(|(i, (path, syntax, staged))| {
                let staged = staged.copied().or_else(|| tree.staged(path))?;
                if let Some(cached) = cached[i]
                    && cached.oid == staged.oid.as_bytes()
                    && cached.syntax == *syntax
                {
                    return Some(reuse(cached, &cached_count));
                }
                let stamp = Stamp {
                    len: staged.size,
                    mtime_ns: 0,
                    inode: 0,
                };
                let bytes = tree.read(path)?;
                Some(fresh_outcome(i, stamp, bytes, None))
            })
            .collect(),
    };

    let mut problems = Vec::new();
    let outcomes = || {
        content
            .iter()
            .zip(&results)
            .filter_map(|((path, _, _), outcome)| Some((path.as_ref(), outcome.as_ref()?)))
    };
    for (path, outcome) in outcomes() {
        for problem in &outcome.file().extraction().problems {
            problems.push(FileProblem {
                file: (*path).to_owned(),
                line: problem.line,
                column: problem.column,
                message: problem.message.clone(),
            });
        }
    }
    let per_file: Vec<(&str, &[RawReference])> = outcomes()
        .map(|(path, outcome)| (path, outcome.file().extraction().references.as_slice()))
        .filter(|(_, references)| !references.is_empty())
        .collect();
    let fresh = |outcome: &Outcome| matches!(outcome, Outcome::Fresh(_));
    let fresh_count = results.iter().flatten().filter(|o| fresh(o)).count();
    let whole_tree = only.is_empty() && !tree.is_index();
    let stale = whole_tree && cache.len() != content.len();
    // Re-reading a few staged files next time is cheaper than rewriting the
    // whole cache on every commit; the work tree always saves.
    let worth_saving = if tree.is_index() {
        fresh_count > STAGED_SAVE_THRESHOLD
    } else {
        fresh_count > 0
    };
    // The cache is written while the references are resolved.
    let save_cache = || {
        if !(worth_saving || stale) {
            return;
        }
        let entries: Vec<(&str, &CachedFile)> = if whole_tree {
            // Every file of the tree was seen: the cache is exactly theirs.
            outcomes()
                .map(|(path, outcome)| (path, outcome.file()))
                .collect()
        } else {
            let made: std::collections::HashMap<&str, &CachedFile> = outcomes()
                .filter(|(_, outcome)| fresh(outcome))
                .map(|(path, outcome)| (path, outcome.file()))
                .collect();
            let kept = cache.iter().filter(|(path, _)| !made.contains_key(path));
            kept.chain(made.iter().map(|(path, file)| (*path, *file)))
                .collect()
        };
        super::cache::save(&cache_path, &cache.salt, entries.into_iter());
    };
    let ((resolver, references), ()) = rayon::join(
        || {
            let mut resolver = Resolver::new(tree, &sites, &images);
            let references = resolver.resolve_all(&per_file);
            (resolver, references)
        },
        save_cache,
    );
    drop(per_file);
    problems.sort_by(|a, b| a.file.cmp(&b.file));
    let stats = ScanStats {
        files: content.len(),
        bytes_read: bytes_read.into_inner(),
        cached: cached_count.into_inner(),
        parsed: parsed_count.into_inner(),
    };
    drop(resolver);
    let owned: Vec<String> = content
        .into_iter()
        .filter_map(|(path, _, _)| match path {
            Cow::Owned(path) => Some(path),
            Cow::Borrowed(_) => None,
        })
        .collect();
    crate::drop_later((cache, owned));
    Ok(ScanResult {
        references,
        problems,
        sites: sites.all().to_vec(),
        images,
        stats,
    })
}

/// How many freshly parsed staged files make `check --staged` rewrite the cache.
const STAGED_SAVE_THRESHOLD: usize = 64;

/// One content file's extraction: reused from the cache, or made now (boxed:
/// most files are cached, and a list of 400,000 outcomes stays small).
enum Outcome<'c> {
    Cached(&'c CachedFile),
    Fresh(Box<CachedFile>),
}

impl Outcome<'_> {
    fn file(&self) -> &CachedFile {
        match self {
            Outcome::Cached(file) => file,
            Outcome::Fresh(file) => file,
        }
    }
}

/// Sorts one repo-relative file into the lists it belongs to.
fn classify<'t>(
    rel: Cow<'t, str>,
    staged: Option<&'t StagedFile>,
    include: &GlobSet,
    exclude: &GlobSet,
    list: &mut FileList<'t>,
) {
    let class = Class::of(&rel, include, exclude);
    list.add(rel, class, staged);
}

/// What a file is to the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Class {
    /// A framework or site file that tells where a site is.
    marker: bool,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Image,
    Content(Syntax),
    Other,
}

impl Class {
    fn of(rel: &str, include: &GlobSet, exclude: &GlobSet) -> Class {
        let kind = if is_image(rel) {
            Kind::Image
        } else if let Some(syntax) = Syntax::of(rel)
            && let candidate = globset::Candidate::new(rel)
            && include.is_match_candidate(&candidate)
            && !exclude.is_match_candidate(&candidate)
        {
            Kind::Content(syntax)
        } else {
            Kind::Other
        };
        Class {
            marker: is_marker(rel) && !rel.contains("node_modules/"),
            kind,
        }
    }

    /// Whether the scan has any use for the file.
    fn matters(self) -> bool {
        self.marker || self.kind != Kind::Other
    }

    /// The class as a short tag (`i`, `c3`, `-m`, …) for the walk cache.
    fn tag(self) -> String {
        let kind = match self.kind {
            Kind::Image => "i".to_owned(),
            Kind::Content(syntax) => {
                let at = Syntax::ALL.iter().position(|s| *s == syntax).unwrap_or(0);
                format!("c{at}")
            }
            Kind::Other => "-".to_owned(),
        };
        if self.marker { kind + "m" } else { kind }
    }

    /// The class a [`Class::tag`] names.
    fn from_tag(tag: &str) -> Option<Class> {
        let (kind, marker) = match tag.strip_suffix('m') {
            Some(kind) => (kind, true),
            None => (tag, false),
        };
        let kind = match kind {
            "i" => Kind::Image,
            "-" => Kind::Other,
            _ => Kind::Content(*Syntax::ALL.get(kind.strip_prefix('c')?.parse::<usize>().ok()?)?),
        };
        Some(Class { marker, kind })
    }
}

impl<'t> FileList<'t> {
    fn add(&mut self, rel: Cow<'t, str>, class: Class, staged: Option<&'t StagedFile>) {
        if class.marker {
            self.markers.push(rel.to_string());
        }
        match class.kind {
            Kind::Image => self.images.push(rel.into_owned()),
            Kind::Content(syntax) => self.content.push((rel, syntax, staged)),
            Kind::Other => {}
        }
    }

    fn append(mut self, mut other: FileList<'t>) -> FileList<'t> {
        self.content.append(&mut other.content);
        self.images.append(&mut other.images);
        self.markers.append(&mut other.markers);
        self
    }
}

fn globs(patterns: &[String]) -> Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        builder.add(Glob::new(pattern).map_err(|e| Error::Config {
            message: format!("assets.toml: invalid glob {pattern:?}: {e}"),
            hint: None,
        })?);
    }
    builder.build().map_err(|e| Error::Config {
        message: format!("assets.toml: invalid globs: {e}"),
        hint: None,
    })
}

/// Two lists as one sorted list, each sorted first if it is not (the walk's
/// and the managed folders' usually are: then a merge, not a sort).
fn merge_sorted(mut a: Vec<String>, mut b: Vec<String>) -> Vec<String> {
    for list in [&mut a, &mut b] {
        if !list.is_sorted() {
            list.sort();
        }
    }
    let mut merged = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        let next = if x <= y { a.next() } else { b.next() };
        merged.extend(next);
    }
    merged.extend(a);
    merged.extend(b);
    merged
}

fn is_image(path: &str) -> bool {
    repo_path::extension(path).is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.as_str()))
}

/// The work tree's files: what git tracks, even where `.gitignore` matches
/// it, and what the walk finds new and not ignored.
fn list_work_tree(
    root: &Path,
    git_dir: &Path,
    config: &Config,
    include: &GlobSet,
    exclude: &GlobSet,
) -> Result<FileList<'static>> {
    // A cached walk is reused only under the same globs.
    let settings = format!("{:?}{:?}", config.scan_include, config.scan_exclude);
    let cache_dir = crate::git::cache_dir_of(git_dir);
    let index_file = git_dir.join("index");
    let remembered = TrackedExtras::load(&cache_dir);
    // The index is read (alongside the walk) only when it changed since
    // the tracked files the walk lacks were last found.
    let index_changed = !remembered
        .as_ref()
        .is_some_and(|r| r.index_unchanged(&index_file));
    let ((mut list, listing), index) = rayon::join(
        || walk(root, git_dir, include, exclude, &settings),
        || index_changed.then(|| read_index_listing(&index_file)),
    );
    let (extras, index) =
        match remembered.and_then(|r| r.for_listing(&index_file, listing.as_deref())) {
            Some(extras) => (extras, index),
            None => {
                let index = index.unwrap_or_else(|| read_index_listing(&index_file));
                let extras = unlisted(&list, &index);
                TrackedExtras::save(&cache_dir, &index_file, listing.as_deref(), &extras);
                (extras, Some(index))
            }
        };
    list.index = index;
    for path in extras {
        // A tracked file deleted from the work tree is not there to scan.
        if !is_marker(&path) && root.join(&path).is_file() {
            classify(Cow::Owned(path), None, include, exclude, &mut list);
        }
    }
    Ok(list)
}

/// The sites of the repository at `root` (whose git directory is `git_dir`),
/// found from the work tree's framework files; nothing is extracted.
pub fn discover_sites(root: &Path, git_dir: &Path, config: &Config) -> Result<Sites> {
    super::configure_threads();
    let include = globs(&config.scan_include)?;
    let exclude = globs(&config.scan_exclude)?;
    let list = list_work_tree(root, git_dir, config, &include, &exclude)?;
    Ok(Sites::discover(&Tree::work(root), config, &list.markers))
}

/// The listing of the index file, with the stats that vouch for unchanged
/// files (an unreadable or missing one lists nothing).
fn read_index_listing(index_file: &Path) -> IndexListing {
    super::tree::read_index_with_stats(index_file).unwrap_or_default()
}

/// The tracked files the walk did not list (those `.gitignore` matches)
/// that the scan could use.
fn unlisted(list: &FileList, tracked: &IndexListing) -> Vec<String> {
    // The index and both lists are sorted by bytes: one merge finds what
    // the walk did not list, with no hashing of every path.
    let (mut content, mut images) = (0, 0);
    let mut missing = Vec::new();
    for (path, _) in tracked.iter() {
        while content < list.content.len() && *list.content[content].0 < *path {
            content += 1;
        }
        while images < list.images.len() && *list.images[images] < *path {
            images += 1;
        }
        let listed = list
            .content
            .get(content)
            .is_some_and(|(p, _, _)| **p == *path)
            || list.images.get(images).is_some_and(|p| *p == path);
        if !listed && (is_image(path) || Syntax::of(path).is_some() || is_marker(path)) {
            missing.push(path.to_owned());
        }
    }
    missing
}

/// Walks the work tree in parallel, honouring `.gitignore` (or takes the
/// remembered listing); with the stamp of the walk cache when it holds this
/// listing.
fn walk(
    root: &Path,
    git_dir: &Path,
    include: &GlobSet,
    exclude: &GlobSet,
    settings: &str,
) -> (FileList<'static>, Option<String>) {
    let identity = format!(
        "{}|{}|{settings}",
        env!("CARGO_PKG_VERSION"),
        build_identity()
    );
    let cache_dir = crate::git::cache_dir_of(git_dir);
    // The cache keeps each file that matters with its class: `TAG PATH`.
    let valid = |entry: &str| {
        entry
            .split_once(' ')
            .is_some_and(|(tag, _)| Class::from_tag(tag).is_some())
    };
    let listing = super::walk_cache::files(root, git_dir, &cache_dir, &identity, valid, || {
        let mut walked = walk_tree(root);
        walked.files = std::mem::take(&mut walked.files)
            .into_par_iter()
            .filter_map(|path| {
                let class = Class::of(&path, include, exclude);
                class.matters().then(|| format!("{} {path}", class.tag()))
            })
            .collect();
        walked
    });
    // Listed in order, in parallel: the lists come out sorted.
    let list = listing
        .files
        .into_par_iter()
        .fold(FileList::default, |mut list, mut entry| {
            if let Some((tag, _)) = entry.split_once(' ')
                && let Some(class) = Class::from_tag(tag)
            {
                // The path keeps the entry's allocation.
                entry.drain(..=tag.len());
                list.add(Cow::Owned(entry), class, None);
            }
            list
        })
        .reduce(FileList::default, FileList::append);
    (list, listing.cached)
}

/// Walks the work tree: every file that `.gitignore` does not hide, sorted,
/// with the folders read (and their times) and the ignore files met.
fn walk_tree(root: &Path) -> Walked {
    let found = Mutex::new(Walked::default());
    // Hidden folders are read (`.vitepress/`, `.github/`); `.gitignore` decides.
    ignore::WalkBuilder::new(root)
        .require_git(false)
        .hidden(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build_parallel()
        .run(|| {
            let mut batch = Batch {
                found: &found,
                local: Walked::default(),
            };
            Box::new(move |entry| {
                let Ok(entry) = entry else {
                    return ignore::WalkState::Continue;
                };
                let Ok(rel) = entry.path().strip_prefix(root) else {
                    return ignore::WalkState::Continue;
                };
                let rel = || rel.to_string_lossy().replace('\\', "/");
                match entry.file_type() {
                    // Stamped before it is read: a change after is seen next time.
                    Some(t) if t.is_dir() => {
                        let mtime = entry.metadata().map_or(0, |meta| Stamp::of(&meta).mtime_ns);
                        batch.local.dirs.push((rel(), mtime));
                    }
                    Some(t) if t.is_file() => {
                        let rel = rel();
                        if matches!(repo_path::file_name(&rel), ".gitignore" | ".ignore") {
                            batch.local.ignore_files.push(rel.clone());
                        }
                        batch.local.files.push(rel);
                    }
                    _ => {}
                }
                ignore::WalkState::Continue
            })
        });
    let mut walked = found.into_inner().expect("walk lock");
    walked.files.sort_unstable();
    walked
}

/// One walker thread's findings, merged into the shared list when the thread ends.
struct Batch<'f> {
    found: &'f Mutex<Walked>,
    local: Walked,
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        let mut found = self
            .found
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        found.files.append(&mut self.local.files);
        found.dirs.append(&mut self.local.dirs);
        found.ignore_files.append(&mut self.local.ignore_files);
    }
}

/// Identifies the running binary (size and mtime), so a rebuilt assetrail never
/// reuses extractions made by another build with the same version number.
fn build_identity() -> String {
    std::env::current_exe()
        .and_then(|exe| exe.metadata())
        .map(|meta| format!("{}", Stamp::of(&meta).mtime_ns ^ meta.len()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::merge_sorted;

    #[test]
    fn merged_lists_come_out_sorted_with_every_item() {
        let owned = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let merged = merge_sorted(owned(&["a", "c", "e/x"]), owned(&["b", "c", "d", "f"]));
        assert_eq!(merged, owned(&["a", "b", "c", "c", "d", "e/x", "f"]));
        // An unsorted list (a tracked file appended after the walk) is sorted first.
        let merged = merge_sorted(owned(&["b", "z", "a"]), owned(&["c"]));
        assert_eq!(merged, owned(&["a", "b", "c", "z"]));
    }
}
