//! The scan: walk the repository (honouring `.gitignore` and `assets.toml`
//! include/exclude), extract references from each content file in parallel —
//! reusing a per-file cache under `.git/assetrail/` when the file is unchanged —
//! then resolve them all.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::image_path::IMAGE_EXTENSIONS;
use super::resolve::{Reference, Resolver};
use super::site::{Site, Sites, is_marker};
use super::tree::Tree;
use super::{ExtractOptions, Extraction, LineIndex, Syntax, extract};
use crate::atomic::{self, Existing};
use crate::error::{Error, Result};
use crate::repo_path;
use crate::workspace::Workspace;

/// A file that could not be fully read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileProblem {
    /// Repo-relative file.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What the parser said.
    pub message: String,
}

/// Everything a scan found.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
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

const CACHE_VERSION: u32 = 2;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Cache {
    version: u32,
    salt: String,
    files: HashMap<String, CachedFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedFile {
    len: u64,
    mtime_ns: u128,
    inode: u64,
    /// Git blob id of the content the extraction came from.
    oid: String,
    extraction: Extraction,
}

#[derive(Default)]
struct FileList {
    content: Vec<(String, Syntax)>,
    images: Vec<String>,
    markers: Vec<String>,
}

/// Scans the work tree. With `only`, extraction is limited to content files
/// at or below those repo-relative paths (resolution still sees every image).
pub fn scan(ws: &Workspace, only: &[String]) -> Result<ScanResult> {
    scan_tree(ws, only, &Tree::work(ws.root()))
}

/// Scans `tree` (the work tree or the index).
pub fn scan_tree(ws: &Workspace, only: &[String], tree: &Tree) -> Result<ScanResult> {
    let root = ws.root();
    let config = &ws.config;
    let include = globs(&config.scan_include)?;
    let exclude = globs(&config.scan_exclude)?;
    let list = match tree {
        Tree::Work { .. } => {
            let mut list = walk(root, &include, &exclude)?;
            // Managed folders are read even where .gitignore hides them (generated output).
            for folder in &config.folders {
                for entry in walkdir::WalkDir::new(root.join(folder))
                    .into_iter()
                    .flatten()
                {
                    if entry.file_type().is_file()
                        && let Ok(rel) = entry.path().strip_prefix(root)
                    {
                        let rel = rel.to_string_lossy().replace('\\', "/");
                        if is_image(&rel) {
                            list.images.push(rel);
                        }
                    }
                }
            }
            list
        }
        Tree::Index(_) => {
            let mut list = FileList::default();
            for path in tree.staged_paths() {
                classify(path.to_owned(), &include, &exclude, &mut list);
            }
            list
        }
    };
    let mut images = list.images;
    images.sort();
    images.dedup();

    let sites = Sites::discover(root, config, &list.markers);
    let content: Vec<(String, Syntax)> = list
        .content
        .into_iter()
        .filter(|(path, _)| {
            only.is_empty()
                || only
                    .iter()
                    .any(|o| o.is_empty() || repo_path::is_within(path, o))
        })
        .collect();

    let mut options = ExtractOptions::default();
    options.image_keys.extend(config.image_keys.iter().cloned());
    let salt = format!(
        "{}|{}|{}",
        env!("CARGO_PKG_VERSION"),
        build_identity(),
        options.image_keys.join(",")
    );
    let cache_path = ws.git.git_dir().join("assetrail").join("refs-cache.json");
    let mut cache = load_cache(&cache_path, &salt);

    let stats = Mutex::new(ScanStats {
        files: content.len(),
        ..ScanStats::default()
    });
    let count =
        |f: &dyn Fn(&mut ScanStats)| f(&mut stats.lock().unwrap_or_else(|p| p.into_inner()));
    let results: Vec<(String, CachedFile, bool, String)> = content
        .par_iter()
        .filter_map(|(path, syntax)| {
            let cached = cache.files.get(path);
            let stamp = match tree {
                Tree::Work { .. } => {
                    let stamp = Stamp::of(&root.join(path).metadata().ok()?);
                    if let Some(cached) = cached
                        && stamp.matches(cached)
                    {
                        count(&|s| s.cached += 1);
                        return Some((path.clone(), cached.clone(), false, String::new()));
                    }
                    stamp
                }
                Tree::Index(_) => {
                    let staged = tree.staged(path)?;
                    if let Some(cached) = cached
                        && cached.oid == staged.oid.to_string()
                    {
                        count(&|s| s.cached += 1);
                        return Some((path.clone(), cached.clone(), false, String::new()));
                    }
                    Stamp {
                        len: staged.size,
                        mtime_ns: 0,
                        inode: 0,
                    }
                }
            };
            let bytes = tree.read(path)?;
            let oid = git2::Oid::hash_object(git2::ObjectType::Blob, &bytes)
                .map(|o| o.to_string())
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            count(&|s| s.bytes_read += bytes.len() as u64);
            let extraction = match cached {
                Some(cached) if cached.oid == oid => {
                    count(&|s| s.cached += 1);
                    cached.extraction.clone()
                }
                _ => {
                    count(&|s| s.parsed += 1);
                    let mut extraction = extract(path, &text, *syntax, &options);
                    if std::str::from_utf8(&bytes).is_err() {
                        extraction.problems.push(super::ParseProblem {
                            offset: std::str::from_utf8(&bytes)
                                .err()
                                .map_or(0, |e| e.valid_up_to()),
                            message: "not valid UTF-8 (read with replacement characters)".into(),
                        });
                    }
                    extraction
                }
            };
            let problem_text = if extraction.problems.is_empty() {
                String::new()
            } else {
                text.into_owned()
            };
            Some((
                path.clone(),
                CachedFile {
                    len: stamp.len,
                    mtime_ns: stamp.mtime_ns,
                    inode: stamp.inode,
                    oid,
                    extraction,
                },
                true,
                problem_text,
            ))
        })
        .collect();

    let changed = results.iter().any(|r| r.2)
        || (only.is_empty() && !tree.is_index() && cache.files.len() != results.len());
    let mut problems = Vec::new();
    let mut per_file = Vec::with_capacity(results.len());
    for (path, cached, _, text) in &results {
        for problem in &cached.extraction.problems {
            let (line, column) = if text.is_empty() {
                (0, 0)
            } else {
                LineIndex::new(text).line_column(text, problem.offset)
            };
            problems.push(FileProblem {
                file: path.clone(),
                line,
                column,
                message: problem.message.clone(),
            });
        }
        per_file.push((path.clone(), cached.extraction.references.clone()));
    }
    if changed {
        if only.is_empty() && !tree.is_index() {
            cache.files.clear();
        }
        for (path, cached, fresh, _) in results {
            // A staged version must not shadow the work tree's stamp.
            if fresh || !tree.is_index() {
                cache.files.insert(path, cached);
            }
        }
        save_cache(&cache_path, &cache);
    }

    let mut resolver = Resolver::new(tree, &sites, &images);
    let references = resolver.resolve_all(&per_file);
    problems.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(ScanResult {
        references,
        problems,
        sites: sites.all().to_vec(),
        images,
        stats: stats.into_inner().unwrap_or_else(|p| p.into_inner()),
    })
}

/// Sorts one repo-relative file into the lists it belongs to.
fn classify(rel: String, include: &GlobSet, exclude: &GlobSet, list: &mut FileList) {
    if is_marker(repo_path::file_name(&rel)) && !rel.contains("node_modules/") {
        list.markers.push(rel.clone());
    }
    if is_image(&rel) {
        list.images.push(rel);
    } else if let Some(syntax) = Syntax::of(&rel)
        && include.is_match(&rel)
        && !exclude.is_match(&rel)
    {
        list.content.push((rel, syntax));
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

fn is_image(path: &str) -> bool {
    repo_path::extension(path).is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.as_str()))
}

/// Walks the work tree in parallel, honouring `.gitignore`.
fn walk(root: &Path, include: &GlobSet, exclude: &GlobSet) -> Result<FileList> {
    let found = Mutex::new(FileList::default());
    ignore::WalkBuilder::new(root)
        .require_git(false)
        .hidden(true)
        .build_parallel()
        .run(|| {
            let mut batch = Batch {
                found: &found,
                local: FileList::default(),
            };
            Box::new(move |entry| {
                let Ok(entry) = entry else {
                    return ignore::WalkState::Continue;
                };
                if entry.file_type().is_some_and(|t| t.is_file())
                    && let Ok(rel) = entry.path().strip_prefix(root)
                {
                    let rel = rel.to_string_lossy().replace('\\', "/");
                    classify(rel, include, exclude, &mut batch.local);
                }
                ignore::WalkState::Continue
            })
        });
    let mut list = found.into_inner().expect("walk lock");
    list.content.sort_by(|a, b| a.0.cmp(&b.0));
    list.images.sort();
    list.markers.sort();
    Ok(list)
}

/// One walker thread's findings, merged into the shared list when the thread ends.
struct Batch<'f> {
    found: &'f Mutex<FileList>,
    local: FileList,
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        let mut found = self
            .found
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        found.content.append(&mut self.local.content);
        found.images.append(&mut self.local.images);
        found.markers.append(&mut self.local.markers);
    }
}

struct Stamp {
    len: u64,
    mtime_ns: u128,
    inode: u64,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
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
                .map_or(0, |d| d.as_nanos()),
            inode,
        }
    }

    fn matches(&self, cached: &CachedFile) -> bool {
        self.len == cached.len
            && self.mtime_ns == cached.mtime_ns
            && self.inode == cached.inode
            && self.mtime_ns != 0
    }
}

/// Identifies the running binary (size and mtime), so a rebuilt assetrail never
/// reuses extractions made by another build with the same version number.
fn build_identity() -> String {
    std::env::current_exe()
        .and_then(|exe| exe.metadata())
        .map(|meta| format!("{}", Stamp::of(&meta).mtime_ns ^ u128::from(meta.len())))
        .unwrap_or_default()
}

fn load_cache(path: &Path, salt: &str) -> Cache {
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Cache>(&bytes).ok())
        .filter(|cache| cache.version == CACHE_VERSION && cache.salt == salt)
        .unwrap_or_else(|| Cache {
            version: CACHE_VERSION,
            salt: salt.to_owned(),
            files: HashMap::new(),
        })
}

/// Best effort: a cache that cannot be written only costs time next run.
fn save_cache(path: &Path, cache: &Cache) {
    if let Some(dir) = path.parent()
        && std::fs::create_dir_all(dir).is_ok()
        && let Ok(bytes) = serde_json::to_vec(cache)
    {
        let _ = atomic::write(path, &bytes, Existing::Replace);
    }
}
