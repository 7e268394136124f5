//! The scan: walk the repository (honouring `.gitignore` and `assets.toml`
//! include/exclude), extract references from each content file in parallel —
//! reusing a per-file cache under `.git/assetrail/` when the file is unchanged —
//! then resolve them all.

use std::collections::HashMap;
use std::hash::Hasher;
use std::path::Path;
use std::sync::Mutex;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::image_path::IMAGE_EXTENSIONS;
use super::resolve::{Reference, Resolver};
use super::site::{Site, Sites, is_marker};
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

const CACHE_VERSION: u32 = 1;

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
    hash: u64,
    extraction: Extraction,
}

#[derive(Default)]
struct FileList {
    content: Vec<(String, Syntax)>,
    images: Vec<String>,
    markers: Vec<String>,
}

/// Scans the repository. With `only`, extraction is limited to content files
/// at or below those repo-relative paths (resolution still sees every image).
pub fn scan(ws: &Workspace, only: &[String]) -> Result<ScanResult> {
    let root = ws.root();
    let config = &ws.config;
    let include = globs(&config.scan_include)?;
    let exclude = globs(&config.scan_exclude)?;
    let list = walk(root, &include, &exclude)?;
    let mut images = list.images;
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
                    images.push(rel);
                }
            }
        }
    }
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
    let results: Vec<(String, CachedFile, bool, String)> = content
        .par_iter()
        .filter_map(|(path, syntax)| {
            let abs = root.join(path);
            let meta = abs.metadata().ok()?;
            let stamp = Stamp::of(&meta);
            if let Some(cached) = cache.files.get(path)
                && stamp.matches(cached)
            {
                stats.lock().expect("stats lock").cached += 1;
                return Some((path.clone(), cached.clone(), false, String::new()));
            }
            let bytes = std::fs::read(&abs).ok()?;
            let hash = content_hash(&bytes);
            let text = String::from_utf8_lossy(&bytes);
            {
                let mut stats = stats.lock().expect("stats lock");
                stats.bytes_read += bytes.len() as u64;
            }
            let extraction = match cache.files.get(path) {
                Some(cached) if cached.hash == hash => {
                    stats.lock().expect("stats lock").cached += 1;
                    cached.extraction.clone()
                }
                _ => {
                    stats.lock().expect("stats lock").parsed += 1;
                    extract(path, &text, *syntax, &options)
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
                    hash,
                    extraction,
                },
                true,
                problem_text,
            ))
        })
        .collect();

    let changed =
        results.iter().any(|r| r.2) || (only.is_empty() && cache.files.len() != results.len());
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
        if only.is_empty() {
            cache.files.clear();
        }
        for (path, cached, _, _) in results {
            cache.files.insert(path, cached);
        }
        save_cache(&cache_path, &cache);
    }

    let mut resolver = Resolver::new(root, &sites, &images);
    let references = resolver.resolve_all(&per_file);
    problems.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(ScanResult {
        references,
        problems,
        sites: sites.all().to_vec(),
        images,
        stats: stats.into_inner().expect("stats lock"),
    })
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
                    let local = &mut batch.local;
                    if is_marker(repo_path::file_name(&rel)) && !rel.contains("node_modules/") {
                        local.markers.push(rel.clone());
                    }
                    if is_image(&rel) {
                        local.images.push(rel);
                    } else if let Some(syntax) = Syntax::of(&rel)
                        && include.is_match(&rel)
                        && !exclude.is_match(&rel)
                    {
                        local.content.push((rel, syntax));
                    }
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

fn content_hash(bytes: &[u8]) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    hasher.write(bytes);
    hasher.finish()
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
