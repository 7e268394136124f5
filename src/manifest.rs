//! `assets.lock`: the provenance manifest. One `[[asset]]` table per file, sorted
//! by path, fields in a fixed order, so that review diffs read well and a
//! write → read → write cycle is byte-identical.
//!
//! Saves are atomic (temp file, fsync, rename) and happen under an exclusive lock
//! on a separate, never-replaced lock file, so concurrent writers serialize their
//! load → modify → save cycles and no entry is lost.

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::atomic::{self, Existing};
use crate::config::AssetKind;
use crate::error::{Error, Location, Result};
use crate::lock_file::LockFile;
use crate::recorded::{Credit, ImageFormat, ParentRole, Route};

/// The manifest's file name, at the repository root.
pub const MANIFEST_FILE: &str = "assets.lock";
/// The manifest schema version this build reads and writes.
pub const MANIFEST_VERSION: u32 = 1;

const HEADER: &str = "# assets.lock: provenance of every managed asset. Written by assetrail; do not edit by hand.\n";

/// Token counts reported by an API, the billing basis of a cost estimate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Usage {
    /// All input tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    /// Text part of the input tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_text_tokens: Option<u64>,
    /// Image part of the input tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_image_tokens: Option<u64>,
    /// Output tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
    /// Total tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_tokens: Option<u64>,
}

/// Image options as the API reported them in its response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Returned {
    /// Size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// Quality.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality: Option<String>,
    /// Background.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
    /// Output format.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_format: Option<String>,
}

/// Partial images asked for and received while streaming.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PartialImages {
    /// `partial_images` in the request.
    pub requested: u32,
    /// Partial image events received.
    pub received: u32,
}

/// One retried attempt.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Retry {
    /// 1-based attempt number that failed.
    pub attempt: u32,
    /// Why it was retried (status code, error kind).
    pub reason: String,
    /// How long assetrail waited before the next attempt.
    pub wait_ms: u64,
}

/// An input this asset was made from, or the bytes it replaced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Parent {
    /// Repo-relative path of the parent at the time.
    pub path: String,
    /// sha256 of the parent's bytes.
    pub sha256: String,
    /// `input`, `mask`, `replaced` (an overwrite) or `converted`.
    pub role: ParentRole,
    /// Manifest id of the parent, when it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `input_fidelity` used for an edit input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_fidelity: Option<String>,
}

/// Content Credentials (C2PA) found embedded in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct C2paSummary {
    /// Where the manifest store sits, e.g. `png:caBX`, `jpeg:APP11`, `webp:C2PA`.
    pub container: String,
    /// Size of the embedded manifest store in bytes.
    pub bytes: u64,
    /// The software that made the claim (built with the `c2pa` feature).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_generator: Option<String>,
    /// The signing certificate's common name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// The signing certificate's issuer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Actions the manifest records (`c2pa.created`, `c2pa.edited`, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// How the content came to be (`…/trainedAlgorithmicMedia` for a generated image).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digital_source_type: Option<String>,
    /// `invalid`, `valid` or `trusted` when the file was recorded (`unreadable`
    /// when the store could not be parsed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation_state: Option<String>,
    /// Validation status codes (`signingCredential.untrusted`, `assertion.dataHash.mismatch`, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub validation_codes: Vec<String>,
}

/// One managed asset and how it was made. Field order here is the order in the file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ManifestEntry {
    /// Repo-relative path.
    pub path: String,
    /// Stable, time-sortable id (UUIDv7), kept across re-records of the same path.
    pub id: String,
    /// sha256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// File size.
    pub bytes: u64,
    /// File format: png, jpeg, webp, gif, ico, svg.
    pub format: ImageFormat,
    /// Pixels across, when the format has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Pixels down, when the format has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Asset kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<AssetKind>,
    /// Route: local, codex, manual, images, responses or gateway.NAME.
    pub route: Route,
    /// The `[routes]` entry used, when its name differs from `route`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_name: Option<String>,
    /// Credit source: none, codex-credits, openai-api, provider:NAME.
    pub credit: Credit,
    /// Image model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Text model (responses route).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_model: Option<String>,
    /// Gateway provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Gateway channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Host of the API base URL the request went to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_host: Option<String>,
    /// The prompt as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// The prompt as the model rewrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revised_prompt: Option<String>,
    /// Requested size (`WxH` or `auto`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// Requested quality.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality: Option<String>,
    /// Requested background.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
    /// Requested output format.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_format: Option<String>,
    /// Requested `output_compression` (jpeg, webp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_compression: Option<u8>,
    /// Index within an `n > 1` request (0-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_index: Option<u32>,
    /// Renderer and version, for the local route.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renderer: Option<String>,
    /// API response id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_id: Option<String>,
    /// API request id (`x-request-id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Server time in ms (`openai-processing-ms`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_ms: Option<u64>,
    /// Estimated cost in USD, billed to `credit`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_estimate_usd: Option<f64>,
    /// The `[pricing]` table the estimate came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_table: Option<String>,
    /// Where and when that table's prices were taken from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_source: Option<String>,
    /// Why there is no estimate, or what it leaves out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_note: Option<String>,
    /// Drawn by the offline renderer: a placeholder to replace before release.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub placeholder: bool,
    /// Alt text for pages that use the image (from the prompt).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
    /// For a transparent background: whether the returned image really has
    /// transparent pixels (checked after decoding, not taken on trust).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transparent_pixels: Option<bool>,
    /// Where the bytes were copied from (codex import, record).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_path: Option<String>,
    /// Codex thread id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// Why a hand-made file was adopted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// HEAD when the entry was written; absent on an unborn branch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_commit: Option<String>,
    /// Git blob id of the bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git_blob: Option<String>,
    /// When the entry was written, UTC, RFC 3339.
    pub created_at: String,
    /// assetrail version that wrote the entry.
    pub tool_version: String,
    /// Options as the API reported them back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returned: Option<Box<Returned>>,
    /// Token usage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Box<Usage>>,
    /// Streaming partial images.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial_images: Option<PartialImages>,
    /// Embedded Content Credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub c2pa: Option<Box<C2paSummary>>,
    /// Retried attempts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub retries: Vec<Retry>,
    /// Inputs and replaced versions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<Parent>,
    /// Where the file was before each move (`assetrail mv`), oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub moved_from: Vec<Move>,
}

/// One earlier location of a moved asset (same bytes, another path).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Move {
    /// The path it had.
    pub path: String,
    /// When it moved (UTC).
    pub moved_at: String,
    /// HEAD when it moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_commit: Option<String>,
}

/// The whole manifest, entries sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Schema version.
    pub version: u32,
    /// Entries, sorted by path, one per path.
    #[serde(default, rename = "asset", skip_serializing_if = "Vec::is_empty")]
    pub assets: Vec<ManifestEntry>,
}

impl Manifest {
    /// An empty manifest at the current version.
    pub fn new() -> Self {
        Manifest {
            version: MANIFEST_VERSION,
            assets: Vec::new(),
        }
    }

    /// Reads `assets.lock`; a missing file is an empty manifest.
    pub fn load(path: &Path) -> Result<Manifest> {
        match std::fs::read_to_string(path) {
            Ok(text) => Manifest::parse(&text, MANIFEST_FILE),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest::new()),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// Parses manifest text; `file` names it in errors. A lock with merge
    /// conflicts is refused with each conflicting entry named and how to
    /// settle it.
    pub fn parse(text: &str, file: &str) -> Result<Manifest> {
        if crate::lock_merge::has_markers(text) {
            return Err(conflicted(text, file));
        }
        Manifest::parse_text(text, file)
    }

    /// Parses manifest text as it is (conflict markers are a syntax error here).
    /// A lock in the layout assetrail writes is parsed table by table, on
    /// every core: no whole-document TOML tree (which held ten times the
    /// file in memory) and the same errors, at the same line and column.
    pub fn parse_text(text: &str, file: &str) -> Result<Manifest> {
        check_version(text, file)?;
        if let Some(manifest) = crate::lock_file::parse_by_table(text, file) {
            return manifest.and_then(|m| check_paths(m, text, file));
        }
        let manifest: Manifest = toml::from_str(text).map_err(|e| {
            let at = Location::from_offset(file, text, e.span().map_or(0, |s| s.start));
            Error::Manifest {
                message: format!("{at}: {}", e.message().trim_end()),
                hint: Some(format!(
                    "{file} is written by assetrail; restore it from git (`git checkout -- {file}`) or fix the line by hand"
                )),
            }
        })?;
        if let Some(pair) = manifest.assets.windows(2).find(|w| w[0].path >= w[1].path) {
            return Err(Error::Manifest {
                message: format!(
                    "{file}: entries are not sorted by path or repeat one ({:?} before {:?})",
                    pair[0].path, pair[1].path
                ),
                hint: Some(format!(
                    "{file} is written by assetrail; restore it from git or resolve the merge by hand"
                )),
            });
        }
        check_paths(manifest, text, file)
    }

    /// The manifest text: header comment, then TOML in a fixed order.
    pub fn to_text(&self) -> String {
        let body = toml::to_string(self).expect("manifest types always serialize to TOML");
        let mut text = String::with_capacity(HEADER.len() + body.len());
        text.push_str(HEADER);
        text.push_str(&body);
        text
    }

    /// The entry for `path`, if any.
    pub fn get(&self, path: &str) -> Option<&ManifestEntry> {
        self.position(path).ok().map(|i| &self.assets[i])
    }

    /// Inserts or replaces the entry for its path, keeping the order; returns the
    /// entry it replaced.
    pub fn upsert(&mut self, entry: ManifestEntry) -> Option<ManifestEntry> {
        match self.position(&entry.path) {
            Ok(i) => Some(std::mem::replace(&mut self.assets[i], entry)),
            Err(i) => {
                self.assets.insert(i, entry);
                None
            }
        }
    }

    /// Removes the entry for `path`, returning it.
    pub fn remove(&mut self, path: &str) -> Option<ManifestEntry> {
        self.position(path).ok().map(|i| self.assets.remove(i))
    }

    fn position(&self, path: &str) -> std::result::Result<usize, usize> {
        self.assets
            .binary_search_by(|entry| entry.path.as_str().cmp(path))
    }
}

/// Refuses entries whose `path` is not a plain repo-relative path (absolute,
/// with `..`, or not normalized): such a path is never read or hashed.
fn check_paths(manifest: Manifest, text: &str, file: &str) -> Result<Manifest> {
    for entry in &manifest.assets {
        let fine = crate::repo_path::normalize(&entry.path).is_ok_and(|p| p == entry.path);
        if !fine {
            let needle = format!("path = {:?}", entry.path);
            let at = text.find(&needle).unwrap_or(0);
            return Err(Error::Manifest {
                message: format!(
                    "{}: {:?} is not a path inside the repository (absolute, `..`, or not normalized)",
                    Location::from_offset(file, text, at),
                    entry.path
                ),
                hint: Some(format!(
                    "{file} names files by repo-relative paths such as public/images/hero.png; restore it from git or fix the entry"
                )),
            });
        }
    }
    Ok(manifest)
}

/// The error for a lock with merge conflicts: which entries, and how to settle them.
fn conflicted(text: &str, file: &str) -> Error {
    let merged = match crate::lock_merge::read_conflicted(text, file) {
        Ok(merged) => merged,
        Err(e) => return e,
    };
    let mut message = format!(
        "{file} has unresolved merge conflicts in {} entr{}",
        merged.conflicts.len(),
        if merged.conflicts.len() == 1 {
            "y"
        } else {
            "ies"
        }
    );
    for conflict in &merged.conflicts {
        let at = conflict
            .line
            .map(|l| format!("{file}:{l}: "))
            .unwrap_or_default();
        message.push_str(&format!("\n  {at}{}", conflict.describe()));
    }
    if merged.conflicts.is_empty() {
        message.push_str(" (both sides agree entry by entry: only the markers remain)");
    }
    Error::Manifest {
        message,
        hint: Some(crate::lock_merge::resolve_hint()),
    }
}

/// Refuses a manifest from a newer assetrail before the full parse, so the user
/// hears "upgrade" rather than a list of unknown fields.
fn check_version(text: &str, file: &str) -> Result<()> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            break;
        }
        if let Some(rest) = trimmed.strip_prefix("version")
            && let Some(value) = rest.trim_start().strip_prefix('=')
        {
            let value = value.split('#').next().unwrap_or("").trim();
            if let Ok(version) = value.parse::<u64>()
                && version > u64::from(MANIFEST_VERSION)
            {
                let column_offset = offset + line.find(value).unwrap_or(0);
                let at = Location::from_offset(file, text, column_offset);
                return Err(Error::Manifest {
                    message: format!(
                        "{at}: manifest version {version} is newer than this assetrail reads ({MANIFEST_VERSION})"
                    ),
                    hint: Some(format!(
                        "upgrade assetrail (this is {}); the file was left untouched",
                        env!("CARGO_PKG_VERSION")
                    )),
                });
            }
        }
        offset += line.len();
    }
    Ok(())
}

/// What identifies one version of the manifest file on disk: every save
/// renames a new file into place, so a save changes at least the inode and mtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    inode: u64,
}

impl FileStamp {
    /// The stamp of the file at `path`, or `None` when it does not exist.
    pub fn of(path: &Path) -> Option<FileStamp> {
        Some(FileStamp::from_metadata(&path.metadata().ok()?))
    }

    /// The stamp of an open file.
    pub fn of_file(file: &File) -> Option<FileStamp> {
        Some(FileStamp::from_metadata(&file.metadata().ok()?))
    }

    fn from_metadata(meta: &std::fs::Metadata) -> FileStamp {
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let inode = 0;
        FileStamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode,
        }
    }
}

impl FileStamp {
    /// A string naming this version of the file, for caches.
    pub fn key(&self) -> String {
        let mtime = self
            .modified
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        format!("stat:{}:{mtime}:{}", self.len, self.inode)
    }
}

/// A cached parse of the manifest and the content key it belongs to.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
pub struct ParsedManifest {
    key: String,
    manifest: Manifest,
}

/// Reads a cached parse (whatever its key), to be checked by [`parse_cached`].
pub fn load_parsed(cache_path: &Path) -> Option<ParsedManifest> {
    let bytes = std::fs::read(cache_path).ok()?;
    let mut parsed: ParsedManifest = serde_json::from_slice(&bytes).ok()?;
    // The list grew by doubling; give the slack back before the scan needs it.
    parsed.manifest.assets.shrink_to_fit();
    Some(parsed)
}

/// Returns the manifest for the content named by `key` (a blob id or a file
/// stamp), from the parse cached at `cache_path` when the key matches, else by
/// parsing `read()` (and caching the result). Parse errors are never cached.
pub fn parse_cached(
    key: &str,
    cache_path: &Path,
    preloaded: Option<ParsedManifest>,
    file: &str,
    read: impl FnOnce() -> Result<Option<String>>,
) -> Result<Manifest> {
    if let Some(parsed) = preloaded
        .or_else(|| load_parsed(cache_path))
        .filter(|parsed| parsed.key == key)
    {
        return Ok(parsed.manifest);
    }
    let Some(text) = read()? else {
        return Ok(Manifest::new());
    };
    let manifest = Manifest::parse(&text, file)?;
    let parsed = ParsedManifest {
        key: key.to_owned(),
        manifest,
    };
    if let Some(dir) = cache_path.parent()
        && std::fs::create_dir_all(dir).is_ok()
        && let Ok(bytes) = serde_json::to_vec(&parsed)
    {
        let _ = atomic::write_cache(cache_path, &bytes);
    }
    Ok(parsed.manifest)
}

/// The lock read without holding the lock file, with the stamp of the file
/// it came from, so a later transaction can reuse it instead of reading the
/// file again.
#[derive(Debug, Clone)]
pub struct ManifestSnapshot {
    /// The lock as read.
    pub lock: LockFile,
    stamp: Option<FileStamp>,
}

impl ManifestSnapshot {
    /// Reads the lock at `path` (stamped before reading, so a concurrent save
    /// makes the stamp stale rather than the snapshot wrong). `cache_dir`
    /// remembers which version of the file is known to be valid.
    pub fn load(path: &Path, cache_dir: &Path) -> Result<ManifestSnapshot> {
        let stamp = FileStamp::of(path);
        let lock = read_lock(path, cache_dir, stamp)?;
        Ok(ManifestSnapshot { lock, stamp })
    }
}

/// Where the stamp of the last lock text known valid is kept.
fn verified_path(cache_dir: &Path) -> PathBuf {
    cache_dir.join("lock-verified")
}

/// What the record of a valid lock adds when the lock is in the layout
/// `Manifest::to_text` writes (so it can be searched on disk).
const INDEXED: &str = " indexed";

/// Reads the lock at `path` for writing: parsed whole (validated) unless its
/// stamp is the one recorded as valid; then searched on disk when recorded in
/// the layout assetrail writes, else read and indexed by entry.
fn read_lock(path: &Path, cache_dir: &Path, stamp: Option<FileStamp>) -> Result<LockFile> {
    let Some(stamp) = stamp else {
        return Ok(LockFile::empty(MANIFEST_FILE));
    };
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(LockFile::empty(MANIFEST_FILE));
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    let record = std::fs::read_to_string(verified_path(cache_dir)).unwrap_or_default();
    let (key, indexed) = match record.strip_suffix(INDEXED) {
        Some(key) => (key, true),
        None => (record.as_str(), false),
    };
    // The stamp of the open file itself: the path may have been replaced
    // since `stamp` was taken.
    let opened = FileStamp::of_file(&file);
    let verified = key == stamp.key() && opened == Some(stamp);
    if verified && indexed {
        return Ok(LockFile::on_disk(file, stamp.len, MANIFEST_FILE));
    }
    let text = std::io::read_to_string(&file).map_err(|e| Error::io(path, e))?;
    let lock = LockFile::read(text, MANIFEST_FILE, verified)?;
    if let Some(opened) = opened
        && (!verified || lock.is_indexed())
    {
        record_verified(opened, cache_dir, lock.is_indexed());
    }
    Ok(lock)
}

/// Records the lock file with `stamp` as valid, and whether it is in the
/// indexed layout (best effort: without the record, the next writer parses
/// the file whole once).
fn record_verified(stamp: FileStamp, cache_dir: &Path, indexed: bool) {
    if std::fs::create_dir_all(cache_dir).is_ok() {
        let layout = if indexed { INDEXED } else { "" };
        let _ = atomic::write_cache(
            &verified_path(cache_dir),
            format!("{}{layout}", stamp.key()).as_bytes(),
        );
    }
}

/// A held exclusive lock on the manifest and the manifest as read under it.
/// `commit` saves atomically; dropping without committing leaves the file as it was.
pub struct ManifestTransaction {
    _lock: File,
    path: PathBuf,
    cache_dir: PathBuf,
    /// The lock to modify.
    pub lock: LockFile,
}

impl ManifestTransaction {
    /// Waits for the exclusive lock file `manifest.lock` in `cache_dir`, then
    /// reads the lock at `path` — or takes `snapshot` when the file has not
    /// changed since it was read.
    pub fn begin(
        path: &Path,
        cache_dir: &Path,
        snapshot: Option<ManifestSnapshot>,
    ) -> Result<Self> {
        std::fs::create_dir_all(cache_dir).map_err(|e| Error::io(cache_dir, e))?;
        let lock_path = cache_dir.join("manifest.lock");
        let lock_file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io(&lock_path, e))?;
        lock_file.lock().map_err(|e| Error::io(&lock_path, e))?;
        let now = FileStamp::of(path);
        let lock = match snapshot {
            Some(snapshot) if snapshot.stamp.is_some() && snapshot.stamp == now => snapshot.lock,
            _ => read_lock(path, cache_dir, now)?,
        };
        Ok(ManifestTransaction {
            _lock: lock_file,
            path: path.to_path_buf(),
            cache_dir: cache_dir.to_path_buf(),
            lock,
        })
    }

    /// Saves the lock atomically (only the changed tables are written anew)
    /// and releases the lock file.
    pub fn commit(self) -> Result<()> {
        let indexed = atomic::write_with(&self.path, Existing::Replace, |out| self.lock.save(out))?;
        // The lock file is held: no other assetrail replaced it since.
        if let Some(stamp) = FileStamp::of(&self.path) {
            record_verified(stamp, &self.cache_dir, indexed);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> ManifestEntry {
        ManifestEntry {
            path: path.to_owned(),
            id: "0190c7a2-0000-7000-8000-000000000000".into(),
            sha256: "ab".repeat(32),
            bytes: 42,
            format: crate::recorded::ImageFormat::Png,
            width: Some(1024),
            height: Some(1024),
            kind: Some(AssetKind::Cover),
            route: "local".into(),
            credit: "none".into(),
            prompt: Some("a \"quoted\"\nmulti-line prompt".into()),
            cost_estimate_usd: Some(0.053),
            created_at: "2026-11-24T14:00:00Z".into(),
            tool_version: "0.1.0".into(),
            usage: Some(Box::new(Usage {
                output_tokens: Some(7024),
                ..Usage::default()
            })),
            parents: vec![Parent {
                path: "public/a.png".into(),
                sha256: "cd".repeat(32),
                role: crate::recorded::ParentRole::Input,
                ..Parent::default()
            }],
            retries: vec![Retry {
                attempt: 1,
                reason: "429".into(),
                wait_ms: 500,
            }],
            ..ManifestEntry::default()
        }
    }

    #[test]
    fn write_read_write_is_byte_identical() {
        let mut manifest = Manifest::new();
        for path in ["public/b.png", "public/a.png", "public/c.png"] {
            manifest.upsert(entry(path));
        }
        let first = manifest.to_text();
        let reread = Manifest::parse(&first, MANIFEST_FILE).unwrap();
        assert_eq!(reread, manifest);
        assert_eq!(reread.to_text(), first);
        let paths: Vec<_> = reread.assets.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["public/a.png", "public/b.png", "public/c.png"]);
        assert!(first.starts_with(HEADER));
        assert!(first.contains("[[asset]]"));
    }

    #[test]
    fn empty_manifest_round_trips() {
        let text = Manifest::new().to_text();
        assert_eq!(
            Manifest::parse(&text, MANIFEST_FILE).unwrap(),
            Manifest::new()
        );
    }

    #[test]
    fn future_version_is_refused_at_its_location() {
        let err = Manifest::parse("# c\nversion = 2\n", MANIFEST_FILE).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("assets.lock:2:11: manifest version 2 is newer"),
            "{err}"
        );
    }

    #[test]
    fn garbled_manifest_is_located() {
        let err = Manifest::parse("version = 1\n[[asset]]\npath = \n", MANIFEST_FILE).unwrap_err();
        assert!(err.to_string().starts_with("assets.lock:3:"), "{err}");
        let err = Manifest::parse("version = 1\n[[asset]]\nsha = 1\n", MANIFEST_FILE).unwrap_err();
        assert!(err.to_string().contains("unknown field `sha`"), "{err}");
    }

    #[test]
    fn unsorted_entries_are_refused() {
        let mut manifest = Manifest::new();
        manifest.assets = vec![entry("public/b.png"), entry("public/a.png")];
        let err = Manifest::parse(&manifest.to_text(), MANIFEST_FILE).unwrap_err();
        assert!(err.to_string().contains("not sorted"), "{err}");
    }
}
